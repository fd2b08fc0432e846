import type { Request, Response } from 'express';
import { gzip } from 'node:zlib';
import type { ResolvedConfig } from '../config/resolve';
import type { Format } from '../payload/codec';
import { MEDIA_TYPES } from '../payload/codec';
import type { GoessnerValue } from '../payload/goessner';
import type { MessageType, ResponseAction } from '../protocol/enums';
import { H } from '../protocol/headers';
import { newId } from '../util/ids';
import { findSifContext } from './context';
import { header } from './params';
import { encodeProfiled, responseProfile } from './profiles';
import { replayOf } from './replay';

/** Bodies smaller than this are not worth compressing. */
const GZIP_THRESHOLD = 1024;

/**
 * zlib level 1 (the fastest): on pages of 100 students it takes 0.43 of level 6's CPU time for a
 * body about 10% larger (bench/micro/gzip-level.ts); nginx's default level is 1 for the same reason.
 */
const GZIP_LEVEL = 1;

/** Header values for one response beyond those every response gets. */
export interface ResponseOptions {
  messageType?: MessageType;
  /** Default: the one that answers the request's method; null leaves the header out (queued events). */
  responseAction?: ResponseAction | null;
  /** Further headers; one with the name of a standard header (e.g. `messageId`) replaces it. */
  headers?: Record<string, string | number>;
  /** Payload namespace; default the infrastructure namespace (of the version `Accept-Profile` asks for). */
  namespace?: string;
}

/**
 * Writes SIF responses: the headers every answer carries (interop.md §3), the payload in the
 * negotiated format, gzip when the consumer accepts it.
 */
export class Responder {
  /**
   * The `Vary` of every answer. With the `cors` option it names `Origin` too: whether an answer
   * carries `Access-Control-Allow-Origin` depends on that header (http/cors.ts), so a cache must not
   * serve one origin's answer to another.
   */
  private readonly vary: string;

  constructor(private readonly config: ResolvedConfig) {
    this.vary = config.cors ? 'Accept, Accept-Profile, Accept-Encoding, Origin' : 'Accept, Accept-Profile, Accept-Encoding';
  }

  /**
   * The absolute URL of the mount point for this request (for a delayed request, the one it was
   * sent to): the configured `baseUrl`, else one built from the request. The Host header has then
   * been checked to be a plain `host[:port]` (http/host.ts); the scheme is only ever http or https,
   * whatever an `X-Forwarded-Proto` says when the host app trusts proxies.
   *
   * @example
   * responder.baseUrl(req); // 'https://sis.example.org/sif3'
   */
  baseUrl(req: Request): string {
    const fixed = replayOf(req)?.baseUrl ?? this.config.baseUrl;
    if (fixed !== undefined) return fixed;
    const scheme = req.protocol === 'https' ? 'https' : 'http';
    return `${scheme}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
  }

  /** The URL of an environment. */
  environmentUrl(req: Request, environmentId: string): string {
    return `${this.baseUrl(req)}/environments/${environmentId}`;
  }

  /** Sends `root` with `value` as the body, in the negotiated format and content profile. */
  payload(req: Request, res: Response, status: number, root: string, value: GoessnerValue, options: ResponseOptions = {}): void {
    const format = this.format(req);
    const profile = responseProfile(findSifContext(req), format, root, options.namespace, this.config.infrastructureVersion, this.config.services);
    this.send(req, res, status, encodeProfiled(root, value, format, profile), MEDIA_TYPES[format], options, profile.contentProfile);
  }

  /** Sends a body already encoded (a queued delayed response). */
  bytes(req: Request, res: Response, status: number, body: Buffer, contentType: string, options: ResponseOptions = {}): void {
    this.send(req, res, status, body, contentType, options);
  }

  /**
   * Sends a body, gzipped off the event loop when it is worth it and the consumer accepts it. A
   * string body that is not compressed goes to `res.end` as it is: Node then writes the headers and
   * the body in one write, and no Buffer is made for it.
   */
  private send(req: Request, res: Response, status: number, body: string | Buffer, contentType: string, options: ResponseOptions, contentProfile?: string): void {
    // Past the immediate budget the consumer has had its 503: a late answer has nowhere to go.
    if (res.headersSent) return;
    const headers = this.headers(req, options);
    headers.push('Content-Type', contentType);
    if (contentProfile !== undefined) headers.push('Content-Profile', contentProfile);
    const length = typeof body === 'string' ? Buffer.byteLength(body, 'utf8') : body.length;
    if (length < GZIP_THRESHOLD || !acceptsGzip(header(req, 'accept-encoding'))) {
      headers.push('Content-Length', String(length));
      end(req, res, status, headers, body);
      return;
    }
    headers.push('Content-Encoding', 'gzip');
    gzip(body, { level: GZIP_LEVEL }, (err, compressed) => {
      // Whatever happened meanwhile (a 503 at the budget, the consumer gone) wins.
      if (res.headersSent || res.destroyed) return;
      if (err) {
        // Never seen in practice; the body can still go uncompressed.
        headers.splice(-2, 2, 'Content-Length', String(length));
        end(req, res, status, headers, body);
        return;
      }
      headers.push('Content-Length', String(compressed.length));
      end(req, res, status, headers, compressed);
    });
  }

  /** Sends headers only (204, 202, or a HEAD answer). */
  empty(req: Request, res: Response, status: number, options: ResponseOptions = {}): void {
    if (res.headersSent) return;
    res.writeHead(status, this.headers(req, options));
    res.end();
  }

  /**
   * Answers a HEAD as its GET would be answered (status, headers, Content-Type), without building
   * the body the GET would carry: a HEAD on a page costs the query, not the encoding.
   */
  head(req: Request, res: Response, status: number, options: ResponseOptions = {}): void {
    const format = this.format(req);
    const profile = responseProfile(findSifContext(req), format, '', options.namespace, this.config.infrastructureVersion).contentProfile;
    const headers = { 'Content-Type': MEDIA_TYPES[format], ...(profile === undefined ? {} : { 'Content-Profile': profile }), ...options.headers };
    this.empty(req, res, status, { ...options, headers });
  }

  private format(req: Request): Format {
    return findSifContext(req)?.responseFormat ?? 'xml';
  }

  /**
   * The headers every answer carries (interop.md §3), as a flat name/value list. A header given in
   * `options.headers` replaces the standard one of that name (a queued message keeps its own
   * `messageId`, `timestamp`, `requestId`…): Node sends a repeated name twice when the host app set
   * no header before, so the list must not hold one.
   */
  private headers(req: Request, options: ResponseOptions): string[] {
    // Without further headers (most answers) nothing can be replaced: no name needs looking up.
    const extra = options.headers;
    const out: string[] = [];
    standard(out, extra, H.timestamp, this.config.clock().toISOString());
    standard(out, extra, H.messageId, newId());
    standard(out, extra, H.messageType, options.messageType ?? 'RESPONSE');
    if (options.responseAction !== null) standard(out, extra, H.responseAction, options.responseAction ?? responseActionOf(req));
    for (const [name, lowercase] of ECHOED) {
      const value = req.headers[lowercase];
      const first = Array.isArray(value) ? value[0] : value;
      if (first !== undefined) standard(out, extra, name, first);
    }
    const servicePath = relativeServicePath(req.originalUrl.slice(req.baseUrl.length));
    if (servicePath !== undefined) standard(out, extra, H.relativeServicePath, servicePath);
    const context = findSifContext(req);
    // The type of the service that answers, once known: never a value the consumer merely sent.
    if (context?.serviceType) standard(out, extra, H.serviceType, context.serviceType);
    const session = context?.session;
    if (session) {
      standard(out, extra, H.environmentURI, this.environmentUrl(req, session.environment.id));
      standard(out, extra, H.fingerprint, session.environment.fingerprint);
    }
    // A delayed request run by the provider answers no browser (its answer is queued).
    standard(out, extra, 'Vary', replayOf(req) ? 'Accept, Accept-Encoding' : this.vary);
    if (extra) for (const name in extra) out.push(name, String(extra[name]));
    return out;
  }
}

/** Adds a standard header to a flat list, unless the answer's own `extra` headers replace it. */
function standard(out: string[], extra: Record<string, string | number> | undefined, name: string, value: string): void {
  if (extra === undefined || !(name in extra)) out.push(name, value);
}

/** Request headers echoed in the answer: as the spec spells them, and as Node stores them. */
const ECHOED: readonly (readonly [string, string])[] = [H.requestId].map((name) => [name, name.toLowerCase()] as const);

/** Writes the status, headers and body; a HEAD answer has the headers of the GET and no body. */
function end(req: Request, res: Response, status: number, headers: string[], body: string | Buffer): void {
  // One writeHead with a flat list: cheaper than a setHeader per header on this hot path.
  res.writeHead(status, headers);
  if (req.method === 'HEAD') res.end();
  else res.end(body);
}

/**
 * The `relativeServicePath` of a request (Base Architecture §4.3): everything after the requests
 * (or services) connector, matrix and query parameters included; undefined for other services.
 *
 * @example
 * relativeServicePath('/requests/xStudents;zoneId=Z?where=x'); // '/xStudents;zoneId=Z?where=x'
 */
export function relativeServicePath(urlBelowMount: string): string | undefined {
  if (urlBelowMount.startsWith('/requests/')) return urlBelowMount.slice('/requests'.length);
  // The services connector's paths too (functional services: `/RolloverStudents/{jobId}…`).
  return urlBelowMount.startsWith('/services/') ? urlBelowMount.slice('/services'.length) : undefined;
}

/** The `responseAction` that answers a request's method (Base Architecture §4.3.2 `requestAction`). */
export function responseActionOf(req: Request): ResponseAction {
  switch (req.method) {
    case 'POST':
      return 'CREATE';
    case 'PUT':
      return 'UPDATE';
    case 'DELETE':
      return 'DELETE';
    case 'HEAD':
      return 'HEAD';
    default:
      return 'QUERY';
  }
}

function acceptsGzip(acceptEncoding: string | undefined): boolean {
  if (!acceptEncoding) return false;
  return acceptEncoding.split(',').some((part) => {
    const [coding = '', ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== 'x-gzip') return false;
    const q = params.find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  });
}
