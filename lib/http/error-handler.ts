import type { NextFunction, Request, Response } from 'express';
import type { SifLogger } from '../config/options';
import { DelayedOnlyError, InternalServiceError, MethodNotAllowedError, PollTooSoonError, QuotaExceededError, ServiceUnavailableError, SifError } from '../errors';
import { errorObject } from '../payload/error';
import { newId } from '../util/ids';
import type { Responder } from './respond';

/**
 * The router's single error handler: every thrown `SifError` becomes a SIF `error` object with its
 * status in the negotiated format; anything else is logged and answered as a bare 500, so no stack
 * trace or internal message ever reaches a client.
 */
export function createErrorHandler(responder: Responder, logger: SifLogger) {
  // Express recognises an error handler by its four parameters: keep `_next`.
  return function sifErrorHandler(err: unknown, req: Request, res: Response, _next: NextFunction): void {
    const error = toSifError(err, logger, req);
    if (res.headersSent) {
      res.end();
      return;
    }
    const headers: Record<string, string> = {};
    if (error.status === 401) headers['WWW-Authenticate'] = 'Basic realm="SIF", SIF_HMACSHA256 realm="SIF"';
    if (error instanceof MethodNotAllowedError) headers.Allow = error.allow.join(', ');
    responder.payload(req, res, error.status, 'error', errorObject(error, newId(), scopeOf(req)), {
      messageType: 'ERROR',
      headers,
    });
  };
}

function toSifError(err: unknown, logger: SifLogger, req: Request): SifError {
  if (err instanceof SifError) {
    // A limit reached (QuotaExceededError, 503 included) is the consumer's answer, not the host's
    // problem: logging each would let one consumer write the host's error log; so is an IMMEDIATE
    // request to a DELAYED-only service, or a poll sooner than minWaitTime. Other 503s (a handler past the immediate budget) are worth
    // a warning; anything else 5xx is an error.
    if (err instanceof QuotaExceededError || err instanceof DelayedOnlyError || err instanceof PollTooSoonError) return err;
    if (err instanceof ServiceUnavailableError) logger.warn(`sif3-direct: ${req.method} ${req.baseUrl}${req.path}: ${err.message}`);
    else if (err.status >= 500) logger.error(`sif3-direct: ${req.method} ${req.baseUrl}${req.path} failed`, err);
    return err;
  }
  // Errors from Express itself or from a host parser that carry a client status (e.g. 400, 413).
  const status = (err as { status?: unknown; statusCode?: unknown } | null)?.status ?? (err as { statusCode?: unknown } | null)?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return new SifError(status, status === 413 ? 'The request body is too large' : 'The request could not be processed');
  }
  logger.error(`sif3-direct: unexpected error on ${req.method} ${req.baseUrl}${req.path}`, err);
  return new InternalServiceError('Internal service error');
}

function scopeOf(req: Request): string {
  return `${req.method} ${req.path}`.slice(0, 80);
}
