import { SifConfigError } from '../errors';
import type { QueueOptions } from './options';
import { optionalPositiveInt, rejectUnknownKeys, requireObject } from '../util/validate';

/** Documented defaults of the `queues` option. */
export const QUEUE_DEFAULTS = Object.freeze({
  maxIdleTimeoutSeconds: 60,
  defaultIdleTimeoutSeconds: 30,
  minWaitTimeSeconds: 0,
  maxConcurrentConnections: 4,
  maxQueuesPerEnvironment: 10,
  maxQueuesPerApplication: 50,
  maxPendingDelayedPerQueue: 100,
  maxMessagesPerQueue: 10_000,
  maxMessageAgeHours: 168,
  unpolledAlertMinutes: 60,
  eventBatchSize: 100,
  immediateBudgetSeconds: 25,
  housekeepingSeconds: 60,
});

/** The `queues` option after validation. */
export type QueueConfig = Readonly<Record<keyof typeof QUEUE_DEFAULTS, number>>;

const ALLOWS_ZERO: ReadonlySet<string> = new Set(['minWaitTimeSeconds', 'immediateBudgetSeconds']);

/** Validates the `queues` option: undefined or false when queues are off. */
export function resolveQueues(value: unknown): QueueConfig | undefined {
  if (value === undefined || value === false) return undefined;
  const o: Record<string, unknown> = value === true ? {} : requireObject(value, 'queues');
  const keys = Object.keys(QUEUE_DEFAULTS) as (keyof QueueOptions & keyof typeof QUEUE_DEFAULTS)[];
  rejectUnknownKeys(o, keys, 'queues');
  const config = Object.fromEntries(
    keys.map((key) => [key, optionalPositiveInt(o[key], `queues.${key}`, { allowZero: ALLOWS_ZERO.has(key) }) ?? QUEUE_DEFAULTS[key]]),
  ) as Record<keyof typeof QUEUE_DEFAULTS, number>;
  // An unset default follows a lower maximum; a default set above the maximum is a mistake.
  if (o.defaultIdleTimeoutSeconds === undefined) config.defaultIdleTimeoutSeconds = Math.min(config.defaultIdleTimeoutSeconds, config.maxIdleTimeoutSeconds);
  if (config.defaultIdleTimeoutSeconds > config.maxIdleTimeoutSeconds) {
    throw new SifConfigError('queues.defaultIdleTimeoutSeconds', 'must not exceed queues.maxIdleTimeoutSeconds');
  }
  return Object.freeze(config);
}
