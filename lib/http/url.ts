import type { Request } from 'express';
import { BadRequestError } from '../errors';
import type { Format } from '../payload/codec';
import type { SifContext } from './context';
import { initSifContext } from './context';
import { responseFormat } from './negotiate';
import { negotiateProfiles, profiledFormat } from './profiles';
import { header } from './params';

/** The last path segment split into its name, matrix parameters and format suffix. */
export interface LastSegment {
  name: string;
  matrix: Record<string, string>;
  suffix: Format | undefined;
}

/**
 * Splits `xStudents.json;zoneId=Z;contextId=C` (or `xStudents;zoneId=Z.json`, as some clients send)
 * into name, matrix parameters and suffix. Express does not understand matrix parameters, so this
 * runs before routing. Values are percent-decoded; a repeated name is a 400.
 *
 * @example
 * splitLastSegment('xStudent.xml;zoneId=District');
 * // { name: 'xStudent', matrix: { zoneId: 'District' }, suffix: 'xml' }
 */
export function splitLastSegment(segment: string): LastSegment {
  // Most segments are a bare name or id: no parameters, no suffix, nothing to decode.
  if (!segment.includes(';') && !segment.includes('.')) return { name: segment, matrix: NO_MATRIX, suffix: undefined };
  const [head = '', ...params] = segment.split(';');
  const matrix: Record<string, string> = {};
  let suffix: Format | undefined;
  let name = head;
  ({ name, suffix } = stripSuffix(name));
  params.forEach((param, i) => {
    let text = param;
    if (i === params.length - 1 && suffix === undefined) ({ name: text, suffix } = stripSuffix(text));
    const eq = text.indexOf('=');
    const key = decode(eq < 0 ? text : text.slice(0, eq));
    if (key === '') return;
    if (Object.hasOwn(matrix, key)) throw new BadRequestError(`Matrix parameter "${key.slice(0, 40)}" is repeated`);
    matrix[key] = eq < 0 ? '' : decode(text.slice(eq + 1));
  });
  return { name, matrix, suffix };
}

/** The matrix of a segment without parameters: shared, and frozen so that no one adds to it. */
const NO_MATRIX: Readonly<Record<string, string>> = Object.freeze({});

function stripSuffix(text: string): { name: string; suffix: Format | undefined } {
  const m = /\.(xml|json)$/i.exec(text);
  return m ? { name: text.slice(0, m.index), suffix: m[1]!.toLowerCase() as Format } : { name: text, suffix: undefined };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new BadRequestError('A matrix parameter is not valid percent-encoding');
  }
}

/**
 * The first segment of a URL path below the mount point, without matrix parameters or a format
 * suffix: what tells whether a request is one of the provider's (`environments`, `requests`,
 * `queues`, `subscriptions`) before anything rewrites its URL. Compared as sent, since the routes
 * are case-sensitive.
 *
 * @example
 * firstSegment('/environments.json;zoneId=Z?x=1'); // 'environments'
 * firstSegment('/health');                          // 'health'
 */
export function firstSegment(url: string): string {
  // One scan to the first `/`, `;`, `?` or `#` after the leading slash: this runs on every request
  // that reaches the router, the host's included.
  const start = url.charCodeAt(0) === SLASH ? 1 : 0;
  let end = start;
  for (; end < url.length; end++) {
    const c = url.charCodeAt(end);
    if (c === SLASH || c === SEMICOLON || c === QUESTION || c === HASH) break;
  }
  return stripSuffix(url.slice(start, end)).name;
}

const SLASH = 0x2f;
const SEMICOLON = 0x3b;
const QUESTION = 0x3f;
const HASH = 0x23;

/** Where an object-service request is aimed: `{rc}/{service}[/{id}[/{service}/{id}…]]`, decoded. */
export interface ObjectPath {
  readonly service: string;
  readonly id: string | undefined;
  /** The segments after `{service}/{id}` (a service path), else undefined. */
  readonly rest: readonly string[] | undefined;
}

/**
 * The object-service path of a request path below the mount point (without matrix parameters), or
 * undefined when it is not one: not under `/requests/`, an empty segment (a trailing slash is
 * allowed, as Express's non-strict routes allow it), or a first segment in `reserved` (the other
 * services of the requests connector, such as `alerts`). Segments are percent-decoded.
 *
 * @example
 * objectPathOf('/requests/xStudents/a%20b', new Set(['alerts'])); // { service: 'xStudents', id: 'a b', rest: undefined }
 */
export function objectPathOf(path: string, reserved: ReadonlySet<string>): ObjectPath | undefined {
  if (!path.startsWith('/requests/')) return undefined;
  const segments = path.slice('/requests/'.length).split('/');
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  for (const segment of segments) if (segment === '') return undefined;
  if (reserved.has(segments[0]!)) return undefined;
  const decoded = segments.map(decodeSegment);
  return { service: decoded[0]!, id: decoded[1], rest: decoded.length > 2 ? decoded.slice(2) : undefined };
}

function decodeSegment(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    // What Express answers for a route parameter that is not valid percent-encoding.
    throw new BadRequestError('The request could not be processed');
  }
}

/**
 * The provider's own requests start here (the router's first step calls it): takes matrix
 * parameters and the format suffix off the last segment, rewrites `req.url` so that the route
 * table sees plain paths, and starts the context, which it returns. Because it rewrites the URL, it
 * runs only on requests the router has already decided to answer (router.ts): one passed on to the
 * host must reach it with the URL it came with. Throws 400 for repeated or badly encoded matrix
 * parameters.
 */
export function normalizeRequest(req: Request): SifContext {
  const url = req.url;
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const slash = path.lastIndexOf('/');
  const last = splitLastSegment(path.slice(slash + 1));
  const cleanPath = last.name.length === path.length - slash - 1 ? path : path.slice(0, slash + 1) + last.name;
  // Rewritten only when something was taken off: Express parses req.url again after each change.
  if (cleanPath !== path) req.url = q < 0 ? cleanPath : cleanPath + url.slice(q);
  const context = initSifContext(req, {
    matrix: last.matrix,
    suffixFormat: last.suffix,
    path: cleanPath,
    responseFormat: responseFormat(header(req, 'accept'), last.suffix),
  });
  const acceptProfile = header(req, 'accept-profile');
  // After the context is started: a 406 here is answered in the format negotiated so far.
  if (acceptProfile !== undefined) {
    context.profiles = negotiateProfiles(acceptProfile);
    context.responseFormat = profiledFormat(header(req, 'accept'), last.suffix, context.profiles);
  }
  return context;
}
