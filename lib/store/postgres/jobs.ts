import type { CreateJobResult, JobFilter } from '../job-records';
import type { JobTables } from '../store';
import type { PgDb } from './db';
import { num } from './db';
import type { JobRow } from '../job-rows';
import { JOB_COLUMNS, jobParams, toJobRecord } from '../job-rows';

export type { JobTables };

/**
 * Jobs of functional services on PostgreSQL: single statements, each atomic; a replacement names the
 * version it replaces, so of two concurrent changes to one job only one is stored (the other retries).
 *
 * @example
 * Object.assign(store, postgresJobs(db));
 */
export function postgresJobs(db: PgDb): JobTables {
  const where = 'service = $1 AND environment_id = $2 AND zone_id = $3 AND context_id = $4';
  const filterParams = (f: JobFilter) => [f.serviceName, f.environmentId, f.zoneId, f.contextId];
  return {
    createJob: (record, maxPerEnvironment = Number.POSITIVE_INFINITY) =>
      db.transaction(async (tx): Promise<CreateJobResult> => {
        if (Number.isFinite(maxPerEnvironment)) {
          // The environment's row lock serializes its job inserts across instances (as for alerts).
          await tx.query('SELECT 1 FROM environments WHERE id = $1 FOR NO KEY UPDATE', [record.owner.environmentId]);
          const { rows } = await tx.query<{ n: string }>('SELECT count(*) AS n FROM jobs WHERE environment_id = $1', [record.owner.environmentId]);
          if (num(rows[0]?.n) >= maxPerEnvironment) return 'full';
        }
        const inserted = await tx.query(`INSERT INTO jobs (${JOB_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (id) DO NOTHING`, jobParams(record));
        return num(inserted.rowCount) > 0 ? 'created' : 'taken';
      }),
    getJob: async (id) => {
      const [row] = await db.rows<JobRow>('SELECT * FROM jobs WHERE id = $1', [id]);
      return row ? toJobRecord(row) : undefined;
    },
    listJobs: async (filter, page) =>
      (await db.rows<JobRow>(`SELECT * FROM jobs WHERE ${where} ORDER BY seq LIMIT $5 OFFSET $6`, [...filterParams(filter), page.limit, page.offset])).map(
        toJobRecord,
      ),
    countJobs: async (filter) => Number((await db.rows<{ n: string }>(`SELECT count(*) AS n FROM jobs WHERE ${where}`, filterParams(filter)))[0]!.n),
    replaceJob: async (record) =>
      num(
        (
          await db.query('UPDATE jobs SET body = $1, expires_at = $2, version = $3 WHERE id = $4 AND version = $5', [
            JSON.stringify(record.job),
            record.expiresAt ?? null,
            record.version,
            record.job.id,
            record.version - 1,
          ])
        ).rowCount,
      ) > 0,
    deleteJob: async (id) => num((await db.query('DELETE FROM jobs WHERE id = $1', [id])).rowCount) > 0,
    expiredJobs: async (now, limit) =>
      (await db.rows<JobRow>('SELECT * FROM jobs WHERE expires_at <= $1 ORDER BY expires_at LIMIT $2', [now, limit])).map(toJobRecord),
    environmentJobs: async (environmentId, limit) =>
      (await db.rows<JobRow>('SELECT * FROM jobs WHERE environment_id = $1 ORDER BY seq LIMIT $2', [environmentId, limit])).map(toJobRecord),
  };
}
