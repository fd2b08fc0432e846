import type { Job } from '../../lib/jobs/types';
import type { JobRecord, SifStore } from '../../lib/store/store';
import { newId } from '../../lib/util/ids';
import { environment } from './contract';
import type { OpenStore } from './every-store';
import { freshStoreEach } from './every-store';

/**
 * The job part of the `SifStore` contract (functional services): run with a factory that gives a
 * fresh, empty store.
 */
export function jobStoreContract(name: string, open: OpenStore): void {
  describe(`SifStore job contract: ${name}`, () => {
    let store: SifStore;
    freshStoreEach(open, (opened) => {
      store = opened;
    });

    test('creates and reads a job exactly as given; an id taken is refused and nothing changes', async () => {
      const env = environment();
      await store.createEnvironment(env);
      const record = jobRecord(env.id);
      expect(await store.createJob(record)).toBe('created');
      expect(await store.getJob(record.job.id)).toEqual(record);
      expect(await store.createJob({ ...record, owner: { ...record.owner, zoneId: 'Other' } })).toBe('taken');
      expect(await store.getJob(record.job.id)).toEqual(record);
      expect(await store.getJob(newId())).toBeUndefined();
    });

    test('lists one owner\'s jobs of one service, zone and context, oldest first, paged, and counts them', async () => {
      const env = environment();
      const otherEnv = environment();
      await store.createEnvironment(env);
      await store.createEnvironment(otherEnv);
      const mine = [jobRecord(env.id), jobRecord(env.id), jobRecord(env.id)];
      for (const r of mine) await store.createJob(r);
      await store.createJob(jobRecord(otherEnv.id));
      await store.createJob(jobRecord(env.id, { zoneId: 'Elementary' }));
      await store.createJob(jobRecord(env.id, {}, 'OtherService'));
      const filter = { serviceName: 'Exports', environmentId: env.id, zoneId: 'District', contextId: 'DEFAULT' };
      expect(await store.countJobs(filter)).toBe(3);
      expect((await store.listJobs(filter, { offset: 1, limit: 5 })).map((r) => r.job.id)).toEqual([mine[1]!.job.id, mine[2]!.job.id]);
      expect(await store.listJobs({ ...filter, contextId: 'Future' }, { offset: 0, limit: 5 })).toEqual([]);
    });

    test('replaces a job only over the version it was read at (optimistic concurrency)', async () => {
      const env = environment();
      await store.createEnvironment(env);
      const record = jobRecord(env.id);
      await store.createJob(record);
      const next: JobRecord = { ...record, job: { ...record.job, state: 'INPROGRESS' }, expiresAt: '2031-01-01T00:00:00.000Z', version: 2 };
      expect(await store.replaceJob(next)).toBe(true);
      expect(await store.getJob(record.job.id)).toEqual(next);
      // A second writer that read version 1 too loses.
      expect(await store.replaceJob({ ...record, job: { ...record.job, state: 'FAILED' }, version: 2 })).toBe(false);
      expect((await store.getJob(record.job.id))!.job.state).toBe('INPROGRESS');
      expect(await store.replaceJob({ ...next, job: { ...record.job, id: newId() } })).toBe(false);
    });

    test('concurrent replacements over one version: exactly one is stored', async () => {
      const env = environment();
      await store.createEnvironment(env);
      const record = jobRecord(env.id);
      await store.createJob(record);
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, (_, i) => store.replaceJob({ ...record, job: { ...record.job, stateDescription: `writer ${i}` }, version: 2 })),
      );
      expect(outcomes.filter(Boolean)).toHaveLength(1);
    });

    test('deletes a job; lists expired jobs soonest first; deleting the environment deletes its jobs', async () => {
      const env = environment();
      await store.createEnvironment(env);
      const late = jobRecord(env.id, {}, 'Exports', '2026-06-03T00:00:00.000Z');
      const soon = jobRecord(env.id, {}, 'Exports', '2026-06-02T00:00:00.000Z');
      const never = jobRecord(env.id, {}, 'Exports', null);
      for (const r of [late, soon, never]) await store.createJob(r);
      expect((await store.expiredJobs('2026-06-02T00:00:00.000Z', 10)).map((r) => r.job.id)).toEqual([soon.job.id]);
      expect((await store.expiredJobs('2030-01-01T00:00:00.000Z', 10)).map((r) => r.job.id)).toEqual([soon.job.id, late.job.id]);
      expect((await store.expiredJobs('2030-01-01T00:00:00.000Z', 1)).map((r) => r.job.id)).toEqual([soon.job.id]);
      expect(await store.deleteJob(soon.job.id)).toBe(true);
      expect(await store.deleteJob(soon.job.id)).toBe(false);
      expect(await store.deleteEnvironment(env.id)).toBe(true);
      expect(await store.getJob(late.job.id)).toBeUndefined();
      expect(await store.getJob(never.job.id)).toBeUndefined();
    });

    test('lists the jobs of one environment, whatever their service, zone or context, oldest first, at most limit', async () => {
      const env = environment();
      const otherEnv = environment();
      await store.createEnvironment(env);
      await store.createEnvironment(otherEnv);
      const mine = [jobRecord(env.id), jobRecord(env.id, { zoneId: 'Elementary' }), jobRecord(env.id, {}, 'Reports')];
      for (const r of mine) await store.createJob(r);
      await store.createJob(jobRecord(otherEnv.id));
      expect((await store.environmentJobs(env.id, 10)).map((r) => r.job.id)).toEqual(mine.map((r) => r.job.id));
      expect(await store.environmentJobs(env.id, 2)).toEqual(mine.slice(0, 2));
      expect(await store.environmentJobs('no-such-environment', 10)).toEqual([]);
    });

    test('records are copies: changing a returned job changes nothing stored', async () => {
      const env = environment();
      await store.createEnvironment(env);
      const record = jobRecord(env.id);
      await store.createJob(record);
      const read = (await store.getJob(record.job.id))!;
      (read.job as { state: string }).state = 'FAILED';
      expect(await store.getJob(record.job.id)).toEqual(record);
    });
  });
}

/** A stored job of service `Exports` owned by `environmentId` in District/DEFAULT, with two phases; `expiresAt` null: never. */
export function jobRecord(environmentId: string, owner: { zoneId?: string } = {}, serviceName = 'Exports', expiresAt: string | null = '2026-07-01T00:00:00.000Z'): JobRecord {
  const created = '2026-06-01T08:00:00.000Z';
  const job: Job = {
    id: newId(),
    serviceName,
    name: 'export',
    description: undefined,
    state: 'NOTSTARTED',
    stateDescription: 'Not started',
    created,
    lastModified: undefined,
    timeout: 'P30D',
    phases: [
      { name: 'a', states: [{ id: undefined, type: 'NOTSTARTED', created, lastModified: created, description: undefined }], required: true, rights: ['QUERY'], statesRights: ['QUERY', 'CREATE'] },
      { name: 'b', states: [{ id: newId(), type: 'PENDING', created, lastModified: created, description: 'waiting' }], required: false, rights: [], statesRights: [] },
    ],
    initialization: { phaseName: 'a', payload: { property: [{ '@name': 'year', '#text': '2026' }] } },
  };
  return { job, owner: { environmentId, fingerprint: 'fp-1', zoneId: owner.zoneId ?? 'District', contextId: 'DEFAULT' }, expiresAt: expiresAt ?? undefined, version: 1 };
}
