import { mergeDecision } from '../../protocol/provisioning';
import type { ProvisionAssertion } from '../../protocol/provisioning';
import type { ProvisionRequestFilter, ProvisionRequestRecord, ProvisionRequestTables } from '../store';
import type { MemoryTableOwner, MemoryTables } from './tables';
import { copy, copyMaybe } from './copy';

/**
 * Provision requests in process memory, beside the store's environments (a decision is merged
 * into the environment record itself); `dropEnvironment` removes an environment's requests.
 *
 * @example
 * const provision = memoryProvisionRequests({ environment: (id) => environments.get(id), assertOpen });
 * Object.assign(store, provision.tables);
 */
export function memoryProvisionRequests(owner: MemoryTableOwner): MemoryTables<ProvisionRequestTables> {
  const { assertOpen } = owner;
  /** In insertion order: lists are oldest first. */
  const requests = new Map<string, ProvisionRequestRecord>();

  const matching = (filter: ProvisionRequestFilter) =>
    [...requests.values()].filter(
      (r) => (filter.environmentId === undefined || r.environmentId === filter.environmentId) && (!filter.pendingOnly || r.decidedAt === undefined),
    );
  const merge = (environmentId: string, assertions: readonly ProvisionAssertion[]): void => {
    const env = owner.environment(environmentId);
    if (!env) return;
    env.zones = mergeDecision(env.zones, copy(assertions));
    env.defaultZone = env.zones.find((z) => z.id === env.defaultZone.id) ?? env.defaultZone;
  };

  const tables: ProvisionRequestTables = {
    async createProvisionRequest(record, max = Number.POSITIVE_INFINITY) {
      assertOpen();
      if (!owner.environment(record.environmentId)) throw new Error(`no environment ${record.environmentId}`);
      if (requests.has(record.id)) throw new Error(`provision request ${record.id} exists`);
      if (matching({ environmentId: record.environmentId }).length >= max) return false;
      requests.set(record.id, copy(record));
      if (record.decidedAt !== undefined) merge(record.environmentId, record.assertions);
      return true;
    },
    async getProvisionRequest(id) {
      assertOpen();
      return copyMaybe(requests.get(id));
    },
    async listProvisionRequests(filter, page) {
      assertOpen();
      return matching(filter).slice(page.offset, page.offset + page.limit).map(copy);
    },
    async countProvisionRequests(filter) {
      assertOpen();
      return matching(filter).length;
    },
    async decideProvisionRequest(id, assertions, decidedAt) {
      assertOpen();
      const record = requests.get(id);
      if (!record || record.decidedAt !== undefined) return undefined;
      record.assertions = copy(assertions);
      record.decidedAt = decidedAt;
      merge(record.environmentId, assertions);
      return copy(record);
    },
    async deleteProvisionRequest(environmentId, id) {
      assertOpen();
      if (requests.get(id)?.environmentId !== environmentId) return false;
      return requests.delete(id);
    },
  };
  return {
    tables,
    dropEnvironment(environmentId) {
      for (const [id, r] of requests) if (r.environmentId === environmentId) requests.delete(id);
    },
  };
}
