import type { CreateEnvironmentResult, SifStore } from '../store';
import type { PgDb } from './db';
import { advisoryLock, num } from './db';
import type { AlertRow, EnvironmentRow } from '../rows';
import { environmentParams, toAlert, toEnvironment } from '../rows';

/** The part of the store that keeps environments and their alerts. */
export type EnvironmentTables = Pick<
  SifStore,
  | 'createEnvironment' | 'getEnvironment' | 'findEnvironmentBySessionHash' | 'findEnvironmentByIdentity' | 'replaceSessionHash'
  | 'deleteEnvironment' | 'createAlert' | 'listAlerts' | 'countAlerts' | 'getAlert'
  | 'listApplicationAlerts' | 'countApplicationAlerts' | 'getApplicationAlert'
>;

/**
 * Environments and alerts on PostgreSQL. Deleting an environment cascades to everything it owns
 * in the same statement; quotas are checked under a lock, never check-then-insert.
 *
 * @example
 * const environments = postgresEnvironmentTables(db);
 * await environments.createEnvironment(record, 5);
 */
export function postgresEnvironmentTables(db: PgDb): EnvironmentTables {
  const byColumn = async (column: 'id' | 'session_token_hash' | 'identity_key', value: string) =>
    toEnvironment((await db.rows<EnvironmentRow>(`SELECT * FROM environments WHERE ${column} = $1`, [value]))[0]);

  return {
    createEnvironment: (record, maxPerApplication = Number.POSITIVE_INFINITY) =>
      db.transaction(async (tx): Promise<CreateEnvironmentResult> => {
        // One lock per application key serializes the identity check, the count and the insert of
        // that key's environments across every instance (an identity includes its application key).
        await tx.query(advisoryLock('environments'), [record.applicationKey]);
        const existing = await tx.query<EnvironmentRow>('SELECT * FROM environments WHERE identity_key = $1', [record.identityKey]);
        if (existing.rows[0]) return { created: false, existing: toEnvironment(existing.rows[0])! };
        if (Number.isFinite(maxPerApplication)) {
          const { rows } = await tx.query<{ n: string }>('SELECT count(*) AS n FROM environments WHERE application_key = $1', [record.applicationKey]);
          if (num(rows[0]?.n) >= maxPerApplication) return { created: false, limitReached: true };
        }
        const inserted = await tx.query(
          `INSERT INTO environments (id, fingerprint, session_token_hash, token_salt, identity_key, application_key, instance_id,
             user_token, solution_id, authentication_method, consumer_name, application_info, provisioning, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
           ON CONFLICT (identity_key) DO NOTHING`,
          Object.values(environmentParams(record)),
        );
        if (num(inserted.rowCount) > 0) return { created: true };
        // Only an identity registered under another application key (so another lock) gets here.
        const winner = await tx.query<EnvironmentRow>('SELECT * FROM environments WHERE identity_key = $1', [record.identityKey]);
        return { created: false, existing: toEnvironment(winner.rows[0])! };
      }),
    getEnvironment: (id) => byColumn('id', id),
    findEnvironmentBySessionHash: (hash) => byColumn('session_token_hash', hash),
    findEnvironmentByIdentity: (identityKey) => byColumn('identity_key', identityKey),
    replaceSessionHash: async (id, hash) =>
      num((await db.query('UPDATE environments SET session_token_hash = $1 WHERE id = $2', [hash, id])).rowCount) > 0,
    // Owned rows go through ON DELETE CASCADE inside the same statement, so the delete is atomic.
    deleteEnvironment: async (id) => num((await db.query('DELETE FROM environments WHERE id = $1', [id])).rowCount) > 0,

    createAlert: (record, maxPerEnvironment = Number.POSITIVE_INFINITY) =>
      db.transaction(async (tx) => {
        if (Number.isFinite(maxPerEnvironment)) {
          // The environment's row lock serializes its alert inserts; NO KEY UPDATE still lets the
          // foreign-key checks of other tables' inserts through.
          await tx.query('SELECT 1 FROM environments WHERE id = $1 FOR NO KEY UPDATE', [record.environmentId]);
          const { rows } = await tx.query<{ n: string }>('SELECT count(*) AS n FROM alerts WHERE environment_id = $1', [record.environmentId]);
          if (num(rows[0]?.n) >= maxPerEnvironment) return false;
        }
        // An unknown environment fails the foreign key here: the alert is refused with an error.
        await tx.query('INSERT INTO alerts (id, environment_id, created_at, body) VALUES ($1, $2, $3, $4)', [
          record.id,
          record.environmentId,
          record.createdAt,
          JSON.stringify(record.alert),
        ]);
        return true;
      }),
    listAlerts: async (environmentId, page) =>
      (
        await db.rows<AlertRow>(
          'SELECT id, environment_id, created_at, body FROM alerts WHERE environment_id = $1 ORDER BY seq LIMIT $2 OFFSET $3',
          [environmentId, page.limit, page.offset],
        )
      ).map(toAlert),
    countAlerts: async (environmentId) =>
      num((await db.rows<{ n: string }>('SELECT count(*) AS n FROM alerts WHERE environment_id = $1', [environmentId]))[0]?.n),
    getAlert: async (environmentId, id) => {
      const [row] = await db.rows<AlertRow>('SELECT id, environment_id, created_at, body FROM alerts WHERE id = $1 AND environment_id = $2', [
        id,
        environmentId,
      ]);
      return row ? toAlert(row) : undefined;
    },
    listApplicationAlerts: async (applicationKey, page) =>
      (
        await db.rows<AlertRow>(
          `SELECT a.id, a.environment_id, a.created_at, a.body FROM alerts a JOIN environments e ON e.id = a.environment_id
           WHERE e.application_key = $1 ORDER BY a.seq LIMIT $2 OFFSET $3`,
          [applicationKey, page.limit, page.offset],
        )
      ).map(toAlert),
    countApplicationAlerts: async (applicationKey) =>
      num(
        (await db.rows<{ n: string }>('SELECT count(*) AS n FROM alerts a JOIN environments e ON e.id = a.environment_id WHERE e.application_key = $1', [applicationKey]))[0]?.n,
      ),
    getApplicationAlert: async (applicationKey, id) => {
      const [row] = await db.rows<AlertRow>(
        'SELECT a.id, a.environment_id, a.created_at, a.body FROM alerts a JOIN environments e ON e.id = a.environment_id WHERE a.id = $1 AND e.application_key = $2',
        [id, applicationKey],
      );
      return row ? toAlert(row) : undefined;
    },
  };
}

