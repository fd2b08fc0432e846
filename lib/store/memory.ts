import { randomBytes } from 'node:crypto';
import type {
  AdvanceOutcome,
  AlertRecord,
  ChangedObject,
  ChangeEntry,
  ChangeLogState,
  ChangeRetention,
  CreateEnvironmentResult,
  CreateQueueResult,
  CreateSubscriptionResult,
  DelayedRequestRecord,
  DelayedUpdate,
  EnvironmentRecord,
  NewQueueMessage,
  QueueLimits,
  QueueMessage,
  QueueRecord,
  QueueState,
  QuerySnapshot,
  SifStore,
  SnapshotPage,
  SubscriptionRecord,
} from './store';

/**
 * A store that keeps everything in process memory: for tests and throw-away demos. Records are
 * copied in and out, so callers never share state with it.
 *
 * @example
 * createSifProvider({ store: new MemoryStore(), consumers });
 */
export class MemoryStore implements SifStore {
  private readonly environments = new Map<string, EnvironmentRecord>();
  private readonly alerts = new Map<string, AlertRecord>();
  /** The change log in sequence order; entries before `changesHead` are pruned, awaiting compaction. */
  private readonly changes: (ChangeEntry & { seq: number; at: string })[] = [];
  private changesHead = 0;
  /** The newest `at` appended, and the last entry appended with an earlier one (a clock that went back). */
  private newestAt = '';
  private lastUnorderedSeq = 0;
  private readonly log = { epoch: randomBytes(8).toString('hex'), latest: 0, prunedThrough: 0 };
  private readonly snapshots = new Map<string, QuerySnapshot & { ids: string[] }>();
  private readonly queues = new Map<string, QueueRecord>();
  /** Every queued message, oldest first across queues (FIFO per queue follows). */
  private messages: QueueMessage[] = [];
  private readonly subscriptions = new Map<string, SubscriptionRecord>();
  private readonly delayed = new Map<string, DelayedRequestRecord>();
  /** Leases of delayed requests, kept beside them: a record reads back as it was stored. */
  private readonly leases = new Map<string, { owner: string; until: string }>();
  private closed = false;

  async createEnvironment(record: EnvironmentRecord, maxPerApplication = Number.POSITIVE_INFINITY): Promise<CreateEnvironmentResult> {
    this.assertOpen();
    const existing = [...this.environments.values()].find((e) => e.identityKey === record.identityKey);
    if (existing) return { created: false, existing: copy(existing) };
    const sameApplication = [...this.environments.values()].filter((e) => e.applicationKey === record.applicationKey).length;
    if (sameApplication >= maxPerApplication) return { created: false, limitReached: true };
    if (this.environments.has(record.id)) throw new Error(`environment ${record.id} exists`);
    this.environments.set(record.id, copy(record));
    return { created: true };
  }

  async getEnvironment(id: string): Promise<EnvironmentRecord | undefined> {
    this.assertOpen();
    return copyMaybe(this.environments.get(id));
  }

  async findEnvironmentBySessionHash(hash: string): Promise<EnvironmentRecord | undefined> {
    this.assertOpen();
    return copyMaybe([...this.environments.values()].find((e) => e.sessionTokenHash === hash));
  }

  async findEnvironmentByIdentity(identityKey: string): Promise<EnvironmentRecord | undefined> {
    this.assertOpen();
    return copyMaybe([...this.environments.values()].find((e) => e.identityKey === identityKey));
  }

  async replaceSessionHash(id: string, hash: string): Promise<boolean> {
    this.assertOpen();
    const env = this.environments.get(id);
    if (!env) return false;
    env.sessionTokenHash = hash;
    return true;
  }

  async deleteEnvironment(id: string): Promise<boolean> {
    this.assertOpen();
    if (!this.environments.delete(id)) return false;
    for (const [navigationId, snapshot] of this.snapshots) if (snapshot.environmentId === id) this.snapshots.delete(navigationId);
    for (const [alertId, alert] of this.alerts) if (alert.environmentId === id) this.alerts.delete(alertId);
    for (const queue of [...this.queues.values()]) if (queue.environmentId === id) this.dropQueue(queue.id);
    return true;
  }

  async createAlert(record: AlertRecord, maxPerEnvironment = Number.POSITIVE_INFINITY): Promise<boolean> {
    this.assertOpen();
    if (!this.environments.has(record.environmentId)) throw new Error(`no environment ${record.environmentId}`);
    if ([...this.alerts.values()].filter((a) => a.environmentId === record.environmentId).length >= maxPerEnvironment) return false;
    this.alerts.set(record.id, copy(record));
    return true;
  }

  async listAlerts(environmentId: string, page: { offset: number; limit: number }): Promise<AlertRecord[]> {
    this.assertOpen();
    return [...this.alerts.values()]
      .filter((a) => a.environmentId === environmentId)
      .slice(page.offset, page.offset + page.limit)
      .map(copy);
  }

  async countAlerts(environmentId: string): Promise<number> {
    this.assertOpen();
    return [...this.alerts.values()].filter((a) => a.environmentId === environmentId).length;
  }

  async getAlert(environmentId: string, id: string): Promise<AlertRecord | undefined> {
    this.assertOpen();
    const alert = this.alerts.get(id);
    return alert && alert.environmentId === environmentId ? copy(alert) : undefined;
  }

  async appendChanges(changes: ChangeEntry[], at: string, retention: ChangeRetention): Promise<void> {
    this.assertOpen();
    for (const change of changes) this.changes.push({ ...change, seq: ++this.log.latest, at });
    if (at < this.newestAt) this.lastUnorderedSeq = this.log.latest;
    else this.newestAt = at;
    const cut = Math.max(this.log.latest - retention.maxEntries, this.lastSeqBefore(retention.olderThan));
    if (cut > this.log.prunedThrough) {
      this.log.prunedThrough = cut;
      while (this.changesHead < this.changes.length && this.changes[this.changesHead]!.seq <= cut) this.changesHead++;
      // Compacting only when half the array is pruned keeps each write's share of it constant.
      if (this.changesHead * 2 >= this.changes.length) {
        this.changes.splice(0, this.changesHead);
        this.changesHead = 0;
      }
    }
  }

  /**
   * The last sequence number recorded before `olderThan` (0 when none), without scanning the log:
   * while every kept entry was appended in time order, the old ones are a prefix, read from the
   * front (and pruned right after, so each is read once). Only while an entry appended with an
   * earlier time than one before it is still kept does this look at the whole log.
   */
  private lastSeqBefore(olderThan: string): number {
    let last = 0;
    if (this.lastUnorderedSeq > this.log.prunedThrough) {
      for (let i = this.changesHead; i < this.changes.length; i++) if (this.changes[i]!.at < olderThan) last = this.changes[i]!.seq;
      return last;
    }
    for (let i = this.changesHead; i < this.changes.length && this.changes[i]!.at < olderThan; i++) last = this.changes[i]!.seq;
    return last;
  }

  async changeLogState(): Promise<ChangeLogState> {
    this.assertOpen();
    return { ...this.log };
  }

  async deleteSnapshot(navigationId: string): Promise<void> {
    this.assertOpen();
    this.snapshots.delete(navigationId);
  }

  async restartChangeLog(): Promise<ChangeLogState> {
    this.assertOpen();
    this.log.epoch = randomBytes(8).toString('hex');
    this.log.prunedThrough = this.log.latest;
    this.changes.length = 0;
    this.changesHead = 0;
    return { ...this.log };
  }

  async changedObjects(serviceName: string, after: number, upTo: number, page: { offset: number; limit: number }): Promise<ChangedObject[]> {
    this.assertOpen();
    return this.latestChanges(serviceName, after, upTo).slice(page.offset, page.offset + page.limit);
  }

  async countChangedObjects(serviceName: string, after: number, upTo: number): Promise<number> {
    this.assertOpen();
    return this.latestChanges(serviceName, after, upTo).length;
  }

  private latestChanges(serviceName: string, after: number, upTo: number): ChangedObject[] {
    const latest = new Map<string, ChangedObject>();
    for (let i = this.changesHead; i < this.changes.length; i++) {
      const c = this.changes[i]!;
      if (c.serviceName === serviceName && c.seq > after && c.seq <= upTo) latest.set(c.objectId, { objectId: c.objectId, action: c.action, seq: c.seq });
    }
    return [...latest.values()].sort((a, b) => a.seq - b.seq);
  }

  async createSnapshot(snapshot: QuerySnapshot, objectIds: string[], now: string, maxPerEnvironment = Number.POSITIVE_INFINITY): Promise<boolean> {
    this.assertOpen();
    if (!this.environments.has(snapshot.environmentId)) throw new Error(`no environment ${snapshot.environmentId}`);
    for (const [navigationId, s] of this.snapshots) if (s.expiresAt <= now) this.snapshots.delete(navigationId);
    const live = [...this.snapshots.values()].filter((s) => s.environmentId === snapshot.environmentId).length;
    if (live >= maxPerEnvironment) return false;
    this.snapshots.set(snapshot.navigationId, { ...snapshot, ids: [...objectIds] });
    return true;
  }

  async snapshotPage(navigationId: string, environmentId: string, now: string, page: { offset: number; limit: number }): Promise<SnapshotPage | undefined> {
    this.assertOpen();
    const s = this.snapshots.get(navigationId);
    if (!s || s.environmentId !== environmentId || s.expiresAt <= now) return undefined;
    return { serviceName: s.serviceName, total: s.ids.length, objectIds: s.ids.slice(page.offset, page.offset + page.limit) };
  }

  async createQueue(record: QueueRecord, limits: QueueLimits): Promise<CreateQueueResult> {
    this.assertOpen();
    const owner = this.environments.get(record.environmentId);
    if (!owner) throw new Error(`no environment ${record.environmentId}`);
    const queues = [...this.queues.values()];
    if (queues.filter((q) => q.environmentId === record.environmentId).length >= limits.perEnvironment) return { created: false, limit: 'perEnvironment' };
    const ofApplication = queues.filter((q) => this.environments.get(q.environmentId)?.applicationKey === owner.applicationKey);
    if (ofApplication.length >= limits.perApplication) return { created: false, limit: 'perApplication' };
    this.queues.set(record.id, copy(record));
    return { created: true };
  }

  async getQueue(environmentId: string, id: string): Promise<QueueState | undefined> {
    this.assertOpen();
    const queue = this.queues.get(id);
    return queue && queue.environmentId === environmentId ? this.stateOf(queue) : undefined;
  }

  async listQueues(environmentId: string): Promise<QueueState[]> {
    this.assertOpen();
    return [...this.queues.values()].filter((q) => q.environmentId === environmentId).map((q) => this.stateOf(q));
  }

  async allQueues(): Promise<QueueState[]> {
    this.assertOpen();
    return [...this.queues.values()].map((q) => this.stateOf(q));
  }

  async deleteQueue(environmentId: string, id: string): Promise<boolean> {
    this.assertOpen();
    if (this.queues.get(id)?.environmentId !== environmentId) return false;
    this.dropQueue(id);
    return true;
  }

  async markQueueAlerted(id: string, at: string): Promise<void> {
    this.assertOpen();
    const queue = this.queues.get(id);
    if (queue) queue.alertedAt = at;
  }

  async enqueue(messages: NewQueueMessage[], maxDepth: number): Promise<NewQueueMessage[]> {
    this.assertOpen();
    const refused: NewQueueMessage[] = [];
    for (const m of messages) {
      const queue = this.queues.get(m.queueId);
      if (!queue || this.messages.filter((x) => x.queueId === m.queueId).length >= maxDepth) {
        refused.push(m);
        continue;
      }
      this.messages.push({ ...copy(m), connectionId: undefined });
      queue.lastModified = m.createdAt;
    }
    return refused;
  }

  async takeMessage(queueId: string, connectionId: string, now: string): Promise<QueueMessage | undefined> {
    this.assertOpen();
    const queue = this.queues.get(queueId);
    if (!queue) return undefined;
    queue.lastPolled = now;
    const held = this.messages.find((m) => m.queueId === queueId && m.connectionId === connectionId);
    if (held) return copy(held);
    const next = this.messages.find((m) => m.queueId === queueId && m.connectionId === undefined);
    if (!next) return undefined;
    next.connectionId = connectionId;
    queue.lastAccessed = now;
    return copy(next);
  }

  async removeMessage(queueId: string, messageId: string, connectionId?: string): Promise<boolean> {
    this.assertOpen();
    const i = this.messages.findIndex(
      (m) => m.queueId === queueId && m.id === messageId && (connectionId === undefined || m.connectionId === connectionId),
    );
    if (i < 0) return false;
    this.messages.splice(i, 1);
    return true;
  }

  async pruneMessages(olderThan: string): Promise<Map<string, number>> {
    this.assertOpen();
    const counts = new Map<string, number>();
    for (const m of this.messages) if (m.createdAt < olderThan) counts.set(m.queueId, (counts.get(m.queueId) ?? 0) + 1);
    this.messages = this.messages.filter((m) => m.createdAt >= olderThan);
    return counts;
  }

  async createSubscription(record: SubscriptionRecord): Promise<CreateSubscriptionResult> {
    this.assertOpen();
    if (!this.queues.has(record.queueId)) throw new Error(`no queue ${record.queueId}`);
    const existing = [...this.subscriptions.values()].find(
      (s) =>
        s.environmentId === record.environmentId && s.serviceName === record.serviceName && s.zoneId === record.zoneId &&
        s.contextId === record.contextId && s.serviceType === record.serviceType,
    );
    if (existing) return { created: false, existing: copy(existing) };
    this.subscriptions.set(record.id, copy(record));
    return { created: true };
  }

  async getSubscription(environmentId: string, id: string): Promise<SubscriptionRecord | undefined> {
    this.assertOpen();
    const s = this.subscriptions.get(id);
    return s && s.environmentId === environmentId ? copy(s) : undefined;
  }

  async listSubscriptions(environmentId: string): Promise<SubscriptionRecord[]> {
    this.assertOpen();
    return [...this.subscriptions.values()].filter((s) => s.environmentId === environmentId).map(copy);
  }

  async deleteSubscription(environmentId: string, id: string): Promise<boolean> {
    this.assertOpen();
    if (this.subscriptions.get(id)?.environmentId !== environmentId) return false;
    return this.subscriptions.delete(id);
  }

  async subscriptionsTo(serviceName: string): Promise<SubscriptionRecord[]> {
    this.assertOpen();
    return [...this.subscriptions.values()].filter((s) => s.serviceName === serviceName).map(copy);
  }

  async createDelayedRequest(record: DelayedRequestRecord, maxPerQueue = Number.POSITIVE_INFINITY): Promise<boolean> {
    this.assertOpen();
    if (!this.queues.has(record.queueId)) throw new Error(`no queue ${record.queueId}`);
    if ([...this.delayed.values()].filter((d) => d.queueId === record.queueId).length >= maxPerQueue) return false;
    this.delayed.set(record.id, copy(record));
    return true;
  }

  async getDelayedRequest(id: string): Promise<DelayedRequestRecord | undefined> {
    this.assertOpen();
    return copyMaybe(this.delayed.get(id));
  }

  async pendingDelayedRequests(queueId?: string, limit = Number.POSITIVE_INFINITY): Promise<DelayedRequestRecord[]> {
    this.assertOpen();
    return [...this.delayed.values()].filter((d) => d.state === 'pending' && (queueId === undefined || d.queueId === queueId)).slice(0, limit).map(copy);
  }

  async pendingDelayedQueues(): Promise<string[]> {
    this.assertOpen();
    return [...new Set([...this.delayed.values()].filter((d) => d.state === 'pending').map((d) => d.queueId))];
  }

  async staleDeferredRequests(createdBefore: string): Promise<DelayedRequestRecord[]> {
    this.assertOpen();
    return [...this.delayed.values()].filter((d) => d.state === 'deferred' && d.createdAt < createdBefore).map(copy);
  }

  async advanceDelayedRequest(id: string, update: DelayedUpdate, messages: NewQueueMessage[], maxDepth = Number.POSITIVE_INFINITY): Promise<AdvanceOutcome> {
    this.assertOpen();
    const record = this.delayed.get(id);
    if (!record) return 'gone';
    if (update.lease && this.leases.get(id)?.owner !== update.lease.owner) return 'lost';
    const depth = this.messages.filter((m) => m.queueId === record.queueId).length;
    if (messages.length > 0 && depth + messages.length > maxDepth) return 'full';
    await this.enqueue(messages, Number.MAX_SAFE_INTEGER);
    if (update.done) this.dropDelayed(id);
    else Object.assign(record, { progress: copy(update.progress), state: update.state ?? record.state });
    if (!update.done && update.lease) {
      if (update.lease.until === undefined) this.leases.delete(id);
      else this.leases.set(id, { owner: update.lease.owner, until: update.lease.until });
    }
    return 'advanced';
  }

  async claimDelayedRequest(queueId: string, owner: string, until: string, now?: string): Promise<DelayedRequestRecord | undefined> {
    this.assertOpen();
    const head = [...this.delayed.values()].find((d) => d.state === 'pending' && d.queueId === queueId);
    if (!head) return undefined;
    const lease = this.leases.get(head.id);
    if (lease && lease.owner !== owner && now !== undefined && lease.until > now) return undefined;
    this.leases.set(head.id, { owner, until });
    return copy(head);
  }

  async releaseDelayedRequest(id: string, owner: string): Promise<void> {
    this.assertOpen();
    if (this.leases.get(id)?.owner === owner) this.leases.delete(id);
  }

  private dropDelayed(id: string): void {
    this.delayed.delete(id);
    this.leases.delete(id);
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private stateOf(queue: QueueRecord): QueueState {
    const mine = this.messages.filter((m) => m.queueId === queue.id);
    return { ...copy(queue), messageCount: mine.length, oldestMessage: mine[0]?.createdAt };
  }

  private dropQueue(id: string): void {
    this.queues.delete(id);
    this.messages = this.messages.filter((m) => m.queueId !== id);
    for (const [sid, s] of this.subscriptions) if (s.queueId === id) this.subscriptions.delete(sid);
    for (const [did, d] of this.delayed) if (d.queueId === id) this.dropDelayed(did);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }
}

/** A deep copy of plain records; Buffers stay Buffers (structuredClone would make them Uint8Arrays). */
function copy<T>(value: T): T {
  if (Buffer.isBuffer(value)) return Buffer.from(value) as T;
  if (Array.isArray(value)) return value.map(copy) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T;
  }
  return value;
}

function copyMaybe<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : copy(value);
}
