import type { NextFunction, Request, Response } from 'express';
import type { OutgoingHttpHeaders } from 'node:http';
import { SifConfigError, ForbiddenError } from '../errors';
import { optionalBoolean, optionalPositiveInt, rejectUnknownKeys, requireObject } from '../util/validate';
import { replayOf } from './replay';

/**
 * Cross-origin resource sharing for consumers that run in a browser (the `cors` option), in one
 * place: option checks, preflights, and the headers every answer to an allowed origin carries.
 *
 * SIF authenticates each request with its own `Authorization` header, never with cookies, so a page
 * of another origin learns nothing without the consumer's secret; CORS only decides whether the
 * browser lets that page read the answers. `credentials` is needed only by hosts that add cookie
 * or client-certificate authentication of their own in front of the router.
 */

/** The `cors` option after validation. */
export interface ResolvedCors {
  /** The allowed origins, as browsers serialise them, or `'*'` for any. */
  readonly origins: ReadonlySet<string> | '*';
  readonly credentials: boolean;
  readonly maxAgeSeconds: number;
}

/** How long a browser may cache a preflight when `maxAgeSeconds` is not given: Chromium's own cap is 7,200. */
export const CORS_DEFAULT_MAX_AGE_SECONDS = 600;

/**
 * Request headers a SIF consumer may send (Base Architecture §4.3, Infrastructure Services §4, §9):
 * the preflight allows exactly these. The environment-create fields are here because an
 * environment may be registered with them as headers and no body. Browsers compare names without
 * regard to case.
 */
export const CORS_REQUEST_HEADERS: readonly string[] = Object.freeze([
  'Authorization', 'timestamp', 'Content-Type', 'Content-Encoding', 'Accept',
  'requestId', 'requestType', 'requestAction', 'queueId', 'messageType', 'serviceType',
  'navigationPage', 'navigationPageSize', 'navigationId', 'queryIntention', 'changesSinceMarker',
  'methodOverride', 'mustUseAdvisory', 'zoneId', 'contextId', 'generatorId',
  'connectionId', 'deleteMessageId', 'Content-Profile', 'Accept-Profile',
  'applicationKey', 'authenticationMethod', 'solutionId', 'instanceId', 'userToken', 'consumerName',
  'supportedInfrastructureVersion', 'dataModelNamespace', 'transport',
]);

/**
 * Response headers a browser consumer may read: everything the provider writes on an answer or a
 * queued message (respond.ts, the queue and paging headers), errors included. Without this list a
 * script sees only the CORS-safelisted ones (Content-Type, Content-Length, …): no paging, no
 * message ids.
 */
export const CORS_EXPOSED_HEADERS: readonly string[] = Object.freeze([
  'timestamp', 'messageId', 'messageType', 'responseAction', 'requestId', 'serviceType', 'serviceName',
  'relativeServicePath', 'environmentURI', 'fingerprint',
  'navigationPage', 'navigationPageSize', 'navigationCount', 'navigationLastPage', 'navigationId', 'changesSinceMarker',
  'Location', 'connectionId', 'queueId', 'eventAction', 'replacement', 'zoneId', 'contextId', 'generatorId',
  'minWaitTime', 'WWW-Authenticate', 'Allow', 'Retry-After', 'Content-Encoding', 'Vary', 'Content-Profile',
]);

/** The methods a SIF consumer uses; every other one is the router's 405 anyway. */
const ALLOWED_METHODS = 'GET, HEAD, POST, PUT, DELETE';

const ALLOW_HEADERS = CORS_REQUEST_HEADERS.join(', ');
const EXPOSE_HEADERS = CORS_EXPOSED_HEADERS.join(', ');

/**
 * Validates the `cors` option: undefined (off) or `{ origins?, credentials?, maxAgeSeconds? }`.
 * Each origin must be exactly what a browser sends as `Origin` (`scheme://host[:port]`, no path,
 * no trailing slash), so that the comparison per request is a plain set lookup. `'*'` (the default)
 * cannot go with `credentials: true`: browsers refuse that pair, and echoing every origin instead
 * would hand any page the host's cookies.
 *
 * @example
 * resolveCors({ origins: ['https://gradebook.example.org'] }); // { origins: Set {…}, credentials: false, maxAgeSeconds: 600 }
 * resolveCors(undefined);                                      // undefined: CORS off
 */
export function resolveCors(value: unknown): ResolvedCors | undefined {
  if (value === undefined) return undefined;
  const o = requireObject(value, 'cors');
  rejectUnknownKeys(o, ['origins', 'credentials', 'maxAgeSeconds'], 'cors');
  const credentials = optionalBoolean(o.credentials, 'cors.credentials') ?? false;
  const maxAgeSeconds = optionalPositiveInt(o.maxAgeSeconds, 'cors.maxAgeSeconds', { allowZero: true }) ?? CORS_DEFAULT_MAX_AGE_SECONDS;
  const origins = resolveOrigins(o.origins);
  if (origins === '*' && credentials) {
    throw new SifConfigError('cors.credentials', "cannot be true with cors.origins '*' (browsers refuse it): list the origins");
  }
  return Object.freeze({ origins, credentials, maxAgeSeconds });
}

function resolveOrigins(value: unknown): ReadonlySet<string> | '*' {
  if (value === undefined || value === '*') return '*';
  if (!Array.isArray(value)) throw new SifConfigError('cors.origins', "must be '*' or an array of origins such as 'https://app.example.org'");
  if (value.length === 0) throw new SifConfigError('cors.origins', "must list at least one origin (or leave out the cors option to turn CORS off)");
  const origins = new Set<string>();
  value.forEach((item, i) => {
    const path = `cors.origins[${i}]`;
    if (typeof item !== 'string') throw new SifConfigError(path, 'must be a string');
    let origin: string | undefined;
    try {
      const url = new URL(item);
      if (url.protocol === 'http:' || url.protocol === 'https:') origin = url.origin;
    } catch {
      origin = undefined;
    }
    // A browser sends the serialised origin: lower-case, default port left out, no path. One
    // written otherwise would never match, silently; say so now.
    if (origin !== item) {
      throw new SifConfigError(path, `must be an http(s) origin exactly as browsers send it, e.g. ${origin ?? 'https://app.example.org'} (got ${JSON.stringify(item)})`);
    }
    origins.add(origin);
  });
  return origins;
}

/**
 * The CORS part of the router's entry step: true when it took the request (answered a preflight,
 * or passed its refusal to `next`), false when the request goes on, with the CORS headers set for
 * an allowed origin. `Vary: Origin` is on every answer (the responder writes it, http/respond.ts),
 * since whether it carries `Access-Control-Allow-Origin` depends on that header: a cache must not
 * serve one origin's answer to another.
 *
 * A preflight (`OPTIONS` with `Origin` and `Access-Control-Request-Method`) is answered here,
 * before authentication, since browsers send it without credentials: 204 for an allowed origin;
 * 403 without any CORS header for another, which the browser reports as a CORS failure while the
 * network panel shows the provider's reason (a 405 or 401 would point at the wrong cause).
 *
 * @example
 * const cors = corsStep(config.cors);
 * if (cors(req, res, next)) return; // answered or refused
 */
export function corsStep(cors: ResolvedCors): (req: Request, res: Response, next: NextFunction) => boolean {
  const { origins, credentials, maxAgeSeconds } = cors;
  const allowed = (origin: string): boolean => origins === '*' || origins.has(origin);
  // With '*' and no credentials one value serves every origin; otherwise the origin is echoed.
  const allowOriginFor = (origin: string): string => (origins === '*' ? '*' : origin);
  return function corsEntry(req: Request, res: Response, next: NextFunction): boolean {
    // A delayed request run by the provider answers no browser.
    if (replayOf(req)) return false;
    const origin = req.headers.origin;
    if (req.method === 'OPTIONS' && origin !== undefined && req.headers['access-control-request-method'] !== undefined) {
      if (!allowed(origin)) {
        // The origin is not echoed: it is whatever the page's browser claimed.
        next(new ForbiddenError('This origin may not call the provider from a browser', {
          description: "Not among the provider's cors.origins",
        }));
        return true;
      }
      const headers: OutgoingHttpHeaders = {
        'Access-Control-Allow-Origin': allowOriginFor(origin),
        'Access-Control-Allow-Methods': ALLOWED_METHODS,
        'Access-Control-Allow-Headers': ALLOW_HEADERS,
        'Access-Control-Max-Age': String(maxAgeSeconds),
        Vary: 'Origin',
      };
      if (credentials) headers['Access-Control-Allow-Credentials'] = 'true';
      res.writeHead(204, headers);
      res.end();
      return true;
    }
    if (origin !== undefined && allowed(origin)) {
      res.setHeader('Access-Control-Allow-Origin', allowOriginFor(origin));
      res.setHeader('Access-Control-Expose-Headers', EXPOSE_HEADERS);
      if (credentials) res.setHeader('Access-Control-Allow-Credentials', 'true');
    }
    return false;
  };
}
