import type { Request, Response } from 'express';
import { gzipSync } from 'node:zlib';
import type { ResolvedConfig } from '../config/resolve';
import type { Format } from '../payload/codec';
import { MEDIA_TYPES, encodePayload } from '../payload/codec';
import type { GoessnerValue } from '../payload/goessner';
import type { MessageType, ResponseAction } from '../protocol/enums';
import { infrastructureNamespace } from '../protocol/enums';
import { H } from '../protocol/headers';
import { newId } from '../util/ids';
import { findSifContext } from './context';
import { header } from './params';

/** Bodies smaller than this are not worth compressing. */
const GZIP_THRESHOLD = 1024;

/** Header values for one response beyond those every response gets. */
export interface ResponseOptions {
  messageType?: MessageType;
  responseAction?: ResponseAction;
  headers?: Record<string, string | number>;
  /** Payload namespace; default the infrastructure namespace. */
  namespace?: string;
}

/**
 * Writes SIF responses: the headers every answer carries (interop.md §3), the payload in the
 * negotiated format, gzip when the consumer accepts it.
 */
export class Responder {
  private readonly namespace: string;

  constructor(private readonly config: ResolvedConfig) {
    this.namespace = infrastructureNamespace(config.infrastructureVersion);
  }

  /** The absolute URL of the mount point for this request. */
  baseUrl(req: Request): string {
    return this.config.baseUrl ?? `${req.protocol}://${req.get('host') ?? 'localhost'}${req.baseUrl}`;
  }

  /** The URL of an environment. */
  environmentUrl(req: Request, environmentId: string): string {
    return `${this.baseUrl(req)}/environments/${environmentId}`;
  }

  /** Sends `root` with `value` as the body. */
  payload(req: Request, res: Response, status: number, root: string, value: GoessnerValue, options: ResponseOptions = {}): void {
    const format = this.format(req);
    this.headers(req, res, options);
    const body = encodePayload(root, value, format, options.namespace ?? this.namespace);
    res.status(status);
    res.setHeader('Content-Type', MEDIA_TYPES[format]);
    this.sendBody(req, res, Buffer.from(body, 'utf8'));
  }

  /** Sends headers only (204, 202, or a HEAD answer). */
  empty(req: Request, res: Response, status: number, options: ResponseOptions = {}): void {
    this.headers(req, res, options);
    res.status(status).end();
  }

  private format(req: Request): Format {
    return findSifContext(req)?.responseFormat ?? 'xml';
  }

  private headers(req: Request, res: Response, options: ResponseOptions): void {
    res.setHeader(H.timestamp, this.config.clock().toISOString());
    res.setHeader(H.messageId, newId());
    res.setHeader(H.messageType, options.messageType ?? 'RESPONSE');
    res.setHeader(H.responseAction, options.responseAction ?? responseActionOf(req));
    for (const echoed of [H.requestId, H.serviceType]) {
      const value = header(req, echoed);
      if (value !== undefined) res.setHeader(echoed, value);
    }
    const context = findSifContext(req);
    if (context?.path.startsWith('/requests/')) {
      res.setHeader(H.relativeServicePath, req.originalUrl.slice(req.baseUrl.length + '/requests'.length));
    }
    if (context?.session) {
      res.setHeader(H.environmentURI, this.environmentUrl(req, context.session.environment.id));
      res.setHeader(H.fingerprint, context.session.environment.fingerprint);
    }
    res.setHeader('Vary', 'Accept, Accept-Encoding');
    for (const [name, value] of Object.entries(options.headers ?? {})) res.setHeader(name, String(value));
  }

  private sendBody(req: Request, res: Response, body: Buffer): void {
    if (body.length >= GZIP_THRESHOLD && acceptsGzip(header(req, 'accept-encoding'))) {
      const zipped = gzipSync(body);
      res.setHeader('Content-Encoding', 'gzip');
      res.setHeader('Content-Length', zipped.length);
      res.end(req.method === 'HEAD' ? undefined : zipped);
      return;
    }
    res.setHeader('Content-Length', body.length);
    res.end(req.method === 'HEAD' ? undefined : body);
  }
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
