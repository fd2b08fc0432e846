import { Pool } from 'pg';
import { PostgresStore } from '../../lib/store/postgres';
import { MIGRATIONS } from '../../lib/store/postgres/migrations';
import type { NewQueueMessage } from '../../lib/store/store';
import { newId } from '../../lib/util/ids';
import { environment } from './contract';
import { postgresTarget } from './postgres-target';
import { queue } from './queue-contract';

// What only PostgreSQL has to show: migrations shared by instances that start together, pool
// ownership, and invariants held across two store instances on one schema (as two provider
// processes would be). The contract suites in stores.test.ts cover the domain behaviour.

const postgres = postgresTarget('PostgresStore specifics');
const describePostgres = postgres ? describe : describe.skip;

describePostgres('PostgresStore specifics', () => {
  const target = postgres!;
  afterAll(() => target.end());

  test('migrations are recorded in schema_migrations; state survives reopening without migrating again', async () => {
    const schema = await target.schema();
    const store = await PostgresStore.open(schema.url);
    const env = environment();
    await store.createEnvironment(env);
    const { epoch } = await store.changeLogState();
    await store.close();

    const reopened = await PostgresStore.open(schema.url);
    expect(await reopened.getEnvironment(env.id)).toEqual(env);
    expect((await reopened.changeLogState()).epoch).toBe(epoch);
    await reopened.close();
    const versions = await target.query<{ version: number }>(`SELECT version FROM "${schema.name}".schema_migrations ORDER BY version`);
    expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    await schema.drop();
  });

  test('instances that start at once on an empty schema migrate it once and all open', async () => {
    const schema = await target.schema();
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.open(schema.url)));
    const epochs = new Set(await Promise.all(stores.map(async (s) => (await s.changeLogState()).epoch)));
    expect(epochs.size).toBe(1);
    await Promise.all(stores.map((s) => s.close()));
    const [count] = await target.query<{ n: string }>(`SELECT count(*) AS n FROM "${schema.name}".schema_migrations`);
    expect(Number(count!.n)).toBe(MIGRATIONS.length);
    await schema.drop();
  });

  test('refuses a schema migrated by a newer version', async () => {
    const schema = await target.schema();
    await (await PostgresStore.open(schema.url)).close();
    await target.query(`INSERT INTO "${schema.name}".schema_migrations (version) VALUES ($1)`, [MIGRATIONS.length + 1]);
    await expect(PostgresStore.open(schema.url)).rejects.toThrow(/newer/);
    await schema.drop();
  });

  test('a pool of the host is used and left open; a pool the store made is ended; a closed store refuses calls', async () => {
    const schema = await target.schema();
    const pool = new Pool({ connectionString: schema.url, max: 2 });
    const shared = await PostgresStore.open({ pool });
    await shared.createEnvironment(environment());
    await shared.close();
    expect((await pool.query<{ n: number }>('SELECT 1 AS n')).rows[0]!.n).toBe(1);
    await expect(shared.getEnvironment(newId())).rejects.toThrow(/closed/);
    await pool.end();

    const own = await PostgresStore.open({ connectionString: schema.url, maxConnections: 2 });
    const ownPool = (own as unknown as { pool: Pool }).pool;
    await own.close();
    expect(ownPool.ended).toBe(true);
    await expect(own.changeLogState()).rejects.toThrow(/closed/);
    await own.close(); // twice is harmless
    await schema.drop();
  });

  test('a snapshot written in several statements reads back whole, in order, across their boundaries', async () => {
    const { store, cleanup } = await target.open();
    const env = environment();
    await store.createEnvironment(env);
    const ids = Array.from({ length: 25_001 }, (_, i) => `id-${i}`);
    const now = '2026-01-01T00:00:00.000Z';
    expect(await store.createSnapshot({ navigationId: 'n', environmentId: env.id, serviceName: 's', expiresAt: '2026-01-02T00:00:00.000Z' }, ids, now, 5)).toBe(true);
    for (const [offset, limit] of [[0, 5], [9_995, 10], [19_999, 2], [24_990, 100]] as const) {
      expect((await store.snapshotPage('n', env.id, now, { offset, limit }))?.objectIds).toEqual(ids.slice(offset, offset + limit));
    }
    await store.close();
    await cleanup();
  });

  test('an unreachable database fails open() with the driver\'s error', async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    await expect(PostgresStore.open('postgres://nobody@127.0.0.1:1/none')).rejects.toThrow();
  });

  describe('two instances on one schema (two provider processes)', () => {
    let schema: Awaited<ReturnType<PostgresTarget['schema']>>;
    let a: PostgresStore;
    let b: PostgresStore;
    beforeEach(async () => {
      schema = await target.schema();
      [a, b] = await Promise.all([PostgresStore.open(schema.url), PostgresStore.open(schema.url)]);
    });
    afterEach(async () => {
      await Promise.all([a.close(), b.close()]);
      await schema.drop();
    });

    test('change-log sequence numbers are unique, gap-free and in commit order across instances', async () => {
      const keep = { maxEntries: 10_000, olderThan: '2000-01-01T00:00:00.000Z' };
      const at = '2026-01-01T00:00:00.000Z';
      const writes = Array.from({ length: 40 }, (_, i) =>
        (i % 2 ? a : b).appendChanges([{ serviceName: 's', objectId: `o${i}`, action: 'CREATE' }, { serviceName: 's', objectId: `p${i}`, action: 'CREATE' }], at, keep),
      );
      await Promise.all(writes);
      expect(await a.changeLogState()).toEqual(await b.changeLogState());
      expect((await a.changeLogState()).latest).toBe(80);
      const seqs = (await b.changedObjects('s', 0, 80, { offset: 0, limit: 100 })).map((c) => c.seq);
      expect(seqs).toEqual(Array.from({ length: 80 }, (_, i) => i + 1));
      // Each batch keeps its two entries next to each other: nothing interleaves inside a batch.
      const objects = await a.changedObjects('s', 0, 80, { offset: 0, limit: 100 });
      for (let i = 0; i < 80; i += 2) expect(objects[i + 1]!.objectId).toBe(objects[i]!.objectId.replace('o', 'p'));
    });

    test('one identity registered through both at once creates exactly one environment; quotas hold across them', async () => {
      const key = environment().identityKey;
      const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).createEnvironment(environment({ identityKey: key }))));
      expect(outcomes.filter((o) => o.created)).toHaveLength(1);
      const limited = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).createEnvironment(environment({ applicationKey: 'race' }), 4)),
      );
      expect(limited.filter((o) => o.created)).toHaveLength(4);
    });

    test('queue depth and hand-outs hold across instances: no message past the depth, none handed out twice', async () => {
      const env = environment();
      await a.createEnvironment(env);
      const q = queue(env.id);
      await a.createQueue(q, { perEnvironment: 10, perApplication: 10 });
      const refused = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).enqueue([message(q.id), message(q.id)], 25)));
      expect(refused.flat()).toHaveLength(15);
      expect((await b.getQueue(env.id, q.id))!.messageCount).toBe(25);
      const taken = await Promise.all(Array.from({ length: 25 }, (_, i) => (i % 2 ? a : b).takeMessage(q.id, `c${i}`, '2026-01-01T00:01:00.000Z')));
      expect(new Set(taken.map((m) => m!.id)).size).toBe(25);
      await Promise.all(taken.map((m, i) => (i % 2 ? b : a).removeMessage(q.id, m!.id, `c${i}`)));
      expect((await a.getQueue(env.id, q.id))!.messageCount).toBe(0);
    });
  });
});

type PostgresTarget = NonNullable<ReturnType<typeof postgresTarget>>;

function message(queueId: string): NewQueueMessage {
  return { id: newId(), queueId, createdAt: '2026-01-01T00:00:00.000Z', headers: { messageType: 'EVENT' }, body: { kind: 'encoded', contentType: 'application/xml', bytes: Buffer.from([0, 1, 2, 255]) } };
}
