import type { Request } from 'express';
import { createGunzip, createInflate } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { ResolvedLimits } from '../config/limits';
import { BadRequestError, QuotaExceededError, RequestTimeoutError, UnsupportedMediaTypeError } from '../errors';

/** The limits that apply while a body is read. */
export type BodyLimits = Pick<ResolvedLimits, 'maxBodyBytes' | 'bodyIdleTimeoutSeconds'>;

/**
 * Reads a request body as bytes, at most `maxBytes` after decoding (`Content-Encoding: gzip` or
 * `deflate`). A larger body is a 413 before it is all read when `Content-Length` says so, or as
 * soon as the limit is passed. A sender that stalls for `bodyIdleTimeoutSeconds` between two
 * chunks is answered 408 and the connection is closed after the answer: reading stops, so a slow
 * sender cannot hold a request open. Copes with host apps whose own body parsers ran first: a body
 * they already read is taken from `req.body`.
 *
 * @example
 * const bytes = await readBody(req, { maxBodyBytes: 1024 * 1024, bodyIdleTimeoutSeconds: 30 });
 */
export async function readBody(req: Request, limits: BodyLimits): Promise<Buffer> {
  const maxBytes = limits.maxBodyBytes;
  const parsed = alreadyParsed(req);
  if (parsed) return limited(parsed, maxBytes);

  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase().trim();
  const declared = Number(req.headers['content-length']);
  if (encoding === 'identity' && Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    throw tooLarge(maxBytes);
  }
  let source: Readable = req;
  if (encoding === 'gzip' || encoding === 'x-gzip') source = req.pipe(createGunzip());
  else if (encoding === 'deflate') source = req.pipe(createInflate());
  else if (encoding !== 'identity') {
    req.resume();
    throw new UnsupportedMediaTypeError(`Unsupported content encoding "${encoding.slice(0, 40)}"`, {
      description: 'Send identity or gzip',
    });
  }
  return collect(req, source, maxBytes, limits.bodyIdleTimeoutSeconds * 1000);
}

function collect(req: Request, source: Readable, maxBytes: number, idleMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    let idle: NodeJS.Timeout | undefined;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(idle);
      req.off('data', onActivity);
      source.removeAllListeners('data');
      if (err instanceof RequestTimeoutError) {
        // Stop reading: the rest of a stalled body is not worth waiting for. The answer still goes
        // out, and then the connection closes instead of waiting for the sender.
        if (source !== req) source.destroy();
        req.unpipe();
        req.pause();
        req.res?.setHeader('Connection', 'close');
        reject(err);
      } else if (err) {
        // Keep draining so that the error response can still be delivered, and the connection can
        // carry the next request. Unpipe first: the unpipe that follows destroying the decoder
        // would otherwise pause the request again, leaving its body unread and the connection stuck.
        if (source !== req) {
          req.unpipe();
          source.destroy();
        }
        req.resume();
        reject(err);
      } else resolve(Buffer.concat(chunks, size));
    };
    // Any bytes from the sender count as progress, compressed or not.
    const onActivity = () => {
      clearTimeout(idle);
      idle = setTimeout(() => finish(new RequestTimeoutError('The request body stopped arriving', { description: `No data for ${idleMs / 1000} seconds. Limit: limits.bodyIdleTimeoutSeconds` })), idleMs);
    };
    onActivity();
    req.on('data', onActivity);
    source.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) finish(tooLarge(maxBytes));
      else chunks.push(chunk);
    });
    source.on('end', () => finish());
    source.on('error', (err) =>
      finish(source === req ? new BadRequestError('The request body could not be read') : new BadRequestError('The request body is not valid compressed data', { description: err.message })),
    );
    req.on('aborted', () => finish(new BadRequestError('The request was aborted')));
  });
}

function alreadyParsed(req: Request): Buffer | undefined {
  const body: unknown = (req as { body?: unknown }).body;
  const consumed = (req as { _body?: boolean })._body === true || req.readableEnded;
  if (!consumed) return undefined;
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body && typeof body === 'object') {
    // Only a JSON parser yields objects we can give back faithfully.
    const type = String(req.headers['content-type'] ?? '');
    if (/json/i.test(type)) return Buffer.from(JSON.stringify(body), 'utf8');
    throw new UnsupportedMediaTypeError('The host application parsed this body into a form SIF cannot read');
  }
  return Buffer.alloc(0);
}

function limited(body: Buffer, maxBytes: number): Buffer {
  if (body.length > maxBytes) throw tooLarge(maxBytes);
  return body;
}

// A QuotaExceededError so that the refusal names the option, as every limit's does.
function tooLarge(maxBytes: number): QuotaExceededError {
  return new QuotaExceededError(413, 'limits.maxBodyBytes', 'The request body is too large', { description: `The limit is ${maxBytes} bytes. Limit: limits.maxBodyBytes` });
}
