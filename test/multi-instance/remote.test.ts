import express from 'express';
import request from 'supertest';
import { createSifProvider } from 'sif3-direct';
import { PostgresStore } from '../../lib/store/postgres';
import type { TestHost } from '../helpers/host';
import { memoryService } from '../helpers/memory-service';
import { createQueue, drain, session } from '../helpers/queues';
import { REMOTE_CONSUMERS, XSTAFFS, answer, staff, subscribe35 } from '../remote/helpers';
import { postgresTarget } from '../store/postgres-target';

// Remote providers (SIF 3.5 pull mode) across two provider instances on one PostgreSQL schema: a
// request accepted on one instance wakes the remote provider's long poll on the other, and the same
// answer part posted to both instances at once is delivered once.

const postgres = postgresTarget('multi-instance remote-provider suite (two providers on one PostgreSQL schema)');
const describePostgres = postgres ? describe : describe.skip;

async function instance(url: string): Promise<TestHost & { store: PostgresStore }> {
  const store = await PostgresStore.open({ connectionString: url, maxConnections: 4, leaseSeconds: 1 });
  const students = memoryService({ objectName: 'xStudent' });
  const provider = createSifProvider({
    store,
    logger: { warn: () => undefined, error: () => undefined },
    consumers: REMOTE_CONSUMERS,
    services: { xStudents: students.definition, xStaffs: XSTAFFS },
    queues: { housekeepingSeconds: 1 },
  });
  const app = express();
  app.use('/sif3', provider.router);
  await store.coordinator().ready();
  return {
    app, provider, students: students.objects, mount: '/sif3', dbFile: url, store,
    close: async () => {
      await provider.close();
      await store.close();
    },
  };
}

describePostgres('remote providers on two instances of one PostgreSQL schema', () => {
  const target = postgres!;
  let schema: Awaited<ReturnType<typeof target.schema>>;
  let a: Awaited<ReturnType<typeof instance>>;
  let b: Awaited<ReturnType<typeof instance>>;
  beforeEach(async () => {
    schema = await target.schema();
    a = await instance(schema.url);
    b = await instance(schema.url);
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
    await schema.drop();
  });
  afterAll(() => target.end());

  test('routed on A, pulled on B by a waiting long poll, a part posted to A and B at once is delivered once', async () => {
    const p = await session(b, 'StaffDirectory', 'StaffSecret');
    const pq = await createQueue(b, p, { polling: 'LONG', idleTimeout: 30 });
    expect((await subscribe35(b, p, { serviceName: 'xStaffs', messageType: 'REQUEST', queueId: pq.id })).status).toBe(201);
    const waiting = request(b.app).get(pq.messages).set('Authorization', p.auth).set('Accept', 'application/json').then((r) => r);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the poll is registered on B
    const consumer = await session(a, 'DemoApp', 'DemoSecret');
    const q = await createQueue(a, consumer);
    const accepted = await request(a.app).get('/sif3/requests/xStaffs').set('Authorization', consumer.auth)
      .set('requestType', 'DELAYED').set('queueId', q.id).set('requestId', 'across').set('navigationPageSize', '1');
    expect(accepted.status).toBe(202);
    const pulled = await waiting;
    expect([pulled.status, pulled.headers.messagetype]).toEqual([200, 'REQUEST']);
    const ref = pulled.headers.requestid!;
    const body = { xStaffs: { xStaff: [staff(1)] } };
    const both = await Promise.all([a, b].map((host) => answer(host, p, ref, { navigationPage: '1', navigationLastPage: '2' }, body)));
    expect(both.map((r) => r.status)).toEqual([202, 202]);
    expect((await answer(a, p, ref, { navigationPage: '2', navigationLastPage: '2' }, { xStaffs: { xStaff: [staff(2)] } })).status).toBe(202);
    const pages = await drain(b, consumer, q.messages);
    expect(pages.map((m) => [m.headers.requestid, m.headers.navigationpage])).toEqual([['across', '1'], ['across', '2']]);
  }, 30_000);
});
