import type { SifStore } from '../store/store';
import type { InfrastructureVersion } from '../protocol/enums';
import type { ServiceDefinition } from '../services/types';
import type { XQueryTemplateDefinition } from '../services/templates';
import type { ProvisionDecision, ProvisionRequestInfo } from '../provisioning/decisions';
import type { ConsumerRegistry } from './consumers';

/**
 * Options of `createSifProvider`. Validated once at start-up; an invalid option throws a
 * `SifConfigError` that names it. The object you pass is never modified.
 *
 * @example
 * createSifProvider({
 *   database: './data/sif-state.db',
 *   consumers: [{ applicationKey: 'DemoApp', secret: 'DemoSecret', environment: { defaultZone: { id: 'District' } } }],
 * });
 */
export interface SifProviderOptions {
  /**
   * SQLite file that keeps the protocol state (environments, sessions, alerts). `':memory:'` keeps it
   * in memory, for tests. Give either this or `store`.
   */
  database?: string;
  /** A store implementation of your own (e.g. on PostgreSQL) instead of `database`. */
  store?: SifStore;
  /**
   * The public absolute URL at which the router is mounted, e.g. `https://sis.example.org/sif3`.
   * Used for the URLs written into environments. Default: derived from each request
   * (`req.protocol`, `Host`, and the mount path), which respects Express's `trust proxy`.
   */
  baseUrl?: string;
  /** The infrastructure version written on output. Default `'3.2.1'`. Input accepts any 3.x namespace. */
  infrastructureVersion?: InfrastructureVersion;
  /** The applications allowed to register: a list, or a lookup by application key. */
  consumers: ConsumerRegistry;
  /**
   * The services this provider offers, by (plural) name, e.g. `xStudents`, with their handlers.
   * Consumers' environment templates may only grant rights on services listed here. Default: none.
   */
  services?: Record<string, ServiceDefinition>;
  /**
   * Named queries (XQuery templates, Base Architecture §5.6.2) by id, answered by your handlers:
   * `GET {requestsConnector}/{id}?param=…`, listed by the xQueryTemplates utility. Consumers need
   * QUERY on the id (a grant with type XQUERYTEMPLATE). Default: none.
   */
  xQueryTemplates?: Record<string, XQueryTemplateDefinition>;
  /**
   * How consumers' provision requests (Infrastructure Services §6) are answered. Without it every
   * request is rejected.
   */
  provisionRequests?: ProvisionRequestOptions;
  /** The name the providers registry gives this provider (`providerName`, e.g. `RamseySIS`). Default `sif3-direct`. */
  providerName?: string;
  /** Authentication settings. */
  authentication?: AuthenticationOptions;
  /** Size limits. */
  limits?: LimitOptions;
  /** Page sizes for queries. */
  paging?: PagingOptions;
  /** How much change history to keep for changes-since requests. */
  changeLog?: ChangeLogOptions;
  /**
   * Queues, subscriptions, events and delayed requests (Infrastructure Services §9–10). Off unless
   * given: `true` turns them on with the defaults, an object tunes them.
   */
  queues?: boolean | QueueOptions;
  /** How many session lookups to keep in memory. Default 1000; 0 turns the cache off. */
  sessionCacheSize?: number;
  /** Where warnings and unexpected errors go. Default: `console`. Secrets are never logged. */
  logger?: SifLogger;
  /** The source of "now". Default: the system clock. For tests. */
  clock?: () => Date;
  /**
   * How the SQLite state file (`database`) is written. `'full'` (the default) survives power loss as
   * well as process crashes (`PRAGMA synchronous = FULL`); `'normal'` survives process crashes only
   * and saves an fsync per write (see bench/RESULTS.md for the cost).
   */
  durability?: 'full' | 'normal';
  /**
   * Cross-origin resource sharing, for consumers that run in a browser page of another origin
   * (the `sif3-direct/client` bundle, say). Off unless given. See `CorsOptions`.
   */
  cors?: CorsOptions;
}

/**
 * Lets browser pages of other origins call the provider. Preflights (`OPTIONS`) on SIF paths are
 * answered 204 without authentication for an allowed origin and 403 (without CORS headers) for
 * any other; every answer to an allowed origin, errors included, exposes the SIF response headers
 * (paging, message ids, Location…); every answer carries `Vary: Origin`. SIF authenticates each
 * request with its own Authorization header, not cookies, so `'*'` lets no page act without the
 * consumer's secret.
 *
 * @example
 * createSifProvider({ database, consumers, cors: { origins: ['https://gradebook.example.org'], maxAgeSeconds: 3600 } });
 */
export interface CorsOptions {
  /**
   * The origins allowed, exactly as browsers send them (`https://app.example.org`,
   * `http://localhost:5173`: scheme, host, port when not the default; no path or trailing slash),
   * or `'*'` for any. Default `'*'`.
   */
  origins?: readonly string[] | '*';
  /**
   * Send `Access-Control-Allow-Credentials: true`, for hosts that put cookie or client-certificate
   * authentication of their own in front of the router. Needs listed `origins`. Default false.
   */
  credentials?: boolean;
  /** How long a browser may cache a preflight answer, in seconds (`Access-Control-Max-Age`). Default 600. */
  maxAgeSeconds?: number;
}

/**
 * Answers consumers' provision requests: asking for more rights in their environment.
 *
 * @example
 * provisionRequests: {
 *   decide: async (request) => (request.consumer.applicationKey === 'TrustedApp' ? 'approve' : 'pending'),
 * }
 */
export interface ProvisionRequestOptions {
  /**
   * Decides a request as it arrives: `'approve'`, `'reject'`, `{ approve: [...] }` (those rights
   * only) or `'pending'` (decide later with `provider.provisionRequests.decide`). Approved rights
   * are in the consumer's environment at once. A throw refuses the request with a 500, storing nothing.
   */
  decide?: (request: ProvisionRequestInfo) => ProvisionDecision | Promise<ProvisionDecision>;
}

/** Authentication settings. */
export interface AuthenticationOptions {
  /** How far a SIF_HMACSHA256 `timestamp` may lie in the past and future. Default 900 s back, 300 s ahead. */
  timestampWindow?: { pastSeconds?: number; futureSeconds?: number };
  /**
   * Verifies an OAuth 2.0 Bearer token (opaque to SIF) and says which consumer it stands for.
   * Without it, Bearer is refused.
   */
  verifyBearer?: BearerVerifier;
  /**
   * Accept `?access_token=…&authenticationMethod=…` instead of the Authorization header
   * ("SIF Simple"). Off by default: credentials in URLs end up in logs.
   */
  allowAccessTokenQuery?: boolean;
  /**
   * Refuse a SIF_HMACSHA256 Authorization and timestamp seen before (a replayed request) with 401.
   * The cache holds each pair while its timestamp is inside the window. Off by default: some
   * consumers resend a request unchanged after a network error.
   */
  rejectReplays?: boolean;
}

/** Who a Bearer token stands for; undefined or null refuses it. */
export type BearerVerifier = (
  token: string,
) => BearerIdentity | undefined | null | Promise<BearerIdentity | undefined | null>;

/** The consumer identity a verified Bearer token carries. */
export interface BearerIdentity {
  applicationKey: string;
  instanceId?: string;
  userToken?: string;
  solutionId?: string;
}

/**
 * What one consumer with valid credentials may make the provider hold or do. Each has a documented
 * default (`LIMIT_DEFAULTS`); past a limit the consumer gets a SIF error naming it.
 */
export interface LimitOptions {
  /** Largest request body accepted, after gzip decoding (413 past it). Default 10 MiB. */
  maxBodyBytes?: number;
  /** A request body that stalls this long between chunks is answered 408. Default 30. */
  bodyIdleTimeoutSeconds?: number;
  /** Elements in one payload, counted while parsing (413 past it). Default 100,000. */
  maxElements?: number;
  /** Attributes in one payload, counted while parsing (413 past it). Default 100,000. */
  maxAttributes?: number;
  /** How deeply elements may nest (400 past it). Default 64. */
  maxDepth?: number;
  /** Objects (or ids) in one multi-object create, update or delete (413 past it). Default `paging.maxPageSize`. */
  maxObjectsPerRequest?: number;
  /** Objects a query without paging (a bulk query) may answer at once (413 past it: page instead). Default 10,000. */
  maxBulkQueryObjects?: number;
  /** Conditions in one `where` clause or query by example (400 past it). Default 100. */
  maxWhereConditions?: number;
  /** Characters in a consumer-chosen text field: environment fields, queue name (400 past it). Default 256. */
  maxFieldLength?: number;
  /** Environments one application key may have at once (409 past it). Default 1,000. */
  environmentsPerApplication?: number;
  /** Alerts kept per environment (409 past it). Default 1,000. */
  alertsPerEnvironment?: number;
  /** Provision requests kept per environment, decided or not, until the consumer deletes them (409 past it). Default 100. */
  provisionRequestsPerEnvironment?: number;
  /** Largest alert, in bytes (413 past it). Default 64 KiB. */
  maxAlertBytes?: number;
  /** Jobs of functional services per environment (409 past it, until one is deleted or expires). Default 1,000. */
  jobsPerEnvironment?: number;
  /** States one phase of a job may hold when a consumer adds one (409 past it; the provider's own progress is kept). Default 100. */
  statesPerPhase?: number;
  /** Live `queryIntention: ALL` snapshots per environment (409 past it, until one expires). Default 5. */
  snapshotsPerEnvironment?: number;
  /** Object ids in one `queryIntention: ALL` snapshot (413 past it). Default 1,000,000. */
  idsPerSnapshot?: number;
  /** Estimated memory of the session cache, in bytes. Default 16 MiB. */
  sessionCacheBytes?: number;
  /** LONG polls waiting at once across all queues (503 past it). Default 1,000. */
  waitingPolls?: number;
}

/** Page sizes for queries. */
export interface PagingOptions {
  /** Objects per page when the consumer asks for no page size. Default 100. */
  defaultPageSize?: number;
  /** Largest page size a consumer may ask for; above it the answer is 413. Default 1000. */
  maxPageSize?: number;
  /** How long a `queryIntention: ALL` snapshot (and its `navigationId`) lives, in seconds. Default 900. */
  snapshotTtlSeconds?: number;
}

/** How much change history to keep. A marker older than what is kept is answered with 409 (resynchronise). */
export interface ChangeLogOptions {
  /** Most changes kept, across services. Default 100,000. */
  maxEntries?: number;
  /** Oldest change kept, in days. Default 30. */
  maxAgeDays?: number;
}

/** Queues, subscriptions, events and delayed requests. Every number has a documented default. */
export interface QueueOptions {
  /** Longest a LONG poll is held open, in seconds; a larger `idleTimeout` asked for is lowered to it. Default 60. */
  maxIdleTimeoutSeconds?: number;
  /** `idleTimeout` of a LONG queue that asks for none, in seconds. Default 30. */
  defaultIdleTimeoutSeconds?: number;
  /** `minWaitTime` of IMMEDIATE queues: seconds a poller waits after an empty answer, else 503 (busy). Default 0. */
  minWaitTimeSeconds?: number;
  /** Most concurrent connections per queue; a larger `maxConcurrentConnections` is lowered to it. Default 4. */
  maxConcurrentConnections?: number;
  /** Most queues per environment; one more is a 409. Default 10. */
  maxQueuesPerEnvironment?: number;
  /** Most queues across all environments of one application key; one more is a 409. Default 50. */
  maxQueuesPerApplication?: number;
  /** Most delayed requests waiting to run in one queue; one more is a 409. Default 100. */
  maxPendingDelayedPerQueue?: number;
  /** Most messages a queue holds; events beyond it are dropped (and the host told). Default 10,000. */
  maxMessagesPerQueue?: number;
  /**
   * Messages older than this are dropped, and requests an asynchronous provider took but has not
   * completed this long are ended with an ERROR to the consumer, in hours. Default 168 (a week).
   */
  maxMessageAgeHours?: number;
  /** A queue with messages that is not polled for this long raises an alert, in minutes. Default 60. */
  unpolledAlertMinutes?: number;
  /** Most objects in one event message; more changed objects make several events. Default 100. */
  eventBatchSize?: number;
  /**
   * An immediate request still running after this many seconds is answered 503, telling the consumer
   * to send it again as DELAYED (Base Architecture §4.2.1.2). 0 turns the budget off. Default 25.
   */
  immediateBudgetSeconds?: number;
  /** How often housekeeping (old messages, unpolled queues, stale taken requests) runs, in seconds. Default 60. */
  housekeepingSeconds?: number;
}

/** A logger with the two levels the provider uses. `console` is one. */
export interface SifLogger {
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
}
