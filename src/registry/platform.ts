/**
 * Platforms (`os/arch[/variant]`) and picking one child manifest out of an image
 * index, skipping BuildKit attestation entries (`unknown/unknown`).
 */

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface IndexEntry {
  digest: string;
  mediaType?: string;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}

const PLATFORM_RE = /^([a-z0-9_-]+)\/([a-z0-9_-]+)(?:\/([a-z0-9_-]+))?$/i;

/** Parses `linux/arm64/v8`; undefined when the string is not of that shape. */
export function parsePlatform(text: string): Platform | undefined {
  const m = PLATFORM_RE.exec(text);
  if (!m) return undefined;
  return { os: m[1]!.toLowerCase(), architecture: m[2]!.toLowerCase(), ...(m[3] ? { variant: m[3].toLowerCase() } : {}) };
}

export function formatPlatform(p: { os?: string; architecture?: string; variant?: string }): string {
  return [p.os ?? '?', p.architecture ?? '?', ...(p.variant ? [p.variant] : [])].join('/');
}

/** containerd's defaults: `arm64` means v8, `arm` means v7, so `linux/arm64` matches `linux/arm64/v8`. */
function defaultVariant(architecture: string): string | undefined {
  if (architecture === 'arm64') return 'v8';
  if (architecture === 'arm') return 'v7';
  return undefined;
}

function isAttestation(entry: IndexEntry): boolean {
  return (entry.platform?.os === 'unknown' && entry.platform.architecture === 'unknown') ||
    entry.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest';
}

/** The index's platform entries, attestation entries left out. */
export function platformEntries(index: unknown): IndexEntry[] {
  const manifests = (index as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(manifests)) return [];
  return manifests.filter((m): m is IndexEntry => typeof (m as IndexEntry)?.digest === 'string' && !isAttestation(m as IndexEntry));
}

/** The entry for `wanted`, or undefined. Exact variant matches win over defaulted ones. */
export function selectPlatform(entries: IndexEntry[], wanted: Platform): IndexEntry | undefined {
  const want = wanted.variant ?? defaultVariant(wanted.architecture);
  let fallback: IndexEntry | undefined;
  for (const entry of entries) {
    const p = entry.platform;
    if (p?.os !== wanted.os || p.architecture !== wanted.architecture) continue;
    const have = p.variant ?? defaultVariant(p.architecture);
    if (have === want) return entry;
    if (wanted.variant === undefined && fallback === undefined) fallback = entry; // no variant asked: any will do
  }
  return fallback;
}
