import type { NextFunction, Request, Response } from 'express';
import { BadRequestError } from '../errors';
import { header } from './params';

/**
 * Step for every requests-connector route: without queues, a delayed request cannot be answered as
 * asked, so `requestType: DELAYED` is a 400 (interop.md §3) rather than an immediate answer.
 */
export function immediateOnly(req: Request, _res: Response, next: NextFunction): void {
  if (header(req, 'requestType')?.trim().toUpperCase() === 'DELAYED') {
    throw new BadRequestError('Delayed requests are not supported: this provider answers immediately (requestType IMMEDIATE)');
  }
  next();
}
