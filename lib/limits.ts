// Every limit's default, below the rooms that enforce them (payload parsers, query parsing) and
// the config room that lets hosts change them, so those rooms need not import config.

/**
 * Documented defaults of the `limits` option: what one consumer with valid credentials may make
 * the provider hold or do. Every limit is refused with a SIF error that names it (README "Limits and
 * security"), never with a 5xx and never with part of the request done.
 *
 * @example
 * parseXml(text, { ...LIMIT_DEFAULTS, maxDepth: 16 });
 */
export const LIMIT_DEFAULTS = Object.freeze({
  /** Largest request body, after gzip decoding. */
  maxBodyBytes: 10 * 1024 * 1024,
  /** A body that stalls this long between two chunks is answered 408. */
  bodyIdleTimeoutSeconds: 30,
  /** Elements in one payload (XML or JSON), counted while parsing. */
  maxElements: 100_000,
  /** Attributes in one payload, counted while parsing. */
  maxAttributes: 100_000,
  /** How deeply elements may nest. */
  maxDepth: 64,
  /** Objects in one multi-object create, update or delete; default: `paging.maxPageSize`. */
  maxObjectsPerRequest: 1000,
  /**
   * Objects a bulk query (one that names no `navigationPage` or `navigationPageSize`, Base
   * Architecture §5.4.1) may answer in one message; a larger result is a 413 telling the consumer
   * to page. The provider walks the handler's pages (`paging.maxPageSize` each) to collect them.
   */
  maxBulkQueryObjects: 10_000,
  /** Conditions in one `where` clause (query by example included). */
  maxWhereConditions: 100,
  /** Characters in one consumer-chosen text field: environment fields, queue name. */
  maxFieldLength: 256,
  /** Environments one application key may have registered at once (distinct instance/user/solution). */
  environmentsPerApplication: 1000,
  /** Alerts kept per environment; one more is refused (409). */
  alertsPerEnvironment: 1000,
  /** Provision requests kept per environment until its consumer deletes them; one more is refused (409). */
  provisionRequestsPerEnvironment: 100,
  /** Largest alert, as stored (bytes of its JSON form). */
  maxAlertBytes: 64 * 1024,
  /** Jobs of functional services one environment may have at once; one more is refused (409). */
  jobsPerEnvironment: 1000,
  /** States one phase of a job may hold before a consumer's next one is refused (409); the provider's own are kept. */
  statesPerPhase: 100,
  /** Live `queryIntention: ALL` snapshots per environment; one more is refused until one expires. */
  snapshotsPerEnvironment: 5,
  /** Object ids in one snapshot; a larger consistent query is refused (413): page without ALL. */
  idsPerSnapshot: 1_000_000,
  /** Memory the session cache may use, estimated, in bytes (besides `sessionCacheSize` entries). */
  sessionCacheBytes: 16 * 1024 * 1024,
  /** LONG polls waiting at once across all queues; one more is answered 503. */
  waitingPolls: 1000,
});
