/**
 * The credential store: docker config, then containers auth.json files, then
 * pull secrets; the first source with a credential for the registry wins.
 * Environment and home directory are passed in, never read from the process.
 */
import { authJsonSources } from './auth-json.js';
import type { CredentialLookup, CredentialSource, CredentialStore } from './credential.js';
import { dockerConfigSource } from './docker-config.js';
import { pullSecretSource } from './pull-secrets.js';

export interface CredentialStoreOptions {
  env: Record<string, string | undefined>;
  homedir: string;
  /** Secret (or config.json) files, searched after the user's own config files. */
  pullSecretFiles?: string[];
}

export function loadCredentialStore(options: CredentialStoreOptions): CredentialStore {
  const sources: CredentialSource[] = [dockerConfigSource(options), ...authJsonSources(options)];
  if (options.pullSecretFiles && options.pullSecretFiles.length > 0) sources.push(pullSecretSource(options.pullSecretFiles, options.homedir));

  return {
    async lookup(registry, repository): Promise<CredentialLookup> {
      const searched: string[] = [];
      for (const source of sources) {
        const result = await source.lookup(registry, repository);
        if (result.credential) return { credential: result.credential, source: result.source };
        if (result.present) searched.push(result.source);
      }
      return {
        source: searched.length > 0
          ? `no credentials for ${registry} in ${searched.join(', ')}`
          : 'no credential files found (docker config, containers auth.json)',
      };
    },
  };
}
