import type { GoessnerValue } from '../payload/goessner';

/** Polling styles of a queue (Infrastructure Services §9.2). */
export type QueuePolling = 'IMMEDIATE' | 'LONG';

/** A queue as stored. Its parameters are immutable once created (§9.1). */
export interface QueueRecord {
  id: string;
  /** The owning consumer's environment. */
  environmentId: string;
  name: string | undefined;
  polling: QueuePolling;
  /** Seconds a LONG poll is held open; 0 for IMMEDIATE queues. */
  idleTimeout: number;
  /** Seconds an IMMEDIATE poller must wait after an empty answer. */
  minWaitTime: number;
  maxConcurrentConnections: number;
  /** ISO-8601 times. `lastAccessed` moves when a message is handed out, `lastModified` when one arrives. */
  created: string;
  lastAccessed: string;
  lastModified: string;
  /** When the owner last polled, empty answers included (for the inactive-consumer alert). */
  lastPolled: string;
  /** When an inactive-consumer alert was last raised for this queue, if ever. */
  alertedAt: string | undefined;
}

/** How many queues `createQueue` allows: per environment, and per application key across its environments. */
export interface QueueLimits {
  perEnvironment: number;
  perApplication: number;
}

/** The outcome of `createQueue`: stored, or which limit was reached (then nothing is stored). */
export type CreateQueueResult = { created: true } | { created: false; limit: keyof QueueLimits };

/** A queue with its current message count, as read back. */
export interface QueueState extends QueueRecord {
  messageCount: number;
  /** ISO-8601 time of the oldest message, if any. */
  oldestMessage: string | undefined;
}

/** What a queued message carries as its body. */
export type MessageBody =
  /** Bytes already encoded (a delayed response), sent back as they are. */
  | { kind: 'encoded'; contentType: string; bytes: Buffer }
  /** A payload encoded when it is polled, in the poller's format (events). */
  | { kind: 'payload'; root: string; namespace: string | undefined; value: GoessnerValue }
  | { kind: 'empty' };

/** A message to put into a queue. */
export interface NewQueueMessage {
  id: string;
  queueId: string;
  createdAt: string;
  /** SIF headers the message was queued with (messageType, eventAction, requestId, …). */
  headers: Record<string, string>;
  body: MessageBody;
}

/** A queued message, with the connection it is handed to (if any). */
export interface QueueMessage extends NewQueueMessage {
  /** The connection the message was handed to and is outstanding on; undefined while waiting. */
  connectionId: string | undefined;
}

/** A subscription as stored (Infrastructure Services §10.2). */
export interface SubscriptionRecord {
  id: string;
  environmentId: string;
  queueId: string;
  zoneId: string;
  contextId: string;
  serviceType: string;
  serviceName: string;
  createdAt: string;
  /**
   * SIF 3.5: `EVENT` (events of the service go to the queue; also when absent) or `REQUEST` (the
   * environment provides the service: consumers' requests for it go to the queue). Undefined when
   * the subscriber did not say.
   */
  messageType?: 'EVENT' | 'REQUEST';
  /** SIF 3.5 `serviceSubType` (`adminDirective`), as the subscriber gave it. */
  serviceSubType?: string;
}

/**
 * The outcome of `createSubscription`. `existing` is the subscription in the way: the
 * environment's own to the same service, zone and context, or (for a REQUEST subscription) another
 * environment's REQUEST subscription there.
 */
export type CreateSubscriptionResult = { created: true } | { created: false; existing: SubscriptionRecord };

/**
 * A delayed request kept until its last answer is queued: everything needed to run it again after a
 * restart, and how far it got.
 */
export interface DelayedRequestRecord {
  /** Also the `ref` an asynchronous provider answers with. */
  id: string;
  environmentId: string;
  queueId: string;
  createdAt: string;
  method: string;
  /** Path below the mount point, with matrix parameters and query string, as the consumer sent it. */
  url: string;
  /** The request headers that matter for running it (no credentials). */
  headers: Record<string, string>;
  body: Buffer;
  /** The absolute URL of the mount point, for URLs in the answer. */
  baseUrl: string;
  /** `pending` runs (again after a restart); `deferred` waits for the host's answers. */
  state: 'pending' | 'deferred';
  /** Pages or parts answered so far. */
  progress: DelayedProgress;
}

/**
 * A request an asynchronous provider took (state `deferred`), without its body, headers or URL:
 * what housekeeping scans for requests whose remote provider left.
 *
 * @example
 * const routed = (await store.deferredRequestSummaries()).filter((d) => d.progress.deferred?.remote);
 */
export type DeferredRequestSummary = Pick<DelayedRequestRecord, 'id' | 'environmentId' | 'queueId' | 'createdAt' | 'progress'>;

/** How far a delayed request has been answered. */
export interface DelayedProgress {
  /** Answers already queued. */
  parts: number;
  /** The paged query's `navigationId`, once the first page is answered. */
  navigationId?: string;
  /** Set when an asynchronous provider took the request: what it answers. */
  deferred?: { serviceName: string; operation: string; remote?: RemoteRoute; bulk?: true };
  /**
   * An answer already produced that its full queue could not take: it is queued before the request
   * runs further, so the request is not run again for it (its side effects happened once).
   */
  held?: HeldAnswer;
}

/**
 * Where a request for a remotely provided service was routed (SIF 3.5 pull mode): the provider
 * environment whose REQUEST subscription took it, the queue it went to, and the zone and context
 * it was asked in. Only that environment may answer it.
 *
 * @example
 * const route: RemoteRoute = { environmentId: provider.id, queueId: queue.id, zoneId: 'District', contextId: 'DEFAULT' };
 */
export interface RemoteRoute {
  environmentId: string;
  queueId: string;
  zoneId: string;
  contextId: string;
}

/** An answer held back for a full queue, in JSON form (kept with the request's progress). */
export interface HeldAnswer {
  /** Its `messageId`. It gets its queue time when it is queued. */
  id: string;
  headers: Record<string, string>;
  body:
    | { kind: 'encoded'; contentType: string; base64: string }
    | { kind: 'payload'; root: string; namespace: string | undefined; value: GoessnerValue }
    | { kind: 'empty' };
  /** The progress once it is queued. */
  next: { parts: number; navigationId?: string };
  /** It is the last answer: queueing it ends the request. */
  done: boolean;
}

/**
 * The outcome of `advanceDelayedRequest`: done; refused because the messages would take the queue
 * past its depth (nothing changed); the request is gone (its queue or environment was deleted); or
 * (`lost`, nothing changed) the lease the update named is now another owner's.
 */
export type AdvanceOutcome = 'advanced' | 'full' | 'gone' | 'lost';
