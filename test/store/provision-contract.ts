import type { ProvisionAssertion } from '../../lib/protocol/provisioning';
import type { ProvisionRequestRecord, SifStore } from '../../lib/store/store';
import { newId } from '../../lib/util/ids';
import { environment } from './contract';
import type { OpenStore } from './every-store';
import { freshStoreEach } from './every-store';

/**
 * The provision-request part of the `SifStore` contract (Infrastructure Services §6): requests kept
 * per environment, decided once, and a decision merged into the environment atomically.
 */
export function provisionStoreContract(name: string, open: OpenStore): void {
  describe(`SifStore provision requests: ${name}`, () => {
    let store: SifStore;
    freshStoreEach(open, (opened) => {
      store = opened;
    });

    test('stores, reads, lists (oldest first, by environment and pending) and counts requests', async () => {
      const a = environment();
      const b = environment();
      await store.createEnvironment(a);
      await store.createEnvironment(b);
      const first = request(a.id, { createdAt: '2026-01-01T00:00:01.000Z' });
      const second = request(a.id, { createdAt: '2026-01-01T00:00:02.000Z' });
      const other = request(b.id);
      for (const r of [first, second, other]) expect(await store.createProvisionRequest(r)).toBe(true);
      expect(await store.getProvisionRequest(first.id)).toEqual(first);
      expect(await store.getProvisionRequest(newId())).toBeUndefined();
      expect((await store.listProvisionRequests({ environmentId: a.id }, { offset: 0, limit: 10 })).map((r) => r.id)).toEqual([first.id, second.id]);
      expect((await store.listProvisionRequests({ environmentId: a.id }, { offset: 1, limit: 10 })).map((r) => r.id)).toEqual([second.id]);
      expect(await store.countProvisionRequests({ environmentId: a.id })).toBe(2);
      expect(await store.countProvisionRequests({})).toBe(3);
      expect(await store.countProvisionRequests({ pendingOnly: true })).toBe(3);
    });

    test('refuses a request past the per-environment limit; stores nothing', async () => {
      const env = environment();
      await store.createEnvironment(env);
      expect(await store.createProvisionRequest(request(env.id), 1)).toBe(true);
      const refused = request(env.id);
      expect(await store.createProvisionRequest(refused, 1)).toBe(false);
      expect(await store.getProvisionRequest(refused.id)).toBeUndefined();
    });

    test('a request of an unknown environment is refused with an error', async () => {
      // Compared by outcome, not with toThrow: better-sqlite3's errors may come from another realm.
      const outcome = await store.createProvisionRequest(request(newId())).then(() => 'stored', () => 'refused');
      expect(outcome).toBe('refused');
      expect(await store.countProvisionRequests({})).toBe(0);
    });

    test('deciding stores the answer and merges it into the environment; only once', async () => {
      const env = environment();
      await store.createEnvironment(env);
      const pending = request(env.id);
      await store.createProvisionRequest(pending);
      const answered = decided(pending.assertions, { CREATE: 'APPROVED', DELETE: 'REJECTED' });
      const record = await store.decideProvisionRequest(pending.id, answered, '2026-01-02T00:00:00.000Z');
      expect(record).toEqual({ ...pending, assertions: answered, decidedAt: '2026-01-02T00:00:00.000Z' });
      expect(await store.getProvisionRequest(pending.id)).toEqual(record);
      const stored = (await store.getEnvironment(env.id))!;
      // QUERY was approved before and stays; CREATE approved; DELETE refused is written as REJECTED.
      expect(stored.zones[0]!.services).toEqual([
        { name: 'xStudents', type: 'OBJECT', contextId: 'DEFAULT', rights: { QUERY: 'APPROVED', CREATE: 'APPROVED', DELETE: 'REJECTED' } },
      ]);
      expect(stored.defaultZone.services).toEqual(stored.zones[0]!.services);
      expect(await store.countProvisionRequests({ pendingOnly: true })).toBe(0);
      // A second decision changes nothing.
      expect(await store.decideProvisionRequest(pending.id, decided(pending.assertions, { CREATE: 'REJECTED', DELETE: 'APPROVED' }), 'x')).toBeUndefined();
      expect((await store.getEnvironment(env.id))!.zones).toEqual(stored.zones);
      expect(await store.decideProvisionRequest(newId(), answered, 'x')).toBeUndefined();
    });

    test('of concurrent decisions of one request exactly one applies', async () => {
      const env = environment();
      await store.createEnvironment(env);
      const pending = request(env.id);
      await store.createProvisionRequest(pending);
      const results = await Promise.all(
        Array.from({ length: 6 }, (_, i) => store.decideProvisionRequest(pending.id, decided(pending.assertions, { CREATE: i % 2 ? 'APPROVED' : 'REJECTED', DELETE: 'REJECTED' }), `t${i}`)),
      );
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
    });

    test('decisions of two requests of one environment both reach it, concurrently too', async () => {
      const env = environment();
      await store.createEnvironment(env);
      const one = request(env.id, { assertions: [assertion({ serviceName: 'xSchools', rights: { QUERY: 'REQUESTED' } })] });
      const two = request(env.id, { assertions: [assertion({ serviceName: 'xRosters', rights: { QUERY: 'REQUESTED' } })] });
      await store.createProvisionRequest(one);
      await store.createProvisionRequest(two);
      await Promise.all([
        store.decideProvisionRequest(one.id, decided(one.assertions, { QUERY: 'APPROVED' }), 't'),
        store.decideProvisionRequest(two.id, decided(two.assertions, { QUERY: 'APPROVED' }), 't'),
      ]);
      const names = (await store.getEnvironment(env.id))!.zones[0]!.services.map((s) => s.name).sort();
      expect(names).toEqual(['xRosters', 'xSchools', 'xStudents']);
    });

    test('a request stored already decided is merged at once', async () => {
      const env = environment();
      await store.createEnvironment(env);
      const answered = request(env.id, {
        decidedAt: '2026-01-01T00:00:00.000Z',
        assertions: [assertion({ serviceName: 'xSchools', contextId: 'Archive', rights: { QUERY: 'APPROVED' } })],
      });
      await store.createProvisionRequest(answered);
      expect((await store.getEnvironment(env.id))!.zones[0]!.services[1]).toEqual({
        name: 'xSchools', type: 'OBJECT', contextId: 'Archive', rights: { QUERY: 'APPROVED' },
      });
      expect(await store.countProvisionRequests({ pendingOnly: true })).toBe(0);
    });

    test('deletes only for the environment that made it; deleting the environment deletes its requests', async () => {
      const env = environment();
      await store.createEnvironment(env);
      const r = request(env.id);
      await store.createProvisionRequest(r);
      expect(await store.deleteProvisionRequest(newId(), r.id)).toBe(false);
      expect(await store.deleteProvisionRequest(env.id, r.id)).toBe(true);
      expect(await store.deleteProvisionRequest(env.id, r.id)).toBe(false);
      const kept = request(env.id);
      await store.createProvisionRequest(kept);
      await store.deleteEnvironment(env.id);
      expect(await store.getProvisionRequest(kept.id)).toBeUndefined();
    });

    test('records are copies', async () => {
      const env = environment();
      await store.createEnvironment(env);
      const r = request(env.id);
      await store.createProvisionRequest(r);
      const read = (await store.getProvisionRequest(r.id))!;
      read.assertions[0]!.rights.CREATE = 'APPROVED';
      expect(await store.getProvisionRequest(r.id)).toEqual(r);
    });
  });
}

function assertion(overrides: Partial<ProvisionAssertion> = {}): ProvisionAssertion {
  return { zoneId: 'District', serviceName: 'xStudents', serviceType: 'OBJECT', contextId: 'DEFAULT', rights: { CREATE: 'REQUESTED', DELETE: 'REQUESTED' }, ...overrides };
}

function request(environmentId: string, overrides: Partial<ProvisionRequestRecord> = {}): ProvisionRequestRecord {
  return { id: newId(), environmentId, createdAt: '2026-01-01T00:00:00.000Z', decidedAt: undefined, assertions: [assertion()], ...overrides };
}

/** The assertions with each right given the value in `values`. */
function decided(assertions: ProvisionAssertion[], values: Record<string, 'APPROVED' | 'REJECTED'>): ProvisionAssertion[] {
  return assertions.map((a) => ({ ...a, rights: Object.fromEntries(Object.keys(a.rights).map((r) => [r, values[r] ?? 'REJECTED'])) }));
}
