import Database from 'better-sqlite3';
import { statSync } from 'node:fs';
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
import { MIGRATIONS } from './migrations';
import { sqliteQueueTables } from './queues';
import { sqliteJobTables } from './jobs';
import { sqliteProvisionRequests } from './provision-requests';
import type { AlertRow, EnvironmentRow } from '../rows';
import { environmentParams, toAlert, toEnvironment } from '../rows';

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
    refuseEmptyFile(filename);
    this.db = new Database(filename);
    try {
      checkIntegrity(this.db, filename);
    } catch (err) {
      this.db.close();
      throw err;
    }
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma(`synchronous = ${options.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
    migrate(this.db);
    this.sql = prepare(this.db);
    Object.assign(this, sqliteQueueTables(this.db), sqliteJobTables(this.db), sqliteProvisionRequests(this.db));
  }

  async createEnvironment(record: EnvironmentRecord, maxPerApplication = Number.POSITIVE_INFINITY): Promise<CreateEnvironmentResult> {
    return this.sql.createEnvironment(record, maxPerApplication);
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

  async createAlert(record: AlertRecord, maxPerEnvironment = Number.POSITIVE_INFINITY): Promise<boolean> {
    return this.sql.createAlert(record, maxPerEnvironment);
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

  async listApplicationAlerts(applicationKey: string, page: { offset: number; limit: number }): Promise<AlertRecord[]> {
    return (this.sql.alertsByApplication.all(applicationKey, page.limit, page.offset) as AlertRow[]).map(toAlert);
  }

  async countApplicationAlerts(applicationKey: string): Promise<number> {
    return (this.sql.countApplicationAlerts.get(applicationKey) as { n: number }).n;
  }

  async getApplicationAlert(applicationKey: string, id: string): Promise<AlertRecord | undefined> {
    const row = this.sql.applicationAlertById.get(id, applicationKey) as AlertRow | undefined;
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

  async deleteSnapshot(navigationId: string): Promise<void> {
    this.sql.deleteSnapshot.run(navigationId);
  }

  async restartChangeLog(): Promise<ChangeLogState> {
    this.sql.restartChangeLog();
    return this.changeLogState();
  }

  async createSnapshot(snapshot: QuerySnapshot, objectIds: string[], now: string, maxPerEnvironment = Number.POSITIVE_INFINITY): Promise<boolean> {
    // The limit is checked and the snapshot claimed in one transaction; its ids follow in batches
    // with the event loop free between them, since one transaction for 500,000 ids stops every
    // other request for a quarter of a second. No one reads a snapshot before this resolves: its
    // navigationId is handed out only then.
    if (!this.sql.createSnapshot(snapshot, objectIds.length, now, maxPerEnvironment)) return false;
    const chunks = Math.ceil(objectIds.length / SNAPSHOT_CHUNK);
    try {
      for (let first = 0; first < chunks; first += CHUNKS_PER_BATCH) {
        if (first > 0) await new Promise((resolve) => setImmediate(resolve));
        this.sql.insertChunks(snapshot.navigationId, objectIds, first, Math.min(first + CHUNKS_PER_BATCH, chunks));
      }
    } catch (err) {
      // A snapshot missing some of its ids must not be served; when even this fails, it expires unread.
      if (this.db.open) this.sql.deleteSnapshot.run(snapshot.navigationId);
      throw err;
    }
    return true;
  }

  async snapshotPage(navigationId: string, environmentId: string, now: string, page: { offset: number; limit: number }): Promise<SnapshotPage | undefined> {
    const head = this.sql.snapshot.get(navigationId, environmentId, now) as { service: string; total: number } | undefined;
    if (!head) return undefined;
    const end = Math.min(page.offset + page.limit, head.total);
    if (end <= page.offset) return { serviceName: head.service, total: head.total, objectIds: [] };
    const first = Math.floor(page.offset / SNAPSHOT_CHUNK);
    const chunks = this.sql.snapshotChunks.all(navigationId, first, Math.floor((end - 1) / SNAPSHOT_CHUNK)) as string[];
    const ids = chunks.flatMap((chunk) => JSON.parse(chunk) as string[]);
    const start = page.offset - first * SNAPSHOT_CHUNK;
    return { serviceName: head.service, total: head.total, objectIds: ids.slice(start, start + (end - page.offset)) };
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

// The queue, message, subscription and delayed-request methods come from `sqliteQueueTables`, the
// job methods from `sqliteJobTables`, provision-request methods from `sqliteProvisionRequests`.
// from `sqliteJobTables`.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface SqliteStore extends QueueTables, JobTables, ProvisionRequestTables {}

/** Ids per stored snapshot chunk: a page reads one or two chunks, never one row per id. */
const SNAPSHOT_CHUNK = 1000;
/** Chunks written per transaction while storing a snapshot: 10,000 ids, a few milliseconds of work. */
const CHUNKS_PER_BATCH = 10;

/** Marks a state file as ours ('SIF3'), so that another application's database is recognised. */
const APPLICATION_ID = 0x53494633;

/**
 * An existing file of zero bytes would silently become a new, empty state (every consumer's
 * environment gone): more likely a truncated copy than a fresh start, so it is refused.
 */
function refuseEmptyFile(filename: string): void {
  if (filename === ':memory:' || filename === '') return;
  let size: number | undefined;
  try {
    size = statSync(filename).size;
  } catch {
    return; // does not exist yet: a new state file
  }
  if (size === 0) {
    throw new Error(`${filename} exists but is empty: restore the state file from a backup, or delete it to start with no environments`);
  }
}

/**
 * Refuses a damaged state file, or a database that is not a sif3-direct state file, with a message
 * naming the file and what to do; a new file is marked as ours.
 */
function checkIntegrity(db: Database.Database, filename: string): void {
  let applicationId: number;
  let version: number;
  let tables: number;
  try {
    const check = db.pragma('quick_check', { simple: true }) as string;
    if (check !== 'ok') throw new Error(check);
    applicationId = db.pragma('application_id', { simple: true }) as number;
    version = db.pragma('user_version', { simple: true }) as number;
    tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table'").pluck().get() as number;
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`${filename} is damaged or not a SQLite database (${why.slice(0, 200)}): restore it from a backup, or move it away to start with no environments`);
  }
  const foreign = (applicationId !== 0 && applicationId !== APPLICATION_ID) || (version === 0 && tables > 0);
  if (foreign) {
    throw new Error(`${filename} is a SQLite database of another application, not a sif3-direct state file: give the provider a file of its own`);
  }
  if (applicationId === 0) db.pragma(`application_id = ${APPLICATION_ID}`);
}

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
  const countEnvironments = db.prepare('SELECT count(*) FROM environments WHERE application_key = ?').pluck();
  const createEnvironment = db.transaction((record: EnvironmentRecord, maxPerApplication: number): CreateEnvironmentResult => {
    const existing = environmentByIdentity.get(record.identityKey) as EnvironmentRow | undefined;
    if (existing) return { created: false, existing: toEnvironment(existing)! };
    if ((countEnvironments.get(record.applicationKey) as number) >= maxPerApplication) return { created: false, limitReached: true };
    insertEnvironment.run(environmentParams(record));
    return { created: true };
  });
  const insertAlert = db.prepare('INSERT INTO alerts (id, environment_id, created_at, body) VALUES (?, ?, ?, ?)');
  const countAlerts = db.prepare('SELECT count(*) AS n FROM alerts WHERE environment_id = ?');
  const createAlert = db.transaction((record: AlertRecord, max: number): boolean => {
    if ((countAlerts.get(record.environmentId) as { n: number }).n >= max) return false;
    insertAlert.run(record.id, record.environmentId, record.createdAt, JSON.stringify(record.alert));
    return true;
  });
  const restartChangeLog = db.transaction(() => {
    db.prepare("UPDATE meta SET value = lower(hex(randomblob(8))) WHERE key = 'epoch'").run();
    db.prepare("UPDATE meta SET value = (SELECT value FROM meta WHERE key = 'changes_latest') WHERE key = 'changes_pruned_through'").run();
    db.prepare('DELETE FROM changes').run();
  });
  const getMeta = db.prepare('SELECT value FROM meta WHERE key = ?').pluck();
  const setMeta = db.prepare('UPDATE meta SET value = ? WHERE key = ?');
  const insertChange = db.prepare('INSERT INTO changes (seq, service, object_id, action, at) VALUES (?, ?, ?, ?, ?)');
  // Retention must cost each write O(log n), not a scan of the log. Left to itself, the planner
  // answers max(seq) by walking the primary key down from the newest entry until one is old enough:
  // the whole log when none is. Through the time index it visits only the entries older than the
  // cut, and those are deleted right after, so each entry is visited once in its life.
  const lastSeqBefore = db.prepare('SELECT max(seq) FROM changes INDEXED BY changes_by_time WHERE at < ?').pluck();
  // A range on the primary key that starts after what was pruned before: only the rows it deletes.
  const pruneRange = db.prepare('DELETE FROM changes WHERE seq > ? AND seq <= ?');
  const appendChanges = db.transaction((changes: ChangeEntry[], at: string, retention: ChangeRetention) => {
    let latest = Number(getMeta.get('changes_latest'));
    for (const change of changes) insertChange.run(++latest, change.serviceName, change.objectId, change.action, at);
    setMeta.run(String(latest), 'changes_latest');
    const pruned = Number(getMeta.get('changes_pruned_through'));
    const cut = Math.max(latest - retention.maxEntries, (lastSeqBefore.get(retention.olderThan) as number | null) ?? 0);
    if (cut > pruned) {
      pruneRange.run(pruned, cut);
      setMeta.run(String(cut), 'changes_pruned_through');
    }
  });
  const dropExpired = db.prepare('DELETE FROM snapshots WHERE expires_at <= ?');
  const countSnapshots = db.prepare('SELECT count(*) FROM snapshots WHERE environment_id = ?').pluck();
  const insertSnapshot = db.prepare('INSERT INTO snapshots (navigation_id, environment_id, service, total, expires_at) VALUES (?, ?, ?, ?, ?)');
  const insertChunk = db.prepare('INSERT INTO snapshot_chunks (navigation_id, chunk, ids) VALUES (?, ?, ?)');
  const createSnapshot = db.transaction((snapshot: QuerySnapshot, total: number, now: string, max: number): boolean => {
    dropExpired.run(now);
    if ((countSnapshots.get(snapshot.environmentId) as number) >= max) return false;
    insertSnapshot.run(snapshot.navigationId, snapshot.environmentId, snapshot.serviceName, total, snapshot.expiresAt);
    return true;
  });
  const insertChunks = db.transaction((navigationId: string, ids: string[], first: number, end: number) => {
    for (let chunk = first; chunk < end; chunk++) {
      insertChunk.run(navigationId, chunk, JSON.stringify(ids.slice(chunk * SNAPSHOT_CHUNK, (chunk + 1) * SNAPSHOT_CHUNK)));
    }
  });
  return {
    createSnapshot: (snapshot: QuerySnapshot, total: number, now: string, max: number) => createSnapshot.immediate(snapshot, total, now, max),
    insertChunks: (navigationId: string, ids: string[], first: number, end: number) => insertChunks.immediate(navigationId, ids, first, end),
    snapshot: db.prepare('SELECT service, total FROM snapshots WHERE navigation_id = ? AND environment_id = ? AND expires_at > ?'),
    snapshotChunks: db.prepare('SELECT ids FROM snapshot_chunks WHERE navigation_id = ? AND chunk >= ? AND chunk <= ? ORDER BY chunk').pluck(),
    restartChangeLog: () => restartChangeLog.immediate(),
    deleteSnapshot: db.prepare('DELETE FROM snapshots WHERE navigation_id = ?'),
    appendChanges: (changes: ChangeEntry[], at: string, retention: ChangeRetention) => appendChanges.immediate(changes, at, retention),
    meta: db.prepare('SELECT key, value FROM meta'),
    changedObjects: db.prepare(
      // SQLite returns the bare column `action` from the row that holds max(seq): the latest action.
      `SELECT object_id AS objectId, action, max(seq) AS seq FROM changes
       WHERE service = ? AND seq > ? AND seq <= ? GROUP BY object_id ORDER BY seq LIMIT ? OFFSET ?`,
    ),
    countChangedObjects: db.prepare('SELECT count(DISTINCT object_id) FROM changes WHERE service = ? AND seq > ? AND seq <= ?').pluck(),
    createEnvironment: (record: EnvironmentRecord, max: number) => createEnvironment.immediate(record, max),
    environmentById: db.prepare('SELECT * FROM environments WHERE id = ?'),
    environmentBySession: db.prepare('SELECT * FROM environments WHERE session_token_hash = ?'),
    environmentByIdentity,
    replaceSessionHash: db.prepare('UPDATE environments SET session_token_hash = ? WHERE id = ?'),
    deleteEnvironment: db.prepare('DELETE FROM environments WHERE id = ?'),
    createAlert: (record: AlertRecord, max: number) => createAlert.immediate(record, max),
    alertsByEnvironment: db.prepare(
      'SELECT id, environment_id, created_at, body FROM alerts WHERE environment_id = ? ORDER BY seq LIMIT ? OFFSET ?',
    ),
    countAlerts,
    alertById: db.prepare('SELECT id, environment_id, created_at, body FROM alerts WHERE id = ? AND environment_id = ?'),
    // An application's alerts: through environments_by_application, then alerts_by_environment.
    alertsByApplication: db.prepare(
      'SELECT a.id, a.environment_id, a.created_at, a.body FROM alerts a JOIN environments e ON e.id = a.environment_id WHERE e.application_key = ? ORDER BY a.seq LIMIT ? OFFSET ?',
    ),
    countApplicationAlerts: db.prepare('SELECT count(*) AS n FROM alerts a JOIN environments e ON e.id = a.environment_id WHERE e.application_key = ?'),
    applicationAlertById: db.prepare(
      'SELECT a.id, a.environment_id, a.created_at, a.body FROM alerts a JOIN environments e ON e.id = a.environment_id WHERE a.id = ? AND e.application_key = ?',
    ),
  };
}

