/**
 * Credential values and the CredentialStore interface. Secrets live in
 * non-enumerable properties and every serialisation path (JSON, util.inspect,
 * String()) shows `[redacted]`, so a credential logged by mistake leaks nothing.
 */
import { inspect } from 'node:util';
import { CodedError, type CredentialsErrorCode } from '../errors.js';

export interface BasicCredential {
  readonly username: string;
  readonly password: string;
}

/** An OAuth2 refresh token (`identitytoken` in config.json, `<token>` from a helper). */
export interface IdentityTokenCredential {
  readonly identityToken: string;
}

export type Credential = BasicCredential | IdentityTokenCredential;

export interface CredentialLookup {
  credential?: Credential;
  /** Where the credential came from, or which sources were searched; never the secret. */
  source: string;
}

export interface CredentialStore {
  lookup(registry: string, repository: string): Promise<CredentialLookup>;
}

/** One place credentials may come from (a config file, a set of pull secrets). */
export interface CredentialSource {
  /** `present: false` when the file does not exist; `source` describes where the credential came from. */
  lookup(registry: string, repository: string): Promise<{ present: boolean; credential?: Credential; source: string }>;
}

const REDACTED = '[redacted]';

export class CredentialsError extends CodedError<CredentialsErrorCode> {
  override name = 'CredentialsError';
  constructor(code: CredentialsErrorCode, message: string) {
    super(code, message);
  }
}

export function isBasicCredential(c: Credential): c is BasicCredential {
  return 'password' in c;
}

function hideSecret<T extends object>(target: T, key: string, secret: string, shown: Record<string, string>): T {
  Object.defineProperty(target, key, { value: secret, enumerable: false });
  Object.defineProperty(target, 'toJSON', { value: () => shown, enumerable: false });
  Object.defineProperty(target, 'toString', { value: () => `Credential ${JSON.stringify(shown)}`, enumerable: false });
  Object.defineProperty(target, inspect.custom, { value: () => shown, enumerable: false });
  return Object.freeze(target);
}

export function basicCredential(username: string, password: string): BasicCredential {
  return hideSecret({ username } as BasicCredential, 'password', password, { username, password: REDACTED });
}

export function identityTokenCredential(identityToken: string): IdentityTokenCredential {
  return hideSecret({} as IdentityTokenCredential, 'identityToken', identityToken, { identityToken: REDACTED });
}
