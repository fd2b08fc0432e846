/**
 * The one error hierarchy of sif3-direct. Every failure a client can cause is a `SifError` with the
 * HTTP status that the SIF Base Architecture (§4.5.2) assigns; the router's error handler turns it
 * into a SIF `error` object. Anything that is not a `SifError` is answered as a 500 without internals.
 *
 * Handlers written by the host app may throw these too, to choose the SIF error a consumer sees.
 *
 * @example
 * throw new NotFoundError('No such student', { scope: 'Read xStudent' });
 */
export class SifError extends Error {
  /** HTTP status, also the `code` element of the SIF error object. */
  readonly status: number;
  /** The attempted operation, e.g. "Create environment" (SIF `scope`, at most 80 characters). */
  readonly scope: string | undefined;
  /** Optional technical detail (SIF `description`). Shown to the client: never put secrets here. */
  readonly description: string | undefined;

  constructor(status: number, message: string, options: SifErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.status = status;
    this.scope = options.scope;
    this.description = options.description;
  }
}

/** Extra detail for a `SifError`. */
export interface SifErrorOptions {
  scope?: string;
  description?: string;
  cause?: unknown;
}

/** 400: malformed payload, bad parameter, unsupported query. */
export class BadRequestError extends SifError {
  constructor(message: string, options?: SifErrorOptions) {
    super(400, message, options);
  }
}

/** 401: missing or invalid authorization. */
export class UnauthorizedError extends SifError {
  constructor(message: string, options?: SifErrorOptions) {
    super(401, message, options);
  }
}

/** 403: authenticated, but the consumer lacks the right for this operation. */
export class ForbiddenError extends SifError {
  constructor(message: string, options?: SifErrorOptions) {
    super(403, message, options);
  }
}

/** 404: no such object, environment or service. */
export class NotFoundError extends SifError {
  constructor(message: string, options?: SifErrorOptions) {
    super(404, message, options);
  }
}

/** 405: the operation is not allowed on this URL. `allow` lists the methods that are. */
export class MethodNotAllowedError extends SifError {
  readonly allow: readonly string[];

  constructor(message: string, allow: readonly string[], options?: SifErrorOptions) {
    super(405, message, options);
    this.allow = allow;
  }
}

/** 409: the object already exists. */
export class ConflictError extends SifError {
  constructor(message: string, options?: SifErrorOptions) {
    super(409, message, options);
  }
}

/** 408: the request body did not arrive in time (a client that stalls while sending it). */
export class RequestTimeoutError extends SifError {
  constructor(message: string, options?: SifErrorOptions) {
    super(408, message, options);
  }
}

/**
 * A consumer reached one of the provider's documented limits (`limit` names the option, e.g.
 * `limits.alertsPerEnvironment`). 409 for a count of stored resources, 413 for a size, 400 for a
 * field or clause past its limit, 503 for a limit on work in progress; the message says which limit.
 */
export class QuotaExceededError extends SifError {
  readonly limit: string;

  constructor(status: 400 | 409 | 413 | 503, limit: string, message: string, options?: SifErrorOptions) {
    super(status, message, { ...options, description: options?.description ? `${options.description} (limit: ${limit})` : `Limit: ${limit}` });
    this.limit = limit;
  }
}

/** 406: no representation the consumer accepts (an `Accept-Profile` the provider cannot answer in). */
export class NotAcceptableError extends SifError {
  constructor(message: string, options?: SifErrorOptions) {
    super(406, message, options);
  }
}

/** 413: request body too large, or a page size above the maximum. */
export class PayloadTooLargeError extends SifError {
  constructor(message: string, options?: SifErrorOptions) {
    super(413, message, options);
  }
}

/** 415: a request body in a media type the provider does not read. */
export class UnsupportedMediaTypeError extends SifError {
  constructor(message: string, options?: SifErrorOptions) {
    super(415, message, options);
  }
}

/** 500 raised on purpose (a misconfiguration found at run time); its message is shown. */
export class InternalServiceError extends SifError {
  constructor(message: string, options?: SifErrorOptions) {
    super(500, message, options);
  }
}

/**
 * 503: the provider cannot answer this now. For an immediate request that would take too long, the
 * consumer should send it again as DELAYED (Base Architecture §4.2.1.2).
 */
export class ServiceUnavailableError extends SifError {
  constructor(message: string, options?: SifErrorOptions) {
    super(503, message, options);
  }
}

/**
 * 503 for an IMMEDIATE request to a service that answers DELAYED requests only (a remote provider's,
 * SIF 3.5 pull mode): send it again as DELAYED (Base Architecture §4.2.1.2). The consumer's mistake,
 * not a fault of the provider, so unlike other 503s it is not logged.
 *
 * @example
 * throw new DelayedOnlyError('xStaffs is provided remotely: send the request with requestType DELAYED');
 */
export class DelayedOnlyError extends ServiceUnavailableError {}

/**
 * 503 for a poll of a queue sooner than its `minWaitTime` after an empty answer (Infrastructure
 * Services §9.3): the consumer's pace, not a fault of the provider, so, like `DelayedOnlyError`, not logged.
 *
 * @example
 * throw new PollTooSoonError('Service is busy: poll no sooner than minWaitTime after an empty answer');
 */
export class PollTooSoonError extends ServiceUnavailableError {}

/**
 * Thrown by `createSifProvider` when an option is invalid. The message names the option, e.g.
 * `consumers[1].secret must be a non-empty string`.
 */
export class SifConfigError extends Error {
  readonly option: string;

  constructor(option: string, problem: string) {
    super(`sif3-direct: option ${option} ${problem}`);
    this.name = 'SifConfigError';
    this.option = option;
  }
}
