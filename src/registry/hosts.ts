/**
 * Registry host facts: which host serves a registry's API, and which hosts are
 * loopback or private (they get plain-HTTP fallback, and realms pointing at them
 * are suspicious when the registry is elsewhere).
 */
import { isIP } from 'node:net';
import { DOCKER_HUB, DOCKER_HUB_API } from '../image-ref.js';

/** The host[:port] that serves the distribution API for a normalised registry. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

/** `host` without `:port` and without IPv6 brackets. */
export function hostnameOf(hostPort: string): string {
  if (hostPort.startsWith('[')) {
    const end = hostPort.indexOf(']');
    return end < 0 ? hostPort : hostPort.slice(1, end);
  }
  const colon = hostPort.lastIndexOf(':');
  return colon < 0 ? hostPort : hostPort.slice(0, colon);
}

/** `localhost`, `127.0.0.0/8` or `::1`, with or without a port. */
export function isLoopbackHost(hostPort: string): boolean {
  const host = hostnameOf(hostPort).toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

/**
 * An IP literal in a loopback, private, link-local or unspecified range
 * (169.254.169.254 being the classic metadata-service target of a hostile realm).
 */
export function isInternalIpLiteral(hostname: string): boolean {
  const host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
  const family = isIP(host);
  if (family === 4) {
    const [a = 0, b = 0] = host.split('.').map(Number);
    return a === 127 || a === 10 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  if (family === 6) {
    const h = host.toLowerCase();
    return h === '::1' || h === '::' || h.startsWith('fe80:') || h.startsWith('fc') || h.startsWith('fd') || h.startsWith('::ffff:');
  }
  return false;
}
