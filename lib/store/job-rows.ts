import type { Job } from '../jobs/types';
import type { JobRecord } from './job-records';

// The `jobs` rows of the SQL stores (SQLite and PostgreSQL share the table) and their mapping to
// and from job records, defined once.

/** A `jobs` row. */
export interface JobRow {
  id: string;
  service: string;
  environment_id: string;
  fingerprint: string;
  zone_id: string;
  context_id: string;
  created_at: string;
  expires_at: string | null;
  version: number | string;
  body: string;
}

/**
 * A job's column values in column order (positional parameters for either database).
 *
 * @example
 * insert.run(...jobParams(record));
 */
export function jobParams(r: JobRecord): [string, string, string, string, string, string, string, string | null, number, string] {
  return [
    r.job.id,
    r.job.serviceName,
    r.owner.environmentId,
    r.owner.fingerprint,
    r.owner.zoneId,
    r.owner.contextId,
    r.job.created,
    r.expiresAt ?? null,
    r.version,
    JSON.stringify(r.job),
  ];
}

/**
 * The job record a row holds.
 *
 * @example
 * const record = toJobRecord(row);
 */
export function toJobRecord(row: JobRow): JobRecord {
  return {
    job: JSON.parse(row.body) as Job,
    owner: { environmentId: row.environment_id, fingerprint: row.fingerprint, zoneId: row.zone_id, contextId: row.context_id },
    expiresAt: row.expires_at ?? undefined,
    version: Number(row.version),
  };
}

/**
 * The columns of `jobs`, in `jobParams` order.
 *
 * @example
 * db.prepare(`INSERT INTO jobs (${JOB_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
 */
export const JOB_COLUMNS = 'id, service, environment_id, fingerprint, zone_id, context_id, created_at, expires_at, version, body';
