import type { Request } from 'express';
import { BadRequestError } from '../errors';
import type { ServiceType } from '../protocol/enums';
import { SERVICE_TYPES } from '../protocol/enums';
import { header, headerOrQuery } from './params';

// The enumerated request fields of Base Architecture §4.3.2, read strictly: a value outside the
// enumeration is the consumer's mistake (400), never silently taken for the default.

/** `requestType` values (Base Architecture §4.3.2). */
export type RequestType = 'IMMEDIATE' | 'DELAYED';

/** `queryIntention` values (Base Architecture §4.3.2, §5.4.2). */
export const QUERY_INTENTIONS = ['ALL', 'ONE-OFF', 'NO-CACHING'] as const;
export type QueryIntention = (typeof QUERY_INTENTIONS)[number];

/**
 * The request's `requestType` (case-insensitive; IMMEDIATE when absent); 400 for any other value.
 *
 * @example
 * requestTypeOf(req); // 'DELAYED'
 */
export function requestTypeOf(req: Request): RequestType {
  const value = header(req, 'requestType');
  if (value === undefined) return 'IMMEDIATE';
  const upper = value.trim().toUpperCase();
  if (upper === 'IMMEDIATE' || upper === 'DELAYED') return upper;
  throw new BadRequestError(`requestType must be IMMEDIATE or DELAYED, not "${value.slice(0, 30)}"`, { scope: 'requestType' });
}

/**
 * Why a request to an infrastructure service (environments, queues, subscriptions…) is refused
 * for its `requestType`, if it is: Infrastructure Services §2.2 says requestType, "if included,
 * must be set to immediate". Requests-connector paths may be delayed; `firstSegment` tells them apart.
 *
 * @example
 * const refusal = requestTypeRefusal(req, 'queues'); // a BadRequestError for requestType: DELAYED
 */
export function requestTypeRefusal(req: Request, firstSegment: string): BadRequestError | undefined {
  try {
    const type = requestTypeOf(req);
    if (type === 'DELAYED' && firstSegment !== 'requests') {
      return new BadRequestError('Infrastructure services answer immediately: requestType, if included, must be IMMEDIATE', {
        scope: 'requestType',
        description: 'Infrastructure Services §2.2; only requests-connector services take DELAYED requests',
      });
    }
    return undefined;
  } catch (err) {
    return err as BadRequestError;
  }
}

/**
 * The request's `queryIntention` (header, case-insensitive; undefined when absent, which means
 * ONE-OFF); 400 for any other value.
 *
 * @example
 * queryIntentionOf(req); // 'ALL'
 */
export function queryIntentionOf(req: Request): QueryIntention | undefined {
  const value = headerOrQuery(req, 'queryIntention');
  if (value === undefined) return undefined;
  const upper = value.trim().toUpperCase();
  const found = QUERY_INTENTIONS.find((i) => i === upper);
  if (!found) throw new BadRequestError(`queryIntention must be one of ${QUERY_INTENTIONS.join(', ')}, not "${value.slice(0, 30)}"`, { scope: 'queryIntention' });
  return found;
}

/**
 * The request's `mustUseAdvisory` (header or query parameter, `true` or `false` in any case;
 * false when absent); 400 for any other value.
 *
 * @example
 * mustUseAdvisoryOf(req); // true
 */
export function mustUseAdvisoryOf(req: Request): boolean {
  const value = headerOrQuery(req, 'mustUseAdvisory');
  if (value === undefined) return false;
  const lower = value.trim().toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new BadRequestError(`mustUseAdvisory must be true or false, not "${value.slice(0, 30)}"`, { scope: 'mustUseAdvisory' });
}

/**
 * Checks the request's `serviceType` against the type of the service it reaches: absent is fine
 * (it defaults to OBJECT, but the URL decides); a value outside the enumeration, or one the
 * service is not (`accepted`), is a 400. Returns the type the answer carries (`served`).
 *
 * @example
 * checkServiceType(req, 'xStudents', 'OBJECT', ['OBJECT']); // 'OBJECT', or throws for serviceType: UTILITY
 */
export function checkServiceType(req: Request, serviceName: string, served: ServiceType, accepted: readonly ServiceType[]): ServiceType {
  const value = header(req, 'serviceType');
  if (value === undefined) return served;
  const upper = value.trim().toUpperCase();
  const known = SERVICE_TYPES.find((t) => t === upper);
  if (!known) throw new BadRequestError(`serviceType must be one of ${SERVICE_TYPES.join(', ')}, not "${value.slice(0, 30)}"`, { scope: 'serviceType' });
  if (!accepted.includes(known)) {
    throw new BadRequestError(`${serviceName.slice(0, 80)} is a ${served} service, not ${known}`, { scope: 'serviceType' });
  }
  return served;
}

/**
 * True when a query names no page at all (no `navigationPage`, `navigationPageSize` or
 * `navigationId`, as header or query parameter): a *bulk* query, answered with every matching
 * object or a 413 (Base Architecture §5.4.1), never with a silent first page.
 *
 * @example
 * isBulkQuery(req); // true for GET /requests/xStudents
 */
export function isBulkQuery(req: Request): boolean {
  return (
    headerOrQuery(req, 'navigationPage') === undefined &&
    headerOrQuery(req, 'navigationPageSize') === undefined &&
    headerOrQuery(req, 'navigationId') === undefined
  );
}
