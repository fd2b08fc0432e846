import { randomBytes } from 'node:crypto';
import type {
  AlertRecord,
  ChangedObject,
  ChangeEntry,
  ChangeLogState,
  ChangeRetention,
  CreateEnvironmentResult,
  EnvironmentRecord,
  QuerySnapshot,
  JobTables,
  ProvisionRequestTables,
  QueueTables,
  SifStore,
  SnapshotPage,
} from '../store';
import { copy, copyMaybe } from './copy';
import { memoryQueueTables } from './queues';
import { memoryJobTables } from './jobs';
import { memoryProvisionRequests } from './provision-requests';
import type { MemoryTableOwner } from './tables';

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
  private closed = false;
  /** What the queue, job and provision-request tables see of this store. */
  private readonly owner: MemoryTableOwner = {
    environment: (id) => this.environments.get(id),
    assertOpen: () => this.assertOpen(),
  };
  private readonly queueTables = memoryQueueTables(this.owner);
  private readonly jobTables = memoryJobTables(this.owner);
  private readonly provisionTables = memoryProvisionRequests(this.owner);

  constructor() {
    Object.assign(this, this.queueTables.tables, this.jobTables.tables, this.provisionTables.tables);
  }

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
    this.queueTables.dropEnvironment(id);
    this.jobTables.dropEnvironment(id);
    this.provisionTables.dropEnvironment(id);
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

  async listApplicationAlerts(applicationKey: string, page: { offset: number; limit: number }): Promise<AlertRecord[]> {
    this.assertOpen();
    return this.applicationAlerts(applicationKey).slice(page.offset, page.offset + page.limit).map(copy);
  }

  async countApplicationAlerts(applicationKey: string): Promise<number> {
    this.assertOpen();
    return this.applicationAlerts(applicationKey).length;
  }

  async getApplicationAlert(applicationKey: string, id: string): Promise<AlertRecord | undefined> {
    this.assertOpen();
    const alert = this.alerts.get(id);
    return alert && this.environments.get(alert.environmentId)?.applicationKey === applicationKey ? copy(alert) : undefined;
  }

  /** The alerts of one application's environments, oldest first (the map keeps insertion order). */
  private applicationAlerts(applicationKey: string): AlertRecord[] {
    return [...this.alerts.values()].filter((a) => this.environments.get(a.environmentId)?.applicationKey === applicationKey);
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

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('store is closed');
  }
}

// The queue, message, subscription and delayed-request methods come from `memoryQueueTables`, the
// job methods from `memoryJobTables`.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface MemoryStore extends QueueTables, JobTables, ProvisionRequestTables {}
