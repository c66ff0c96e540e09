/** Where the docker CLI keeps its config.json, as a credential source. */
import { join } from 'node:path';
import type { CredentialSource } from './credential.js';
import { createConfigFileSource, displayPath } from './config-file.js';

export interface LocateOptions {
  env: Record<string, string | undefined>;
  homedir: string;
}

/** `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath({ env, homedir }: LocateOptions): string {
  return env.DOCKER_CONFIG ? join(env.DOCKER_CONFIG, 'config.json') : join(homedir, '.docker', 'config.json');
}

export function dockerConfigSource(options: LocateOptions): CredentialSource {
  const path = dockerConfigPath(options);
  return createConfigFileSource({ path, label: `docker config ${displayPath(path, options.homedir)}`, repoScoped: false, env: options.env });
}
