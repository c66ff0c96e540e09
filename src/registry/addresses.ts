/**
 * Which addresses the import client may connect to. Link-local addresses
 * (169.254.0.0/16, fe80::/10) and the cloud metadata services (names and addresses)
 * are refused after DNS resolution unless allowed: a hostile image reference or
 * redirect must not turn an import into a metadata-credential fetch. Loopback and
 * private ranges stay allowed; internal registries live there.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';

/** dns.lookup's callback form, as net.connect calls it (with `all` set or not). */
export type LookupFunction = (
  hostname: string,
  options: LookupOneOptions | LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
) => void;

/** Names of cloud metadata services (GCE, AWS, Alibaba/Azure use literal addresses below). */
const METADATA_NAMES = new Set(['metadata.google.internal', 'metadata.goog', 'metadata', 'instance-data', 'instance-data.ec2.internal']);
/** Metadata addresses outside the link-local ranges. */
const METADATA_ADDRESSES = new Set(['fd00:ec2::254', '100.100.100.200']);

export const LINK_LOCAL_REFUSED = 'ESTREAMLOCK_LINK_LOCAL';

/** A refusal raised inside DNS resolution; the transport turns it into a RegistryError. */
export class LinkLocalRefused extends Error {
  readonly code = LINK_LOCAL_REFUSED;
  constructor(readonly host: string, readonly address: string | undefined) {
    super(address === undefined || address === host
      ? `${host} is a link-local or cloud metadata address`
      : `${host} resolves to ${address}, a link-local or cloud metadata address`);
  }
}

/** `::ffff:a.b.c.d` → `a.b.c.d`; other addresses lower-cased, brackets removed. */
function canonical(address: string): string {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  return mapped ? mapped[1]! : a;
}

/** True for 169.254.0.0/16, fe80::/10 and the known metadata addresses and names. */
export function isLinkLocalOrMetadata(hostOrAddress: string): boolean {
  const a = canonical(hostOrAddress).replace(/\.$/, '');
  if (METADATA_NAMES.has(a) || METADATA_ADDRESSES.has(a)) return true;
  const family = isIP(a);
  if (family === 4) return a.startsWith('169.254.');
  if (family === 6) {
    if (/^fe[89ab][0-9a-f]:/.test(a)) return true;
    return METADATA_ADDRESSES.has(expandV6(a));
  }
  return false;
}

/** A compressed IPv6 address in the shortest form Node prints (so `fd00:ec2:0::254` matches). */
function expandV6(a: string): string {
  try {
    return new URL(`http://[${a}]/`).hostname.slice(1, -1);
  } catch {
    return a;
  }
}

/** Throws LinkLocalRefused for a link-local or metadata host (name or literal), unless allowed. */
export function checkHost(hostname: string, allow: boolean): void {
  if (!allow && isLinkLocalOrMetadata(hostname)) throw new LinkLocalRefused(canonical(hostname), undefined);
}

/** Wraps a lookup so that any link-local or metadata answer fails the connection before it is made. */
export function guardedLookup(lookup: LookupFunction = dnsLookup as unknown as LookupFunction, allow = false): LookupFunction {
  if (allow) return lookup;
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      const list = (Array.isArray(addresses) ? addresses : [{ address: addresses, family: isIP(addresses) }]) as LookupAddress[];
      const bad = list.find((a) => isLinkLocalOrMetadata(a.address));
      if (bad) return callback(new LinkLocalRefused(hostname, bad.address), '');
      if ((options as LookupAllOptions).all) return callback(null, list);
      const first = list[0];
      if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      callback(null, first.address, first.family);
    });
  };
}
