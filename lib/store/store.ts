import type { ProvisionedZone } from '../config/consumers';
import type { GoessnerObject } from '../payload/goessner';
import type { ProvisionAssertion } from '../protocol/provisioning';
import type {
  AdvanceOutcome,
  CreateQueueResult,
  CreateSubscriptionResult,
  DelayedProgress,
  DelayedRequestRecord,
  DeferredRequestSummary,
  NewQueueMessage,
  QueueMessage,
  QueueLimits,
  QueueRecord,
  QueueState,
  SubscriptionRecord,
} from './queue-records';

import type { CreateJobResult, JobRecord, JobFilter } from './job-records';

export type * from './queue-records';
export type * from './job-records';

/**
 * The protocol state of a provider, behind one small async interface so that another database can
 * replace SQLite without touching protocol code. Each method is one atomic domain operation.
 * Every implementation must pass the contract suite in `test/store/contract.ts`.
 */
export interface SifStore {
  /**
   * Stores a new environment unless one with the same `identityKey` exists; then returns that one
   * and stores nothing. Atomic: of two concurrent creates with one identity, exactly one is created.
   * When its application key already has `maxPerApplication` environments (default: no limit),
   * stores nothing and says so.
   */
  createEnvironment(record: EnvironmentRecord, maxPerApplication?: number): Promise<CreateEnvironmentResult>;
  /** The environment with this id. */
  getEnvironment(id: string): Promise<EnvironmentRecord | undefined>;
  /** The environment whose session token hashes to `sessionTokenHash`. */
  findEnvironmentBySessionHash(sessionTokenHash: string): Promise<EnvironmentRecord | undefined>;
  /** The environment registered under this consumer identity. */
  findEnvironmentByIdentity(identityKey: string): Promise<EnvironmentRecord | undefined>;
  /** Replaces an environment's session token hash (the token was re-issued). False if it is gone. */
  replaceSessionHash(id: string, sessionTokenHash: string): Promise<boolean>;
  /** Deletes an environment and everything it owns (alerts, provision requests, snapshots, queues, messages, subscriptions, delayed requests, jobs). */
  deleteEnvironment(id: string): Promise<boolean>;

  /**
   * Stores an alert reported by an environment's consumer; false (nothing stored) when the
   * environment already has `maxPerEnvironment` alerts (default: no limit). Atomic.
   */
  createAlert(record: AlertRecord, maxPerEnvironment?: number): Promise<boolean>;
  /** One environment's alerts, oldest first. */
  listAlerts(environmentId: string, page: { offset: number; limit: number }): Promise<AlertRecord[]>;
  /** How many alerts an environment has. */
  countAlerts(environmentId: string): Promise<number>;
  /** One alert, only if it belongs to this environment. */
  getAlert(environmentId: string, id: string): Promise<AlertRecord | undefined>;
  /**
   * The alerts of every live environment of one application (`applicationKey`), oldest first: what
   * a consumer's alert query returns (Utility Services §7.1: "created by the same application").
   */
  listApplicationAlerts(applicationKey: string, page: { offset: number; limit: number }): Promise<AlertRecord[]>;
  /** How many alerts the live environments of one application have. */
  countApplicationAlerts(applicationKey: string): Promise<number>;
  /** One alert, only if it belongs to an environment of this application. */
  getApplicationAlert(applicationKey: string, id: string): Promise<AlertRecord | undefined>;

  /**
   * Stores a consumer's provision request; false (nothing stored) when its environment already has
   * `maxPerEnvironment` of them (default: no limit). A request stored already decided (`decidedAt`
   * set) has its answer merged into the environment's zones (`mergeDecision`) in the same atomic step.
   */
  createProvisionRequest(record: ProvisionRequestRecord, maxPerEnvironment?: number): Promise<boolean>;
  /** One provision request, of any environment. */
  getProvisionRequest(id: string): Promise<ProvisionRequestRecord | undefined>;
  /** Provision requests oldest first: one environment's, and/or only those not yet decided. */
  listProvisionRequests(filter: ProvisionRequestFilter, page: { offset: number; limit: number }): Promise<ProvisionRequestRecord[]>;
  /** How many provision requests `listProvisionRequests` would list in all. */
  countProvisionRequests(filter: ProvisionRequestFilter): Promise<number>;
  /**
   * Decides a pending provision request: stores its answered `assertions` and `decidedAt` and merges
   * them into its environment's zones (`mergeDecision`), atomically, and returns the request as now
   * stored; undefined (nothing changed) when there is no such request or it was already decided.
   * Of concurrent decisions of one request, exactly one applies.
   */
  decideProvisionRequest(id: string, assertions: ProvisionAssertion[], decidedAt: string): Promise<ProvisionRequestRecord | undefined>;
  /** Deletes a provision request, only for the environment that made it (the rights it got stay). */
  deleteProvisionRequest(environmentId: string, id: string): Promise<boolean>;

  /**
   * Appends changes to the change log, in order, and then applies the retention: entries beyond the
   * newest `retention.maxEntries`, or older than `retention.olderThan`, are dropped.
   */
  appendChanges(changes: ChangeEntry[], at: string, retention: ChangeRetention): Promise<void>;
  /** Where the change log stands: see `ChangeLogState`. */
  changeLogState(): Promise<ChangeLogState>;
  /**
   * Starts the change log afresh under a new epoch, with everything up to `latest` pruned: every
   * marker issued before is then answered 409 (resynchronise). For when a change could not be
   * logged, so that no consumer trusts a log with a hole in it.
   */
  restartChangeLog(): Promise<ChangeLogState>;
  /**
   * The objects of one service changed after sequence `after` up to and including `upTo`: each
   * object once, with its latest action in that range, ordered by that latest change; one page.
   */
  changedObjects(serviceName: string, after: number, upTo: number, page: { offset: number; limit: number }): Promise<ChangedObject[]>;
  /** How many distinct objects `changedObjects` would list in all. */
  countChangedObjects(serviceName: string, after: number, upTo: number): Promise<number>;

  /**
   * Stores the ordered ids of a query result for consistent paging, compactly; drops expired
   * snapshots first. False (nothing stored) when the environment already has `maxPerEnvironment`
   * live snapshots (default: no limit). Atomic.
   */
  createSnapshot(snapshot: QuerySnapshot, objectIds: string[], now: string, maxPerEnvironment?: number): Promise<boolean>;
  /**
   * One page of a snapshot's ids, only for the environment that made it and while it has not
   * expired; undefined otherwise. Deleting the environment deletes its snapshots.
   */
  snapshotPage(navigationId: string, environmentId: string, now: string, page: { offset: number; limit: number }): Promise<SnapshotPage | undefined>;
  /** Drops a snapshot before it expires (its walk is over). Nothing happens when it is gone. */
  deleteSnapshot(navigationId: string): Promise<void>;

  /**
   * Stores a queue unless its environment already has `limits.perEnvironment` queues, or the
   * environments of its application key have `limits.perApplication` together; then stores nothing
   * and says which limit. Atomic: concurrent creates cannot pass either limit.
   */
  createQueue(record: QueueRecord, limits: QueueLimits): Promise<CreateQueueResult>;
  /** One queue with its message count, only for the environment that owns it. */
  getQueue(environmentId: string, id: string): Promise<QueueState | undefined>;
  /** An environment's queues, oldest first. */
  listQueues(environmentId: string): Promise<QueueState[]>;
  /** Every queue of every environment (for housekeeping). */
  allQueues(): Promise<QueueState[]>;
  /** Deletes a queue with its messages, subscriptions and delayed requests, atomically. */
  deleteQueue(environmentId: string, id: string): Promise<boolean>;
  /** Records that an inactive-consumer alert was raised for a queue. */
  markQueueAlerted(id: string, at: string): Promise<void>;
  /**
   * Appends messages at the back of their queues, in order, atomically. A message whose queue is
   * gone, or already holds `maxDepth` messages, is not stored: those are returned.
   */
  enqueue(messages: NewQueueMessage[], maxDepth: number): Promise<NewQueueMessage[]>;
  /**
   * The message outstanding on `connectionId` if there is one; else the oldest message not handed
   * out, now outstanding on `connectionId`. Records the poll time either way.
   */
  takeMessage(queueId: string, connectionId: string, now: string): Promise<QueueMessage | undefined>;
  /**
   * Removes a message from a queue; with `connectionId`, only if it is the one outstanding on that
   * connection. False when there is no such message.
   */
  removeMessage(queueId: string, messageId: string, connectionId?: string): Promise<boolean>;
  /** Drops messages queued before `olderThan`; returns how many per queue id. */
  pruneMessages(olderThan: string): Promise<Map<string, number>>;

  /**
   * Stores a subscription unless the environment has one to the same service, zone and context (any
   * messageType), or, for a `REQUEST` subscription, any environment has a REQUEST subscription to
   * that service, zone and context (one provider per service there). Atomic across instances.
   */
  createSubscription(record: SubscriptionRecord): Promise<CreateSubscriptionResult>;
  /** One subscription, only for the environment that owns it. */
  getSubscription(environmentId: string, id: string): Promise<SubscriptionRecord | undefined>;
  /** An environment's subscriptions, oldest first. */
  listSubscriptions(environmentId: string): Promise<SubscriptionRecord[]>;
  deleteSubscription(environmentId: string, id: string): Promise<boolean>;
  /** Every subscription, of any environment, to a service. */
  subscriptionsTo(serviceName: string): Promise<SubscriptionRecord[]>;

  /**
   * Stores a delayed request (its queue must exist) unless its queue already has `maxPerQueue`
   * delayed requests not yet answered (pending or deferred; default: no limit); false then. Atomic.
   */
  createDelayedRequest(record: DelayedRequestRecord, maxPerQueue?: number): Promise<boolean>;
  getDelayedRequest(id: string): Promise<DelayedRequestRecord | undefined>;
  /**
   * Delayed requests still to run (state `pending`), oldest first; only those of `queueId` when
   * given, and at most `limit` of them (each carries its body: read no more than needed).
   */
  pendingDelayedRequests(queueId?: string, limit?: number): Promise<DelayedRequestRecord[]>;
  /** The ids of the queues that have pending delayed requests, by their oldest one, without the requests. */
  pendingDelayedQueues(): Promise<string[]>;
  /** Delayed requests an asynchronous provider took (state `deferred`) before `createdBefore`, oldest first. */
  staleDeferredRequests(createdBefore: string): Promise<DelayedRequestRecord[]>;
  /** Every request an asynchronous provider took (state `deferred`), oldest first, without bodies: cheap enough for each housekeeping. */
  deferredRequestSummaries(): Promise<DeferredRequestSummary[]>;
  /**
   * Atomically queues answers of a delayed request and records its progress: `done` removes it,
   * `state` changes it. `gone` (nothing stored) when the request is gone. With `maxDepth`, `full`
   * (nothing stored, nothing changed) when the messages would take the queue past that many: the
   * check and the enqueue are one atomic step, whatever else writes to the queue meanwhile.
   */
  advanceDelayedRequest(id: string, update: DelayedUpdate, messages: NewQueueMessage[], maxDepth?: number): Promise<AdvanceOutcome>;
  /**
   * Leases the oldest pending delayed request of a queue to `owner` until `until`, and returns it;
   * undefined when the queue has none, or when its oldest is leased to another owner whose lease
   * runs past `now` (a queue's requests run in order: the one behind is never claimed first). The
   * owner that holds it claims it again (renewing). Without `now` every other lease counts as
   * expired: for a provider that knows it is the only instance. Atomic across instances: of
   * concurrent claims, one wins.
   */
  claimDelayedRequest(queueId: string, owner: string, until: string, now?: string): Promise<DelayedRequestRecord | undefined>;
  /** Ends `owner`'s lease on a delayed request (it stays pending, for whoever claims it next). */
  releaseDelayedRequest(id: string, owner: string): Promise<void>;

  /**
   * Stores a new job (functional services): `taken` (nothing stored) when its id is, `full` when its
   * environment already has `maxPerEnvironment` jobs (default: no limit). Atomic. Its environment must exist.
   */
  createJob(record: JobRecord, maxPerEnvironment?: number): Promise<CreateJobResult>;
  /** One job by id, whoever owns it. */
  getJob(id: string): Promise<JobRecord | undefined>;
  /** The jobs of one service owned by one environment in one zone and context, oldest first; one page. */
  listJobs(filter: JobFilter, page: { offset: number; limit: number }): Promise<JobRecord[]>;
  /** How many jobs `listJobs` would list in all. */
  countJobs(filter: JobFilter): Promise<number>;
  /**
   * Replaces a job only while its stored version is `record.version - 1` (optimistic concurrency:
   * false, nothing stored, when another change came first or the job is gone).
   */
  replaceJob(record: JobRecord): Promise<boolean>;
  /** Deletes a job; false when there is none. */
  deleteJob(id: string): Promise<boolean>;
  /** Jobs whose `expiresAt` is at or before `now`, soonest first, at most `limit`. */
  expiredJobs(now: string, limit: number): Promise<JobRecord[]>;
  /** The jobs one environment owns, whatever their service, zone or context, oldest first, at most `limit`. */
  environmentJobs(environmentId: string, limit: number): Promise<JobRecord[]>;

  /** Releases the store's resources. Further calls fail. */
  close(): Promise<void>;
}

/** The part of the store that keeps jobs of functional services. */
export type JobTables = Pick<SifStore, 'createJob' | 'getJob' | 'listJobs' | 'countJobs' | 'replaceJob' | 'deleteJob' | 'expiredJobs' | 'environmentJobs'>;

/** The part of the store that keeps queues, their messages, subscriptions and delayed requests. */
export type QueueTables = Pick<
  SifStore,
  | 'createQueue' | 'getQueue' | 'listQueues' | 'allQueues' | 'deleteQueue' | 'markQueueAlerted' | 'enqueue' | 'takeMessage'
  | 'removeMessage' | 'pruneMessages' | 'createSubscription' | 'getSubscription' | 'listSubscriptions' | 'deleteSubscription'
  | 'subscriptionsTo' | 'createDelayedRequest' | 'getDelayedRequest' | 'pendingDelayedRequests' | 'pendingDelayedQueues' | 'staleDeferredRequests'
  | 'deferredRequestSummaries' | 'advanceDelayedRequest' | 'claimDelayedRequest' | 'releaseDelayedRequest'
>;

/** The part of the store that keeps provision requests. */
export type ProvisionRequestTables = Pick<
  SifStore,
  | 'createProvisionRequest' | 'getProvisionRequest' | 'listProvisionRequests' | 'countProvisionRequests'
  | 'decideProvisionRequest' | 'deleteProvisionRequest'
>;

/** How `advanceDelayedRequest` moves a delayed request on. */
export interface DelayedUpdate {
  progress: DelayedProgress;
  state?: 'pending' | 'deferred';
  /** The last answer is among the messages: forget the request. */
  done?: boolean;
  /**
   * Only while the request is leased to `owner` (see `claimDelayedRequest`): otherwise `lost`, and
   * nothing is stored, so an instance whose lease another took over cannot queue an answer twice.
   * The lease then runs until `until`; undefined ends it.
   */
  lease?: { owner: string; until: string | undefined };
  /**
   * Only while the request has queued exactly this many answers (`progress.parts`): otherwise
   * `lost`, and nothing is stored. Two answers to the same part (a provider instance that restarted
   * mid-answer, two instances on one message) cannot both be queued.
   */
  ifParts?: number;
}

/** A stored query result, for `queryIntention: ALL`. */
export interface QuerySnapshot {
  navigationId: string;
  environmentId: string;
  serviceName: string;
  /** ISO-8601 time after which the snapshot is gone. */
  expiresAt: string;
}

/** A page of a snapshot. */
export interface SnapshotPage {
  serviceName: string;
  total: number;
  objectIds: string[];
}

/** One change to one object. */
export interface ChangeEntry {
  serviceName: string;
  objectId: string;
  action: 'CREATE' | 'UPDATE' | 'DELETE';
}

/** How much of the change log to keep. */
export interface ChangeRetention {
  maxEntries: number;
  /** ISO-8601: entries recorded before this are dropped. */
  olderThan: string;
}

/** The change log's position. */
export interface ChangeLogState {
  /** A random value fixed when the store was created: markers from another store are not mistaken for ours. */
  epoch: string;
  /** The sequence number of the newest entry ever appended (0 before the first). */
  latest: number;
  /** Every entry up to this sequence number has been dropped by retention (0 when none). */
  prunedThrough: number;
}

/** An object in a changes-since answer. */
export interface ChangedObject {
  objectId: string;
  action: 'CREATE' | 'UPDATE' | 'DELETE';
  seq: number;
}

/** The outcome of `createEnvironment`. */
export type CreateEnvironmentResult =
  | { created: true }
  | { created: false; existing: EnvironmentRecord }
  /** The application key has as many environments as it may. */
  | { created: false; limitReached: true };

/** An environment as stored: everything needed to write it again, except URLs and the session token. */
export interface EnvironmentRecord {
  id: string;
  fingerprint: string;
  /** Hex SHA-256 of the session token; null when the consumer authenticates with Bearer. */
  sessionTokenHash: string | null;
  /** Random salt from which the session token is derived. */
  tokenSalt: string;
  /** The consumer identity (application key, instance, user, solution) as one unique key. */
  identityKey: string;
  applicationKey: string;
  instanceId: string | undefined;
  userToken: string | undefined;
  solutionId: string | undefined;
  authenticationMethod: string;
  consumerName: string | undefined;
  /** The `applicationInfo` element as returned to the consumer. */
  applicationInfo: GoessnerObject;
  /** The provisioning snapshot taken at creation: environments are immutable. */
  defaultZone: ProvisionedZone;
  zones: ProvisionedZone[];
  /** ISO-8601 creation time. */
  createdAt: string;
}

/** A stored provision request (Infrastructure Services §6). */
export interface ProvisionRequestRecord {
  id: string;
  environmentId: string;
  /** ISO-8601 time it was received. */
  createdAt: string;
  /** ISO-8601 time it was decided; undefined while pending (rights REQUESTED). */
  decidedAt: string | undefined;
  /** What it asks for and, once decided, what it got. */
  assertions: ProvisionAssertion[];
}

/** Which provision requests to list. */
export interface ProvisionRequestFilter {
  /** Only this environment's. */
  environmentId?: string;
  /** Only those not yet decided. */
  pendingOnly?: boolean;
}

/** A stored alert. */
export interface AlertRecord {
  id: string;
  environmentId: string;
  /** ISO-8601 time it was received. */
  createdAt: string;
  /** The alert element in Goessner form, schema order, with its `@id`. */
  alert: GoessnerObject;
}
