import type { ProvisionedZone } from '../../lib/config/consumers';
import type { EnvironmentRecord, SifStore } from '../../lib/store/store';
import { newId } from '../../lib/util/ids';
import type { OpenStore } from './every-store';
import { freshStoreEach } from './every-store';

/**
 * The contract every `SifStore` must keep. Run it with a factory that gives a fresh, empty store
 * (and a cleanup). A new implementation is done when this suite passes against it.
 */
export function storeContract(name: string, open: OpenStore): void {
  describe(`SifStore contract: ${name}`, () => {
    let store: SifStore;
    freshStoreEach(open, (opened) => {
      store = opened;
    });

    test('creates and reads an environment, by id, session hash and identity', async () => {
      const env = environment({ instanceId: 'i1', userToken: undefined });
      expect(await store.createEnvironment(env)).toEqual({ created: true });
      expect(await store.getEnvironment(env.id)).toEqual(env);
      expect(await store.findEnvironmentBySessionHash(env.sessionTokenHash!)).toEqual(env);
      expect(await store.findEnvironmentByIdentity(env.identityKey)).toEqual(env);
      expect(await store.getEnvironment(newId())).toBeUndefined();
      expect(await store.findEnvironmentBySessionHash('nope')).toBeUndefined();
    });

    test('a second environment with the same identity returns the first and stores nothing', async () => {
      const first = environment();
      const second = environment({ identityKey: first.identityKey });
      await store.createEnvironment(first);
      expect(await store.createEnvironment(second)).toEqual({ created: false, existing: first });
      expect(await store.getEnvironment(second.id)).toBeUndefined();
    });

    test('concurrent creates with one identity create exactly one', async () => {
      const key = environment().identityKey;
      const results = await Promise.all(Array.from({ length: 10 }, () => store.createEnvironment(environment({ identityKey: key }))));
      expect(results.filter((r) => r.created)).toHaveLength(1);
    });

    test('records are copies: changing a returned record changes nothing stored', async () => {
      const env = environment();
      await store.createEnvironment(env);
      const read = (await store.getEnvironment(env.id))!;
      read.consumerName = 'changed';
      (read.defaultZone as { id: string }).id = 'changed';
      expect(await store.getEnvironment(env.id)).toEqual(env);
    });

    test('replaces a session hash', async () => {
      const env = environment();
      await store.createEnvironment(env);
      expect(await store.replaceSessionHash(env.id, 'new-hash')).toBe(true);
      expect(await store.findEnvironmentBySessionHash(env.sessionTokenHash!)).toBeUndefined();
      expect((await store.findEnvironmentBySessionHash('new-hash'))?.id).toBe(env.id);
      expect(await store.replaceSessionHash(newId(), 'x')).toBe(false);
    });

    test('environments without a session (Bearer) can coexist', async () => {
      await store.createEnvironment(environment({ sessionTokenHash: null }));
      expect(await store.createEnvironment(environment({ sessionTokenHash: null }))).toEqual({ created: true });
    });

    test('alerts belong to one environment, list oldest first, page and count', async () => {
      const a = environment();
      const b = environment();
      await store.createEnvironment(a);
      await store.createEnvironment(b);
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const id = newId();
        ids.push(id);
        await store.createAlert({ id, environmentId: a.id, createdAt: new Date(i).toISOString(), alert: { '@id': id, reporter: `r${i}` } });
      }
      await store.createAlert({ id: newId(), environmentId: b.id, createdAt: new Date().toISOString(), alert: { reporter: 'b' } });
      expect(await store.countAlerts(a.id)).toBe(5);
      expect(await store.countAlerts(b.id)).toBe(1);
      expect((await store.listAlerts(a.id, { offset: 0, limit: 3 })).map((r) => r.id)).toEqual(ids.slice(0, 3));
      expect((await store.listAlerts(a.id, { offset: 3, limit: 3 })).map((r) => r.id)).toEqual(ids.slice(3));
      expect(await store.listAlerts(a.id, { offset: 5, limit: 3 })).toEqual([]);
      expect((await store.getAlert(a.id, ids[2]!))?.alert).toEqual({ '@id': ids[2], reporter: 'r2' });
      expect(await store.getAlert(b.id, ids[2]!)).toBeUndefined();
    });

    test('an application\'s alerts: those of each of its live environments, oldest first, no other application\'s', async () => {
      const first = environment({ applicationKey: 'gradebook' });
      const second = environment({ applicationKey: 'gradebook' });
      const other = environment({ applicationKey: 'library' });
      for (const e of [first, second, other]) await store.createEnvironment(e);
      const ids: string[] = [];
      for (const [i, e] of [first, second, other, first].entries()) {
        const id = newId();
        ids.push(id);
        await store.createAlert({ id, environmentId: e.id, createdAt: new Date(i).toISOString(), alert: { '@id': id, reporter: `r${i}` } });
      }
      expect(await store.countApplicationAlerts('gradebook')).toBe(3);
      expect(await store.countApplicationAlerts('library')).toBe(1);
      expect(await store.countApplicationAlerts('nobody')).toBe(0);
      expect((await store.listApplicationAlerts('gradebook', { offset: 0, limit: 2 })).map((r) => r.id)).toEqual([ids[0], ids[1]]);
      expect((await store.listApplicationAlerts('gradebook', { offset: 2, limit: 2 })).map((r) => [r.id, r.environmentId])).toEqual([[ids[3], first.id]]);
      expect((await store.getApplicationAlert('gradebook', ids[1]!))?.alert).toEqual({ '@id': ids[1], reporter: 'r1' });
      expect(await store.getApplicationAlert('gradebook', ids[2]!)).toBeUndefined();
      expect(await store.getApplicationAlert('library', ids[0]!)).toBeUndefined();
      // An environment's alerts go with it.
      await store.deleteEnvironment(first.id);
      expect((await store.listApplicationAlerts('gradebook', { offset: 0, limit: 10 })).map((r) => r.id)).toEqual([ids[1]]);
    });

    test('an alert for an unknown environment is refused', async () => {
      // Compared by outcome, not with toThrow: jest shares better-sqlite3's native addon between test
      // files, so its errors may come from another realm and fail an `instanceof Error` check.
      const outcome = await store
        .createAlert({ id: newId(), environmentId: newId(), createdAt: new Date().toISOString(), alert: {} })
        .then(() => 'stored', () => 'refused');
      expect(outcome).toBe('refused');
      expect(await store.countAlerts(newId())).toBe(0);
    });

    test('the change log numbers changes, lists each object once with its latest action, and pages', async () => {
      const keep = { maxEntries: 1000, olderThan: '2000-01-01T00:00:00.000Z' };
      const start = await store.changeLogState();
      expect(start).toEqual({ epoch: expect.stringMatching(/^[0-9a-f]{16}$/), latest: 0, prunedThrough: 0 });
      await store.appendChanges(
        [
          { serviceName: 's', objectId: 'a', action: 'CREATE' },
          { serviceName: 's', objectId: 'b', action: 'CREATE' },
          { serviceName: 'other', objectId: 'a', action: 'CREATE' },
        ],
        '2026-01-01T00:00:00.000Z',
        keep,
      );
      await store.appendChanges(
        [
          { serviceName: 's', objectId: 'a', action: 'UPDATE' },
          { serviceName: 's', objectId: 'c', action: 'CREATE' },
          { serviceName: 's', objectId: 'b', action: 'DELETE' },
        ],
        '2026-01-02T00:00:00.000Z',
        keep,
      );
      expect(await store.changeLogState()).toEqual({ ...start, latest: 6 });
      expect(await store.changedObjects('s', 0, 6, { offset: 0, limit: 10 })).toEqual([
        { objectId: 'a', action: 'UPDATE', seq: 4 },
        { objectId: 'c', action: 'CREATE', seq: 5 },
        { objectId: 'b', action: 'DELETE', seq: 6 },
      ]);
      expect(await store.changedObjects('s', 0, 6, { offset: 1, limit: 1 })).toEqual([{ objectId: 'c', action: 'CREATE', seq: 5 }]);
      expect(await store.changedObjects('s', 4, 5, { offset: 0, limit: 10 })).toEqual([{ objectId: 'c', action: 'CREATE', seq: 5 }]);
      expect(await store.countChangedObjects('s', 0, 6)).toBe(3);
      expect(await store.countChangedObjects('s', 0, 3)).toBe(2);
      expect(await store.countChangedObjects('s', 6, 6)).toBe(0);
    });

    test('change log retention by count and by age moves prunedThrough', async () => {
      const at = (day: number) => `2026-01-${String(day).padStart(2, '0')}T00:00:00.000Z`;
      for (let day = 1; day <= 5; day++) {
        await store.appendChanges([{ serviceName: 's', objectId: `o${day}`, action: 'CREATE' }], at(day), { maxEntries: 3, olderThan: '2000-01-01T00:00:00.000Z' });
      }
      expect(await store.changeLogState()).toMatchObject({ latest: 5, prunedThrough: 2 });
      expect((await store.changedObjects('s', 0, 5, { offset: 0, limit: 10 })).map((c) => c.objectId)).toEqual(['o3', 'o4', 'o5']);
      await store.appendChanges([{ serviceName: 's', objectId: 'o6', action: 'CREATE' }], at(6), { maxEntries: 100, olderThan: at(5) });
      expect(await store.changeLogState()).toMatchObject({ latest: 6, prunedThrough: 4 });
      expect((await store.changedObjects('s', 0, 6, { offset: 0, limit: 10 })).map((c) => c.objectId)).toEqual(['o5', 'o6']);
    });

    // Issue #11: retention no longer scans the log on each write; what it keeps must not change.
    // Whatever is dropped must be at or below prunedThrough (so a marker into it is a 409), and
    // everything above it kept, however the count and age limits and the clock combine.
    test('change log retention stays exact: at the count cap, by age, and when the clock goes back', async () => {
      const at = (day: number) => `2026-01-${String(day).padStart(2, '0')}T00:00:00.000Z`;
      const kept = async () => {
        const { latest } = await store.changeLogState();
        return (await store.changedObjects('s', 0, latest, { offset: 0, limit: 1000 })).map((c) => c.seq).sort((x, y) => x - y);
      };
      const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
      // One write at a time at the cap: always exactly the newest 50 (each a distinct object).
      for (let i = 1; i <= 300; i++) {
        await store.appendChanges([{ serviceName: 's', objectId: `c${i}`, action: 'CREATE' }], at(1), { maxEntries: 50, olderThan: at(1) });
      }
      expect(await store.changeLogState()).toMatchObject({ latest: 300, prunedThrough: 250 });
      expect(await kept()).toEqual(range(251, 300));
      // A batch larger than the cap keeps only its own newest entries.
      await store.appendChanges(range(1, 80).map((i) => ({ serviceName: 's', objectId: `b${i}`, action: 'CREATE' as const })), at(2), { maxEntries: 50, olderThan: at(1) });
      expect(await store.changeLogState()).toMatchObject({ latest: 380, prunedThrough: 330 });
      expect(await kept()).toEqual(range(331, 380));
      // By age: day 2 and older go, the entries of day 3 stay.
      for (let i = 1; i <= 5; i++) await store.appendChanges([{ serviceName: 's', objectId: `d${i}`, action: 'CREATE' }], at(3), { maxEntries: 1000, olderThan: at(1) });
      await store.appendChanges([{ serviceName: 's', objectId: 'e1', action: 'CREATE' }], at(4), { maxEntries: 1000, olderThan: at(3) });
      expect(await store.changeLogState()).toMatchObject({ latest: 386, prunedThrough: 380 });
      expect(await kept()).toEqual(range(381, 386));
      // The clock goes back: an entry recorded as day 2 after day 4 ones. Once day 2 ages out,
      // everything up to it goes, although newer-dated entries come before it.
      await store.appendChanges([{ serviceName: 's', objectId: 'f1', action: 'CREATE' }], at(2), { maxEntries: 1000, olderThan: at(1) });
      await store.appendChanges([{ serviceName: 's', objectId: 'f2', action: 'CREATE' }], at(5), { maxEntries: 1000, olderThan: at(1) });
      expect(await store.changeLogState()).toMatchObject({ latest: 388, prunedThrough: 380 });
      await store.appendChanges([{ serviceName: 's', objectId: 'f3', action: 'CREATE' }], at(5), { maxEntries: 1000, olderThan: at(3) });
      expect(await store.changeLogState()).toMatchObject({ latest: 389, prunedThrough: 387 });
      expect(await kept()).toEqual([388, 389]);
      // After a restart, retention counts from the new start.
      await store.restartChangeLog();
      for (let i = 1; i <= 4; i++) await store.appendChanges([{ serviceName: 's', objectId: `g${i}`, action: 'CREATE' }], at(6), { maxEntries: 2, olderThan: at(5) });
      expect(await store.changeLogState()).toMatchObject({ latest: 393, prunedThrough: 391 });
      expect(await kept()).toEqual([392, 393]);
    });

    test('snapshots page in order, belong to one environment, expire, and go with their environment', async () => {
      const a = environment();
      const b = environment();
      await store.createEnvironment(a);
      await store.createEnvironment(b);
      const ids = Array.from({ length: 7 }, (_, i) => `id-${i}`);
      const snap = { navigationId: 'nav-1', environmentId: a.id, serviceName: 's', expiresAt: '2026-01-01T00:10:00.000Z' };
      await store.createSnapshot(snap, ids, '2026-01-01T00:00:00.000Z');
      const now = '2026-01-01T00:05:00.000Z';
      expect(await store.snapshotPage('nav-1', a.id, now, { offset: 0, limit: 3 })).toEqual({ serviceName: 's', total: 7, objectIds: ids.slice(0, 3) });
      expect((await store.snapshotPage('nav-1', a.id, now, { offset: 6, limit: 3 }))?.objectIds).toEqual(['id-6']);
      expect((await store.snapshotPage('nav-1', a.id, now, { offset: 9, limit: 3 }))?.objectIds).toEqual([]);
      expect(await store.snapshotPage('nav-1', b.id, now, { offset: 0, limit: 3 })).toBeUndefined();
      expect(await store.snapshotPage('nav-1', a.id, '2026-01-01T00:10:00.000Z', { offset: 0, limit: 3 })).toBeUndefined();
      expect(await store.snapshotPage('nope', a.id, now, { offset: 0, limit: 3 })).toBeUndefined();
      await store.createSnapshot({ ...snap, navigationId: 'nav-2' }, ['x'], now);
      await store.deleteEnvironment(a.id);
      expect(await store.snapshotPage('nav-2', a.id, now, { offset: 0, limit: 3 })).toBeUndefined();
    });

    test('quotas: environments per application key, alerts and live snapshots per environment, atomically', async () => {
      const first = environment({ applicationKey: 'busy' });
      expect(await store.createEnvironment(first, 2)).toEqual({ created: true });
      expect(await store.createEnvironment(environment({ applicationKey: 'busy' }), 2)).toEqual({ created: true });
      const third = environment({ applicationKey: 'busy' });
      expect(await store.createEnvironment(third, 2)).toEqual({ created: false, limitReached: true });
      expect(await store.getEnvironment(third.id)).toBeUndefined();
      // An identity already registered is still found (409 with it), limit or not; other keys are not counted.
      expect(await store.createEnvironment(environment({ applicationKey: 'busy', identityKey: first.identityKey }), 2)).toMatchObject({ created: false, existing: { id: first.id } });
      expect(await store.createEnvironment(environment({ applicationKey: 'other' }), 2)).toEqual({ created: true });
      const concurrent = await Promise.all(Array.from({ length: 10 }, () => store.createEnvironment(environment({ applicationKey: 'race' }), 3)));
      expect(concurrent.filter((r) => r.created)).toHaveLength(3);

      const alert = (i: number) => ({ id: newId(), environmentId: first.id, createdAt: new Date(i).toISOString(), alert: { reporter: `r${i}` } });
      expect(await store.createAlert(alert(1), 2)).toBe(true);
      expect(await store.createAlert(alert(2), 2)).toBe(true);
      expect(await store.createAlert(alert(3), 2)).toBe(false);
      expect(await store.countAlerts(first.id)).toBe(2);

      const snap = (n: number, expiresAt: string) => ({ navigationId: `nav-${n}`, environmentId: first.id, serviceName: 's', expiresAt });
      const t0 = '2026-01-01T00:00:00.000Z';
      expect(await store.createSnapshot(snap(1, '2026-01-01T00:01:00.000Z'), ['a'], t0, 2)).toBe(true);
      expect(await store.createSnapshot(snap(2, '2026-01-01T00:10:00.000Z'), ['a'], t0, 2)).toBe(true);
      expect(await store.createSnapshot(snap(3, '2026-01-01T00:10:00.000Z'), ['a'], t0, 2)).toBe(false);
      expect(await store.snapshotPage('nav-3', first.id, t0, { offset: 0, limit: 1 })).toBeUndefined();
      // Once one has expired there is room again.
      expect(await store.createSnapshot(snap(4, '2026-01-01T00:10:00.000Z'), ['a'], '2026-01-01T00:02:00.000Z', 2)).toBe(true);
      // And once one is deleted (its walk is over).
      await store.deleteSnapshot('nav-2');
      expect(await store.snapshotPage('nav-2', first.id, '2026-01-01T00:02:00.000Z', { offset: 0, limit: 1 })).toBeUndefined();
      expect(await store.createSnapshot(snap(5, '2026-01-01T00:10:00.000Z'), ['a'], '2026-01-01T00:02:00.000Z', 2)).toBe(true);
      await store.deleteSnapshot('nope');
    });

    test('large snapshots page across their storage chunks in order', async () => {
      const a = environment();
      await store.createEnvironment(a);
      const ids = Array.from({ length: 2503 }, (_, i) => `id-${i}`);
      const now = '2026-01-01T00:00:00.000Z';
      await store.createSnapshot({ navigationId: 'big', environmentId: a.id, serviceName: 's', expiresAt: '2026-01-01T01:00:00.000Z' }, ids, now);
      for (const [offset, limit] of [[0, 1000], [990, 20], [999, 1002], [2500, 100], [1000, 1000], [2503, 10]] as const) {
        expect((await store.snapshotPage('big', a.id, now, { offset, limit }))?.objectIds).toEqual(ids.slice(offset, offset + limit));
      }
    });

    test('restarting the change log gives a new epoch with everything before it pruned', async () => {
      const at = '2026-01-01T00:00:00.000Z';
      const keep = { maxEntries: 100, olderThan: '2000-01-01T00:00:00.000Z' };
      await store.appendChanges([{ serviceName: 's', objectId: 'o1', action: 'CREATE' }, { serviceName: 's', objectId: 'o2', action: 'CREATE' }], at, keep);
      const before = await store.changeLogState();
      const after = await store.restartChangeLog();
      expect(after.epoch).not.toBe(before.epoch);
      expect(after).toMatchObject({ latest: 2, prunedThrough: 2 });
      expect(await store.changeLogState()).toEqual(after);
      await store.appendChanges([{ serviceName: 's', objectId: 'o3', action: 'UPDATE' }], at, keep);
      expect((await store.changedObjects('s', 2, 3, { offset: 0, limit: 10 })).map((c) => c.objectId)).toEqual(['o3']);
    });

    test('deleting an environment removes it and everything it owns, and nothing else', async () => {
      const a = environment();
      const b = environment();
      await store.createEnvironment(a);
      await store.createEnvironment(b);
      const alertA = newId();
      const alertB = newId();
      await store.createAlert({ id: alertA, environmentId: a.id, createdAt: new Date().toISOString(), alert: {} });
      await store.createAlert({ id: alertB, environmentId: b.id, createdAt: new Date().toISOString(), alert: {} });
      expect(await store.deleteEnvironment(a.id)).toBe(true);
      expect(await store.getEnvironment(a.id)).toBeUndefined();
      expect(await store.findEnvironmentBySessionHash(a.sessionTokenHash!)).toBeUndefined();
      expect(await store.findEnvironmentByIdentity(a.identityKey)).toBeUndefined();
      expect(await store.getAlert(a.id, alertA)).toBeUndefined();
      expect(await store.countAlerts(a.id)).toBe(0);
      expect(await store.getAlert(b.id, alertB)).toBeDefined();
      expect(await store.deleteEnvironment(a.id)).toBe(false);
      // The identity is free again.
      expect(await store.createEnvironment(environment({ identityKey: a.identityKey }))).toEqual({ created: true });
    });
  });
}

const zone: ProvisionedZone = {
  id: 'District',
  description: 'd',
  properties: { p: 'v' },
  services: [{ name: 'xStudents', type: 'OBJECT', contextId: 'DEFAULT', rights: { QUERY: 'APPROVED' } }],
};

/** A complete environment record with fresh ids. */
export function environment(overrides: Partial<EnvironmentRecord> = {}): EnvironmentRecord {
  const id = newId();
  return {
    id,
    fingerprint: newId(),
    sessionTokenHash: `hash-${id}`,
    tokenSalt: 'salt',
    identityKey: `["app-${id}","","",""]`,
    applicationKey: 'app',
    instanceId: undefined,
    userToken: 'user',
    solutionId: undefined,
    authenticationMethod: 'Basic',
    consumerName: 'Consumer',
    applicationInfo: { applicationKey: 'app', supportedInfrastructureVersion: '3.2.1', transport: 'REST' },
    defaultZone: zone,
    zones: [zone],
    createdAt: '2026-01-01T00:00:00.000Z',
    ...overrides,
  };
}
