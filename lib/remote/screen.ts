import type { NextFunction, Request, Response } from 'express';
import { BadRequestError, DelayedOnlyError } from '../errors';
import { getSifContext } from '../http/context';
import { headerOrQuery } from '../http/params';
import { replayOf } from '../http/replay';
import { requestTypeOf } from '../http/request-headers';

/** Operations on one object: a remote provider never gets them (they are not batch operations). */
const SINGLE_OBJECT: ReadonlySet<string> = new Set(['read', 'createOne', 'updateOne', 'deleteOne']);

/**
 * Step of the object services, after the target is resolved (404, 405, 403) and before a DELAYED
 * request is accepted: refuses up front, never after a 202, what a remote service (SIF 3.5 pull
 * mode) cannot answer.
 *
 * - A single-object request (create, update or delete of one object): 400, whatever its
 *   requestType. DELAYED request/response is for batch operations only (A4L wiki "IMMEDIATE/DELAYED
 *   Request/Response", Assumptions & Constraints; shared/notes/async-providers.md B1), and a pull
 *   provider answers nothing else. The message says to send a multi-object request instead.
 * - Changes since (`changesSinceMarker`): 400; the host keeps no change log of a remote service.
 * - An IMMEDIATE query or multi-object request: 503, send it again as DELAYED (Base Architecture
 *   §4.2.1.2), as a `DelayedOnlyError`: the consumer's mistake, not logged.
 *
 * Anything else goes on. Local services pass straight through.
 *
 * @example
 * steps: (c) => [authenticateSession(c), acceptRemoteAnswer(c), resolveTarget(c), screenRemoteRequest, acceptDelayed(c), executeOperation(c)]
 */
export function screenRemoteRequest(req: Request, _res: Response, next: NextFunction): void {
  const { service, operation } = getSifContext(req).target!;
  if (!service.remote || replayOf(req)) {
    next();
    return;
  }
  if (SINGLE_OBJECT.has(operation)) {
    throw new BadRequestError(`${service.name} is provided by a remote (asynchronous) provider, which answers batch requests only`, {
      description: `Send the object in a multi-object request (POST or PUT ${service.name}, or PUT with methodOverride: DELETE and a deleteRequest) with requestType DELAYED`,
    });
  }
  if (headerOrQuery(req, 'changesSinceMarker') !== undefined) {
    throw new BadRequestError(`${service.name} is provided remotely and keeps no change log: changes since are not available`);
  }
  if (requestTypeOf(req) !== 'DELAYED') {
    throw new DelayedOnlyError(`${service.name} is provided by a remote (asynchronous) provider: send the request with requestType DELAYED`, {
      description: `Queries and multi-object creates, updates and deletes of ${service.name} are answered in your queue`,
    });
  }
  next();
}
