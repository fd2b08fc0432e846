import type Database from 'better-sqlite3';
import type { CreateJobResult, JobFilter, JobRecord } from '../job-records';
import type { JobTables } from '../store';
import type { JobRow } from '../job-rows';
import { JOB_COLUMNS, jobParams, toJobRecord } from '../job-rows';

/**
 * Jobs of functional services on SQLite (migration 6): one row per job, the job as JSON beside the
 * columns lists, ownership and housekeeping select on; deleting an environment cascades to its jobs.
 *
 * @example
 * Object.assign(store, sqliteJobTables(db));
 */
export function sqliteJobTables(db: Database.Database): JobTables {
  const insert = db.prepare(`INSERT INTO jobs (${JOB_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`);
  const byId = db.prepare('SELECT * FROM jobs WHERE id = ?');
  const where = 'service = ? AND environment_id = ? AND zone_id = ? AND context_id = ?';
  const list = db.prepare(`SELECT * FROM jobs WHERE ${where} ORDER BY seq LIMIT ? OFFSET ?`);
  const count = db.prepare(`SELECT count(*) FROM jobs WHERE ${where}`).pluck();
  const replace = db.prepare('UPDATE jobs SET body = ?, expires_at = ?, version = ? WHERE id = ? AND version = ?');
  const remove = db.prepare('DELETE FROM jobs WHERE id = ?');
  const expired = db.prepare('SELECT * FROM jobs WHERE expires_at <= ? ORDER BY expires_at LIMIT ?');
  const owned = db.prepare('SELECT * FROM jobs WHERE environment_id = ? ORDER BY seq LIMIT ?');
  const filterParams = (f: JobFilter) => [f.serviceName, f.environmentId, f.zoneId, f.contextId];
  const countOwned = db.prepare('SELECT count(*) FROM jobs WHERE environment_id = ?').pluck();
  const create = db.transaction((record: JobRecord, max: number): CreateJobResult => {
    if ((countOwned.get(record.owner.environmentId) as number) >= max) return 'full';
    return insert.run(...jobParams(record)).changes > 0 ? 'created' : 'taken';
  });
  return {
    createJob: async (record, max = Number.POSITIVE_INFINITY) => create.immediate(record, max),
    getJob: async (id) => {
      const row = byId.get(id) as JobRow | undefined;
      return row ? toJobRecord(row) : undefined;
    },
    listJobs: async (filter, page) => (list.all(...filterParams(filter), page.limit, page.offset) as JobRow[]).map(toJobRecord),
    countJobs: async (filter) => count.get(...filterParams(filter)) as number,
    replaceJob: async (record) =>
      replace.run(JSON.stringify(record.job), record.expiresAt ?? null, record.version, record.job.id, record.version - 1).changes > 0,
    deleteJob: async (id) => remove.run(id).changes > 0,
    expiredJobs: async (now, limit) => (expired.all(now, limit) as JobRow[]).map(toJobRecord),
    environmentJobs: async (environmentId, limit) => (owned.all(environmentId, limit) as JobRow[]).map(toJobRecord),
  };
}
