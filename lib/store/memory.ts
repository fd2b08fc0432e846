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
  SifStore,
  SnapshotPage,
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
  private readonly changes: (ChangeEntry & { seq: number; at: string })[] = [];
  private readonly log = { epoch: randomBytes(8).toString('hex'), latest: 0, prunedThrough: 0 };
  private readonly snapshots = new Map<string, QuerySnapshot & { ids: string[] }>();
  private closed = false;

  async createEnvironment(record: EnvironmentRecord): Promise<CreateEnvironmentResult> {
    this.assertOpen();
    const existing = [...this.environments.values()].find((e) => e.identityKey === record.identityKey);
    if (existing) return { created: false, existing: copy(existing) };
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
    return true;
  }

  async createAlert(record: AlertRecord): Promise<void> {
    this.assertOpen();
    if (!this.environments.has(record.environmentId)) throw new Error(`no environment ${record.environmentId}`);
    this.alerts.set(record.id, copy(record));
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
    const lastOld = this.changes.filter((c) => c.at < retention.olderThan).reduce((m, c) => Math.max(m, c.seq), 0);
    const cut = Math.max(this.log.latest - retention.maxEntries, lastOld);
    if (cut > this.log.prunedThrough) {
      this.log.prunedThrough = cut;
      this.changes.splice(0, this.changes.filter((c) => c.seq <= cut).length);
    }
  }

  async changeLogState(): Promise<ChangeLogState> {
    this.assertOpen();
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
    for (const c of this.changes) {
      if (c.serviceName === serviceName && c.seq > after && c.seq <= upTo) latest.set(c.objectId, { objectId: c.objectId, action: c.action, seq: c.seq });
    }
    return [...latest.values()].sort((a, b) => a.seq - b.seq);
  }

  async createSnapshot(snapshot: QuerySnapshot, objectIds: string[], now: string): Promise<void> {
    this.assertOpen();
    if (!this.environments.has(snapshot.environmentId)) throw new Error(`no environment ${snapshot.environmentId}`);
    for (const [navigationId, s] of this.snapshots) if (s.expiresAt <= now) this.snapshots.delete(navigationId);
    this.snapshots.set(snapshot.navigationId, { ...snapshot, ids: [...objectIds] });
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

function copy<T>(value: T): T {
  return structuredClone(value);
}

function copyMaybe<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : copy(value);
}
