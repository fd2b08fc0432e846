import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../lib/store/sqlite';
import { environment } from './contract';

// Issue #11 item 2: the first page of a queryIntention ALL walk over a district stores hundreds of
// thousands of ids. SQLite is synchronous, so one transaction for all of them stopped every other
// request for as long as it took; the ids now go in batches with the event loop free between them.

describe('SqliteStore snapshots of many ids', () => {
  let dir: string;
  let store: SqliteStore;
  const now = '2026-01-01T00:00:00.000Z';
  const later = '2026-01-01T01:00:00.000Z';
  const ids = Array.from({ length: 120_000 }, (_, i) => `id-${i}`);
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sif3-snap-'));
    store = new SqliteStore(join(dir, 'state.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('are stored in batches that let other work run between them, and read back whole', async () => {
    const env = environment();
    await store.createEnvironment(env);
    let stored: boolean | undefined;
    let otherWorkRanFirst = false;
    const creating = store.createSnapshot({ navigationId: 'n1', environmentId: env.id, serviceName: 's', expiresAt: later }, ids, now).then((ok) => (stored = ok));
    setImmediate(() => (otherWorkRanFirst = stored === undefined));
    await creating;
    expect(stored).toBe(true);
    expect(otherWorkRanFirst).toBe(true);
    for (const [offset, limit] of [[0, 10], [59_995, 10], [119_990, 100]] as const) {
      expect((await store.snapshotPage('n1', env.id, now, { offset, limit }))?.objectIds).toEqual(ids.slice(offset, offset + limit));
    }
    expect((await store.snapshotPage('n1', env.id, now, { offset: 0, limit: 1 }))?.total).toBe(ids.length);
  });

  test('the limit per environment holds for snapshots built at the same time', async () => {
    const env = environment();
    await store.createEnvironment(env);
    const outcomes = await Promise.all(
      ['a', 'b', 'c'].map((n) => store.createSnapshot({ navigationId: n, environmentId: env.id, serviceName: 's', expiresAt: later }, ids, now, 2)),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(2);
  });
});
