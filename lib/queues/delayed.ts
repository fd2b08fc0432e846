import type { Router } from 'express';
import type { SifLogger } from '../config/options';
import { InternalServiceError } from '../errors';
import type { SifEvents } from '../events';
import { errorObject } from '../payload/error';
import type { Replay } from '../http/replay';
import { relativeServicePath } from '../http/respond';
import type { AdvanceOutcome, DelayedProgress, DelayedRequestRecord, HeldAnswer, MessageBody, NewQueueMessage } from '../store/queue-records';
import type { DelayedUpdate, SifStore } from '../store/store';
import type { Clock } from '../util/clock';
import { newId } from '../util/ids';
import type { QueueBroker } from './broker';
import type { CapturedResponse } from './run-request';
import { InProcessRunner } from './run-request';

/** Headers of an answer that go into the queue with it (Base Architecture §4.3). */
const KEPT_HEADERS = [
  'timestamp', 'messageType', 'responseAction', 'requestId', 'serviceType', 'relativeServicePath', 'environmentURI',
  'fingerprint', 'navigationPage', 'navigationPageSize', 'navigationCount', 'navigationLastPage', 'navigationId',
  'changesSinceMarker', 'Location', 'Content-Profile',
];

/** How many queues' delayed requests run at the same time. */
const MAX_LANES = 4;

/** How one run of a delayed request (or a lane) ended. */
type RunOutcome =
  /** Answered completely, or handed to an asynchronous provider, or gone with its queue. */
  | 'finished'
  /** Its queue is full: it waits, pending, where it stopped (an answer already produced is held). */
  | 'full'
  /** Another instance holds the lease on the queue's oldest request (or took it over): its lane runs there. */
  | 'taken';

/**
 * Who this runner is when it leases delayed work, and for how long (`SifStore.claimDelayedRequest`).
 *
 * @example
 * new DelayedRunner(store, broker, events, clock, logger, { owner: newId(), ms: 30_000, shared: true });
 */
export interface DelayedLease {
  /** This runner's owner id in the store's leases: unique per provider instance and run. */
  owner: string;
  /** How long a claim lasts unless renewed by an answer queued under it. */
  ms: number;
  /** Other instances share the store: their leases hold until they expire. False: the only instance. */
  shared: boolean;
}

/** The lease of a runner alone on its store. */
const ALONE: DelayedLease = Object.freeze({ owner: 'in-process', ms: 60_000, shared: false });

/**
 * Runs delayed requests after their 202 and queues their answers (Base Architecture §4.2.1.2).
 * One lane per queue, up to `MAX_LANES` at a time: a queue's requests run one after another, oldest
 * first, so its answers keep their order, and a slow request holds up only its own queue. Each
 * answer is queued in the same transaction that records the progress, so a restart resumes where
 * the last run stopped and loses nothing acknowledged. A paged query (one that names a page or a
 * page size) is a paged batch: answered page by page from the page it names, each page its own
 * message, without further requests; a bulk query is one message with every object (or a 413).
 *
 * Answers of an accepted request are never dropped, and never take a queue past
 * `maxMessagesPerQueue` either: when the queue is full the runner holds back. The request stays
 * pending with its progress (an answer already produced is kept with it, so nothing is run twice),
 * its lane ends, and it is taken up again when messages leave that queue or at housekeeping.
 *
 * With several instances on one store, a lane runs only the request it has claimed: the oldest of
 * its queue, leased to this runner for `lease.ms` and renewed by every answer queued (the lease is
 * checked in the transaction that queues it). An instance that dies leaves its lease to expire;
 * another claims the request at its housekeeping and goes on from the recorded progress. A runner
 * whose lease was taken over is refused its next answer, and stops: no page is queued twice.
 */
export class DelayedRunner {
  private runner: InProcessRunner | undefined;
  /** The running lanes, by queue id. */
  private readonly lanes = new Map<string, Promise<void>>();
  /** Queues whose oldest pending request waits for room: no lane is started for them meanwhile. */
  private readonly blocked = new Set<string>();
  /** Queues that got room while their lane ran: a lane ending for a full queue runs again at once. */
  private readonly roomWhileRunning = new Set<string>();
  private scanning: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly store: SifStore,
    private readonly broker: QueueBroker,
    private readonly events: SifEvents,
    private readonly clock: Clock,
    private readonly logger: SifLogger,
    private readonly lease: DelayedLease = ALONE,
  ) {
    broker.onRoom((queueId) => this.resume(queueId));
  }

  /** Gives the runner the router to run requests through, and resumes pending work. */
  attach(router: Router): void {
    this.runner = new InProcessRunner(router);
    this.kick();
  }

  /**
   * Stores a delayed request; resolves true once it is durable (the 202 may then be sent), false
   * (nothing stored) when its queue already has `maxPerQueue` requests not yet answered.
   *
   * @example
   * if (!(await runner.accept(record, options.maxPendingDelayedPerQueue))) throw new QuotaExceededError(409, ...);
   */
  async accept(record: DelayedRequestRecord, maxPerQueue?: number): Promise<boolean> {
    if (!(await this.store.createDelayedRequest(record, maxPerQueue))) return false;
    this.kick();
    return true;
  }

  /**
   * Messages left a queue (undefined: any queue may have room, at housekeeping): its requests held
   * back for room go on.
   */
  resume(queueId: string | undefined): void {
    if (queueId === undefined) {
      this.blocked.clear();
      for (const id of this.lanes.keys()) this.roomWhileRunning.add(id);
      this.kick();
      return;
    }
    if (this.lanes.has(queueId)) this.roomWhileRunning.add(queueId);
    else if (this.blocked.delete(queueId)) this.kick();
  }

  /** Starts a lane for every queue with pending requests that has none, as far as the limit allows. */
  kick(): void {
    if (this.stopped || !this.runner) return;
    if (this.scanning) {
      this.again = true;
      return;
    }
    this.scanning = this.scan()
      .catch((err) => this.logger.error('sif3-direct: looking for delayed requests failed', err))
      .finally(() => {
        this.scanning = undefined;
        if (this.again) this.kick();
      });
  }

  /** Resolves when no delayed request is running or waiting to (deferred ones, and ones held back for a full queue, excepted). */
  async idle(): Promise<void> {
    while (this.scanning || this.lanes.size > 0) {
      await this.scanning;
      await Promise.all(this.lanes.values());
    }
  }

  /** Stops taking up further requests (those running finish). */
  stop(): void {
    this.stopped = true;
  }

  private async scan(): Promise<void> {
    this.again = false;
    // Only the queue ids: pending requests carry their bodies, up to maxPendingDelayedPerQueue per queue.
    for (const queueId of await this.store.pendingDelayedQueues()) {
      if (this.lanes.has(queueId) || this.blocked.has(queueId) || this.lanes.size >= MAX_LANES || this.stopped) continue;
      const lane = this.runLane(queueId)
        .then((outcome) => {
          // Room made while the lane found the queue full is not lost: then it is not blocked.
          if (outcome === 'full' && !this.roomWhileRunning.has(queueId)) this.blocked.add(queueId);
          // Another instance runs this queue: look again at housekeeping, when its lease may have expired.
          if (outcome === 'taken') this.blocked.add(queueId);
        })
        .catch((err) => this.logger.error('sif3-direct: running delayed requests failed', err))
        .finally(() => {
          this.roomWhileRunning.delete(queueId);
          this.lanes.delete(queueId);
          this.kick(); // a queue that had to wait for a free lane gets one
        });
      this.lanes.set(queueId, lane);
    }
  }

  private async runLane(queueId: string): Promise<RunOutcome> {
    while (!this.stopped) {
      const now = this.clock();
      // Alone on the store, a lease left by an earlier run of this provider is void.
      const next = await this.store.claimDelayedRequest(queueId, this.lease.owner, this.leaseUntil(now), this.lease.shared ? now.toISOString() : undefined);
      if (!next) return (await this.store.pendingDelayedRequests(queueId, 1)).length > 0 ? 'taken' : 'finished';
      // The requests behind it wait too: a queue's answers keep their order.
      const outcome = await this.runSafely(next);
      // Held back or taken over: whoever claims it next may, at once (a no-op if it is not ours).
      if (outcome !== 'finished') await this.store.releaseDelayedRequest(next.id, this.lease.owner);
      if (outcome !== 'finished') return outcome;
      // Let the server answer other requests in between: SQLite calls never yield by themselves.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return 'finished';
  }

  /** Until when a claim made or renewed now lasts. */
  private leaseUntil(now: Date = this.clock()): string {
    return new Date(now.getTime() + this.lease.ms).toISOString();
  }

  private async runSafely(record: DelayedRequestRecord): Promise<RunOutcome> {
    try {
      return await this.run(record);
    } catch (err) {
      // Never leave a request that cannot run blocking the ones behind it: answer it with a 500.
      this.logger.error(`sif3-direct: delayed request ${record.id} failed`, err);
      const message: NewQueueMessage = {
        id: newId(),
        queueId: record.queueId,
        createdAt: this.clock().toISOString(),
        headers: { messageType: 'ERROR', ...answerHeaders(record) },
        body: { kind: 'payload', root: 'error', namespace: undefined, value: errorObject(new InternalServiceError('Internal service error'), newId(), 'Delayed request') },
      };
      const progress = pageProgress(record.progress);
      return this.queueAnswer(record, progress, message, { parts: progress.parts + 1 }, true);
    }
  }

  private async run(record: DelayedRequestRecord): Promise<RunOutcome> {
    let progress = pageProgress(record.progress);
    // An answer produced before its queue was full goes first; the request is not run again for it.
    const held = record.progress.held;
    if (held) {
      const outcome = await this.advance(record, { progress: held.next, done: held.done }, [fromHeld(record.queueId, held, this.clock())]);
      if (outcome === 'full') return 'full';
      if (outcome === 'lost') return 'taken';
      if (outcome === 'gone') return 'finished';
      if (held.done) return this.answered(record, held.next);
      progress = held.next;
    }
    // A delayed paged query is a paged batch (Base Architecture §5.4.1): every page from the one it
    // names (or 1) to the last, each its own message. A bulk query (no paging named) is one answer.
    const first = isQuery(record) ? firstPage(record) : undefined;
    const paged = first !== undefined;
    for (;;) {
      // Run nothing whose answer the queue could not take now.
      const queue = await this.store.getQueue(record.environmentId, record.queueId);
      if (!queue) return 'finished'; // deleted meanwhile, with its requests
      if (queue.messageCount >= this.broker.maxMessagesPerQueue) return 'full';
      const replay: Replay = { id: record.id, environmentId: record.environmentId, baseUrl: record.baseUrl, deferred: false };
      const captured = await this.runner!.run({ ...record, headers: paged ? pageHeaders(record, first + progress.parts, progress) : record.headers }, replay);
      // An asynchronous provider took it: it answers through provider.respond (queues/deferred.ts).
      if (replay.deferred) return 'finished';
      // Without navigationLastPage, the page after the last one comes back empty: nothing to queue.
      const pastTheEnd = paged && captured.status === 204 && progress.parts > 0;
      // Only an answer with paging headers has further pages (a read by id answers GET without them).
      const morePages = paged && captured.status === 200 && captured.headers.navigationPage !== undefined && !isLastPage(captured, first! + progress.parts);
      const done = pastTheEnd || !morePages;
      const next = pastTheEnd ? progress : pageProgress({ parts: progress.parts + 1, navigationId: captured.headers.navigationId ?? progress.navigationId });
      if (pastTheEnd) {
        const outcome = await this.advance(record, { progress: next, done }, []);
        if (outcome === 'lost') return 'taken';
        if (outcome === 'gone') return 'finished';
        return this.answered(record, next);
      }
      const outcome = await this.queueAnswer(record, progress, this.message(record, captured), next, done);
      if (outcome !== 'finished' || done) return outcome;
      progress = next;
      // Let the server answer other requests between pages: SQLite calls never yield by themselves.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Queues one answer and records the progress it makes, if the queue has room for it; if not,
   * keeps the answer with the request (pending, at `progress`) to be queued when there is room.
   */
  private async queueAnswer(record: DelayedRequestRecord, progress: DelayedProgress, message: NewQueueMessage, next: DelayedProgress, done: boolean): Promise<RunOutcome> {
    const outcome = await this.advance(record, { progress: next, done }, [message]);
    if (outcome === 'full') {
      // Held with the request, and the lease let go with it: any instance may queue it when there is room.
      const kept = await this.store.advanceDelayedRequest(record.id, {
        progress: { ...progress, held: toHeld(message, next, done) },
        lease: { owner: this.lease.owner, until: undefined },
      }, []);
      return kept === 'lost' ? 'taken' : 'full';
    }
    if (outcome === 'lost') return 'taken';
    if (outcome === 'gone' || !done) return 'finished';
    return this.answered(record, next);
  }

  /**
   * Queues answers atomically with the progress, refused (`full`) past the queue's depth, and
   * (`lost`) once another instance has taken the request over; renews this runner's lease.
   */
  private async advance(record: DelayedRequestRecord, update: DelayedUpdate, messages: NewQueueMessage[]): Promise<AdvanceOutcome> {
    const leased: DelayedUpdate = { ...update, lease: { owner: this.lease.owner, until: this.leaseUntil() } };
    const outcome = await this.store.advanceDelayedRequest(record.id, leased, messages, this.broker.maxMessagesPerQueue);
    if (outcome === 'advanced' && messages.length > 0) this.broker.wake([record.queueId]);
    if (outcome === 'lost') this.logger.warn(`sif3-direct: delayed request ${record.id} was taken over by another instance; this one stops`);
    return outcome;
  }

  private async answered(record: DelayedRequestRecord, progress: DelayedProgress): Promise<RunOutcome> {
    // The snapshot that kept the pages consistent is done with: it must not count against the
    // consumer's limits.snapshotsPerEnvironment until it expires.
    if (progress.navigationId) await this.store.deleteSnapshot(progress.navigationId);
    this.events.emit('delayed.answered', {
      requestId: record.headers.requestid,
      queueId: record.queueId,
      environmentId: record.environmentId,
      messages: progress.parts,
    });
    return 'finished';
  }

  private message(record: DelayedRequestRecord, captured: CapturedResponse): NewQueueMessage {
    const headers: Record<string, string> = {};
    for (const name of KEPT_HEADERS) if (captured.headers[name] !== undefined) headers[name] = captured.headers[name]!;
    const contentType = captured.headers['Content-Type'];
    return {
      id: captured.headers.messageId ?? newId(),
      queueId: record.queueId,
      createdAt: this.clock().toISOString(),
      headers,
      body: captured.body.length > 0 && contentType ? { kind: 'encoded', contentType, bytes: captured.body } : { kind: 'empty' },
    };
  }
}

/** An answer in the JSON form it is kept in while held back (bytes as base64). */
function toHeld(message: NewQueueMessage, next: DelayedProgress, done: boolean): HeldAnswer {
  const body: HeldAnswer['body'] =
    message.body.kind === 'encoded' ? { kind: 'encoded', contentType: message.body.contentType, base64: message.body.bytes.toString('base64') } : message.body;
  return { id: message.id, headers: message.headers, body, next: pageProgress(next), done };
}

/** How far the runner got: answers queued and the paged query's navigationId (nothing held, nothing deferred). */
function pageProgress(progress: DelayedProgress): DelayedProgress {
  return progress.navigationId === undefined ? { parts: progress.parts } : { parts: progress.parts, navigationId: progress.navigationId };
}

/** A held answer as a message to queue now (its age counts from now). */
function fromHeld(queueId: string, held: HeldAnswer, now: Date): NewQueueMessage {
  const body: MessageBody =
    held.body.kind === 'encoded' ? { kind: 'encoded', contentType: held.body.contentType, bytes: Buffer.from(held.body.base64, 'base64') } : held.body;
  return { id: held.id, queueId, createdAt: now.toISOString(), headers: held.headers, body };
}

/** The headers every queued answer of a delayed request carries, from the request itself. */
export function answerHeaders(record: DelayedRequestRecord): Record<string, string> {
  const headers: Record<string, string> = {};
  if (record.headers.requestid !== undefined) headers.requestId = record.headers.requestid;
  const path = relativeServicePath(record.url);
  if (path !== undefined) headers.relativeServicePath = path;
  return headers;
}

function isQuery(record: DelayedRequestRecord): boolean {
  if (!record.url.startsWith('/requests/')) return false;
  const override = record.headers.methodoverride?.trim().toUpperCase();
  return record.method === 'GET' || record.method === 'HEAD' || (record.method === 'POST' && override === 'GET');
}

/**
 * The first page of a delayed paged query: the `navigationPage` it names, else 1 when it names a
 * `navigationPageSize` or `navigationId` (as `isBulkQuery` reads paging); undefined when it names neither (a bulk query, answered at once) or a page
 * that is not a number (run as sent, so that its 400 is the answer).
 */
function firstPage(record: DelayedRequestRecord): number | undefined {
  const query = new URLSearchParams(record.url.includes('?') ? record.url.slice(record.url.indexOf('?') + 1) : '');
  const page = record.headers.navigationpage ?? query.get('navigationPage') ?? undefined;
  const size = record.headers.navigationpagesize ?? query.get('navigationPageSize') ?? undefined;
  const navigationId = record.headers.navigationid ?? query.get('navigationId') ?? undefined;
  if (page === undefined) return size === undefined && navigationId === undefined ? undefined : 1;
  return /^\s*[1-9]\d{0,8}\s*$/.test(page) ? Number(page) : undefined;
}

function pageHeaders(record: DelayedRequestRecord, page: number, progress: DelayedProgress): Record<string, string> {
  const headers: Record<string, string> = { ...record.headers, navigationpage: String(page) };
  if (progress.navigationId) headers.navigationid = progress.navigationId;
  // Pages of one answer should not skip or repeat objects changed meanwhile: ask for a snapshot.
  else if (headers.queryintention === undefined && !/[?&]changesSinceMarker=/.test(record.url)) headers.queryintention = 'ALL';
  return headers;
}

function isLastPage(captured: CapturedResponse, page: number): boolean {
  const last = Number(captured.headers.navigationLastPage);
  return Number.isFinite(last) && last > 0 && page >= last;
}
