import type { Request } from 'express';
import type { AuthenticatedSession } from '../auth/authenticator';
import type { RequestTarget } from '../endpoints/requests/target';
import type { Format } from '../payload/codec';
import type { ServiceType } from '../protocol/enums';
import type { NegotiatedProfiles } from './profiles';
import type { ObjectPath } from './url';

/**
 * What the provider knows about one request, built as it passes through the steps of its endpoint.
 * Kept in a WeakMap keyed by the request, so nothing is added to the host app's `Request` type.
 */
export interface SifContext {
  /** Matrix parameters from the last path segment (`;zoneId=…;contextId=…`). */
  readonly matrix: Readonly<Record<string, string>>;
  /** The format named by a `.xml` / `.json` suffix on the last segment, if any. */
  readonly suffixFormat: Format | undefined;
  /** The path below the mount point, without matrix parameters and suffix. */
  readonly path: string;
  /** The format of the response, once negotiated. */
  responseFormat: Format;
  /** The SIF 3.3 `Accept-Profile` entries chosen, once negotiated (http/profiles.ts). */
  profiles?: NegotiatedProfiles;
  /** For object services: the service, id and service-path segments of the URL, once dispatched. */
  objectPath?: ObjectPath;
  /** The authenticated session, once authenticated. */
  session?: AuthenticatedSession;
  /** For object services: the service, operation and handler context, once resolved. */
  target?: RequestTarget;
  /** The type of the service reached (OBJECT, SERVICEPATH, UTILITY…), once resolved: the answer's `serviceType`. */
  serviceType?: ServiceType;
}

const contexts = new WeakMap<Request, SifContext>();

/** Attaches a new context to a request. */
export function initSifContext(req: Request, context: SifContext): SifContext {
  contexts.set(req, context);
  return context;
}

/**
 * The context of a request that has passed the provider's first step.
 *
 * @example
 * const { session } = getSifContext(req);
 */
export function getSifContext(req: Request): SifContext {
  const context = contexts.get(req);
  if (!context) throw new Error('sif3-direct: no SIF context on this request (is the step outside the provider router?)');
  return context;
}

/** The context if the request has one (the error handler may see requests that never got one). */
export function findSifContext(req: Request): SifContext | undefined {
  return contexts.get(req);
}
