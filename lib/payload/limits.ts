import type { ResolvedLimits } from '../config/limits';
import { BadRequestError, QuotaExceededError } from '../errors';

/** The limits both parsers enforce while they read a document. */
export type PayloadLimits = Pick<ResolvedLimits, 'maxElements' | 'maxAttributes' | 'maxDepth'>;

/**
 * The errors the parsers throw at the first element, attribute or level past a limit: the
 * document is refused before it is all built.
 *
 * @example
 * if (++elements > limits.maxElements) throw tooManyElements(limits);
 */
export function tooManyElements(limits: PayloadLimits): QuotaExceededError {
  return new QuotaExceededError(413, 'limits.maxElements', `The payload has more than ${limits.maxElements} elements`);
}

/**
 * 413 for the attribute past `limits.maxAttributes`.
 *
 * @example
 * if (++attributes > limits.maxAttributes) throw tooManyAttributes(limits);
 */
export function tooManyAttributes(limits: PayloadLimits): QuotaExceededError {
  return new QuotaExceededError(413, 'limits.maxAttributes', `The payload has more than ${limits.maxAttributes} attributes`);
}

/**
 * 400 for the element past `limits.maxDepth` (a nesting no SIF object needs, not a size).
 *
 * @example
 * if (depth > limits.maxDepth) throw tooDeep(limits);
 */
export function tooDeep(limits: PayloadLimits): BadRequestError {
  return new BadRequestError(`The payload nests more than ${limits.maxDepth} levels deep`, { description: 'Limit: limits.maxDepth' });
}
