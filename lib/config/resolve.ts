import { SifConfigError } from '../errors';
import type { InfrastructureVersion } from '../protocol/enums';
import type { PagingLimits } from '../protocol/paging';
import { INFRASTRUCTURE_VERSIONS } from '../protocol/enums';
import type { RegisteredService, RegisteredServicePath } from '../services/registry';
import { resolveServices } from '../services/registry';
import type { RegisteredTemplate } from '../services/templates';
import { resolveTemplates } from '../services/templates';
import type { ProvisionRequestOptions } from './options';
import { SqliteStore } from '../store/sqlite';
import type { SifStore } from '../store/store';
import type { Clock } from '../util/clock';
import { systemClock } from '../util/clock';
import type { Consumer, ConsumerLookup } from './consumers';
import type { ResolvedLimits } from './limits';
import { resolveLimits } from './limits';
import type { QueueConfig } from './queues';
import { resolveQueues } from './queues';
import { normalizeConsumer } from './consumers';
import type { ServiceOffer } from './consistency';
import { checkConsistency, serviceOffer } from './consistency';
import type { ResolvedCors } from '../http/cors';
import { resolveCors } from '../http/cors';
import type { BearerVerifier, SifLogger, SifProviderOptions } from './options';
import {
  oneOf,
  optionalBoolean,
  optionalFunction,
  optionalPositiveInt,
  optionalString,
  rejectUnknownKeys,
  requireObject,
} from '../util/validate';

/** Documented defaults, in one place. */
export const DEFAULTS = Object.freeze({
  infrastructureVersion: '3.2.1' as InfrastructureVersion,
  timestampPastSeconds: 15 * 60,
  timestampFutureSeconds: 5 * 60,
  sessionCacheSize: 1000,
  defaultPageSize: 100,
  maxPageSize: 1000,
  snapshotTtlSeconds: 900,
  changeLogMaxEntries: 100_000,
  changeLogMaxAgeDays: 30,
});

/** Options after validation: frozen, defaults applied, the store opened. */
export interface ResolvedConfig {
  readonly store: SifStore;
  /** True when the provider opened the store and so must close it. */
  readonly ownsStore: boolean;
  readonly baseUrl: string | undefined;
  readonly infrastructureVersion: InfrastructureVersion;
  readonly findConsumer: (applicationKey: string) => Promise<Consumer | undefined>;
  /**
   * The same lookup without a promise, when consumers are a fixed list (undefined for a lookup
   * function, which may be asynchronous): lets an authenticated request take no promise at all.
   */
  readonly findConsumerNow?: (applicationKey: string) => Consumer | undefined;
  readonly services: ReadonlyMap<string, RegisteredService>;
  readonly servicePaths: ReadonlyMap<string, RegisteredServicePath>;
  /** Named queries by id (`xQueryTemplates`). */
  readonly xQueryTemplates: ReadonlyMap<string, RegisteredTemplate>;
  /** What consumers may be granted: services, service paths and named queries, by name (config/consistency.ts). */
  readonly offer: ServiceOffer;
  /** How provision requests are decided (`provisionRequests`). */
  readonly provisionRequests: Readonly<ProvisionRequestOptions>;
  /** `providerName` of the providers registry. */
  readonly providerName: string;
  readonly timestampPastMs: number;
  readonly timestampFutureMs: number;
  readonly verifyBearer: BearerVerifier | undefined;
  readonly allowAccessTokenQuery: boolean;
  /** Refuse replayed SIF_HMACSHA256 requests (same token and timestamp). */
  readonly rejectReplays: boolean;
  /** What one consumer may make the provider hold or do. */
  readonly limits: ResolvedLimits;
  readonly paging: PagingLimits & { readonly snapshotTtlMs: number };
  readonly changeLog: { readonly maxEntries: number; readonly maxAgeMs: number };
  readonly sessionCacheSize: number;
  /** Queues, subscriptions, events and delayed requests; undefined when turned off. */
  readonly queues: QueueConfig | undefined;
  readonly logger: SifLogger;
  readonly clock: Clock;
  /** Cross-origin resource sharing for browser consumers; undefined when off (http/cors.ts). */
  readonly cors: ResolvedCors | undefined;
}

const TOP_LEVEL = [
  'database', 'store', 'baseUrl', 'infrastructureVersion', 'consumers', 'services',
  'authentication', 'limits', 'paging', 'changeLog', 'queues', 'sessionCacheSize', 'logger', 'clock', 'durability', 'cors',
  'xQueryTemplates', 'provisionRequests', 'providerName',
] as const;

/**
 * Validates options once, at start-up, and returns the frozen configuration. Throws a
 * `SifConfigError` naming the first bad option. Never modifies `options`.
 */
export function resolveOptions(options: SifProviderOptions): ResolvedConfig {
  const o = requireObject(options, 'options');
  rejectUnknownKeys(o, TOP_LEVEL, '');

  const { services, paths: servicePaths } = resolveServices(o.services);
  // Before the consumers: their grants are checked against it (SUBSCRIBE needs queues).
  const queues = resolveQueues(o.queues);
  const xQueryTemplates = resolveTemplates(o.xQueryTemplates, services, new Set(servicePaths.keys()));
  const offer = serviceOffer(services, servicePaths, queues !== undefined, new Set(xQueryTemplates.keys()));
  const { findConsumer, findConsumerNow } = resolveConsumers(o.consumers, offer);
  const provision = o.provisionRequests === undefined ? {} : requireObject(o.provisionRequests, 'provisionRequests');
  rejectUnknownKeys(provision, ['decide'], 'provisionRequests');

  const auth = o.authentication === undefined ? {} : requireObject(o.authentication, 'authentication');
  rejectUnknownKeys(auth, ['timestampWindow', 'verifyBearer', 'allowAccessTokenQuery', 'rejectReplays'], 'authentication');
  const window = auth.timestampWindow === undefined ? {} : requireObject(auth.timestampWindow, 'authentication.timestampWindow');
  rejectUnknownKeys(window, ['pastSeconds', 'futureSeconds'], 'authentication.timestampWindow');
  const paging = resolvePaging(o.paging);
  const limits = resolveLimits(o.limits, paging.maxPageSize);
  const changeLog = o.changeLog === undefined ? {} : requireObject(o.changeLog, 'changeLog');
  rejectUnknownKeys(changeLog, ['maxEntries', 'maxAgeDays'], 'changeLog');

  const baseUrl = optionalString(o.baseUrl, 'baseUrl');
  if (baseUrl !== undefined && !/^https?:\/\/[^/]+/i.test(baseUrl)) {
    throw new SifConfigError('baseUrl', 'must be an absolute http(s) URL, e.g. https://sis.example.org/sif3');
  }
  const logger = resolveLogger(o.logger);
  const cors = resolveCors(o.cors);
  const clock = optionalFunction<Clock>(o.clock, 'clock') ?? systemClock;
  const version =
    o.infrastructureVersion === undefined
      ? DEFAULTS.infrastructureVersion
      : oneOf(o.infrastructureVersion, INFRASTRUCTURE_VERSIONS, 'infrastructureVersion');
  const durability = o.durability === undefined ? 'full' : oneOf(o.durability, ['full', 'normal'] as const, 'durability');
  if (o.durability !== undefined && o.database === undefined) {
    throw new SifConfigError('durability', 'applies to the SQLite file given as database; a store of your own sets its own');
  }
  // Last before the store opens: a configuration refused here leaves no database file behind.
  checkConsistency(services);
  const { store, ownsStore } = resolveStore(o.database, o.store, queues !== undefined, durability, [...services.values()].some((s) => s.job));

  return Object.freeze({
    store,
    ownsStore,
    baseUrl: baseUrl?.replace(/\/+$/, ''),
    infrastructureVersion: version,
    findConsumer,
    findConsumerNow,
    services,
    servicePaths,
    xQueryTemplates,
    offer,
    provisionRequests: Object.freeze({ decide: optionalFunction<ProvisionRequestOptions['decide']>(provision.decide, 'provisionRequests.decide') }),
    providerName: optionalString(o.providerName, 'providerName') ?? 'sif3-direct',
    timestampPastMs:
      (optionalPositiveInt(window.pastSeconds, 'authentication.timestampWindow.pastSeconds', { allowZero: true }) ??
        DEFAULTS.timestampPastSeconds) * 1000,
    timestampFutureMs:
      (optionalPositiveInt(window.futureSeconds, 'authentication.timestampWindow.futureSeconds', { allowZero: true }) ??
        DEFAULTS.timestampFutureSeconds) * 1000,
    verifyBearer: optionalFunction<BearerVerifier>(auth.verifyBearer, 'authentication.verifyBearer'),
    allowAccessTokenQuery: optionalBoolean(auth.allowAccessTokenQuery, 'authentication.allowAccessTokenQuery') ?? false,
    rejectReplays: optionalBoolean(auth.rejectReplays, 'authentication.rejectReplays') ?? false,
    limits,
    paging,
    changeLog: Object.freeze({
      maxEntries: optionalPositiveInt(changeLog.maxEntries, 'changeLog.maxEntries') ?? DEFAULTS.changeLogMaxEntries,
      maxAgeMs: (optionalPositiveInt(changeLog.maxAgeDays, 'changeLog.maxAgeDays') ?? DEFAULTS.changeLogMaxAgeDays) * 86_400_000,
    }),
    sessionCacheSize:
      optionalPositiveInt(o.sessionCacheSize, 'sessionCacheSize', { allowZero: true }) ?? DEFAULTS.sessionCacheSize,
    queues,
    logger,
    clock,
    cors,
  });
}

function resolvePaging(value: unknown): PagingLimits & { snapshotTtlMs: number } {
  const p = value === undefined ? {} : requireObject(value, 'paging');
  rejectUnknownKeys(p, ['defaultPageSize', 'maxPageSize', 'snapshotTtlSeconds'], 'paging');
  const maxPageSize = optionalPositiveInt(p.maxPageSize, 'paging.maxPageSize') ?? DEFAULTS.maxPageSize;
  const defaultPageSize =
    optionalPositiveInt(p.defaultPageSize, 'paging.defaultPageSize') ?? Math.min(DEFAULTS.defaultPageSize, maxPageSize);
  if (defaultPageSize > maxPageSize) throw new SifConfigError('paging.defaultPageSize', 'must not exceed paging.maxPageSize');
  const snapshotTtlMs = (optionalPositiveInt(p.snapshotTtlSeconds, 'paging.snapshotTtlSeconds') ?? DEFAULTS.snapshotTtlSeconds) * 1000;
  return Object.freeze({ defaultPageSize, maxPageSize, snapshotTtlMs });
}

function resolveConsumers(
  value: unknown,
  offer: ServiceOffer,
): Pick<ResolvedConfig, 'findConsumer' | 'findConsumerNow'> {
  if (Array.isArray(value)) {
    const byKey = new Map<string, Consumer>();
    value.forEach((entry, i) => {
      const consumer = normalizeConsumer(entry, `consumers[${i}]`, offer);
      if (byKey.has(consumer.applicationKey)) {
        throw new SifConfigError(`consumers[${i}].applicationKey`, `repeats "${consumer.applicationKey}"`);
      }
      byKey.set(consumer.applicationKey, consumer);
    });
    const findConsumerNow = (key: string): Consumer | undefined => byKey.get(key);
    return { findConsumer: async (key) => findConsumerNow(key), findConsumerNow };
  }
  if (typeof value === 'function') {
    const lookup = value as ConsumerLookup;
    // Hosts often return the same object each time: validate each object once.
    const normalized = new WeakMap<object, Consumer>();
    const findConsumer = async (key: string): Promise<Consumer | undefined> => {
      const entry = await lookup(key);
      if (entry === undefined || entry === null) return undefined;
      let consumer = normalized.get(entry);
      if (!consumer) {
        consumer = normalizeConsumer(entry, `consumers("${key}")`, offer);
        normalized.set(entry, consumer);
      }
      return consumer.applicationKey === key ? consumer : undefined;
    };
    return { findConsumer, findConsumerNow: undefined };
  }
  throw new SifConfigError('consumers', 'must be an array of consumer entries or a lookup function');
}

/** Store methods the queues need, checked when `queues` is on and a store of the host's is given. */
const QUEUE_STORE_METHODS = ['createQueue', 'enqueue', 'takeMessage', 'createSubscription', 'createDelayedRequest', 'advanceDelayedRequest', 'pendingDelayedQueues'];

/** What a store of one's own needs to keep the jobs of functional services. */
const JOB_STORE_METHODS = ['createJob', 'getJob', 'listJobs', 'countJobs', 'replaceJob', 'deleteJob', 'expiredJobs', 'environmentJobs'];

function resolveStore(database: unknown, store: unknown, queues: boolean, durability: 'full' | 'normal', jobs: boolean): { store: SifStore; ownsStore: boolean } {
  if (database !== undefined && store !== undefined) {
    throw new SifConfigError('store', 'cannot be given together with database');
  }
  if (store !== undefined) {
    const s = requireObject(store, 'store');
    for (const method of ['createEnvironment', 'getEnvironment', 'deleteEnvironment', 'createAlert', 'createProvisionRequest', 'restartChangeLog', 'close', ...(queues ? QUEUE_STORE_METHODS : []), ...(jobs ? JOB_STORE_METHODS : [])]) {
      if (typeof s[method] !== 'function') throw new SifConfigError('store', `must implement SifStore (missing ${method})`);
    }
    return { store: store as SifStore, ownsStore: false };
  }
  const file = optionalString(database, 'database');
  if (file === undefined) {
    throw new SifConfigError('database', "is required: a SQLite file path, or ':memory:' (or give a store)");
  }
  try {
    return { store: new SqliteStore(file, { durability }), ownsStore: true };
  } catch (err) {
    throw new SifConfigError('database', `could not be opened: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function resolveLogger(value: unknown): SifLogger {
  if (value === undefined) return console;
  const l = requireObject(value, 'logger');
  if (typeof l.warn !== 'function' || typeof l.error !== 'function') {
    throw new SifConfigError('logger', 'must have warn and error functions');
  }
  return l as unknown as SifLogger;
}
