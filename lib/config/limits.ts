import { SifConfigError } from '../errors';
import type { LimitOptions } from './options';
import { optionalPositiveInt, rejectUnknownKeys, requireObject } from '../util/validate';
import { LIMIT_DEFAULTS } from '../limits';

// The `limits` option, checked once at start-up against the defaults in lib/limits.ts.

/** The `limits` option after validation. */
export type ResolvedLimits = Readonly<Record<keyof typeof LIMIT_DEFAULTS, number>>;

/** Validates the `limits` option; `maxObjectsPerRequest` follows `maxPageSize` unless set. */
export function resolveLimits(value: unknown, maxPageSize: number): ResolvedLimits {
  const o = value === undefined ? {} : requireObject(value, 'limits');
  const keys = Object.keys(LIMIT_DEFAULTS) as (keyof LimitOptions & keyof typeof LIMIT_DEFAULTS)[];
  rejectUnknownKeys(o, keys, 'limits');
  const limits = Object.fromEntries(
    keys.map((key) => [key, optionalPositiveInt(o[key], `limits.${key}`) ?? LIMIT_DEFAULTS[key]]),
  ) as Record<keyof typeof LIMIT_DEFAULTS, number>;
  if (o.maxObjectsPerRequest === undefined) limits.maxObjectsPerRequest = maxPageSize;
  if (limits.maxDepth > 1000) throw new SifConfigError('limits.maxDepth', 'must be at most 1000');
  return Object.freeze(limits);
}
