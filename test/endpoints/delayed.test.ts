import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import type { DeferredRequest, GoessnerObject, ServiceDefinition, SifProvider, SifRequestContext } from 'sif3-direct';
import { ConflictError, createSifProvider } from 'sif3-direct';
import type { TestHost } from '../helpers/host';
import { createTestHost } from '../helpers/host';
import { memoryService, student } from '../helpers/memory-service';
import type { Session } from '../helpers/queues';
import { QUEUE_TEST_CONSUMERS, createQueue, drain, session } from '../helpers/queues';

// Delayed requests (Base Architecture §4.2.1.2), the immediate budget, and asynchronous providers
// (SIF 3.5) over real HTTP against a real SQLite file.

const SILENT = { warn: () => undefined, error: () => undefined };

function delayed(host: TestHost, who: Session, method: 'get' | 'post' | 'put' | 'delete', path: string, queueId: string, requestId: string) {
  return request(host.app)[method](`/sif3/requests/${path}`)
    .set('Authorization', who.auth)
    .set('requestType', 'DELAYED')
    .set('queueId', queueId)
    .set('requestId', requestId)
    .set('Accept', 'application/json');
}

describe('delayed requests', () => {
  let host: TestHost;
  let b: Session;
  beforeEach(async () => {
    host = createTestHost({ consumers: QUEUE_TEST_CONSUMERS, queues: true });
    for (let i = 1; i <= 250; i++) host.students.set(String(student(i)['@refId']), student(i));
    b = await session(host, 'DemoApp', 'DemoSecret');
  });
  afterEach(async () => host.close());

  test('refused at once, not queued: no queueId → 400, no requestId → 400, another’s queue → 404, no right → 403, unknown service → 404', async () => {
    const q = await createQueue(host, b);
    const a = await session(host, 'Subscriber', 'SubscriberSecret');
    const theirs = await createQueue(host, a);
    const noQueue = await request(host.app).get('/sif3/requests/xStudents').set('Authorization', b.auth).set('requestType', 'DELAYED').set('requestId', '1');
    expect([noQueue.status, noQueue.text]).toEqual([400, expect.stringContaining('queueId')]);
    const noId = await request(host.app).get('/sif3/requests/xStudents').set('Authorization', b.auth).set('requestType', 'DELAYED').set('queueId', q.id);
    expect([noId.status, noId.text]).toEqual([400, expect.stringContaining('requestId')]);
    expect((await delayed(host, b, 'get', 'xStudents', theirs.id, '1')).status).toBe(404);
    expect((await delayed(host, a, 'post', 'xStudents', theirs.id, '2').type('json').send({ xStudents: { xStudent: [student(1)] } })).status).toBe(403);
    expect((await delayed(host, b, 'get', 'xTeachers', q.id, '3')).status).toBe(404);
    await host.provider.idle();
    expect(await drain(host, b, q.messages)).toEqual([]);
  });

  // Issue #10: the snapshot a delayed paged query takes is dropped when its last page is queued, so
  // finished delayed queries do not hold the consumer's limits.snapshotsPerEnvironment for 15 minutes.
  test('finished delayed paged queries give their snapshot back', async () => {
    await host.close();
    host = createTestHost({ consumers: QUEUE_TEST_CONSUMERS, queues: true, limits: { snapshotsPerEnvironment: 1 } });
    for (let i = 1; i <= 30; i++) host.students.set(String(student(i)['@refId']), student(i));
    b = await session(host, 'DemoApp', 'DemoSecret');
    const q = await createQueue(host, b);
    for (const id of ['first', 'second', 'third']) {
      expect((await delayed(host, b, 'get', 'xStudents', q.id, id).set('navigationPageSize', '10')).status).toBe(202);
      await host.provider.idle();
    }
    const answers = await drain(host, b, q.messages);
    expect(answers.map((m) => `${m.headers.requestid} ${m.headers.messagetype}`)).toEqual(
      ['first', 'second', 'third'].flatMap((id) => [`${id} RESPONSE`, `${id} RESPONSE`, `${id} RESPONSE`]),
    );
  });

  test('a delayed paged query → 202, then every page in the queue, in order, without further requests', async () => {
    const q = await createQueue(host, b);
    const accepted = await delayed(host, b, 'get', 'xStudents;zoneId=District', q.id, 'req-42').set('navigationPageSize', '100');
    expect(accepted.status).toBe(202);
    expect(accepted.text).toBe('');
    expect(accepted.headers).toMatchObject({ requestid: 'req-42', responseaction: 'QUERY', messagetype: 'RESPONSE' });
    await host.provider.idle();
    const pages = await drain(host, b, q.messages);
    expect(pages.map((p) => [p.headers.navigationpage, p.headers.navigationpagesize, p.headers.navigationlastpage])).toEqual([
      ['1', '100', '3'],
      ['2', '100', '3'],
      ['3', '50', '3'],
    ]);
    for (const p of pages) {
      expect(p.headers).toMatchObject({
        messagetype: 'RESPONSE',
        responseaction: 'QUERY',
        requestid: 'req-42',
        relativeservicepath: '/xStudents;zoneId=District',
        navigationcount: '250',
      });
      expect(p.headers.navigationid).toBe(pages[0]!.headers.navigationid);
    }
    const ids = pages.flatMap((p) => p.body.xStudents.xStudent.map((s: GoessnerObject) => s['@refId']));
    expect(new Set(ids).size).toBe(250);
    expect(ids).toEqual([...host.students.keys()]);
  });

  test('a delayed read answers one message (a GET without paging is not paged on)', async () => {
    const q = await createQueue(host, b);
    expect((await delayed(host, b, 'get', `xStudents/${String(student(3)['@refId'])}`, q.id, 'one')).status).toBe(202);
    await host.provider.idle();
    const messages = await drain(host, b, q.messages);
    expect(messages.map((m) => [m.headers.requestid, m.body.xStudent.localId])).toEqual([['one', '1003']]);
  });

  test('a long delayed query does not hold up immediate requests: pages yield to the server between them', async () => {
    const q = await createQueue(host, b);
    expect((await delayed(host, b, 'get', 'xStudents?navigationPageSize=1', q.id, 'slow')).status).toBe(202);
    const immediate = await request(host.app).get('/sif3/requests/xStudents?navigationPageSize=5').set('Authorization', b.auth);
    expect(immediate.status).toBe(200);
    expect((await host.provider.store.pendingDelayedRequests()).length).toBe(1); // still paging
    await host.provider.idle();
    expect((await host.provider.store.getQueue(b.id, q.id))!.messageCount).toBe(250);
  });

  // Issue #13: naming navigationPage used to answer that page alone. Interactive paged queries are
  // always immediate (§5.4.1), so a delayed one is a paged batch: every page from the one named.
  test('navigationPage named in a delayed query: every page from that one to the last (Base Architecture §5.4.1 Paged Batch)', async () => {
    const q = await createQueue(host, b);
    expect((await delayed(host, b, 'get', 'xStudents?navigationPage=2&navigationPageSize=40', q.id, 'p2')).status).toBe(202);
    await host.provider.idle();
    const pages = await drain(host, b, q.messages);
    expect(pages.map((p) => [p.headers.navigationpage, p.body.xStudents.xStudent.length])).toEqual([['2', 40], ['3', 40], ['4', 40], ['5', 40], ['6', 40], ['7', 10]]);
    expect(new Set(pages.map((p) => p.headers.requestid))).toEqual(new Set(['p2']));
    const ids = pages.flatMap((p) => p.body.xStudents.xStudent.map((s: GoessnerObject) => s['@refId']));
    expect(ids).toEqual([...host.students.keys()].slice(40));
  });

  test('a named page past the last: one empty answer (204), nothing more', async () => {
    const q = await createQueue(host, b);
    expect((await delayed(host, b, 'get', 'xStudents?navigationPage=9&navigationPageSize=40', q.id, 'p9')).status).toBe(202);
    await host.provider.idle();
    const pages = await drain(host, b, q.messages);
    expect(pages.map((p) => [p.headers.requestid, p.headers.navigationpage, p.headers.navigationcount])).toEqual([['p9', '9', '250']]);
  });

  test('a delayed query naming a page that is not a page number is answered with its 400, once', async () => {
    const q = await createQueue(host, b);
    expect((await delayed(host, b, 'get', 'xStudents?navigationPage=0&navigationPageSize=40', q.id, 'p0')).status).toBe(202);
    await host.provider.idle();
    const messages = await drain(host, b, q.messages);
    expect(messages.map((m) => [m.headers.requestid, m.headers.messagetype, m.body.error?.code])).toEqual([['p0', 'ERROR', '400']]);
  });

  test('a delayed query that names no paging is a bulk query: one message with every object (Base Architecture §5.4.1 Bulk)', async () => {
    const q = await createQueue(host, b);
    expect((await delayed(host, b, 'get', 'xStudents', q.id, 'bulk')).status).toBe(202);
    await host.provider.idle();
    const messages = await drain(host, b, q.messages);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.headers).toMatchObject({ requestid: 'bulk', messagetype: 'RESPONSE', navigationcount: '250', navigationlastpage: '1' });
    expect(messages[0]!.body.xStudents.xStudent).toHaveLength(250);
  });

  test('a delayed bulk query too large for one message is answered with a 413 ERROR telling to page', async () => {
    await host.close();
    host = createTestHost({ consumers: QUEUE_TEST_CONSUMERS, queues: true, limits: { maxBulkQueryObjects: 100 } });
    for (let i = 1; i <= 250; i++) host.students.set(String(student(i)['@refId']), student(i));
    b = await session(host, 'DemoApp', 'DemoSecret');
    const q = await createQueue(host, b);
    expect((await delayed(host, b, 'get', 'xStudents', q.id, 'big')).status).toBe(202);
    await host.provider.idle();
    const messages = await drain(host, b, q.messages);
    expect(messages.map((m) => [m.headers.requestid, m.headers.messagetype, m.body.error?.code])).toEqual([['big', 'ERROR', '413']]);
    expect(messages[0]!.body.error.description).toMatch(/navigationPageSize/);
  });

  test('create, read of a missing object, alert: answers and errors arrive as RESPONSE and ERROR messages', async () => {
    const q = await createQueue(host, b);
    expect((await delayed(host, b, 'post', 'xStudents/xStudent', q.id, 'c1').type('json').send({ xStudent: student(900) })).status).toBe(202);
    expect((await delayed(host, b, 'get', 'xStudents/no-such-id', q.id, 'r1')).status).toBe(202);
    expect((await delayed(host, b, 'post', 'alerts/alert', q.id, 'a1').type('json').send({ alert: { reporter: 'Sync', exchange: 'OTHER', level: 'INFO' } })).status).toBe(202);
    await host.provider.idle();
    const [created, missing, alert] = await drain(host, b, q.messages);
    expect(created!.headers).toMatchObject({ messagetype: 'RESPONSE', responseaction: 'CREATE', requestid: 'c1' });
    expect(created!.headers.location).toMatch(/\/sif3\/requests\/xStudents\/00000000-0000-4000-8000-000000000384$/);
    expect(created!.body.xStudent.localId).toBe('1900');
    expect(host.students.has(String(student(900)['@refId']))).toBe(true);
    expect(missing!.headers).toMatchObject({ messagetype: 'ERROR', requestid: 'r1', relativeservicepath: '/xStudents/no-such-id' });
    expect(missing!.body.error.code).toBe('404');
    expect(alert!.headers).toMatchObject({ messagetype: 'RESPONSE', requestid: 'a1' });
    expect(alert!.body.alert.reporter).toBe('Sync');
  });

  test('a delayed change reaches subscribers as events, like an immediate one', async () => {
    const a = await session(host, 'Subscriber', 'SubscriberSecret');
    const events = await createQueue(host, a);
    await request(host.app).post('/sif3/subscriptions').set('Authorization', a.auth).type('json')
      .send({ subscription: { serviceType: 'OBJECT', serviceName: 'xStudents', queueId: events.id } });
    const q = await createQueue(host, b);
    await delayed(host, b, 'delete', `xStudents/${String(student(7)['@refId'])}`, q.id, 'd1');
    await host.provider.idle();
    expect((await drain(host, b, q.messages)).map((m) => m.headers.responseaction)).toEqual(['DELETE']);
    const [event] = await drain(host, a, events.messages);
    expect(event!.headers.eventaction).toBe('DELETE');
  });

  test('a full queue takes no more delayed requests (503) until it is polled', async () => {
    await host.close();
    host = createTestHost({ consumers: QUEUE_TEST_CONSUMERS, queues: { maxMessagesPerQueue: 2 } });
    b = await session(host, 'DemoApp', 'DemoSecret');
    const q = await createQueue(host, b);
    for (const id of ['1', '2']) expect((await delayed(host, b, 'get', 'xStudents', q.id, id)).status).toBe(202);
    await host.provider.idle();
    const full = await delayed(host, b, 'get', 'xStudents', q.id, '3');
    expect([full.status, full.text]).toEqual([503, expect.stringContaining('The queue is full')]);
    expect((await drain(host, b, q.messages)).length).toBe(2);
    expect((await delayed(host, b, 'get', 'xStudents', q.id, '4')).status).toBe(202);
  });

  test('a queue deleted before its delayed request runs takes the request with it', async () => {
    const q = await createQueue(host, b);
    await delayed(host, b, 'get', 'xStudents', q.id, 'gone');
    await request(host.app).delete(`/sif3/queues/${q.id}`).set('Authorization', b.auth);
    await host.provider.idle();
    expect(await host.provider.store.pendingDelayedRequests()).toEqual([]);
  });
});

describe('the immediate budget', () => {
  test('an immediate request past the budget → 503 telling to use DELAYED; as DELAYED it is answered', async () => {
    const students = memoryService({ objectName: 'xStudent' });
    const slow: ServiceDefinition = {
      ...students.definition,
      handlers: {
        ...students.definition.handlers,
        query: async (ctx, q) => {
          await new Promise((r) => setTimeout(r, 1500));
          return students.definition.handlers!.query!(ctx, q);
        },
      },
    };
    students.objects.set(String(student(1)['@refId']), student(1));
    const host = createTestHost({ consumers: QUEUE_TEST_CONSUMERS, queues: { immediateBudgetSeconds: 1 }, services: { xStudents: slow } });
    try {
      const b = await session(host, 'DemoApp', 'DemoSecret');
      const res = await request(host.app).get('/sif3/requests/xStudents').set('Authorization', b.auth);
      expect(res.status).toBe(503);
      expect(res.text).toContain('requestType: DELAYED');
      const q = await createQueue(host, b);
      expect((await delayed(host, b, 'get', 'xStudents', q.id, 'slow')).status).toBe(202);
      await host.provider.idle();
      const [answer] = await drain(host, b, q.messages);
      expect(answer!.body.xStudents.xStudent).toHaveLength(1);
      await new Promise((r) => setTimeout(r, 600)); // let the abandoned immediate run finish quietly
    } finally {
      await host.close();
    }
  });
});

test('a slow delayed request holds up only its own queue', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((r) => (release = r));
  const students = memoryService({ objectName: 'xStudent', objects: [student(1)] });
  const { query, queryIds } = students.definition.handlers!;
  const held = async (ctx: SifRequestContext) => (ctx.requestId === 'slow' ? gate : undefined);
  const service: ServiceDefinition = {
    ...students.definition,
    handlers: {
      ...students.definition.handlers,
      query: async (ctx, q) => held(ctx).then(() => query!(ctx, q)),
      queryIds: async (ctx, q) => held(ctx).then(() => queryIds!(ctx, q)),
    },
  };
  const host = createTestHost({ consumers: QUEUE_TEST_CONSUMERS, queues: true, services: { xStudents: service } });
  try {
    const b = await session(host, 'DemoApp', 'DemoSecret');
    const slowQueue = await createQueue(host, b);
    const fastQueue = await createQueue(host, b);
    expect((await delayed(host, b, 'get', 'xStudents', slowQueue.id, 'slow')).status).toBe(202);
    expect((await delayed(host, b, 'get', 'xStudents', fastQueue.id, 'fast')).status).toBe(202);
    let answered: Awaited<ReturnType<typeof drain>> = [];
    for (let i = 0; i < 100 && answered.length === 0; i++) {
      answered = await drain(host, b, fastQueue.messages);
      if (answered.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(answered.map((m) => m.headers.requestid)).toEqual(['fast']);
    expect(await drain(host, b, slowQueue.messages)).toEqual([]);
    release();
    await host.provider.idle();
    expect((await drain(host, b, slowQueue.messages)).map((m) => m.headers.requestid)).toEqual(['slow']);
  } finally {
    release();
    await host.close();
  }
});

describe('asynchronous providers (SIF 3.5)', () => {
  let host: TestHost;
  let b: Session;
  const taken: { ref: string; objects?: GoessnerObject[]; ctx: SifRequestContext }[] = [];

  beforeEach(async () => {
    taken.length = 0;
    const students = memoryService({ objectName: 'xStudent' });
    const service: ServiceDefinition = {
      ...students.definition,
      delayed: {
        createMany: async (ctx, objects, request: DeferredRequest) => {
          if (objects.some((o) => o.localId === 'refuse')) throw new ConflictError('This import is refused');
          taken.push({ ref: request.ref, objects, ctx });
        },
        query: async (ctx, _query, request) => void taken.push({ ref: request.ref, ctx }),
        updateMany: async (ctx, objects, request) => void taken.push({ ref: request.ref, objects, ctx }),
        deleteMany: async (ctx, ids, request) => void taken.push({ ref: request.ref, objects: ids.map((id) => ({ '@refId': id })), ctx }),
      },
    };
    host = createTestHost({ consumers: QUEUE_TEST_CONSUMERS, queues: true, services: { xStudents: service } });
    b = await session(host, 'DemoApp', 'DemoSecret');
  });
  afterEach(async () => host.close());

  test('a bulk create is taken, then answered in batches through respond … complete', async () => {
    const q = await createQueue(host, b);
    const five = { xStudents: { xStudent: [1, 2, 3, 4, 5].map((i) => student(i)) } };
    expect((await delayed(host, b, 'post', 'xStudents', q.id, 'import-1').type('json').send(five)).status).toBe(202);
    await host.provider.idle();
    expect(taken).toHaveLength(1);
    const { ref, objects, ctx } = taken[0]!;
    expect(objects!.map((o) => o.localId)).toEqual(['1001', '1002', '1003', '1004', '1005']);
    expect(ctx).toMatchObject({ environmentId: b.id, requestId: 'import-1', zoneId: 'District' });
    expect(await drain(host, b, q.messages)).toEqual([]); // nothing until the provider answers

    const result = (i: number) => ({ id: String(student(i)['@refId']), advisoryId: String(student(i)['@refId']), statusCode: 201 });
    expect(await host.provider.respond(ref, { results: [1, 2, 3].map(result) })).toBe(true);
    expect(await host.provider.respond(ref, { results: [result(4), { advisoryId: 'x', statusCode: 409, message: 'Duplicate' }] })).toBe(true);
    expect(await host.provider.complete(ref)).toBe(true);
    expect(await host.provider.respond(ref, { results: [] })).toBe(false); // done: the ref is gone

    const parts = await drain(host, b, q.messages);
    expect(parts.map((p) => [p.headers.messagetype, p.headers.responseaction, p.headers.requestid])).toEqual([
      ['RESPONSE', 'CREATE', 'import-1'],
      ['RESPONSE', 'CREATE', 'import-1'],
    ]);
    expect(parts[0]!.body.createResponse.creates.create.map((c: GoessnerObject) => c['@statusCode'])).toEqual(['201', '201', '201']);
    const second = parts[1]!.body.createResponse.creates.create;
    expect(second[1]).toMatchObject({ '@advisoryId': 'x', '@statusCode': '409', error: { code: '409', message: 'Duplicate' } });
  });

  test('a delayed query answered in pages, the last marked; fail() ends with an ERROR', async () => {
    const q = await createQueue(host, b);
    // Paged batches (a page size named); an unpaged one is a bulk query, answered in one part (async-providers.test.ts).
    await delayed(host, b, 'get', 'xStudents', q.id, 'q1').set('navigationPageSize', '2');
    await delayed(host, b, 'get', 'xStudents', q.id, 'q2').set('navigationPageSize', '2');
    await host.provider.idle();
    const [first, second] = taken;
    await host.provider.respond(first!.ref, { objects: [student(1), student(2)], totalCount: 3 });
    await host.provider.complete(first!.ref, { objects: [student(3)] });
    await host.provider.fail(second!.ref, { statusCode: 500, message: 'The SIS is down' });
    const messages = await drain(host, b, q.messages);
    expect(messages.map((m) => [m.headers.requestid, m.headers.navigationpage, m.headers.navigationlastpage, m.headers.messagetype])).toEqual([
      ['q1', '1', undefined, 'RESPONSE'],
      ['q1', '2', '2', 'RESPONSE'],
      ['q2', undefined, undefined, 'ERROR'],
    ]);
    expect(messages[0]!.headers.navigationcount).toBe('3');
    expect(messages[2]!.body.error.message).toBe('The SIS is down');
  });

  test('delayed multi-object updates and deletes are taken too, answered with updateResponse and deleteResponse parts', async () => {
    const q = await createQueue(host, b);
    const updates = { xStudents: { xStudent: [student(1, { localId: 'u1' }), student(2, { localId: 'u2' })] } };
    expect((await delayed(host, b, 'put', 'xStudents', q.id, 'up').type('json').send(updates)).status).toBe(202);
    const deletes = { deleteRequest: { deletes: { delete: [{ '@id': 'd1' }, { '@id': 'd2' }] } } };
    expect((await delayed(host, b, 'put', 'xStudents', q.id, 'del').set('methodOverride', 'DELETE').type('json').send(deletes)).status).toBe(202);
    await host.provider.idle();
    const [up, del] = taken;
    expect(up!.objects!.map((o) => o.localId)).toEqual(['u1', 'u2']);
    expect(del!.objects!.map((o) => o['@refId'])).toEqual(['d1', 'd2']);
    await host.provider.complete(up!.ref, { results: [{ id: 'a', statusCode: 200 }, { id: 'b', statusCode: 404, message: 'No such student' }] });
    await host.provider.complete(del!.ref, { results: [{ id: 'd1', statusCode: 200 }, { id: 'd2', statusCode: 200 }] });
    const [updated, deleted] = await drain(host, b, q.messages);
    expect(updated!.headers).toMatchObject({ requestid: 'up', responseaction: 'UPDATE' });
    expect(updated!.body.updateResponse.updates.update[1]).toMatchObject({ '@id': 'b', '@statusCode': '404', error: { message: 'No such student' } });
    expect(deleted!.headers).toMatchObject({ requestid: 'del', responseaction: 'DELETE' });
    expect(deleted!.body.deleteResponse.deletes.delete.map((d: GoessnerObject) => d['@statusCode'])).toEqual(['200', '200']);
  });

  test('a delayed handler that throws instead of taking the request: its error is the answer', async () => {
    const q = await createQueue(host, b);
    const refused = { xStudents: { xStudent: [student(1, { localId: 'refuse' })] } };
    expect((await delayed(host, b, 'post', 'xStudents', q.id, 'no').type('json').send(refused)).status).toBe(202);
    await host.provider.idle();
    const [answer] = await drain(host, b, q.messages);
    expect(answer!.headers).toMatchObject({ messagetype: 'ERROR', requestid: 'no' });
    expect(answer!.body.error).toMatchObject({ code: '409', message: 'This import is refused' });
    expect((await host.provider.store.pendingDelayedRequests()).length).toBe(0);
  });

  test('a taken request not completed within maxMessageAgeHours is ended with an ERROR by housekeeping', async () => {
    let now = Date.parse('2026-11-22T08:00:00.000Z');
    const students = memoryService({ objectName: 'xStudent' });
    const refs: string[] = [];
    const forgetful = createTestHost({
      consumers: QUEUE_TEST_CONSUMERS,
      clock: () => new Date(now),
      queues: { housekeepingSeconds: 1, maxMessageAgeHours: 2 },
      services: { xStudents: { ...students.definition, delayed: { query: async (_ctx, _q, { ref }) => void refs.push(ref) } } },
    });
    try {
      const c = await session(forgetful, 'DemoApp', 'DemoSecret');
      const q = await createQueue(forgetful, c);
      await delayed(forgetful, c, 'get', 'xStudents', q.id, 'forgotten');
      await forgetful.provider.idle();
      expect(refs).toHaveLength(1);
      now += 3 * 3_600_000;
      let answers: Awaited<ReturnType<typeof drain>> = [];
      for (let i = 0; i < 60 && answers.length === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        answers = await drain(forgetful, c, q.messages);
      }
      expect(answers.map((m) => [m.headers.messagetype, m.headers.requestid, m.body.error.code])).toEqual([['ERROR', 'forgotten', '500']]);
      expect(answers[0]!.body.error.message).toContain('did not complete this request within 2 hours');
      expect(await forgetful.provider.respond(refs[0]!, { objects: [] })).toBe(false);
    } finally {
      await forgetful.close();
    }
  });

  test('an unknown ref, or one whose environment is gone, is answered false', async () => {
    expect(await host.provider.respond('00000000-0000-4000-8000-000000000000', { objects: [] })).toBe(false);
    const q = await createQueue(host, b);
    await delayed(host, b, 'get', 'xStudents', q.id, 'q1');
    await host.provider.idle();
    await request(host.app).delete(`/sif3/environments/${b.id}`).set('Authorization', b.auth);
    expect(await host.provider.complete(taken[0]!.ref, { objects: [] })).toBe(false);
  });
});

describe('restart recovery', () => {
  test('a delayed request accepted (202) but not run before the process stopped is run by the next one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sif3-restart-'));
    const database = join(dir, 'state.db');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const startProvider = (stuck: boolean): { app: express.Express; provider: SifProvider } => {
      const students = memoryService({ objectName: 'xStudent', objects: [1, 2, 3].map((i) => student(i)) });
      const query = students.definition.handlers!.query!;
      const provider = createSifProvider({
        database,
        consumers: QUEUE_TEST_CONSUMERS,
        queues: true,
        logger: SILENT,
        services: {
          xStudents: {
            ...students.definition,
            handlers: { ...students.definition.handlers, query: async (ctx, q) => (stuck ? gate.then(() => query(ctx, q)) : query(ctx, q)) },
          },
        },
      });
      const app = express();
      app.use('/sif3', provider.router);
      return { app, provider };
    };
    const first = startProvider(true);
    const host1 = { app: first.app, provider: first.provider, mount: '/sif3' } as TestHost;
    const b = await session(host1, 'DemoApp', 'DemoSecret');
    const q = await createQueue(host1, b);
    expect((await delayed(host1, b, 'get', 'xStudents', q.id, 'survivor')).status).toBe(202);
    // The first process "dies" with the request running: its store is closed under it.
    await first.provider.store.close();

    const second = startProvider(false);
    const host2 = { app: second.app, provider: second.provider, mount: '/sif3' } as TestHost;
    await second.provider.idle();
    const [answer] = await drain(host2, b, q.messages);
    expect(answer!.headers.requestid).toBe('survivor');
    expect(answer!.body.xStudents.xStudent).toHaveLength(3);
    expect(await second.provider.store.pendingDelayedRequests()).toEqual([]);
    await second.provider.close();
    release();
    rmSync(dir, { recursive: true, force: true });
  });
});
