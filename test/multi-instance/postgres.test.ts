import express from 'express';
import request from 'supertest';
import type { GoessnerObject, ServiceDefinition, SifProvider } from 'sif3-direct';
import { createSifProvider } from 'sif3-direct';
import { PostgresStore } from '../../lib/store/postgres';
import type { TestHost } from '../helpers/host';
import { memoryService, student } from '../helpers/memory-service';
import type { Session } from '../helpers/queues';
import { QUEUE_TEST_CONSUMERS, createQueue, drain, poll, session, subscribe } from '../helpers/queues';
import { postgresTarget } from '../store/postgres-target';

// Issue #12 item 2: several provider processes on one PostgreSQL schema act as one provider. Two
// Express apps, two PostgresStores, one schema, in one jest process, over real HTTP: what one
// instance does, the other sees — sessions, wake-ups, supersessions, delayed work and markers.

const postgres = postgresTarget('multi-instance suite (two providers on one PostgreSQL schema)');
const describePostgres = postgres ? describe : describe.skip;
const SILENT = { warn: () => undefined, error: () => undefined };

/** One provider instance: its app, its own store on the shared schema, and a gate its query handler can wait at. */
interface Instance extends TestHost {
  store: PostgresStore;
  /** While set, the query handler waits here before answering a page from offset `gateAt` on. */
  gate: Promise<void> | undefined;
  gateAt: number;
}

async function instance(url: string, objects: Map<string, GoessnerObject>): Promise<Instance> {
  // A short lease and housekeeping: an instance that stops is taken over within seconds.
  const store = await PostgresStore.open({ connectionString: url, maxConnections: 4, leaseSeconds: 1 });
  const shared = memoryService({ objectName: 'xStudent' });
  // One district's data behind both instances, as two processes would share the SIS database.
  for (const [id, o] of objects) shared.objects.set(id, o);
  const handlers = { ...shared.definition.handlers };
  // No queryIds: pages are served by offset, so a page after the first goes through `query`.
  delete handlers.queryIds;
  const self: Partial<Instance> = {};
  const query = handlers.query!;
  handlers.query = async (ctx, asked) => {
    if (self.gate && asked.offset >= self.gateAt!) await self.gate;
    return query(ctx, asked);
  };
  const xStudents: ServiceDefinition = { ...shared.definition, handlers };
  const provider: SifProvider = createSifProvider({
    store,
    logger: SILENT,
    consumers: QUEUE_TEST_CONSUMERS,
    services: { xStudents },
    queues: { housekeepingSeconds: 1 },
    // Every provision request waits for an administrator: one instance decides, the other must see it.
    provisionRequests: { decide: () => 'pending' },
  });
  const app = express();
  app.use('/sif3', provider.router);
  await store.coordinator().ready();
  return Object.assign(self, {
    app,
    provider,
    students: shared.objects,
    mount: '/sif3',
    dbFile: url,
    store,
    gate: undefined,
    gateAt: 0,
    close: async () => {
      await provider.close();
      await store.close();
    },
  }) as Instance;
}

/** Waits (no deadline but the test's) until `check` holds: for state another instance changes. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 25));
}

describePostgres('two provider instances on one PostgreSQL schema', () => {
  const target = postgres!;
  let schema: Awaited<ReturnType<typeof target.schema>>;
  let a: Instance;
  let b: Instance;
  const students = new Map(Array.from({ length: 25 }, (_, i) => [String(student(i + 1)['@refId']), student(i + 1)] as const));

  beforeEach(async () => {
    schema = await target.schema();
    a = await instance(schema.url, students);
    b = await instance(schema.url, students);
  });
  afterEach(async () => {
    await Promise.all([a.close(), b.close()]);
    await schema.drop();
  });
  afterAll(() => target.end());

  test('an environment created on A is used on B; deleted on A, it is refused on B as soon as the notification arrives', async () => {
    const demo = await session(a, 'DemoApp', 'DemoSecret');
    const read = () => request(b.app).get(`/sif3/environments/${demo.id}`).set('Authorization', demo.auth).set('Accept', 'application/json');
    expect((await read()).status).toBe(200); // B has it in its session cache now
    expect((await createQueue(b, demo)).id).toBeDefined();
    const deleted = await request(a.app).delete(`/sif3/environments/${demo.id}`).set('Authorization', demo.auth);
    expect(deleted.status).toBe(204);
    // B forgets it when A's NOTIFY arrives (README "Many instances": milliseconds), not before A answers.
    const deadline = Date.now() + 2000;
    let status = (await read()).status;
    while (status === 200 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      status = (await read()).status;
    }
    expect(status).toBe(401);
  });

  test('a provision request decided on A grants its rights on B, where the session was cached before', async () => {
    const kiosk = await session(a, 'Kiosk', 'KioskSecret', 'kiosk-1');
    const query = () => request(b.app).get('/sif3/requests/xStudents').set('Authorization', kiosk.auth).set('navigationPageSize', '5');
    expect((await query()).status).toBe(404); // B caches the session, without xStudents
    const asked = await request(b.app)
      .post('/sif3/provisionRequests')
      .set('Authorization', kiosk.auth)
      .set('Accept', 'application/json')
      .type('json')
      .send({ provisionRequest: { provisionedZones: { provisionedZone: { '@id': 'District', services: { service: { '@name': 'xStudents', rights: { right: { '@type': 'QUERY' } } } } } } } });
    expect(asked.status).toBe(201);
    const id = asked.body.provisionRequest['@id'];
    expect((await a.provider.provisionRequests.pending()).map((r) => r.id)).toEqual([id]);
    expect(await a.provider.provisionRequests.decide(id, 'approve')).toBe(true);
    await until(async () => (await query()).status === 200);
    expect(await b.provider.provisionRequests.decide(id, 'reject')).toBe(false);
  }, 30_000);

  test('a create on A wakes a LONG poll waiting on B, which answers it with the event', async () => {
    const subscriber = await session(a, 'Subscriber', 'SubscriberSecret');
    const q = await createQueue(a, subscriber, { polling: 'LONG', idleTimeout: 60 });
    expect((await subscribe(a, subscriber, q.id)).status).toBe(201);
    const waiting = await waitingPoll(b, subscriber, q);
    const demo = await session(b, 'DemoApp', 'DemoSecret');
    const created = await request(a.app)
      .post('/sif3/requests/xStudents/xStudent')
      .set('Authorization', demo.auth)
      .set('Accept', 'application/json')
      .type('json')
      .send({ xStudent: student(900) });
    expect(created.status).toBe(201);
    const answer = await waiting.answer;
    expect([answer.status, answer.headers.messagetype, answer.headers.eventaction]).toEqual([200, 'EVENT', 'CREATE']);
  }, 30_000);

  test('a new LONG poll on A supersedes the one waiting on B on the same connection (§9.3.3)', async () => {
    const subscriber = await session(a, 'Subscriber', 'SubscriberSecret');
    const q = await createQueue(a, subscriber, { polling: 'LONG', idleTimeout: 60 });
    expect((await subscribe(a, subscriber, q.id)).status).toBe(201);
    const older = await waitingPoll(b, subscriber, q);
    const newer = poll(a, subscriber, q.messages).then((r) => r);
    expect((await older.answer).status).toBe(204);
    // The newer one still waits, and gets the next message.
    await a.provider.changed('xStudents', 'CREATE', [student(901)]);
    expect((await newer).status).toBe(200);
  }, 30_000);

  test('a DELAYED paged query accepted on A, which stops after its first page, is finished by B: every page once', async () => {
    const demo = await session(a, 'DemoApp', 'DemoSecret');
    const q = await createQueue(a, demo);
    let openA!: () => void;
    let openB!: () => void;
    a.gate = new Promise((resolve) => (openA = resolve));
    a.gateAt = 10; // A is stuck in page 2
    b.gate = new Promise((resolve) => (openB = resolve));
    b.gateAt = 20; // B, having taken over, in page 3: A comes back while B holds the request
    const accepted = await request(a.app)
      .get('/sif3/requests/xStudents')
      .set('Authorization', demo.auth)
      .set('requestType', 'DELAYED')
      .set('queueId', q.id)
      .set('requestId', 'failover')
      .set('navigationPageSize', '10')
      .set('Accept', 'application/json');
    expect(accepted.status).toBe(202);
    await until(async () => (await a.store.getQueue(demo.id, q.id))!.messageCount >= 1);
    // A stops taking work and is left stuck in its second page: as good as dead to the others.
    const closingA = a.close();
    await until(async () => (await b.store.getQueue(demo.id, q.id))!.messageCount >= 2);
    // A's second page comes back after B took over and queued it: it is refused, not queued again.
    openA();
    await closingA;
    a = await instance(schema.url, students); // for afterEach
    openB();
    await until(async () => (await b.store.pendingDelayedRequests()).length === 0);
    const pages = await drain(b, demo, q.messages);
    expect(pages.map((p) => [p.headers.requestid, p.headers.navigationpage])).toEqual([
      ['failover', '1'],
      ['failover', '2'],
      ['failover', '3'],
    ]);
    const ids = pages.flatMap((p) => p.body.xStudents.xStudent.map((s: GoessnerObject) => s['@refId']));
    expect(ids).toEqual([...students.keys()]);
  }, 30_000);

  test('a changes-since marker from A is honoured on B', async () => {
    const demo = await session(a, 'DemoApp', 'DemoSecret');
    const head = await request(a.app).head('/sif3/requests/xStudents').set('Authorization', demo.auth);
    const marker = String(head.headers.changessincemarker);
    await b.provider.changed('xStudents', 'UPDATE', [student(3)]);
    const since = await request(b.app).get('/sif3/requests/xStudents').query({ changesSinceMarker: marker }).set('Authorization', demo.auth).set('Accept', 'application/json');
    expect(since.status).toBe(200);
    expect(since.body.xStudents.xStudent.map((s: GoessnerObject) => s['@refId'])).toEqual([student(3)['@refId']]);
  });
});

if (!postgres) test.skip('multi-instance suite (SIF_TEST_DATABASE_URL is not set)', () => undefined);

/** A LONG poll on `on`, once it is known to be waiting (its poll time recorded); `answer` resolves with its answer. */
async function waitingPoll(on: Instance, who: Session, q: { id: string; messages: string }): Promise<{ answer: Promise<request.Response> }> {
  const before = (await on.store.getQueue(who.id, q.id))!.lastPolled;
  const answer = poll(on, who, q.messages).then((r) => r);
  await until(async () => (await on.store.getQueue(who.id, q.id))!.lastPolled !== before);
  // Wrapped: an async function returning the promise itself would wait for the answer.
  return { answer };
}
