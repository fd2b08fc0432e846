import type { JobFilter, JobRecord } from '../job-records';
import type { JobTables } from '../store';
import type { MemoryTableOwner, MemoryTables } from './tables';
import { copy } from './copy';

/**
 * Jobs of functional services in process memory, in creation order; `dropEnvironment` removes an
 * environment's jobs with it.
 *
 * @example
 * const jobs = memoryJobTables({ environment: (id) => envs.get(id), assertOpen });
 * Object.assign(store, jobs.tables);
 */
export function memoryJobTables(owner: MemoryTableOwner): MemoryTables<JobTables> {
  const { assertOpen } = owner;
  const jobs = new Map<string, JobRecord>();
  const matching = (f: JobFilter) =>
    [...jobs.values()].filter(
      (r) => r.job.serviceName === f.serviceName && r.owner.environmentId === f.environmentId && r.owner.zoneId === f.zoneId && r.owner.contextId === f.contextId,
    );
  return {
    tables: {
      async createJob(record, maxPerEnvironment = Number.POSITIVE_INFINITY) {
        assertOpen();
        if (!owner.environment(record.owner.environmentId)) throw new Error(`no environment ${record.owner.environmentId}`);
        if ([...jobs.values()].filter((r) => r.owner.environmentId === record.owner.environmentId).length >= maxPerEnvironment) return 'full';
        if (jobs.has(record.job.id)) return 'taken';
        jobs.set(record.job.id, copy(record));
        return 'created';
      },
      async getJob(id) {
        assertOpen();
        const record = jobs.get(id);
        return record ? copy(record) : undefined;
      },
      async listJobs(filter, page) {
        assertOpen();
        return matching(filter).slice(page.offset, page.offset + page.limit).map(copy);
      },
      async countJobs(filter) {
        assertOpen();
        return matching(filter).length;
      },
      async replaceJob(record) {
        assertOpen();
        const stored = jobs.get(record.job.id);
        if (!stored || stored.version !== record.version - 1) return false;
        jobs.set(record.job.id, copy(record));
        return true;
      },
      async deleteJob(id) {
        assertOpen();
        return jobs.delete(id);
      },
      async expiredJobs(now, limit) {
        assertOpen();
        return [...jobs.values()]
          .filter((r) => r.expiresAt !== undefined && r.expiresAt <= now)
          .sort((a, b) => (a.expiresAt! < b.expiresAt! ? -1 : a.expiresAt! > b.expiresAt! ? 1 : 0))
          .slice(0, limit)
          .map(copy);
      },
      async environmentJobs(environmentId, limit) {
        assertOpen();
        return [...jobs.values()].filter((r) => r.owner.environmentId === environmentId).slice(0, limit).map(copy);
      },
    },
    dropEnvironment(environmentId) {
      for (const [id, r] of jobs) if (r.owner.environmentId === environmentId) jobs.delete(id);
    },
  };
}
