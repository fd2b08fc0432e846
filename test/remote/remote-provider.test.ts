import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import request from 'supertest';
import type { TestHost } from '../helpers/host';
import type { Session } from '../helpers/queues';
import { createQueue, drain, poll, session } from '../helpers/queues';
import { REMOTE_CONSUMERS, XSTAFFS, answer, remoteHost, staff, subscribe35 } from './helpers';
import { createTestHost } from '../helpers/host';
import { memoryService } from '../helpers/memory-service';

// SIF 3.5 asynchronous providers in pull mode (seed "Asynchronous Providers (modern Pull Mode)",
// Infrastructure Service Objects 3.5 §3.5.6 subscription messageType REQUEST), over real HTTP
// against a real SQLite file: the provider's side is driven by hand, as a vendor's would be.

function delayedRequest(host: TestHost, who: Session, method: 'get' | 'post' | 'put', path: string, queueId: string, requestId: string) {
  return request(host.app)[method](`/sif3/requests/${path}`)
    .set('Authorization', who.auth)
    .set('requestType', 'DELAYED')
    .set('queueId', queueId)
    .set('requestId', requestId)
    .set('Accept', 'application/json');
}

/** Registers StaffDirectory, creates its queue and subscribes it to xStaffs requests. */
async function connectProvider(host: TestHost, instanceId?: string, queue: Record<string, string | number> = {}) {
  const p = await session(host, 'StaffDirectory', 'StaffSecret', instanceId);
  const q = await createQueue(host, p, queue);
  const sub = await subscribe35(host, p, { serviceType: 'OBJECT', serviceName: 'xStaffs', messageType: 'REQUEST', queueId: q.id });
  return { p, q, sub };
}

describe('SIF 3.5 remote providers (pull mode)', () => {
  let host: TestHost;
  let consumer: Session;
  beforeEach(async () => {
    host = remoteHost();
    consumer = await session(host, 'DemoApp', 'DemoSecret');
  });
  afterEach(async () => host.close());

  test('3.5 §3.5.6: serviceSubType, messageType and serviceType SERVICE are accepted, stored and echoed; others 400', async () => {
    const q = await createQueue(host, consumer);
    const created = await subscribe35(host, consumer, { serviceType: 'SERVICE', serviceSubType: 'adminDirective', messageType: 'EVENT', serviceName: 'xStudents', queueId: q.id });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body.subscription)).toEqual(['@id', 'zoneId', 'contextId', 'serviceType', 'serviceSubType', 'messageType', 'serviceName', 'queueId']);
    expect(created.body.subscription).toMatchObject({ serviceType: 'SERVICE', serviceSubType: 'adminDirective', messageType: 'EVENT' });
    const read = await request(host.app).get(`/sif3/subscriptions/${created.body.subscription['@id']}`).set('Authorization', consumer.auth).set('Accept', 'application/xml');
    expect(read.text).toMatch(/<serviceType>SERVICE<\/serviceType><serviceSubType>adminDirective<\/serviceSubType><messageType>EVENT<\/messageType><serviceName>xStudents<\/serviceName>/);
    // A 3.2.1-style subscription reads back without the 3.5 fields.
    const plain = await subscribe35(host, consumer, { serviceType: 'OBJECT', serviceName: 'xStaffs', queueId: q.id });
    expect(Object.keys(plain.body.subscription)).toEqual(['@id', 'zoneId', 'contextId', 'serviceType', 'serviceName', 'queueId']);
    for (const bad of [{ messageType: 'RESPONSE' }, { serviceSubType: 'other' }, { serviceType: 'THING' }] as Record<string, string>[]) {
      const res = await subscribe35(host, consumer, { serviceType: 'OBJECT', serviceName: 'xStudents', queueId: q.id, ...bad });
      expect([res.status, res.body.error.code]).toEqual([400, '400']);
    }
  });

  test('an EVENT subscription with serviceType SERVICE receives the service’s events', async () => {
    const q = await createQueue(host, consumer);
    expect((await subscribe35(host, consumer, { serviceType: 'SERVICE', serviceName: 'xStudents', queueId: q.id })).status).toBe(201);
    await request(host.app).post('/sif3/requests/xStudents/xStudent').set('Authorization', consumer.auth).type('json').send({ xStudent: { name: { familyName: 'A' } } });
    const events = await drain(host, consumer, q.messages);
    expect(events.map((m) => [m.headers.messagetype, m.headers.eventaction])).toEqual([['EVENT', 'CREATE']]);
  });

  test('REQUEST subscriptions: only the declared provider with PROVIDE (403 otherwise), one provider per service, zone and context (409)', async () => {
    const consumerQueue = await createQueue(host, consumer);
    const noProvide = await subscribe35(host, consumer, { serviceName: 'xStaffs', messageType: 'REQUEST', queueId: consumerQueue.id });
    expect([noProvide.status, noProvide.body.error.message]).toEqual([403, expect.stringContaining('not provided by this application')]);
    const intruder = await session(host, 'Intruder', 'IntruderSecret');
    const iq = await createQueue(host, intruder);
    const refused = await subscribe35(host, intruder, { serviceName: 'xStaffs', messageType: 'REQUEST', queueId: iq.id });
    expect(refused.status).toBe(403);
    const { sub } = await connectProvider(host);
    expect(sub.status).toBe(201);
    expect(sub.body.subscription).toMatchObject({ serviceName: 'xStaffs', messageType: 'REQUEST', zoneId: 'District', contextId: 'DEFAULT' });
    const second = await connectProvider(host, 'second-instance');
    expect([second.sub.status, second.sub.body.error.message]).toEqual([409, expect.stringContaining('already has a provider')]);
    expect(JSON.stringify(second.sub.body)).not.toContain(sub.body.subscription['@id']);
  });

  test('an IMMEDIATE request to a remote service is a 503 that says to send it DELAYED; a read by id is 405', async () => {
    const res = await request(host.app).get('/sif3/requests/xStaffs').set('Authorization', consumer.auth).set('Accept', 'application/json');
    expect([res.status, res.body.error.code, res.body.error.message]).toEqual([503, '503', expect.stringContaining('requestType DELAYED')]);
    expect((await request(host.app).get(`/sif3/requests/xStaffs/${staff(1)['@refId']}`).set('Authorization', consumer.auth)).status).toBe(405);
  });

  test('a DELAYED request while no provider is subscribed is answered with an ERROR 503 in the consumer’s queue', async () => {
    const q = await createQueue(host, consumer);
    expect((await delayedRequest(host, consumer, 'get', 'xStaffs', q.id, 'early')).status).toBe(202);
    await host.provider.idle();
    const [error] = await drain(host, consumer, q.messages);
    expect([error!.headers.messagetype, error!.headers.requestid, error!.body.error.code]).toEqual(['ERROR', 'early', '503']);
  });

  test('a DELAYED query becomes a REQUEST in the provider’s queue and its pages reach the consumer in order, duplicates dropped', async () => {
    const { p, q: pq } = await connectProvider(host);
    const q = await createQueue(host, consumer);
    const where = encodeURIComponent('[name/familyName="Staff1"]');
    const accepted = await delayedRequest(host, consumer, 'get', `xStaffs?where=${where}`, q.id, 'consumer-1').set('navigationPageSize', '2');
    expect(accepted.status).toBe(202);
    await host.provider.idle();

    const pulled = await poll(host, p, pq.messages);
    expect(pulled.status).toBe(200);
    const h = pulled.headers;
    expect(h).toMatchObject({
      messagetype: 'REQUEST', requestaction: 'QUERY', servicetype: 'OBJECT', servicename: 'xStaffs', zoneid: 'District',
      contextid: 'DEFAULT', sourcename: 'DemoApp', navigationpagesize: '2', relativeservicepath: `/xStaffs?where=${where}`,
    });
    // Its own id, not the consumer's; nothing that lets the provider act as the consumer.
    expect(h.requestid).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(h)).not.toMatch(new RegExp(`consumer-1|${q.id}|${consumer.id}`));
    const ref = h.requestid!;

    const page = (n: number, headers: Record<string, string>) =>
      answer(host, p, ref, { navigationPage: String(n), navigationCount: '3', ...headers }, { xStaffs: { xStaff: n === 1 ? [staff(1), staff(2)] : [staff(3)] } });
    expect((await page(1, { navigationLastPage: '2' })).status).toBe(202);
    expect((await page(1, { navigationLastPage: '2' })).status).toBe(202); // sent again after a restart: not queued twice
    const early = await answer(host, p, ref, { navigationPage: '3' }, { xStaffs: { xStaff: [] } });
    expect([early.status, early.body.error.message]).toEqual([409, expect.stringContaining('before part 2')]);
    expect((await page(2, { navigationLastPage: '2' })).status).toBe(202);
    const again = await page(2, { navigationLastPage: '2' });
    expect(again.status).toBe(404); // finished

    const answers = await drain(host, consumer, q.messages);
    expect(answers.map((m) => [m.headers.messagetype, m.headers.requestid, m.headers.responseaction, m.headers.navigationpage, m.headers.navigationlastpage, m.headers.navigationcount])).toEqual([
      ['RESPONSE', 'consumer-1', 'QUERY', '1', '2', '3'],
      ['RESPONSE', 'consumer-1', 'QUERY', '2', '2', '3'],
    ]);
    expect(answers[0]!.headers.relativeservicepath).toBe(`/xStaffs?where=${where}`);
    expect(answers.flatMap((m) => m.body.xStaffs.xStaff.map((s: { '@refId': string }) => s['@refId']))).toEqual([1, 2, 3].map((i) => staff(i)['@refId']));
  });

  test('a provider that learns only at the end that a page was its last ends the answer with an empty last page', async () => {
    const { p, q: pq } = await connectProvider(host);
    const q = await createQueue(host, consumer);
    await delayedRequest(host, consumer, 'get', 'xStaffs', q.id, 'streamed').set('navigationPageSize', '1');
    await host.provider.idle();
    const ref = (await poll(host, p, pq.messages)).headers.requestid!;
    expect((await answer(host, p, ref, { navigationPage: '1' }, { xStaffs: { xStaff: [staff(1)] } })).status).toBe(202);
    expect((await answer(host, p, ref, { navigationPage: '2' })).status).toBe(202); // no body, not the last: an empty page
    expect((await answer(host, p, ref, { navigationPage: '3', navigationLastPage: '3' })).status).toBe(202);
    const answers = await drain(host, consumer, q.messages);
    expect(answers.map((m) => [m.headers.navigationpage, m.headers.navigationlastpage, m.headers.navigationpagesize])).toEqual([
      ['1', undefined, '1'],
      ['2', undefined, '0'],
      ['3', '3', '0'],
    ]);
    // An empty first and last part is an empty answer.
    await delayedRequest(host, consumer, 'get', 'xStaffs', q.id, 'nothing').set('navigationPageSize', '1');
    await host.provider.idle();
    const empty = (await poll(host, p, pq.messages, { deleteId: (await poll(host, p, pq.messages)).headers.messageid })).headers.requestid!;
    expect((await answer(host, p, empty, {})).status).toBe(202);
    expect((await drain(host, consumer, q.messages)).map((m) => [m.headers.messagetype, m.headers.requestid, m.headers.responseaction])).toEqual([['RESPONSE', 'nothing', 'QUERY']]);
  });

  test('a DELAYED multi-object create in XML reaches the provider as sent; its createResponse (sent in JSON) reaches the consumer with per-object statuses', async () => {
    const { p, q: pq } = await connectProvider(host);
    const q = await createQueue(host, consumer);
    const xml = `<xStaffs xmlns="http://www.sifassociation.org/datamodel/na/3.6"><xStaff refId="${staff(7)['@refId']}"><name><familyName>Seven</familyName></name></xStaff><xStaff><name><familyName>Eight</familyName></name></xStaff></xStaffs>`;
    const accepted = await delayedRequest(host, consumer, 'post', 'xStaffs', q.id, 'bulk').set('Content-Type', 'application/xml').set('mustUseAdvisory', 'true').send(xml);
    expect(accepted.status).toBe(202);
    await host.provider.idle();
    const pulled = await poll(host, p, pq.messages, { accept: 'application/json' });
    expect(pulled.headers).toMatchObject({ messagetype: 'REQUEST', requestaction: 'CREATE', mustuseadvisory: 'true' });
    expect(pulled.headers['content-type']).toMatch(/^application\/xml/);
    expect(pulled.text).toBe(xml);
    const created = {
      createResponse: {
        creates: {
          create: [
            { '@id': staff(7)['@refId'], '@advisoryId': staff(7)['@refId'], '@statusCode': '201' },
            { '@statusCode': '409', error: { '@id': 'e1', code: '409', scope: 'Create xStaffs', message: 'Duplicate staff' } },
          ],
        },
      },
    };
    expect((await answer(host, p, pulled.headers.requestid!, { navigationPage: '1', navigationLastPage: '1' }, created)).status).toBe(202);
    const [reply] = await drain(host, consumer, q.messages);
    expect(reply!.headers).toMatchObject({ messagetype: 'RESPONSE', requestid: 'bulk', responseaction: 'CREATE' });
    expect(reply!.body.createResponse.creates.create).toEqual([
      expect.objectContaining({ '@id': staff(7)['@refId'], '@statusCode': '201' }),
      expect.objectContaining({ '@statusCode': '409', error: expect.objectContaining({ message: 'Duplicate staff' }) }),
    ]);
  });

  test('trust: only the environment a request was routed to may answer it, for its service, with the service’s payload', async () => {
    const { p, q: pq } = await connectProvider(host);
    const other = await session(host, 'StaffDirectory', 'StaffSecret', 'another-instance');
    const intruder = await session(host, 'Intruder', 'IntruderSecret');
    const q = await createQueue(host, consumer);
    await delayedRequest(host, consumer, 'get', 'xStaffs', q.id, 'r1');
    await host.provider.idle();
    const ref = (await poll(host, p, pq.messages)).headers.requestid!;
    const body = { xStaffs: { xStaff: [staff(1)] } };
    for (const who of [other, intruder, consumer]) {
      const res = await answer(host, who, ref, {}, body);
      expect([res.status, res.body.error.code]).toEqual([404, '404']);
    }
    expect((await answer(host, p, '00000000-0000-4000-8000-000000000000', {}, body)).status).toBe(404);
    expect((await answer(host, p, ref, {}, body, 'xStudents')).status).toBe(400);
    const wrongType = await answer(host, p, ref, {}, { xStudents: { xStudent: [staff(1)] } });
    expect([wrongType.status, wrongType.body.error.message]).toEqual([400, expect.stringContaining('xStaffs collection')]);
    expect((await answer(host, p, ref, {}, { createResponse: { creates: {} } })).status).toBe(400);
    const noId = await request(host.app).post('/sif3/requests/xStaffs').set('Authorization', p.auth).set('messageType', 'RESPONSE').type('json').send(body);
    expect(noId.status).toBe(400);
    expect(await drain(host, consumer, q.messages)).toEqual([]);
    // The ERROR of the provider ends the request with its status.
    const failed = await answer(host, p, ref, { messageType: 'ERROR' }, { error: { '@id': 'x', code: '504', scope: 'xStaffs', message: 'HR system down' } });
    expect(failed.status).toBe(202);
    const [error] = await drain(host, consumer, q.messages);
    expect([error!.headers.messagetype, error!.headers.requestid, error!.body.error.code, error!.body.error.message]).toEqual(['ERROR', 'r1', '504', 'HR system down']);
  });

  test('several connections of one provider queue each take a different request', async () => {
    const { p, q: pq } = await connectProvider(host, undefined, { maxConcurrentConnections: 2 });
    const q = await createQueue(host, consumer);
    await delayedRequest(host, consumer, 'get', 'xStaffs', q.id, 'a');
    await delayedRequest(host, consumer, 'get', 'xStaffs', q.id, 'b');
    await host.provider.idle();
    const first = await poll(host, p, pq.messages, { connectionId: 0 });
    const second = await poll(host, p, pq.messages, { connectionId: 1 });
    expect(first.headers.requestid).not.toBe(second.headers.requestid);
    expect((await poll(host, p, pq.messages, { connectionId: 0 })).headers.requestid).toBe(first.headers.requestid);
  });
});

describe('SIF 3.5 remote providers: bulk requests and answer headers', () => {
  let host: TestHost;
  let consumer: Session;
  beforeEach(async () => {
    host = remoteHost({ limits: { maxBulkQueryObjects: 5 }, paging: { maxPageSize: 2, defaultPageSize: 2 } });
    consumer = await session(host, 'DemoApp', 'DemoSecret');
  });
  afterEach(async () => host.close());

  /** Sends an unpaged DELAYED query and pulls its REQUEST message. */
  async function pulled(p: Session, providerQueue: string, q: string, requestId: string) {
    expect((await delayedRequest(host, consumer, 'get', 'xStaffs', q, requestId)).status).toBe(202);
    await host.provider.idle();
    const res = await poll(host, p, providerQueue);
    await poll(host, p, providerQueue, { deleteId: res.headers.messageid });
    return res.headers;
  }

  test('Base Architecture §5.4.1: an unpaged query travels as a bulk request, answered in one part of up to maxBulkQueryObjects objects; more is the 413 of a bulk query', async () => {
    const { p, q: pq } = await connectProvider(host);
    const q = await createQueue(host, consumer);
    const h = await pulled(p, pq.messages, q.id, 'all');
    expect([h.bulkquery, h.maxbulkqueryobjects, h.navigationpage, h.navigationpagesize]).toEqual(['true', '5', undefined, undefined]);
    // Four objects: more than paging.maxPageSize (2), within maxBulkQueryObjects (5).
    expect((await answer(host, p, h.requestid!, {}, { xStaffs: { xStaff: [1, 2, 3, 4].map(staff) } })).status).toBe(202);
    const [whole] = await drain(host, consumer, q.messages);
    expect([whole!.headers.messagetype, whole!.headers.navigationpage, whole!.headers.navigationlastpage, whole!.headers.navigationcount, whole!.body.xStaffs.xStaff.length]).toEqual(['RESPONSE', '1', '1', '4', 4]);

    // Six objects, or a count of twelve without them: the consumer gets the 413 of a bulk query.
    const six = await pulled(p, pq.messages, q.id, 'six');
    expect((await answer(host, p, six.requestid!, {}, { xStaffs: { xStaff: [1, 2, 3, 4, 5, 6].map(staff) } })).status).toBe(202);
    const twelve = await pulled(p, pq.messages, q.id, 'twelve');
    expect((await answer(host, p, twelve.requestid!, { navigationCount: '12' })).status).toBe(202);
    const refused = await drain(host, consumer, q.messages);
    expect(refused.map((m) => [m.headers.messagetype, m.headers.requestid, m.body.error.code, m.body.error.message])).toEqual([
      ['ERROR', 'six', '413', 'This query matches 6 objects: a query without paging may return at most 5'],
      ['ERROR', 'twelve', '413', 'This query matches 12 objects: a query without paging may return at most 5'],
    ]);
    expect(refused[0]!.body.error.description).toContain('limits.maxBulkQueryObjects');

    // A bulk request is answered in one part: one that says more follow is refused.
    const paged = await pulled(p, pq.messages, q.id, 'paged');
    const split = await answer(host, p, paged.requestid!, { navigationPage: '1', navigationLastPage: '2' }, { xStaffs: { xStaff: [staff(1)] } });
    expect([split.status, split.body.error.message]).toEqual([400, expect.stringContaining('one part')]);
    expect(await drain(host, consumer, q.messages)).toEqual([]);
  });

  test('a paged request still gets at most paging.maxPageSize objects a part, and carries no bulk marker', async () => {
    const { p, q: pq } = await connectProvider(host);
    const q = await createQueue(host, consumer);
    await delayedRequest(host, consumer, 'get', 'xStaffs', q.id, 'paged').set('navigationPageSize', '2');
    await host.provider.idle();
    const h = (await poll(host, p, pq.messages)).headers;
    expect([h.bulkquery, h.maxbulkqueryobjects]).toEqual([undefined, undefined]);
    const big = await answer(host, p, h.requestid!, { navigationPage: '1', navigationLastPage: '1' }, { xStaffs: { xStaff: [1, 2, 3].map(staff) } });
    expect([big.status, big.body.error.description]).toEqual([413, expect.stringContaining('paging.maxPageSize')]);
  });

  test('an answer part whose navigationPage, navigationLastPage or navigationCount is not a number is a 400, and nothing is queued', async () => {
    const { p, q: pq } = await connectProvider(host);
    const q = await createQueue(host, consumer);
    await delayedRequest(host, consumer, 'get', 'xStaffs', q.id, 'bad').set('navigationPageSize', '2');
    await host.provider.idle();
    const ref = (await poll(host, p, pq.messages)).headers.requestid!;
    for (const bad of [{ navigationPage: 'one' }, { navigationPage: '1', navigationLastPage: 'last' }, { navigationPage: '1', navigationLastPage: '0' }, { navigationPage: '1', navigationCount: 'many' }] as Record<string, string>[]) {
      const res = await answer(host, p, ref, bad, { xStaffs: { xStaff: [staff(1)] } });
      expect([res.status, res.body.error.code]).toEqual([400, '400']);
    }
    expect(await drain(host, consumer, q.messages)).toEqual([]);
  });
});

describe('SIF 3.5 remote providers: a provider that leaves', () => {
  let host: TestHost;
  let consumer: Session;
  beforeEach(async () => {
    host = remoteHost({ queues: { housekeepingSeconds: 1, maxMessagesPerQueue: 2 } });
    consumer = await session(host, 'DemoApp', 'DemoSecret');
  });
  afterEach(async () => host.close());

  test('a request whose provider deleted its queue goes to the queue it subscribes next; with none, the consumer gets an ERROR 503', async () => {
    const { p, q: pq } = await connectProvider(host);
    const q = await createQueue(host, consumer);
    await delayedRequest(host, consumer, 'get', 'xStaffs', q.id, 'moved');
    await host.provider.idle();
    const first = (await poll(host, p, pq.messages)).headers.requestid!;
    expect((await request(host.app).delete(`/sif3/queues/${pq.id}`).set('Authorization', p.auth)).status).toBe(204);
    const nq = await createQueue(host, p);
    expect((await subscribe35(host, p, { serviceName: 'xStaffs', messageType: 'REQUEST', queueId: nq.id })).status).toBe(201);
    const moved = await waitFor(async () => ((await poll(host, p, nq.messages)).status === 200 ? [1] : []), 0);
    expect(moved).toHaveLength(1);
    const again = await poll(host, p, nq.messages);
    expect([again.headers.messagetype, again.headers.requestid]).toEqual(['REQUEST', first]);
    expect((await answer(host, p, first, {}, { xStaffs: { xStaff: [staff(1)] } })).status).toBe(202);
    expect((await drain(host, consumer, q.messages)).map((m) => [m.headers.messagetype, m.headers.requestid])).toEqual([['RESPONSE', 'moved']]);

    // The provider unregisters with a request still in its queue, and nobody provides xStaffs now.
    await delayedRequest(host, consumer, 'get', 'xStaffs', q.id, 'orphaned');
    await host.provider.idle();
    expect((await request(host.app).delete(`/sif3/environments/${p.id}`).set('Authorization', p.auth)).status).toBe(204);
    const ended = await waitFor(async () => drain(host, consumer, q.messages), 0);
    expect(ended.map((m) => [m.headers.messagetype, m.headers.requestid, m.body.error.code])).toEqual([['ERROR', 'orphaned', '503']]);
    expect(ended[0]!.body.error.message).toContain('left before answering');
  });

  test('a consumer’s full queue takes no more parts: 503 naming queues.maxMessagesPerQueue, and the part is taken once there is room', async () => {
    const { p, q: pq } = await connectProvider(host);
    const q = await createQueue(host, consumer);
    await delayedRequest(host, consumer, 'get', 'xStaffs', q.id, 'big').set('navigationPageSize', '1');
    await host.provider.idle();
    const ref = (await poll(host, p, pq.messages)).headers.requestid!;
    const page = (n: number) => answer(host, p, ref, { navigationPage: String(n), navigationLastPage: '3' }, { xStaffs: { xStaff: [staff(n)] } });
    expect((await page(1)).status).toBe(202);
    expect((await page(2)).status).toBe(202);
    const full = await page(3);
    expect([full.status, full.body.error.message, full.body.error.description]).toEqual([503, expect.stringContaining('full'), expect.stringContaining('queues.maxMessagesPerQueue')]);
    expect((await drain(host, consumer, q.messages)).length).toBe(2);
    expect((await page(3)).status).toBe(202);
    expect((await drain(host, consumer, q.messages)).map((m) => m.headers.navigationpage)).toEqual(['3']);
  });
});

describe('SIF 3.5 remote providers: durability', () => {
  test('a routed request survives a restart of the host, and a request taken and never answered ends with an ERROR after maxMessageAgeHours', async () => {
    let now = Date.parse('2026-11-22T08:00:00.000Z');
    const options = { clock: () => new Date(now), queues: { housekeepingSeconds: 1, maxMessageAgeHours: 2 } };
    const first = remoteHost(options);
    const consumer = await session(first, 'DemoApp', 'DemoSecret');
    const { p, q: pq } = await connectProvider(first);
    const q = await createQueue(first, consumer);
    await delayedRequest(first, consumer, 'get', 'xStaffs', q.id, 'kept');
    await delayedRequest(first, consumer, 'get', 'xStaffs', q.id, 'forgotten');
    await first.provider.idle();
    await first.provider.close();

    // The same state file, a new process: the provider's queue still holds both requests.
    const students = memoryService({ objectName: 'xStudent' });
    const second = createTestHost({ ...options, database: first.dbFile, consumers: REMOTE_CONSUMERS, services: { xStudents: students.definition, xStaffs: XSTAFFS } });
    try {
      const kept = await poll(second, p, pq.messages);
      expect((await answer(second, p, kept.headers.requestid!, {}, { xStaffs: { xStaff: [staff(1)] } })).status).toBe(202);
      const [page] = await drain(second, consumer, q.messages);
      expect([page!.headers.requestid, page!.body.xStaffs.xStaff['@refId'] ?? page!.body.xStaffs.xStaff[0]['@refId']]).toEqual(['kept', staff(1)['@refId']]);
      now += 3 * 3_600_000;
      const answers = await waitFor(async () => drain(second, consumer, q.messages), 0);
      expect(answers.map((m) => [m.headers.messagetype, m.headers.requestid, m.body.error.code])).toEqual([['ERROR', 'forgotten', '500']]);
    } finally {
      await second.close();
      rmSync(dirname(first.dbFile), { recursive: true, force: true });
    }
  });
});

/** Polls `read` until it returns more than `min` items (housekeeping runs on its own timer). */
async function waitFor<T>(read: () => Promise<T[]>, min: number): Promise<T[]> {
  for (let i = 0; i < 100; i++) {
    const items = await read();
    if (items.length > min) return items;
    await new Promise((r) => setTimeout(r, 100));
  }
  return read();
}
