/**
 * Kubernetes image pull secrets as a credential source: YAML/JSON files holding
 * Secrets of type `kubernetes.io/dockerconfigjson` (`.dockerconfigjson`) or the
 * legacy `kubernetes.io/dockercfg` (`.dockercfg`), in `data` (base64) or
 * `stringData`; a `List` of them; or a bare config.json. Keys match like
 * auth.json (host or host/namespace/repo, most specific first).
 */
import { readFile } from 'node:fs/promises';
import { parseYamlAll, toPlainData, yamlErrorMessage } from '../yaml/read.js';
import { authsOf, findAuthEntry, parseAuthEntry, type Auths } from './auths.js';
import { CredentialsError, type CredentialSource } from './credential.js';
import { displayPath } from './config-file.js';

interface SecretAuths {
  label: string;
  auths: Auths;
}

const KEYS = {
  'kubernetes.io/dockerconfigjson': { key: '.dockerconfigjson', legacy: false },
  'kubernetes.io/dockercfg': { key: '.dockercfg', legacy: true },
} as const;

const BASE64_RE = /^[A-Za-z0-9+/=\s]*$/;

function invalid(where: string, why: string): CredentialsError {
  return new CredentialsError('CREDENTIALS_INVALID', `${where}: ${why}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The JSON text of a Secret's config key, from `stringData` or base64 `data`. */
function secretPayload(secret: Record<string, unknown>, key: string, label: string): string | undefined {
  const stringData = isObject(secret.stringData) ? secret.stringData[key] : undefined;
  if (typeof stringData === 'string') return stringData;
  const data = isObject(secret.data) ? secret.data[key] : undefined;
  if (data === undefined) return undefined;
  if (typeof data !== 'string' || !BASE64_RE.test(data)) throw invalid(label, `data["${key}"] is not base64`);
  return Buffer.from(data, 'base64').toString('utf8');
}

function fromDocument(value: unknown, file: string, out: SecretAuths[]): void {
  if (!isObject(value)) throw invalid(file, 'not a Secret, List or config.json');
  if (value.kind === 'List' && Array.isArray(value.items)) {
    for (const item of value.items) fromDocument(item, file, out);
    return;
  }
  if (value.kind !== 'Secret') {
    if ('auths' in value) out.push({ label: `pull secret config ${file}`, auths: authsOf(value, file) });
    else throw invalid(file, 'not a Secret, List or config.json');
    return;
  }
  const meta = isObject(value.metadata) ? value.metadata : {};
  const name = `${typeof meta.namespace === 'string' ? `${meta.namespace}/` : ''}${typeof meta.name === 'string' ? meta.name : '(unnamed)'}`;
  const label = `pull secret ${name} (${file})`;
  const kind = KEYS[value.type as keyof typeof KEYS];
  if (!kind) return; // other Secret types in the same file are not ours to judge
  const payload = secretPayload(value, kind.key, label);
  if (payload === undefined) throw invalid(label, `has no "${kind.key}" in data or stringData`);
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    throw invalid(label, `"${kind.key}" is not JSON`);
  }
  out.push({ label, auths: authsOf(json, label, kind.legacy) });
}

async function loadFile(path: string, homedir: string, out: SecretAuths[]): Promise<void> {
  const file = displayPath(path, homedir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw invalid(`pull secret file ${file}`, `cannot read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  let parsed;
  try {
    parsed = parseYamlAll(text, 'the file');
  } catch (e) {
    throw invalid(`pull secret file ${file}`, (e as Error).message);
  }
  for (const doc of parsed.docs) {
    if (doc.errors.length > 0) throw new CredentialsError('CREDENTIALS_INVALID', yamlErrorMessage(`pull secret file ${file}`, doc.errors[0]!, parsed.lines));
    let value: unknown;
    try {
      value = toPlainData(doc, doc, 'the file');
    } catch (e) {
      throw invalid(`pull secret file ${file}`, (e as Error).message);
    }
    if (value !== null && value !== undefined) fromDocument(value, file, out);
  }
}

export function pullSecretSource(files: readonly string[], homedir: string): CredentialSource {
  let loaded: Promise<SecretAuths[]> | undefined;
  const load = async () => {
    const out: SecretAuths[] = [];
    for (const path of files) await loadFile(path, homedir, out);
    return out;
  };
  const summary = `pull secrets (${files.map((f) => displayPath(f, homedir)).join(', ')})`;

  return {
    async lookup(registry, repository) {
      const secrets = await (loaded ??= load());
      for (const { label, auths } of secrets) {
        const found = findAuthEntry(auths, registry, repository, true);
        const credential = found ? parseAuthEntry(found.entry, label, found.key) : undefined;
        if (credential) return { present: true, credential, source: label };
      }
      return { present: files.length > 0, source: summary };
    },
  };
}
