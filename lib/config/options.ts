import type { SifStore } from '../store/store';
import type { InfrastructureVersion } from '../protocol/enums';
import type { ServiceDefinition } from '../services/types';
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
  /** Authentication settings. */
  authentication?: AuthenticationOptions;
  /** Size limits. */
  limits?: LimitOptions;
  /** Page sizes for queries. */
  paging?: PagingOptions;
  /** How much change history to keep for changes-since requests. */
  changeLog?: ChangeLogOptions;
  /** How many session lookups to keep in memory. Default 1000; 0 turns the cache off. */
  sessionCacheSize?: number;
  /** Where warnings and unexpected errors go. Default: `console`. Secrets are never logged. */
  logger?: SifLogger;
  /** The source of "now". Default: the system clock. For tests. */
  clock?: () => Date;
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

/** Size limits. */
export interface LimitOptions {
  /** Largest request body accepted, after gzip decoding. Default 10 MiB. */
  maxBodyBytes?: number;
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

/** A logger with the two levels the provider uses. `console` is one. */
export interface SifLogger {
  warn(message: string, detail?: unknown): void;
  error(message: string, detail?: unknown): void;
}
