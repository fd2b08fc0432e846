import { gzipSync } from 'node:zlib';
import request from 'supertest';
import type { GoessnerObject, QueryRequest, ServiceDefinition } from 'sif3-direct';
import type { TestHost } from '../helpers/host';
import { createTestHost } from '../helpers/host';
import { NA_NS, memoryService, student } from '../helpers/memory-service';
import type { Session } from '../helpers/queues';
import { QUEUE_TEST_CONSUMERS, createQueue, drain, session } from '../helpers/queues';

// Asynchronous providers in process (SIF 3.5, a service's `delayed` handlers), over real HTTP against
// a real SQLite file: what a bulk query hands them (Base Architecture §5.4.1), and what is refused
// before the 202 because the body at hand already shows the provider could never take it.

type Taken = { ref: string; query?: QueryRequest; objects?: GoessnerObject[]; ids?: string[] };

function delayed(host: TestHost, who: Session, method: 'get' | 'post' | 'put', path: string, queueId: string, requestId: string) {
  return request(host.app)[method](`/sif3/requests/${path}`)
    .set('Authorization', who.auth)
    .set('requestType', 'DELAYED')
    .set('queueId', queueId)
    .set('requestId', requestId)
    .set('Accept', 'application/json');
}

function asyncHost(taken: Taken[], hostParsers = false): TestHost {
  const students = memoryService({ objectName: 'xStudent' });
  const service: ServiceDefinition = {
    ...students.definition,
    delayed: {
      query: async (_ctx, query, { ref }) => void taken.push({ ref, query }),
      createMany: async (_ctx, objects, { ref }) => void taken.push({ ref, objects }),
      updateMany: async (_ctx, objects, { ref }) => void taken.push({ ref, objects }),
      deleteMany: async (_ctx, ids, { ref }) => void taken.push({ ref, ids }),
    },
  };
  return createTestHost(
    { consumers: QUEUE_TEST_CONSUMERS, queues: true, limits: { maxBulkQueryObjects: 5 }, paging: { maxPageSize: 3, defaultPageSize: 2 }, services: { xStudents: service } },
    { hostParsers },
  );
}

describe('asynchronous providers: a query that names no paging is a bulk query (Base Architecture §5.4.1)', () => {
  let host: TestHost;
  let b: Session;
  const taken: Taken[] = [];
  beforeEach(async () => {
    taken.length = 0;
    host = asyncHost(taken);
    b = await session(host, 'DemoApp', 'DemoSecret');
  });
  afterEach(async () => host.close());

  test('§5.4.1: the handler gets page 1 of limits.maxBulkQueryObjects, marked bulk, never a page of the default size; its one part is page 1 of 1', async () => {
    const q = await createQueue(host, b);
    expect((await delayed(host, b, 'get', 'xStudents', q.id, 'bulk')).status).toBe(202);
    await host.provider.idle();
    expect(taken.map((t) => t.query)).toEqual([{ page: 1, pageSize: 5, offset: 0, bulk: true }]);
    expect(await host.provider.complete(taken[0]!.ref, { objects: [1, 2, 3, 4].map((i) => student(i)) })).toBe(true);
    const answers = await drain(host, b, q.messages);
    expect(answers.map((m) => [m.headers.messagetype, m.headers.requestid, m.headers.navigationpage, m.headers.navigationpagesize, m.headers.navigationlastpage, m.headers.navigationcount])).toEqual([
      ['RESPONSE', 'bulk', '1', '4', '1', '4'],
    ]);
    expect(answers[0]!.body.xStudents.xStudent).toHaveLength(4);
  });

  test('§5.4.1: a paged batch (navigationPageSize named) gets that page size, not bulk', async () => {
    const q = await createQueue(host, b);
    expect((await delayed(host, b, 'get', 'xStudents', q.id, 'paged').set('navigationPageSize', '3')).status).toBe(202);
    await host.provider.idle();
    expect(taken.map((t) => t.query)).toEqual([{ page: 1, pageSize: 3, offset: 0 }]);
  });

  test('§5.4.1: more objects than limits.maxBulkQueryObjects, or a totalCount above it, ends the request with the 413 an immediate bulk query gets', async () => {
    const q = await createQueue(host, b);
    await delayed(host, b, 'get', 'xStudents', q.id, 'six');
    await delayed(host, b, 'get', 'xStudents', q.id, 'counted');
    await host.provider.idle();
    const [six, counted] = taken;
    expect(await host.provider.complete(six!.ref, { objects: [1, 2, 3, 4, 5, 6].map((i) => student(i)) })).toBe(true);
    expect(await host.provider.complete(counted!.ref, { objects: [student(1)], totalCount: 100 })).toBe(true);
    const answers = await drain(host, b, q.messages);
    expect(answers.map((m) => [m.headers.messagetype, m.headers.requestid, m.body.error.code])).toEqual([
      ['ERROR', 'six', '413'],
      ['ERROR', 'counted', '413'],
    ]);
    expect(answers[0]!.body.error.message).toBe('This query matches 6 objects: a query without paging may return at most 5');
    expect(answers[1]!.body.error.message).toContain('matches 100 objects');
    expect(answers[1]!.body.error.description).toContain('limits.maxBulkQueryObjects');
    expect(await host.provider.store.pendingDelayedRequests()).toEqual([]);
  });

  test('respond() on a bulk query (a part that is not the last) is a TypeError for the host; nothing is queued and the request stays open', async () => {
    const q = await createQueue(host, b);
    await delayed(host, b, 'get', 'xStudents', q.id, 'bulk');
    await host.provider.idle();
    const { ref } = taken[0]!;
    await expect(host.provider.respond(ref, { objects: [student(1)] })).rejects.toThrow(/bulk query .*complete\(ref, \{ objects \}\)/);
    expect(await drain(host, b, q.messages)).toEqual([]);
    expect(await host.provider.complete(ref, { objects: [student(1)] })).toBe(true);
    expect((await drain(host, b, q.messages)).map((m) => [m.headers.navigationpage, m.headers.navigationlastpage])).toEqual([['1', '1']]);
  });
});

describe('asynchronous providers: what the body at hand shows is refused before the 202', () => {
  let host: TestHost;
  let b: Session;
  const taken: Taken[] = [];
  beforeEach(async () => {
    taken.length = 0;
    host = asyncHost(taken);
    b = await session(host, 'DemoApp', 'DemoSecret');
  });
  afterEach(async () => host.close());

  test('a create in another namespace, an empty collection, a malformed deleteRequest, a bad where: 400 at once, nothing stored, no handler called', async () => {
    const q = await createQueue(host, b);
    const au = '<xStudents xmlns="http://www.sifassociation.org/datamodel/au/3.4"><xStudent><localId>1</localId></xStudent></xStudents>';
    const refusals = [
      await delayed(host, b, 'post', 'xStudents', q.id, 'ns').type('application/xml').send(au),
      await delayed(host, b, 'post', 'xStudents', q.id, 'empty').type('json').send({ xStudents: {} }),
      await delayed(host, b, 'put', 'xStudents', q.id, 'del').set('methodOverride', 'DELETE').type('json').send({ xStudents: { xStudent: [] } }),
      await delayed(host, b, 'get', `xStudents?where=${encodeURIComponent('[name/familyName~"A"]')}`, q.id, 'where'),
      await delayed(host, b, 'post', 'xStudents', q.id, 'broken').type('json').send('{"xStudents": '),
    ];
    expect(refusals.map((r) => [r.status, r.headers.messagetype, r.body.error?.code])).toEqual(Array(5).fill([400, 'ERROR', '400']));
    expect(refusals[0]!.body.error.message).toContain(`takes "${NA_NS}"`);
    await host.provider.idle();
    expect(taken).toEqual([]);
    expect(await host.provider.store.pendingDelayedRequests()).toEqual([]);
    expect(await drain(host, b, q.messages)).toEqual([]);
  });

  test('more objects than limits.maxObjectsPerRequest is a 413 at once', async () => {
    const small = createTestHost({
      consumers: QUEUE_TEST_CONSUMERS, queues: true, limits: { maxObjectsPerRequest: 2 },
      services: { xStudents: { ...memoryService({ objectName: 'xStudent' }).definition, delayed: { createMany: async () => undefined } } },
    });
    try {
      const c = await session(small, 'DemoApp', 'DemoSecret');
      const q = await createQueue(small, c);
      const res = await delayed(small, c, 'post', 'xStudents', q.id, 'three').type('json').send({ xStudents: { xStudent: [1, 2, 3].map((i) => student(i)) } });
      expect([res.status, res.body.error.description]).toEqual([413, expect.stringContaining('limits.maxObjectsPerRequest')]);
    } finally {
      await small.close();
    }
  });

  test('the body read for the check is the one stored and handed over: plain, gzip-encoded, and after the host’s own JSON parser', async () => {
    const q = await createQueue(host, b);
    const body = { xStudents: { xStudent: [student(1), student(2)] } };
    expect((await delayed(host, b, 'post', 'xStudents', q.id, 'plain').type('json').send(body)).status).toBe(202);
    // XML: superagent would serialise a Buffer sent as JSON.
    const xml = `<xStudents xmlns="${NA_NS}">${body.xStudents.xStudent.map((s) => `<xStudent refId="${s['@refId']}"><localId>${s.localId}</localId></xStudent>`).join('')}</xStudents>`;
    const zipped = await delayed(host, b, 'post', 'xStudents', q.id, 'gzip').set('Content-Type', 'application/xml').set('Content-Encoding', 'gzip').send(gzipSync(xml));
    expect(zipped.status).toBe(202);
    await host.provider.idle();
    const parsedHost = asyncHost(taken, true);
    try {
      const c = await session(parsedHost, 'DemoApp', 'DemoSecret');
      const pq = await createQueue(parsedHost, c);
      expect((await delayed(parsedHost, c, 'put', 'xStudents', pq.id, 'parsed').type('json').send(body)).status).toBe(202);
      await parsedHost.provider.idle();
    } finally {
      await parsedHost.close();
    }
    const ids = body.xStudents.xStudent.map((s) => s['@refId']);
    expect(taken.map((t) => t.objects!.map((o) => o['@refId']))).toEqual([ids, ids, ids]);
  });
});
