import { isIPv6 } from 'node:net';
import type { Request } from 'express';
import { BadRequestError } from '../errors';
import { replayOf } from './replay';

/**
 * True when `value` is a plain `host[:port]`: a DNS-style hostname (letters, digits, `-` and `_`
 * in labels of up to 63 characters, 253 in all, an optional trailing dot), which covers IPv4
 * literals, or a bracketed IPv6 literal; then optionally `:` and a port up to 65535. Nothing else:
 * no user info, path, comma list, quotes or spaces.
 *
 * @example
 * isPlainHost('sis.example.org:8443'); // true
 * isPlainHost('[::1]:3000');           // true
 * isPlainHost('evil.example/x?');      // false
 */
export function isPlainHost(value: string): boolean {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9_.-]+))(?::(\d{1,5}))?$/.exec(value);
  if (!m) return false;
  const [, ipv6, name, port] = m;
  if (port !== undefined && Number(port) > 65535) return false;
  if (ipv6 !== undefined) return isIPv6(ipv6);
  return isHostname(name!);
}

function isHostname(name: string): boolean {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare.length === 0 || bare.length > 253) return false;
  // Underscores are not DNS, but container and compose service names use them; they are harmless in a URL.
  return bare.split('.').every((label) => /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/.test(label));
}

/**
 * What the router's first step refuses a request with when no `baseUrl` is configured, or
 * undefined when its Host may be used. The URLs the provider writes (environmentURI, Location,
 * queue URIs) are then built from the request's `Host`, so one that is not a plain `host[:port]`
 * is refused with 400 before anything else is done — a hostile Host can never end up in a stored
 * environment or in a header. A request without Host (HTTP/1.0) gets `localhost`; a delayed
 * request run by the provider carries the URL it was accepted at.
 */
export function hostRefusal(req: Request): BadRequestError | undefined {
  const host = req.headers.host;
  if (host === undefined || isPlainHost(host) || replayOf(req)) return undefined;
  // The value is not echoed: it is what this step keeps out of every answer.
  return new BadRequestError('The Host header must be a plain host name or address, with an optional port', {
    description: 'Or configure baseUrl, so that the provider does not build URLs from the Host header',
  });
}
