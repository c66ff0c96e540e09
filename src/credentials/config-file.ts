/**
 * A credential source backed by one config.json-shaped file (docker config or
 * containers auth.json): `credHelpers`, then `credsStore`, then `auths`. The
 * file is read once, on first lookup; a missing file is simply absent.
 */
import { readFile } from 'node:fs/promises';
import { DOCKER_HUB } from '../image-ref.js';
import { parseJsonText } from '../yaml/read.js';
import { authsOf, DOCKER_HUB_LEGACY_KEY, findAuthEntry, parseAuthEntry, type Auths } from './auths.js';
import { CredentialsError, type CredentialSource } from './credential.js';
import { getFromHelper } from './helpers.js';

export interface ConfigFileSourceOptions {
  path: string;
  /** How the file is named in messages, e.g. `docker config ~/.docker/config.json`. */
  label: string;
  /** auth.json allows `host/namespace/repo` keys; docker config matches hosts only. */
  repoScoped: boolean;
  env: Record<string, string | undefined>;
}

interface ConfigFile {
  auths: Auths;
  credHelpers: Auths;
  credsStore: string | undefined;
}

/** A JSON file's contents, or undefined when it does not exist. */
export async function readJsonFile(path: string, label: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new CredentialsError('CREDENTIALS_INVALID', `${label}: cannot read (${code ?? 'error'})`);
  }
  return parseJsonText(text, label, (message) => new CredentialsError('CREDENTIALS_INVALID', message));
}

/** `~/…` for paths under the home directory, so messages stay short and user-neutral. */
export function displayPath(path: string, homedir: string): string {
  return homedir && path.startsWith(`${homedir}/`) ? `~${path.slice(homedir.length)}` : path;
}

/** The server string credential helpers are asked about (docker's convention). */
export function helperServerKey(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_LEGACY_KEY : registry;
}

export function createConfigFileSource(options: ConfigFileSourceOptions): CredentialSource {
  let loaded: Promise<ConfigFile | undefined> | undefined;
  const load = async (): Promise<ConfigFile | undefined> => {
    const json = await readJsonFile(options.path, options.label);
    if (json === undefined) return undefined;
    const auths = authsOf(json, options.label);
    const { credHelpers, credsStore } = json as { credHelpers?: unknown; credsStore?: unknown };
    if (credHelpers !== undefined && (credHelpers === null || typeof credHelpers !== 'object' || Array.isArray(credHelpers))) {
      throw new CredentialsError('CREDENTIALS_INVALID', `${options.label}: "credHelpers" is not an object`);
    }
    return { auths, credHelpers: (credHelpers ?? {}) as Auths, credsStore: typeof credsStore === 'string' && credsStore ? credsStore : undefined };
  };

  return {
    async lookup(registry, repository) {
      const file = await (loaded ??= load());
      if (!file) return { present: false, source: options.label };
      // credHelpers beats credsStore beats auths, as in the docker CLI.
      const named = findAuthEntry(file.credHelpers, registry, repository, options.repoScoped)?.entry;
      const helper = typeof named === 'string' && named ? named : file.credsStore;
      if (helper) {
        const credential = await getFromHelper(helper, helperServerKey(registry), { env: options.env });
        const source = `credential helper docker-credential-${helper} (${options.label})`;
        return credential ? { present: true, credential, source } : { present: true, source };
      }
      const found = findAuthEntry(file.auths, registry, repository, options.repoScoped);
      const credential = found ? parseAuthEntry(found.entry, options.label, found.key) : undefined;
      return credential ? { present: true, credential, source: options.label } : { present: true, source: options.label };
    },
  };
}
