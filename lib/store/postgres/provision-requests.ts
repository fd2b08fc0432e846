import type { ProvisionAssertion } from '../../protocol/provisioning';
import type { ProvisionRequestRow } from '../rows';
import { provisionRequestConditions, provisioningWithDecision, toProvisionRequest } from '../rows';
import type { ProvisionRequestTables } from '../store';
import type { PgDb, Queryable } from './db';
import { num } from './db';

const COLUMNS = 'id, environment_id, created_at, decided_at, assertions';

/** Positional placeholders for `provisionRequestConditions`. */
const dollar = (n: number) => `$${n}`;

/**
 * Provision requests on PostgreSQL. A decision and its merge into the environment are one
 * transaction with the environment's row locked, so concurrent decisions of two requests of one
 * environment cannot lose either's rights; the request's own `decided_at IS NULL` update lets
 * exactly one of concurrent decisions of it apply.
 *
 * @example
 * Object.assign(store, postgresProvisionRequests(db));
 */
export function postgresProvisionRequests(db: PgDb): ProvisionRequestTables {
  const merge = async (tx: Queryable, environmentId: string, assertions: readonly ProvisionAssertion[]): Promise<void> => {
    const { rows } = await tx.query<{ provisioning: string }>('SELECT provisioning FROM environments WHERE id = $1 FOR UPDATE', [environmentId]);
    if (!rows[0]) return;
    await tx.query('UPDATE environments SET provisioning = $1 WHERE id = $2', [provisioningWithDecision(rows[0].provisioning, assertions), environmentId]);
  };

  return {
    createProvisionRequest: (record, max = Number.POSITIVE_INFINITY) =>
      db.transaction(async (tx) => {
        // The environment's row lock serializes its requests' count and insert (and any merge).
        await tx.query('SELECT 1 FROM environments WHERE id = $1 FOR NO KEY UPDATE', [record.environmentId]);
        if (Number.isFinite(max)) {
          const { rows } = await tx.query<{ n: string }>('SELECT count(*) AS n FROM provision_requests WHERE environment_id = $1', [record.environmentId]);
          if (num(rows[0]?.n) >= max) return false;
        }
        await tx.query(`INSERT INTO provision_requests (${COLUMNS}) VALUES ($1, $2, $3, $4, $5)`, [
          record.id,
          record.environmentId,
          record.createdAt,
          record.decidedAt ?? null,
          JSON.stringify(record.assertions),
        ]);
        if (record.decidedAt !== undefined) await merge(tx, record.environmentId, record.assertions);
        return true;
      }),
    getProvisionRequest: async (id) => {
      const [row] = await db.rows<ProvisionRequestRow>(`SELECT ${COLUMNS} FROM provision_requests WHERE id = $1`, [id]);
      return row ? toProvisionRequest(row) : undefined;
    },
    listProvisionRequests: async (filter, page) => {
      const { where, params } = provisionRequestConditions(filter, dollar);
      const rows = await db.rows<ProvisionRequestRow>(
        `SELECT ${COLUMNS} FROM provision_requests ${where} ORDER BY seq LIMIT ${dollar(params.length + 1)} OFFSET ${dollar(params.length + 2)}`,
        [...params, page.limit, page.offset],
      );
      return rows.map(toProvisionRequest);
    },
    countProvisionRequests: async (filter) => {
      const { where, params } = provisionRequestConditions(filter, dollar);
      return num((await db.rows<{ n: string }>(`SELECT count(*) AS n FROM provision_requests ${where}`, params))[0]?.n);
    },
    decideProvisionRequest: (id, assertions, decidedAt) =>
      db.transaction(async (tx) => {
        const { rows } = await tx.query<ProvisionRequestRow>(
          `UPDATE provision_requests SET decided_at = $1, assertions = $2 WHERE id = $3 AND decided_at IS NULL RETURNING ${COLUMNS}`,
          [decidedAt, JSON.stringify(assertions), id],
        );
        if (!rows[0]) return undefined;
        const record = toProvisionRequest(rows[0]);
        await merge(tx, record.environmentId, assertions);
        return record;
      }),
    deleteProvisionRequest: async (environmentId, id) =>
      num((await db.query('DELETE FROM provision_requests WHERE id = $1 AND environment_id = $2', [id, environmentId])).rowCount) > 0,
  };
}
