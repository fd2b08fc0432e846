import type Database from 'better-sqlite3';
import type { ProvisionAssertion } from '../../protocol/provisioning';
import type { ProvisionRequestRow } from '../rows';
import { provisionRequestConditions as conditions, provisioningWithDecision, toProvisionRequest } from '../rows';
import type { ProvisionRequestRecord, ProvisionRequestTables } from '../store';

const COLUMNS = 'id, environment_id, created_at, decided_at, assertions';

/**
 * Provision requests on SQLite (migration 8): each write one immediate transaction, so a decision
 * and its merge into the environment are one step; deleting the environment cascades.
 *
 * @example
 * Object.assign(store, sqliteProvisionRequests(db));
 */
export function sqliteProvisionRequests(db: Database.Database): ProvisionRequestTables {
  const count = db.prepare('SELECT count(*) FROM provision_requests WHERE environment_id = ?').pluck();
  const insert = db.prepare(`INSERT INTO provision_requests (${COLUMNS}) VALUES (?, ?, ?, ?, ?)`);
  const provisioning = db.prepare('SELECT provisioning FROM environments WHERE id = ?').pluck();
  const setProvisioning = db.prepare('UPDATE environments SET provisioning = ? WHERE id = ?');
  const byId = db.prepare(`SELECT ${COLUMNS} FROM provision_requests WHERE id = ?`);
  const setDecided = db.prepare('UPDATE provision_requests SET decided_at = ?, assertions = ? WHERE id = ? AND decided_at IS NULL');
  const remove = db.prepare('DELETE FROM provision_requests WHERE id = ? AND environment_id = ?');

  const merge = (environmentId: string, assertions: readonly ProvisionAssertion[]): void => {
    const current = provisioning.get(environmentId) as string | undefined;
    if (current !== undefined) setProvisioning.run(provisioningWithDecision(current, assertions), environmentId);
  };
  const create = db.transaction((record: ProvisionRequestRecord, max: number): boolean => {
    if ((count.get(record.environmentId) as number) >= max) return false;
    insert.run(record.id, record.environmentId, record.createdAt, record.decidedAt ?? null, JSON.stringify(record.assertions));
    if (record.decidedAt !== undefined) merge(record.environmentId, record.assertions);
    return true;
  });
  const decide = db.transaction((id: string, assertions: ProvisionAssertion[], decidedAt: string): ProvisionRequestRecord | undefined => {
    if (setDecided.run(decidedAt, JSON.stringify(assertions), id).changes === 0) return undefined;
    const record = toProvisionRequest(byId.get(id) as ProvisionRequestRow);
    merge(record.environmentId, assertions);
    return record;
  });

  return {
    createProvisionRequest: async (record, max = Number.POSITIVE_INFINITY) => create.immediate(record, max),
    getProvisionRequest: async (id) => {
      const row = byId.get(id) as ProvisionRequestRow | undefined;
      return row ? toProvisionRequest(row) : undefined;
    },
    listProvisionRequests: async (filter, page) => {
      const { where, params } = conditions(filter);
      const rows = db.prepare(`SELECT ${COLUMNS} FROM provision_requests ${where} ORDER BY seq LIMIT ? OFFSET ?`).all(...params, page.limit, page.offset);
      return (rows as ProvisionRequestRow[]).map(toProvisionRequest);
    },
    countProvisionRequests: async (filter) => {
      const { where, params } = conditions(filter);
      return db.prepare(`SELECT count(*) FROM provision_requests ${where}`).pluck().get(...params) as number;
    },
    decideProvisionRequest: async (id, assertions, decidedAt) => decide.immediate(id, assertions, decidedAt),
    deleteProvisionRequest: async (environmentId, id) => remove.run(id, environmentId).changes > 0,
  };
}
