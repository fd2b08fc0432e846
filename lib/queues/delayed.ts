import type { Router } from 'express';
import type { SifLogger } from '../config/options';
import { InternalServiceError } from '../errors';
import type { SifEvents } from '../events';
import { errorObject } from '../payload/error';
import type { Replay } from '../http/replay';
import { relativeServicePath } from '../http/respond';
import type { DelayedProgress, DelayedRequestRecord, NewQueueMessage } from '../store/queue-records';
import type { SifStore } from '../store/store';
import type { Clock } from '../util/clock';
import { newId } from '../util/ids';
import type { QueueBroker } from './broker';
import type { CapturedResponse } from './run-request';
import { InProcessRunner } from './run-request';

/** Headers of an answer that go into the queue with it (Base Architecture §4.3). */
const KEPT_HEADERS = [
  'timestamp', 'messageType', 'responseAction', 'requestId', 'serviceType', 'relativeServicePath', 'environmentURI',
  'fingerprint', 'navigationPage', 'navigationPageSize', 'navigationCount', 'navigationLastPage', 'navigationId',
  'changesSinceMarker', 'Location',
];

/** How many queues' delayed requests run at the same time. */
const MAX_LANES = 4;

/**
 * Runs delayed requests after their 202 and queues their answers (Base Architecture §4.2.1.2).
 * One lane per queue, up to `MAX_LANES` at a time: a queue's requests run one after another, oldest
 * first, so its answers keep their order, and a slow request holds up only its own queue. Each
 * answer is queued in the same transaction that records the progress, so a restart resumes where
 * the last run stopped and loses nothing acknowledged. A paged query is answered page by page, each
 * page its own message, without further requests.
 */
export class DelayedRunner {
  private runner: InProcessRunner | undefined;
  /** The running lanes, by queue id. */
  private readonly lanes = new Map<string, Promise<void>>();
  private scanning: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(
    private readonly store: SifStore,
    private readonly broker: QueueBroker,
    private readonly events: SifEvents,
    private readonly clock: Clock,
    private readonly logger: SifLogger,
  ) {}

  /** Gives the runner the router to run requests through, and resumes pending work. */
  attach(router: Router): void {
    this.runner = new InProcessRunner(router);
    this.kick();
  }

  /** Stores a delayed request; resolves once it is durable (the 202 may then be sent). */
  async accept(record: DelayedRequestRecord): Promise<void> {
    await this.store.createDelayedRequest(record);
    this.kick();
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

  /** Resolves when no delayed request is running or waiting to (deferred ones excepted). */
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
    const pending = await this.store.pendingDelayedRequests();
    for (const queueId of new Set(pending.map((r) => r.queueId))) {
      if (this.lanes.has(queueId) || this.lanes.size >= MAX_LANES || this.stopped) continue;
      const lane = this.runLane(queueId)
        .catch((err) => this.logger.error('sif3-direct: running delayed requests failed', err))
        .finally(() => {
          this.lanes.delete(queueId);
          this.kick(); // a queue that had to wait for a free lane gets one
        });
      this.lanes.set(queueId, lane);
    }
  }

  private async runLane(queueId: string): Promise<void> {
    while (!this.stopped) {
      const [next] = await this.store.pendingDelayedRequests(queueId);
      if (!next) return;
      await this.runSafely(next);
      // Let the server answer other requests in between: SQLite calls never yield by themselves.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private async runSafely(record: DelayedRequestRecord): Promise<void> {
    try {
      await this.run(record);
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
      await this.store.advanceDelayedRequest(record.id, { progress: record.progress, done: true }, [message]);
      this.broker.wake([record.queueId]);
    }
  }

  private async run(record: DelayedRequestRecord): Promise<void> {
    const paged = isQuery(record) && !namesPage(record);
    let progress: DelayedProgress = record.progress;
    for (;;) {
      const replay: Replay = { id: record.id, environmentId: record.environmentId, baseUrl: record.baseUrl, deferred: false };
      const captured = await this.runner!.run({ ...record, headers: paged ? pageHeaders(record, progress) : record.headers }, replay);
      // An asynchronous provider took it: it answers through provider.respond (queues/deferred.ts).
      if (replay.deferred) return;
      // Without navigationLastPage, the page after the last one comes back empty: nothing to queue.
      const pastTheEnd = paged && captured.status === 204 && progress.parts > 0;
      // Only an answer with paging headers has further pages (a read by id answers GET without them).
      const morePages = paged && captured.status === 200 && captured.headers.navigationPage !== undefined && !isLastPage(captured, progress.parts + 1);
      const done = pastTheEnd || !morePages;
      const messages = pastTheEnd ? [] : [this.message(record, captured)];
      progress = { parts: progress.parts + messages.length, navigationId: captured.headers.navigationId ?? progress.navigationId };
      const kept = await this.store.advanceDelayedRequest(record.id, { progress, done }, messages);
      if (messages.length > 0) this.broker.wake([record.queueId]);
      if (!kept) return; // its queue or environment was deleted meanwhile
      if (done) {
        this.events.emit('delayed.answered', {
          requestId: record.headers.requestid,
          queueId: record.queueId,
          environmentId: record.environmentId,
          messages: progress.parts,
        });
        return;
      }
      // Let the server answer other requests between pages: SQLite calls never yield by themselves.
      await new Promise((resolve) => setImmediate(resolve));
    }
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

/** True when the consumer asked for one page by number: then only that page is answered. */
function namesPage(record: DelayedRequestRecord): boolean {
  return record.headers.navigationpage !== undefined || /[?&]navigationPage=/.test(record.url);
}

function pageHeaders(record: DelayedRequestRecord, progress: DelayedProgress): Record<string, string> {
  const headers: Record<string, string> = { ...record.headers, navigationpage: String(progress.parts + 1) };
  if (progress.navigationId) headers.navigationid = progress.navigationId;
  // Pages of one answer should not skip or repeat objects changed meanwhile: ask for a snapshot.
  else if (headers.queryintention === undefined && !/[?&]changesSinceMarker=/.test(record.url)) headers.queryintention = 'ALL';
  return headers;
}

function isLastPage(captured: CapturedResponse, page: number): boolean {
  const last = Number(captured.headers.navigationLastPage);
  return Number.isFinite(last) && last > 0 && page >= last;
}
