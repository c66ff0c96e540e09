/**
 * containers (podman, skopeo, buildah) auth.json files, as credential sources:
 * `$REGISTRY_AUTH_FILE`, `$XDG_RUNTIME_DIR/containers/auth.json`, then
 * `${XDG_CONFIG_HOME:-~/.config}/containers/auth.json`. Keys may name a
 * namespace or repository; the most specific key wins.
 */
import { join } from 'node:path';
import type { CredentialSource } from './credential.js';
import { createConfigFileSource, displayPath } from './config-file.js';
import type { LocateOptions } from './docker-config.js';

/** The auth.json paths to search, in order, without duplicates. */
export function authJsonPaths({ env, homedir }: LocateOptions): string[] {
  const paths: string[] = [];
  if (env.REGISTRY_AUTH_FILE) paths.push(env.REGISTRY_AUTH_FILE);
  if (env.XDG_RUNTIME_DIR) paths.push(join(env.XDG_RUNTIME_DIR, 'containers', 'auth.json'));
  paths.push(join(env.XDG_CONFIG_HOME || join(homedir, '.config'), 'containers', 'auth.json'));
  return [...new Set(paths)];
}

export function authJsonSources(options: LocateOptions): CredentialSource[] {
  return authJsonPaths(options).map((path) =>
    createConfigFileSource({ path, label: `containers auth.json ${displayPath(path, options.homedir)}`, repoScoped: true, env: options.env }),
  );
}
