import request from 'supertest';
import type { TestHost } from '../helpers/host';
import { INFRA_NS, TEST_CONSUMERS, createTestHost } from '../helpers/host';
import { student } from '../helpers/memory-service';
import type { Session } from '../helpers/queues';
import { QUEUE_TEST_CONSUMERS, SUBSCRIBER, createQueue, drain, poll, session, subscribe } from '../helpers/queues';

// Queues, messages and subscriptions (Infrastructure Services §9–10, interop.md §5) over real HTTP
// against a real SQLite file.

function hostWithQueues(queues: Record<string, number> = {}): TestHost {
  return createTestHost({ consumers: QUEUE_TEST_CONSUMERS, queues });
}

async function createStudent(host: TestHost, who: Session, i: number) {
  const res = await request(host.app)
    .post('/sif3/requests/xStudents/xStudent')
    .set('Authorization', who.auth)
    .set('Accept', 'application/json')
    .type('json')
    .send({ xStudent: student(i) });
  expect(res.status).toBe(201);
  return res;
}

describe('queues turned off (the default)', () => {
  let host: TestHost;
  beforeAll(() => {
    // Granting SUBSCRIBE with queues off is refused at start-up (issue #10): the subscriber's right is REJECTED here.
    const rights = { QUERY: 'APPROVED', SUBSCRIBE: 'REJECTED' } as const;
    const subscriber = { ...SUBSCRIBER, environment: { defaultZone: { id: 'District', services: [{ name: 'xStudents', rights }] } } };
    host = createTestHost({ consumers: [...TEST_CONSUMERS, subscriber] });
  });
  afterAll(async () => host.close());

  test('the environment lists neither queues nor subscriptions, nor SUBSCRIBE rights', async () => {
    const a = await session(host, 'Subscriber', 'SubscriberSecret');
    const names = (a.body.infrastructureServices as any).infrastructureService.map((s: any) => s['@name']);
    expect(names).toEqual(['environment', 'requestsConnector', 'provisionRequests']);
    expect(JSON.stringify(a.body.provisionedZones)).not.toContain('SUBSCRIBE');
    expect((await request(host.app).get('/sif3/queues').set('Authorization', a.auth)).status).toBe(404);
    expect((await request(host.app).post('/sif3/subscriptions').set('Authorization', a.auth)).status).toBe(404);
  });

  test('a DELAYED request is a 400', async () => {
    const a = await session(host, 'DemoApp', 'DemoSecret', 'off');
    const res = await request(host.app).get('/sif3/requests/xStudents').set('Authorization', a.auth).set('requestType', 'DELAYED').set('queueId', 'q');
    expect(res.status).toBe(400);
    expect(res.text).toContain('Delayed requests are not supported');
  });
});

describe('queues service', () => {
  let host: TestHost;
  let a: Session;
  let b: Session;
  beforeAll(async () => {
    host = hostWithQueues({ maxIdleTimeoutSeconds: 20, maxConcurrentConnections: 3, maxQueuesPerEnvironment: 4 });
    a = await session(host, 'Subscriber', 'SubscriberSecret');
    b = await session(host, 'DemoApp', 'DemoSecret');
  });
  afterAll(async () => host.close());

  test('the environment lists queues and subscriptions and the SUBSCRIBE right', () => {
    const services = (a.body.infrastructureServices as any).infrastructureService;
    expect(services.map((s: any) => s['@name'])).toEqual(['environment', 'requestsConnector', 'provisionRequests', 'queues', 'subscriptions']);
    expect(services[3]['#text']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/sif3\/queues$/);
    expect(JSON.stringify(a.body.provisionedZones)).toContain('{"@type":"SUBSCRIBE","#text":"APPROVED"}');
  });

  test('create (XML) → 201 with every element the provider fills, in schema order', async () => {
    const res = await request(host.app)
      .post('/sif3/queues')
      .set('Authorization', a.auth)
      .type('xml')
      .send(`<queue xmlns="${INFRA_NS}"><polling>LONG</polling><name>Sync</name><idleTimeout>300</idleTimeout><maxConcurrentConnections>9</maxConcurrentConnections></queue>`);
    expect(res.status).toBe(201);
    const id = /<queue[^>]* id="([^"]+)"/.exec(res.text)![1]!;
    expect(res.headers.location).toMatch(new RegExp(`/sif3/queues/${id}$`));
    const elements = [...res.text.matchAll(/<(\w+)>/g)].map((m) => m[1]);
    expect(elements).toEqual([
      'polling', 'ownerId', 'name', 'queueUri', 'idleTimeout', 'minWaitTime', 'maxConcurrentConnections',
      'created', 'lastAccessed', 'lastModified', 'messageCount',
    ]);
    expect(res.text).toContain(`<ownerId>${a.id}</ownerId>`);
    expect(res.text).toMatch(new RegExp(`<queueUri>http://[^<]+/sif3/queues/${id}/messages</queueUri>`));
    expect(res.text).toContain('<idleTimeout>20</idleTimeout>'); // lowered to the configured maximum
    expect(res.text).toContain('<maxConcurrentConnections>3</maxConcurrentConnections>');
    expect(res.text).toContain('<messageCount>0</messageCount>');
  });

  test('IMMEDIATE is the default polling; idleTimeout is 0 and one connection', async () => {
    const q = await createQueue(host, a);
    expect(q.body).toMatchObject({ polling: 'IMMEDIATE', idleTimeout: '0', minWaitTime: '0', maxConcurrentConnections: '1' });
    expect((await poll(host, a, q.messages)).status).toBe(204);
  });

  test('query and read the caller’s queues; another consumer sees none of them', async () => {
    const q = await createQueue(host, a, { name: 'Mine' });
    const all = await request(host.app).get('/sif3/queues').set('Authorization', a.auth).set('Accept', 'application/json');
    expect(all.status).toBe(200);
    expect(all.body.queues.queue.map((x: any) => x['@id'])).toContain(q.id);
    const one = await request(host.app).get(`/sif3/queues/${q.id}`).set('Authorization', a.auth).set('Accept', 'application/json');
    expect(one.body.queue).toMatchObject({ '@id': q.id, name: 'Mine', ownerId: a.id });
    expect((await request(host.app).get('/sif3/queues').set('Authorization', b.auth)).status).toBe(204);
    for (const res of [
      await request(host.app).get(`/sif3/queues/${q.id}`).set('Authorization', b.auth),
      await request(host.app).delete(`/sif3/queues/${q.id}`).set('Authorization', b.auth),
      await poll(host, b, q.messages),
    ]) {
      expect(res.status).toBe(404);
      expect(res.text).toContain('No such queue');
    }
  });

  test('refusals: ownerUri → 405, bad polling → 400, update → 405, over the limit → 409, no auth → 401', async () => {
    const owner = await request(host.app).post('/sif3/queues').set('Authorization', a.auth).type('json').send({ queue: { ownerUri: 'http://me/wake' } });
    expect(owner.status).toBe(405);
    const polling = await request(host.app).post('/sif3/queues').set('Authorization', a.auth).type('json').send({ queue: { polling: 'SOMETIMES' } });
    expect([polling.status, polling.text]).toEqual([400, expect.stringContaining('polling must be IMMEDIATE or LONG')]);
    const unknown = await request(host.app).post('/sif3/queues').set('Authorization', a.auth).type('json').send({ queue: { colour: 'red' } });
    expect(unknown.status).toBe(400);
    expect((await request(host.app).put('/sif3/queues/x').set('Authorization', a.auth)).status).toBe(405);
    expect((await request(host.app).post('/sif3/queues').type('json').send({ queue: {} })).status).toBe(401);
    const c = await session(host, 'DemoApp', 'DemoSecret', 'limit');
    for (let i = 0; i < 4; i++) await createQueue(host, c);
    const over = await request(host.app).post('/sif3/queues').set('Authorization', c.auth).type('json').send({ queue: {} });
    expect([over.status, over.text]).toEqual([409, expect.stringContaining('at most 4 queues')]);
  });

  test('delete → 204, then 404; its subscriptions go with it', async () => {
    const q = await createQueue(host, a);
    const sub = await subscribe(host, a, q.id, 'xStudents', { zoneId: 'Elementary' });
    expect(sub.status).toBe(201);
    expect((await request(host.app).delete(`/sif3/queues/${q.id}`).set('Authorization', a.auth)).status).toBe(204);
    expect((await request(host.app).delete(`/sif3/queues/${q.id}`).set('Authorization', a.auth)).status).toBe(404);
    expect((await request(host.app).get(`/sif3/subscriptions/${sub.body.subscription['@id']}`).set('Authorization', a.auth)).status).toBe(404);
  });
});

describe('events and messages', () => {
  let host: TestHost;
  let a: Session;
  let b: Session;
  beforeEach(async () => {
    host = hostWithQueues({ eventBatchSize: 2, maxConcurrentConnections: 2 });
    a = await session(host, 'Subscriber', 'SubscriberSecret');
    b = await session(host, 'DemoApp', 'DemoSecret');
  });
  afterEach(async () => host.close());

  test('B creates, updates and deletes; A receives exactly those events, in order, with get-next-and-pop', async () => {
    const q = await createQueue(host, a);
    expect((await subscribe(host, a, q.id)).status).toBe(201);
    const created = await createStudent(host, b, 1);
    const id = created.body.xStudent['@refId'];
    expect((await request(host.app).put(`/sif3/requests/xStudents/${id}`).set('Authorization', b.auth).type('json').send({ xStudent: { localId: '77' } })).status).toBe(204);
    expect((await request(host.app).delete(`/sif3/requests/xStudents/${id}`).set('Authorization', b.auth)).status).toBe(204);

    const messages = await drain(host, a, q.messages);
    expect(messages.map((m) => [m.headers.messagetype, m.headers.eventaction, m.headers.replacement])).toEqual([
      ['EVENT', 'CREATE', 'FULL'],
      ['EVENT', 'UPDATE', 'PARTIAL'],
      ['EVENT', 'DELETE', undefined],
    ]);
    for (const m of messages) {
      expect(m.headers).toMatchObject({ servicename: 'xStudents', servicetype: 'OBJECT', zoneid: 'District', contextid: 'DEFAULT' });
      expect(m.headers.messageid).toMatch(/^[0-9a-f-]{36}$/);
      expect(m.headers.responseaction).toBeUndefined();
    }
    expect(messages[0]!.body.xStudents.xStudent).toEqual([expect.objectContaining({ '@refId': id, localId: '1001' })]);
    expect(messages[1]!.body.xStudents.xStudent).toEqual([{ '@refId': id, localId: '77' }]);
    expect(messages[2]!.body.xStudents.xStudent).toEqual([{ '@refId': id }]);
    const queue = await request(host.app).get(`/sif3/queues/${q.id}`).set('Authorization', a.auth).set('Accept', 'application/json');
    expect(queue.body.queue.messageCount).toBe('0');
  });

  test('a message stays until deleted: polling again returns it; DELETE {queueUri}/{id} removes it', async () => {
    const q = await createQueue(host, a);
    await subscribe(host, a, q.id);
    await createStudent(host, b, 1);
    await createStudent(host, b, 2);
    const head = await request(host.app).head(q.messages).set('Authorization', a.auth);
    expect([head.status, head.headers.allow]).toEqual([405, 'GET']);
    const first = await poll(host, a, q.messages);
    const again = await poll(host, a, q.messages);
    expect(again.headers.messageid).toBe(first.headers.messageid);
    expect((await request(host.app).delete(`${q.messages}/${first.headers.messageid}`).set('Authorization', a.auth)).status).toBe(204);
    expect((await request(host.app).delete(`${q.messages}/${first.headers.messageid}`).set('Authorization', a.auth)).status).toBe(404);
    const second = await poll(host, a, q.messages);
    expect(second.status).toBe(200);
    expect(second.headers.messageid).not.toBe(first.headers.messageid);
    expect(second.body.xStudents.xStudent[0].localId).toBe('1002');
  });

  test('deleteMessageId also as a header and as ;messageId=; an id not outstanding → 404', async () => {
    const q = await createQueue(host, a);
    await subscribe(host, a, q.id);
    for (const i of [1, 2, 3]) await createStudent(host, b, i);
    const m1 = await poll(host, a, q.messages);
    const m2 = await request(host.app).get(q.messages).set('Authorization', a.auth).set('deleteMessageId', m1.headers.messageid!);
    expect(m2.status).toBe(200);
    const m3 = await request(host.app).get(`${q.messages};messageId=${m2.headers.messageid}`).set('Authorization', a.auth);
    expect(m3.status).toBe(200);
    expect(new Set([m1.headers.messageid, m2.headers.messageid, m3.headers.messageid]).size).toBe(3);
    const wrong = await poll(host, a, q.messages, { deleteId: m1.headers.messageid });
    expect(wrong.status).toBe(404);
    expect((await poll(host, a, q.messages, { deleteId: m3.headers.messageid })).status).toBe(204);
  });

  test('events are batched: five objects in one request, two per event', async () => {
    const q = await createQueue(host, a);
    await subscribe(host, a, q.id);
    const five = { xStudents: { xStudent: [1, 2, 3, 4, 5].map((i) => student(i)) } };
    expect((await request(host.app).post('/sif3/requests/xStudents').set('Authorization', b.auth).type('json').send(five)).status).toBe(200);
    const messages = await drain(host, a, q.messages);
    expect(messages.map((m) => m.body.xStudents.xStudent.map((s: any) => s.localId))).toEqual([['1001', '1002'], ['1003', '1004'], ['1005']]);
  });

  test('events come only for the subscribed zone; host changes reach every zone subscribed', async () => {
    const district = await createQueue(host, a);
    const elementary = await createQueue(host, a);
    await subscribe(host, a, district.id);
    expect((await subscribe(host, a, elementary.id, 'xStudents', { zoneId: 'Elementary' })).status).toBe(201);
    await createStudent(host, b, 1); // in District, B's default zone
    expect((await drain(host, a, district.messages)).length).toBe(1);
    expect((await drain(host, a, elementary.messages)).length).toBe(0);
    await host.provider.changed('xStudents', 'UPDATE', [{ '@refId': String(student(1)['@refId']), localId: '5' }], { generatorId: 'clerk-9' });
    const [inElementary] = await drain(host, a, elementary.messages);
    expect(inElementary!.headers).toMatchObject({ zoneid: 'Elementary', eventaction: 'UPDATE', generatorid: 'clerk-9' });
    expect((await drain(host, a, district.messages)).length).toBe(1);
  });

  test('events are encoded in the format of the poll: XML in the service namespace', async () => {
    const q = await createQueue(host, a);
    await subscribe(host, a, q.id);
    await createStudent(host, b, 1);
    const res = await poll(host, a, q.messages, { accept: 'application/xml' });
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    expect(res.text).toMatch(/^<\?xml[^>]*\?><xStudents xmlns="http:\/\/www\.sifassociation\.org\/datamodel\/na\/3\.6"><xStudent refId=/);
  });

  test('concurrent connections: each holds its own message; connectionId is required and bounded', async () => {
    const q = await createQueue(host, a, { maxConcurrentConnections: 2 });
    await subscribe(host, a, q.id);
    for (const i of [1, 2, 3]) await createStudent(host, b, i);
    expect((await poll(host, a, q.messages)).status).toBe(404);
    expect((await poll(host, a, q.messages, { connectionId: 2 })).status).toBe(404);
    const c0 = await poll(host, a, q.messages, { connectionId: 0 });
    const c1 = await poll(host, a, q.messages, { connectionId: 1 });
    expect([c0.headers.connectionid, c1.headers.connectionid]).toEqual(['0', '1']);
    expect(c0.headers.messageid).not.toBe(c1.headers.messageid);
    expect((await poll(host, a, q.messages, { connectionId: 0 })).headers.messageid).toBe(c0.headers.messageid);
    // Popping another connection's message is not allowed.
    expect((await poll(host, a, q.messages, { connectionId: 0, deleteId: c1.headers.messageid })).status).toBe(404);
    const next = await poll(host, a, q.messages, { connectionId: 0, deleteId: c0.headers.messageid });
    expect(next.body.xStudents.xStudent[0].localId).toBe('1003');
  });
});

describe('long polling and minWaitTime', () => {
  let host: TestHost;
  let a: Session;
  let b: Session;
  beforeAll(async () => {
    host = hostWithQueues({ minWaitTimeSeconds: 30 });
    a = await session(host, 'Subscriber', 'SubscriberSecret');
    b = await session(host, 'DemoApp', 'DemoSecret');
  });
  afterAll(async () => host.close());

  test('a LONG poll is held until a message arrives, and answers at once then', async () => {
    const q = await createQueue(host, a, { polling: 'LONG', idleTimeout: 10 });
    expect(q.body.minWaitTime).toBe('0');
    await subscribe(host, a, q.id);
    const started = Date.now();
    const pending = poll(host, a, q.messages).then((res) => ({ res, at: Date.now() }));
    await new Promise((r) => setTimeout(r, 300));
    const createdAt = Date.now();
    await createStudent(host, b, 1);
    const { res, at } = await pending;
    expect(res.status).toBe(200);
    expect(res.headers.eventaction).toBe('CREATE');
    expect(at - started).toBeGreaterThanOrEqual(300); // it was held...
    expect(at - createdAt).toBeLessThan(2000); // ...and answered promptly, far before idleTimeout
  });

  test('an empty LONG poll answers 204 after idleTimeout', async () => {
    const q = await createQueue(host, a, { polling: 'LONG', idleTimeout: 1 });
    const started = Date.now();
    const res = await poll(host, a, q.messages);
    expect(res.status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  test('deleting the queue ends its long polls', async () => {
    const q = await createQueue(host, a, { polling: 'LONG', idleTimeout: 10 });
    const started = Date.now();
    const pending = poll(host, a, q.messages).then((res) => res);
    await new Promise((r) => setTimeout(r, 200));
    await request(host.app).delete(`/sif3/queues/${q.id}`).set('Authorization', a.auth);
    expect((await pending).status).toBe(204);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('IMMEDIATE queues report minWaitTime and refuse a poll sooner than that after an empty answer', async () => {
    const q = await createQueue(host, a);
    expect(q.body.minWaitTime).toBe('30');
    expect((await poll(host, a, q.messages)).status).toBe(204);
    const busy = await poll(host, a, q.messages);
    expect(busy.status).toBe(503);
    expect(busy.text).toContain('Service is busy');
  });
});

describe('subscriptions service', () => {
  let host: TestHost;
  let a: Session;
  let b: Session;
  beforeAll(async () => {
    host = hostWithQueues();
    a = await session(host, 'Subscriber', 'SubscriberSecret');
    b = await session(host, 'DemoApp', 'DemoSecret');
  });
  afterAll(async () => host.close());

  test('create (XML) → 201 in schema order, defaults filled; query, read, delete', async () => {
    const q = await createQueue(host, a);
    const res = await request(host.app)
      .post('/sif3/subscriptions')
      .set('Authorization', a.auth)
      .type('xml')
      .send(`<subscription xmlns="${INFRA_NS}"><serviceType>OBJECT</serviceType><serviceName>xStudents</serviceName><subscriptionName>Portal</subscriptionName><queueId>${q.id}</queueId></subscription>`);
    expect(res.status).toBe(201);
    const id = /<subscription[^>]* id="([^"]+)"/.exec(res.text)![1]!;
    expect(res.text).toContain(`<zoneId>District</zoneId><contextId>DEFAULT</contextId><serviceType>OBJECT</serviceType><serviceName>xStudents</serviceName><queueId>${q.id}</queueId></subscription>`);
    const list = await request(host.app).get('/sif3/subscriptions').set('Authorization', a.auth).set('Accept', 'application/json');
    expect(list.body.subscriptions.subscription.map((s: any) => s['@id'])).toEqual([id]);
    expect((await request(host.app).get(`/sif3/subscriptions/${id}`).set('Authorization', b.auth)).status).toBe(404);
    expect((await request(host.app).delete(`/sif3/subscriptions/${id}`).set('Authorization', b.auth)).status).toBe(404);
    expect((await request(host.app).get(`/sif3/subscriptions/${id}`).set('Authorization', a.auth)).status).toBe(200);
    expect((await request(host.app).delete(`/sif3/subscriptions/${id}`).set('Authorization', a.auth)).status).toBe(204);
    expect((await request(host.app).get('/sif3/subscriptions').set('Authorization', a.auth)).status).toBe(204);
  });

  test('refusals: no SUBSCRIBE right → 403; another’s queue → 404; unknown service → 404; twice → 409', async () => {
    const mine = await createQueue(host, a);
    const theirs = await createQueue(host, b);
    const noRight = await subscribe(host, b, theirs.id);
    expect([noRight.status, noRight.text]).toEqual([403, expect.stringContaining('SUBSCRIBE')]);
    expect((await subscribe(host, a, theirs.id)).status).toBe(404);
    expect((await subscribe(host, a, mine.id, 'xTeachers')).status).toBe(404);
    expect((await subscribe(host, a, mine.id, 'xStudents', { zoneId: 'Nowhere' })).status).toBe(404);
    expect((await subscribe(host, a, mine.id, 'xStudents', { serviceType: 'FUNCTIONAL' })).status).toBe(400);
    const missing = await request(host.app).post('/sif3/subscriptions').set('Authorization', a.auth).type('json').send({ subscription: { serviceName: 'xStudents' } });
    expect([missing.status, missing.text]).toEqual([400, expect.stringContaining('queueId is mandatory')]);
    expect((await subscribe(host, a, mine.id)).status).toBe(201);
    const twice = await subscribe(host, a, mine.id);
    expect([twice.status, twice.text]).toEqual([409, expect.stringContaining('Already subscribed')]);
  });

  test('deleting the environment deletes its queues and subscriptions', async () => {
    const c = await session(host, 'Subscriber', 'SubscriberSecret', 'leaving');
    const q = await createQueue(host, c);
    await subscribe(host, c, q.id);
    expect((await request(host.app).delete(`/sif3/environments/${c.id}`).set('Authorization', c.auth)).status).toBe(204);
    expect(await host.provider.store.listQueues(c.id)).toEqual([]);
    expect(await host.provider.store.listSubscriptions(c.id)).toEqual([]);
    expect((await host.provider.store.subscriptionsTo('xStudents')).some((s) => s.environmentId === c.id)).toBe(false);
  });
});

/** Header names exactly as they came over the wire, repeats included. */
function headerNames(res: request.Response): string[] {
  const raw = (res as unknown as { res: { rawHeaders: string[] } }).res.rawHeaders;
  return raw.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
}

test('a delivered message repeats no header, even in a host app that sets none of its own (Node then sends repeats as they are)', async () => {
  const host = createTestHost({ consumers: QUEUE_TEST_CONSUMERS, queues: true });
  host.app.disable('x-powered-by');
  try {
    const a = await session(host, 'Subscriber', 'SubscriberSecret');
    const b = await session(host, 'DemoApp', 'DemoSecret');
    const q = await createQueue(host, a);
    await subscribe(host, a, q.id);
    await request(host.app).post('/sif3/requests/xStudents/xStudent').set('Authorization', b.auth).type('json').send({ xStudent: student(1) });
    await request(host.app).get('/sif3/requests/xStudents').set('Authorization', a.auth).set('requestType', 'DELAYED').set('queueId', q.id).set('requestId', 'r');
    await host.provider.idle();
    for (const message of [await poll(host, a, q.messages), await poll(host, a, q.messages)]) {
      const names = headerNames(message);
      expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
      expect(names).toContain('timestamp');
    }
    const event = await poll(host, a, q.messages);
    const answer = await poll(host, a, q.messages, { deleteId: event.headers.messageid });
    const names = headerNames(answer);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
    expect(answer.headers).toMatchObject({ requestid: 'r', messagetype: 'RESPONSE', responseaction: 'QUERY' });
  } finally {
    await host.close();
  }
});
