/**
 * Tiny OCI images made in Node: a one-file tar layer, a config, a manifest, and a two-platform
 * index, written as an `oci:` layout for `skopeo copy`, or pushed straight over HTTP (bench).
 * `skopeoDigest` reads back what the registry serves, the reference every test compares with.
 */
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { request, type Dispatcher } from 'undici';

const run = promisify(execFile);

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar';

export interface Blob {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly bytes: Buffer;
}

/** An image (manifest or index) with every blob it needs. */
export interface OciImage {
  readonly top: Blob;
  /** Config, layers, and for an index the child manifests, in upload order. */
  readonly blobs: readonly Blob[];
  /** Child manifests of an index, by `os/arch`. */
  readonly platforms: Readonly<Record<string, Blob>>;
}

function blob(mediaType: string, bytes: Buffer): Blob {
  return { mediaType, bytes, size: bytes.length, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}

const descriptor = (b: Blob, extra: Record<string, unknown> = {}) => ({ mediaType: b.mediaType, digest: b.digest, size: b.size, ...extra });

/** A ustar archive holding one regular file. */
export function tarOneFile(name: string, content: Buffer): Buffer {
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write('0000644\0', 100);
  header.write('0000000\0', 108);
  header.write('0000000\0', 116);
  header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
  header.write('00000000000\0', 136);
  header.write('        ', 148); // checksum placeholder
  header.write('0', 156);
  header.write('ustar\0', 257);
  header.write('00', 263);
  let sum = 0;
  for (const b of header) sum += b;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  const pad = Buffer.alloc((512 - (content.length % 512)) % 512);
  return Buffer.concat([header, content, pad, Buffer.alloc(1024)]);
}

/** A single-platform image whose one file says `content` (different content, different digest). */
export function makeImage(content: string, platform = 'linux/amd64'): OciImage {
  const [os, architecture, variant] = platform.split('/');
  const layer = blob(OCI_LAYER, tarOneFile('build.txt', Buffer.from(`${content}\n`)));
  const config = blob(
    OCI_CONFIG,
    Buffer.from(JSON.stringify({ architecture, os, ...(variant ? { variant } : {}), config: {}, rootfs: { type: 'layers', diff_ids: [layer.digest] } })),
  );
  const manifest = blob(OCI_MANIFEST, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, config: descriptor(config), layers: [descriptor(layer)] })));
  return { top: manifest, blobs: [layer, config], platforms: { [platform]: manifest } };
}

/** A multi-arch index over one image per platform. */
export function makeIndex(content: string, platforms: readonly string[] = ['linux/amd64', 'linux/arm64']): OciImage {
  const images = platforms.map((p) => ({ p, img: makeImage(`${content} ${p}`, p) }));
  const index = blob(
    OCI_INDEX,
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: images.map(({ p, img }) => {
          const [os, architecture, variant] = p.split('/');
          return descriptor(img.top, { platform: { architecture, os, ...(variant ? { variant } : {}) } });
        }),
      }),
    ),
  );
  return {
    top: index,
    blobs: images.flatMap(({ img }) => [...img.blobs, img.top]),
    platforms: Object.fromEntries(images.map(({ p, img }) => [p, img.top])),
  };
}

/** Writes `image` into an OCI layout at `dir` under `ref` (several refs can share one layout). */
export async function writeOciLayout(dir: string, ref: string, image: OciImage, existing: Array<Record<string, unknown>> = []): Promise<Array<Record<string, unknown>>> {
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  for (const b of [...image.blobs, image.top]) await writeFile(join(dir, 'blobs', 'sha256', b.digest.slice(7)), b.bytes);
  const manifests = [...existing.filter((m) => (m.annotations as Record<string, string>)?.['org.opencontainers.image.ref.name'] !== ref), descriptor(image.top, { annotations: { 'org.opencontainers.image.ref.name': ref } })];
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
  return manifests;
}

export interface SkopeoAuth {
  /** `user:password` */
  readonly creds?: string;
  /** Directory with `ca.crt` (skopeo's --cert-dir layout); else TLS is not verified. */
  readonly certDir?: string;
}

function tlsArgs(prefix: 'dest' | 'src' | '', auth: SkopeoAuth): string[] {
  const p = prefix ? `--${prefix}-` : '--';
  const args = auth.certDir ? [`${p}cert-dir=${auth.certDir}`] : [`${p}tls-verify=false`];
  if (auth.creds) args.push(`${p}creds=${auth.creds}`);
  return args;
}

/** `skopeo copy oci:DIR:ref docker://dest` (`--all` for an index). */
export async function skopeoPush(layoutDir: string, ref: string, dest: string, image: OciImage, auth: SkopeoAuth = {}): Promise<void> {
  await writeOciLayout(layoutDir, ref, image);
  const all = image.top.mediaType === OCI_INDEX ? ['--all'] : [];
  await run('skopeo', ['copy', '--quiet', ...all, '--preserve-digests', ...tlsArgs('dest', auth), `oci:${layoutDir}:${ref}`, `docker://${dest}`], { timeout: 60_000 });
}

/** The digest the registry serves for `ref` (`host/repo:tag`), as skopeo reports it. */
export async function skopeoDigest(ref: string, auth: SkopeoAuth = {}): Promise<string> {
  const { stdout } = await run('skopeo', ['inspect', '--raw', ...tlsArgs('', auth), `docker://${ref}`], { timeout: 60_000, encoding: 'buffer', maxBuffer: 16 * 1024 * 1024 });
  return `sha256:${createHash('sha256').update(stdout as Buffer).digest('hex')}`;
}

/** `skopeo inspect --format {{.Digest}}`: what skopeo itself calls the digest (the bench's baseline). */
export async function skopeoInspectDigest(ref: string, auth: SkopeoAuth = {}): Promise<string> {
  const { stdout } = await run('skopeo', ['inspect', '--format', '{{.Digest}}', ...tlsArgs('', auth), `docker://${ref}`], { timeout: 60_000 });
  return stdout.trim();
}

/**
 * Pushes blobs and the manifest over the distribution API (monolithic uploads), no skopeo:
 * fast enough to seed hundreds of tags for the bench. Anonymous registries only.
 */
export async function pushImage(registryUrl: string, repository: string, tag: string, image: OciImage, dispatcher?: Dispatcher): Promise<void> {
  const opts = dispatcher ? { dispatcher } : {};
  for (const b of image.blobs) {
    const head = await request(`${registryUrl}/v2/${repository}/blobs/${b.digest}`, { method: 'HEAD', ...opts });
    await head.body.dump();
    if (head.statusCode === 200) continue;
    if (b.mediaType === OCI_MANIFEST) {
      await putManifest(registryUrl, repository, b.digest, b, opts);
      continue;
    }
    const start = await request(`${registryUrl}/v2/${repository}/blobs/uploads/`, { method: 'POST', ...opts });
    await start.body.dump();
    if (start.statusCode !== 202) throw new Error(`upload start for ${repository}: HTTP ${start.statusCode}`);
    const location = new URL(String(start.headers.location), registryUrl);
    location.searchParams.set('digest', b.digest);
    const put = await request(location, { method: 'PUT', body: b.bytes, headers: { 'content-type': 'application/octet-stream', 'content-length': String(b.size) }, ...opts });
    await put.body.dump();
    if (put.statusCode !== 201) throw new Error(`blob upload for ${repository}: HTTP ${put.statusCode}`);
  }
  await putManifest(registryUrl, repository, tag, image.top, opts);
}

async function putManifest(registryUrl: string, repository: string, reference: string, b: Blob, opts: { dispatcher?: Dispatcher }): Promise<void> {
  const res = await request(`${registryUrl}/v2/${repository}/manifests/${reference}`, { method: 'PUT', body: b.bytes, headers: { 'content-type': b.mediaType }, ...opts });
  const text = await res.body.text();
  if (res.statusCode !== 201) throw new Error(`manifest PUT ${repository}:${reference}: HTTP ${res.statusCode} ${text}`);
}
