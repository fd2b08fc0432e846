import Database from 'better-sqlite3';
import type { ProvisionedZone } from '../../config/consumers';
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
} from '../store';
import { MIGRATIONS } from './migrations';
import type { QueueTables } from './queues';
import { sqliteQueueTables } from './queues';

/** Options of the SQLite store. */
export interface SqliteStoreOptions {
  /**
   * `'full'` (default): every commit survives power loss (`PRAGMA synchronous = FULL`);
   * `'normal'`: commits survive a process crash, the last ones may be lost on power loss.
   */
  durability?: 'full' | 'normal';
}

/**
 * The default store: one SQLite file through better-sqlite3, in WAL mode with foreign keys on.
 * Migrations run on open; statements are prepared once; every write is one transaction.
 *
 * @example
 * const store = new SqliteStore('./data/sif-state.db');
 */
export class SqliteStore implements SifStore {
  private readonly db: Database.Database;
  private readonly sql: ReturnType<typeof prepare>;

  constructor(filename: string, options: SqliteStoreOptions = {}) {
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma(`synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
    migrate(this.db);
    this.sql = prepare(this.db);
    Object.assign(this, sqliteQueueTables(this.db));
  }

  async createEnvironment(record: EnvironmentRecord): Promise<CreateEnvironmentResult> {
    return this.sql.createEnvironment(record);
  }

  async getEnvironment(id: string): Promise<EnvironmentRecord | undefined> {
    return toEnvironment(this.sql.environmentById.get(id) as EnvironmentRow | undefined);
  }

  async findEnvironmentBySessionHash(hash: string): Promise<EnvironmentRecord | undefined> {
    return toEnvironment(this.sql.environmentBySession.get(hash) as EnvironmentRow | undefined);
  }

  async findEnvironmentByIdentity(identityKey: string): Promise<EnvironmentRecord | undefined> {
    return toEnvironment(this.sql.environmentByIdentity.get(identityKey) as EnvironmentRow | undefined);
  }

  async replaceSessionHash(id: string, hash: string): Promise<boolean> {
    return this.sql.replaceSessionHash.run(hash, id).changes > 0;
  }

  async deleteEnvironment(id: string): Promise<boolean> {
    // Owned rows go through ON DELETE CASCADE inside the same statement, so the delete is atomic.
    return this.sql.deleteEnvironment.run(id).changes > 0;
  }

  async createAlert(record: AlertRecord): Promise<void> {
    this.sql.insertAlert.run(record.id, record.environmentId, record.createdAt, JSON.stringify(record.alert));
  }

  async listAlerts(environmentId: string, page: { offset: number; limit: number }): Promise<AlertRecord[]> {
    const rows = this.sql.alertsByEnvironment.all(environmentId, page.limit, page.offset) as AlertRow[];
    return rows.map(toAlert);
  }

  async countAlerts(environmentId: string): Promise<number> {
    return (this.sql.countAlerts.get(environmentId) as { n: number }).n;
  }

  async getAlert(environmentId: string, id: string): Promise<AlertRecord | undefined> {
    const row = this.sql.alertById.get(id, environmentId) as AlertRow | undefined;
    return row ? toAlert(row) : undefined;
  }

  async appendChanges(changes: ChangeEntry[], at: string, retention: ChangeRetention): Promise<void> {
    this.sql.appendChanges(changes, at, retention);
  }

  async changeLogState(): Promise<ChangeLogState> {
    const meta = Object.fromEntries((this.sql.meta.all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
    return { epoch: meta.epoch!, latest: Number(meta.changes_latest), prunedThrough: Number(meta.changes_pruned_through) };
  }

  async changedObjects(serviceName: string, after: number, upTo: number, page: { offset: number; limit: number }): Promise<ChangedObject[]> {
    return this.sql.changedObjects.all(serviceName, after, upTo, page.limit, page.offset) as ChangedObject[];
  }

  async countChangedObjects(serviceName: string, after: number, upTo: number): Promise<number> {
    return this.sql.countChangedObjects.get(serviceName, after, upTo) as number;
  }

  async createSnapshot(snapshot: QuerySnapshot, objectIds: string[], now: string): Promise<void> {
    this.sql.createSnapshot(snapshot, objectIds, now);
  }

  async snapshotPage(navigationId: string, environmentId: string, now: string, page: { offset: number; limit: number }): Promise<SnapshotPage | undefined> {
    const head = this.sql.snapshot.get(navigationId, environmentId, now) as { service: string; total: number } | undefined;
    if (!head) return undefined;
    const objectIds = this.sql.snapshotItems.all(navigationId, page.offset, page.offset + page.limit) as string[];
    return { serviceName: head.service, total: head.total, objectIds };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

// The queue, message, subscription and delayed-request methods come from `sqliteQueueTables`.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface SqliteStore extends QueueTables {}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(`state database schema version ${current} is newer than this sif3-direct (${MIGRATIONS.length})`);
  }
  const run = db.transaction(() => {
    for (let v = current; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  });
  if (current < MIGRATIONS.length) run.immediate();
}

function prepare(db: Database.Database) {
  const insertEnvironment = db.prepare(`
    INSERT INTO environments (id, fingerprint, session_token_hash, token_salt, identity_key, application_key,
      instance_id, user_token, solution_id, authentication_method, consumer_name, application_info, provisioning, created_at)
    VALUES (@id, @fingerprint, @sessionTokenHash, @tokenSalt, @identityKey, @applicationKey,
      @instanceId, @userToken, @solutionId, @authenticationMethod, @consumerName, @applicationInfo, @provisioning, @createdAt)
    ON CONFLICT (identity_key) DO NOTHING`);
  const environmentByIdentity = db.prepare('SELECT * FROM environments WHERE identity_key = ?');
  const createEnvironment = db.transaction((record: EnvironmentRecord): CreateEnvironmentResult => {
    const changes = insertEnvironment.run(toRow(record)).changes;
    if (changes > 0) return { created: true };
    return { created: false, existing: toEnvironment(environmentByIdentity.get(record.identityKey) as EnvironmentRow)! };
  });
  const getMeta = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
  const setMeta = db.prepare('UPDATE meta SET value = ? WHERE key = ?');
  const insertChange = db.prepare('INSERT INTO changes (seq, service, object_id, action, at) VALUES (?, ?, ?, ?, ?)');
  const lastSeqBefore = db.prepare('SELECT max(seq) FROM changes WHERE at < ?').pluck();
  const pruneThrough = db.prepare('DELETE FROM changes WHERE seq <= ?');
  const appendChanges = db.transaction((changes: ChangeEntry[], at: string, retention: ChangeRetention) => {
    let latest = Number(getMeta.get('changes_latest'));
    for (const change of changes) insertChange.run(++latest, change.serviceName, change.objectId, change.action, at);
    setMeta.run(String(latest), 'changes_latest');
    const pruned = Number(getMeta.get('changes_pruned_through'));
    const cut = Math.max(latest - retention.maxEntries, (lastSeqBefore.get(retention.olderThan) as number | null) ?? 0);
    if (cut > pruned) {
      pruneThrough.run(cut);
      setMeta.run(String(cut), 'changes_pruned_through');
    }
  });
  const dropExpired = db.prepare('DELETE FROM snapshots WHERE expires_at <= ?');
  const insertSnapshot = db.prepare('INSERT INTO snapshots (navigation_id, environment_id, service, total, expires_at) VALUES (?, ?, ?, ?, ?)');
  const insertItem = db.prepare('INSERT INTO snapshot_items (navigation_id, position, object_id) VALUES (?, ?, ?)');
  const createSnapshot = db.transaction((snapshot: QuerySnapshot, ids: string[], now: string) => {
    dropExpired.run(now);
    insertSnapshot.run(snapshot.navigationId, snapshot.environmentId, snapshot.serviceName, ids.length, snapshot.expiresAt);
    ids.forEach((id, position) => insertItem.run(snapshot.navigationId, position, id));
  });
  return {
    createSnapshot: (snapshot: QuerySnapshot, ids: string[], now: string) => createSnapshot.immediate(snapshot, ids, now),
    snapshot: db.prepare('SELECT service, total FROM snapshots WHERE navigation_id = ? AND environment_id = ? AND expires_at > ?'),
    snapshotItems: db.prepare('SELECT object_id FROM snapshot_items WHERE navigation_id = ? AND position >= ? AND position < ? ORDER BY position').pluck(),
    appendChanges: (changes: ChangeEntry[], at: string, retention: ChangeRetention) => appendChanges.immediate(changes, at, retention),
    meta: db.prepare('SELECT key, value FROM meta'),
    changedObjects: db.prepare(
      // SQLite returns the bare column `action` from the row that holds max(seq): the latest action.
      `SELECT object_id AS objectId, action, max(seq) AS seq FROM changes
       WHERE service = ? AND seq > ? AND seq <= ? GROUP BY object_id ORDER BY seq LIMIT ? OFFSET ?`,
    ),
    countChangedObjects: db.prepare('SELECT count(DISTINCT object_id) FROM changes WHERE service = ? AND seq > ? AND seq <= ?').pluck(),
    createEnvironment: (record: EnvironmentRecord) => createEnvironment.immediate(record),
    environmentById: db.prepare('SELECT * FROM environments WHERE id = ?'),
    environmentBySession: db.prepare('SELECT * FROM environments WHERE session_token_hash = ?'),
    environmentByIdentity,
    replaceSessionHash: db.prepare('UPDATE environments SET session_token_hash = ? WHERE id = ?'),
    deleteEnvironment: db.prepare('DELETE FROM environments WHERE id = ?'),
    insertAlert: db.prepare('INSERT INTO alerts (id, environment_id, created_at, body) VALUES (?, ?, ?, ?)'),
    alertsByEnvironment: db.prepare(
      'SELECT id, environment_id, created_at, body FROM alerts WHERE environment_id = ? ORDER BY seq LIMIT ? OFFSET ?',
    ),
    countAlerts: db.prepare('SELECT count(*) AS n FROM alerts WHERE environment_id = ?'),
    alertById: db.prepare('SELECT id, environment_id, created_at, body FROM alerts WHERE id = ? AND environment_id = ?'),
  };
}

interface EnvironmentRow {
  id: string;
  fingerprint: string;
  session_token_hash: string | null;
  token_salt: string;
  identity_key: string;
  application_key: string;
  instance_id: string | null;
  user_token: string | null;
  solution_id: string | null;
  authentication_method: string;
  consumer_name: string | null;
  application_info: string;
  provisioning: string;
  created_at: string;
}

interface AlertRow {
  id: string;
  environment_id: string;
  created_at: string;
  body: string;
}

function toRow(r: EnvironmentRecord) {
  return {
    id: r.id,
    fingerprint: r.fingerprint,
    sessionTokenHash: r.sessionTokenHash,
    tokenSalt: r.tokenSalt,
    identityKey: r.identityKey,
    applicationKey: r.applicationKey,
    instanceId: r.instanceId ?? null,
    userToken: r.userToken ?? null,
    solutionId: r.solutionId ?? null,
    authenticationMethod: r.authenticationMethod,
    consumerName: r.consumerName ?? null,
    applicationInfo: JSON.stringify(r.applicationInfo),
    provisioning: JSON.stringify({ defaultZone: r.defaultZone, zones: r.zones }),
    createdAt: r.createdAt,
  };
}

function toEnvironment(row: EnvironmentRow | undefined): EnvironmentRecord | undefined {
  if (!row) return undefined;
  const provisioning = JSON.parse(row.provisioning) as { defaultZone: ProvisionedZone; zones: ProvisionedZone[] };
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    sessionTokenHash: row.session_token_hash,
    tokenSalt: row.token_salt,
    identityKey: row.identity_key,
    applicationKey: row.application_key,
    instanceId: row.instance_id ?? undefined,
    userToken: row.user_token ?? undefined,
    solutionId: row.solution_id ?? undefined,
    authenticationMethod: row.authentication_method,
    consumerName: row.consumer_name ?? undefined,
    applicationInfo: JSON.parse(row.application_info),
    defaultZone: provisioning.defaultZone,
    zones: provisioning.zones,
    createdAt: row.created_at,
  };
}

function toAlert(row: AlertRow): AlertRecord {
  return { id: row.id, environmentId: row.environment_id, createdAt: row.created_at, alert: JSON.parse(row.body) };
}
