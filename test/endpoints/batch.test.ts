import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { GoessnerObject, ObjectsChanged, ServiceDefinition, ServiceHandlers, SifProviderOptions } from 'sif3-direct';
import { ConflictError, ForbiddenError, SifConfigError, createSifProvider } from 'sif3-direct';
import { basicAuth } from '../helpers/consumer-auth';
import type { TestHost } from '../helpers/host';
import { INFRA_NS, TEST_CONSUMERS, createTestHost, register } from '../helpers/host';
import { memoryService, student } from '../helpers/memory-service';
import { QUEUE_TEST_CONSUMERS, createQueue, drain } from '../helpers/queues';

// Batch handlers (issue #11): createMany, updateMany and deleteMany take a whole multi-object
// request, so that the host can write it in one transaction, and answer per item. What they return
// is checked item by item as the single handlers' results are; a batch that fails as a whole fails
// each of its items, never the request.

const rc = '/sif3/requests';
const refId = (i: number) => String(student(i)['@refId']);

interface Batch {
  host: TestHost;
  students: Map<string, GoessnerObject>;
  auth: string;
  changes: ObjectsChanged[];
  errors: unknown[][];
  handlers: ServiceHandlers;
}

/** A host whose xStudents has batch handlers (and, unless omitted, single ones), with 3 students. */
async function batchHost(omit: (keyof ServiceHandlers)[] = [], options: Partial<SifProviderOptions> = {}): Promise<Batch> {
  const svc = memoryService({ objectName: 'xStudent', batch: true, omit, objects: [student(1), student(2), student(3)] });
  // The provider keeps the handlers it was given; tests swap them in `handlers`, which these call.
  const handlers: Record<string, (...args: unknown[]) => Promise<unknown>> = { ...(svc.definition.handlers as Record<string, never>) };
  const given = svc.definition.handlers as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of Object.keys(handlers)) given[name] = (...args) => handlers[name]!(...args);
  const errors: unknown[][] = [];
  const host = createTestHost({ services: { xStudents: svc.definition }, consumers: TEST_CONSUMERS, ...options, logger: { warn: () => undefined, error: (...args) => errors.push(args) } });
  const env = await register(host);
  const changes: ObjectsChanged[] = [];
  host.provider.events.on('objects.changed', (c) => changes.push(c));
  return { host, students: svc.objects, auth: basicAuth(env.sessionToken, 'DemoSecret'), changes, errors, handlers: handlers as ServiceHandlers };
}

const post = (b: Batch, objects: GoessnerObject[]) =>
  request(b.host.app).post(`${rc}/xStudents`).set('Authorization', b.auth).set('Accept', 'application/json').type('json').send({ xStudents: { xStudent: objects } });
const put = (b: Batch, objects: GoessnerObject[]) =>
  request(b.host.app).put(`${rc}/xStudents`).set('Authorization', b.auth).set('Accept', 'application/json').type('json').send({ xStudents: { xStudent: objects } });
const remove = (b: Batch, ids: string[]) =>
  request(b.host.app)
    .put(`${rc}/xStudents`)
    .set('Authorization', b.auth)
    .set('methodOverride', 'DELETE')
    .set('Accept', 'application/json')
    .type('json')
    .send({ deleteRequest: { deletes: { delete: ids.map((id) => ({ '@id': id })) } } });
const statuses = (items: Record<string, unknown>[]) => items.map((i) => [i['@id'], i['@statusCode']]);

describe('batch results are checked item by item', () => {
  let b: Batch;
  afterEach(async () => b.host.close());

  test('createMany: a stored object is 201; no id, the wrong id under mustUseAdvisory or a plain Error is a 500 for that item; a SifError picks its status', async () => {
    b = await batchHost();
    const seen: GoessnerObject[][] = [];
    b.handlers.createMany = async (_ctx, objects, { mustUseAdvisory }) => {
      seen.push(objects);
      expect(mustUseAdvisory).toBe(true);
      const results: (GoessnerObject | Error)[] = [
        { ...objects[0]! },
        { name: { familyName: 'NoId' } },
        new Error('INSERT INTO secret_table failed'),
        new ConflictError('refId taken'),
        { ...objects[4]!, '@refId': refId(99) },
      ];
      return results;
    };
    const res = await post(b, [student(11), student(12), student(13), student(14), student(15), { name: { familyName: 'Anonymous' } }]).set('mustUseAdvisory', 'true');
    expect(res.status).toBe(200);
    const creates = res.body.createResponse.creates.create as Record<string, any>[];
    expect(creates.map((c) => [c['@advisoryId'], c['@statusCode']])).toEqual([
      [refId(11), '201'],
      [refId(12), '500'],
      [refId(13), '500'],
      [refId(14), '409'],
      [refId(15), '500'],
      ['', '400'],
    ]);
    expect(creates[0]!['@id']).toBe(refId(11));
    expect(creates[1]!.error.message).toMatch(/must return the object with its @refId/);
    expect(JSON.stringify(creates[2])).not.toContain('secret_table');
    expect(creates[3]!.error.message).toBe('refId taken');
    expect(creates[4]!.error.message).toMatch(/advisory id/);
    // The object refused before (mustUseAdvisory without an id) never reached the handler.
    expect(seen.map((objects) => objects.length)).toEqual([5]);
    expect(b.changes).toMatchObject([{ action: 'CREATE', ids: [refId(11)] }]);
    expect(b.errors.length).toBeGreaterThan(0);
  });

  test('updateMany and deleteMany: true is 200, false is 404, a non-boolean or a plain Error is 500, a SifError picks its status', async () => {
    b = await batchHost();
    const updateResults: unknown[] = [true, false, 'yes', new ForbiddenError('Sealed'), new Error('lock timeout')];
    b.handlers.updateMany = async () => updateResults as (boolean | Error)[];
    const updated = await put(b, [1, 2, 3, 4, 5].map((i) => ({ '@refId': refId(i), localId: `x${i}` })));
    expect(updated.status).toBe(200);
    const updates = updated.body.updateResponse.updates.update as Record<string, any>[];
    expect(statuses(updates)).toEqual([
      [refId(1), '200'],
      [refId(2), '404'],
      [refId(3), '500'],
      [refId(4), '403'],
      [refId(5), '500'],
    ]);
    expect(updates[2]!.error.message).toMatch(/must return true or false/);
    expect(JSON.stringify(updates[4])).not.toContain('lock timeout');

    b.handlers.deleteMany = async () => [new ForbiddenError('Sealed'), 1, true, false] as (boolean | Error)[];
    const deleted = await remove(b, [refId(1), refId(2), refId(3), refId(4)]);
    expect(deleted.status).toBe(200);
    expect(statuses(deleted.body.deleteResponse.deletes.delete)).toEqual([
      [refId(1), '403'],
      [refId(2), '500'],
      [refId(3), '200'],
      [refId(4), '404'],
    ]);
    // One change report per request, with only the items that succeeded.
    expect(b.changes).toMatchObject([
      { action: 'UPDATE', ids: [refId(1)] },
      { action: 'DELETE', ids: [refId(3)] },
    ]);
  });
});

describe('a batch that fails as a whole fails each of its items', () => {
  let b: Batch;
  afterEach(async () => b.host.close());

  test('a result array of the wrong length: every item 500, logged once, no change reported', async () => {
    b = await batchHost();
    b.handlers.createMany = async (_ctx, objects) => objects.slice(1);
    const res = await post(b, [student(11), student(12), { name: { familyName: 'Anonymous' } }]);
    expect(res.status).toBe(200);
    const creates = res.body.createResponse.creates.create as Record<string, any>[];
    expect(creates.map((c) => c['@statusCode'])).toEqual(['500', '500', '500']);
    expect(creates[0]!.error.message).toMatch(/createMany handler must return one result per item/);
    expect(b.errors).toHaveLength(1);
    expect(b.changes).toEqual([]);
  });

  test('a batch handler that throws: every item 500 (logged once, nothing leaked); a thrown SifError gives every item its status', async () => {
    b = await batchHost();
    b.handlers.updateMany = async () => {
      throw new Error('transaction rolled back: secret_table');
    };
    const res = await put(b, [{ '@refId': refId(1), localId: 'a' }, { localId: 'no id' }, { '@refId': refId(2), localId: 'b' }]);
    expect(res.status).toBe(200);
    expect(statuses(res.body.updateResponse.updates.update)).toEqual([
      [refId(1), '500'],
      [undefined, '400'],
      [refId(2), '500'],
    ]);
    expect(res.text).not.toContain('secret_table');
    expect(b.errors).toHaveLength(1);

    b.handlers.deleteMany = async () => {
      throw new ForbiddenError('The term is closed');
    };
    const refused = await remove(b, [refId(1), refId(2)]);
    expect(refused.status).toBe(200);
    const deletes = refused.body.deleteResponse.deletes.delete as Record<string, any>[];
    expect(statuses(deletes)).toEqual([
      [refId(1), '403'],
      [refId(2), '403'],
    ]);
    expect(deletes[1]!.error.message).toBe('The term is closed');
    expect(b.errors).toHaveLength(1);
    expect(b.changes).toEqual([]);
    expect(b.students.size).toBe(3);
  });
});

describe('a service with batch handlers only', () => {
  let b: Batch;
  afterEach(async () => b.host.close());

  test('is granted CREATE, UPDATE and DELETE at start-up and serves single-object requests as batches of one', async () => {
    b = await batchHost(['create', 'update', 'delete']);
    const one = (method: 'post' | 'put' | 'delete', path: string) =>
      request(b.host.app)[method](`${rc}/xStudents/${path}`).set('Authorization', b.auth).set('Accept', 'application/json').type('json');
    const created = await one('post', 'xStudent').send({ xStudent: student(7) });
    expect([created.status, created.body.xStudent?.['@refId']]).toEqual([201, refId(7)]);
    const taken = await one('post', 'xStudent').set('mustUseAdvisory', 'true').send({ xStudent: student(7) });
    expect([taken.status, taken.body.error?.code]).toEqual([409, '409']);
    expect((await one('put', refId(7)).send({ xStudent: { localId: 'z' } })).status).toBe(204);
    expect((await one('put', refId(99)).send({ xStudent: { localId: 'z' } })).status).toBe(404);
    expect((await one('delete', refId(7))).status).toBe(204);
    expect((await one('delete', refId(7))).status).toBe(404);
    const many = await post(b, [student(8), student(9)]);
    expect(statuses(many.body.createResponse.creates.create)).toEqual([
      [refId(8), '201'],
      [refId(9), '201'],
    ]);
    expect(b.changes.map((c) => [c.action, c.ids])).toEqual([
      ['CREATE', [refId(7)]],
      ['UPDATE', [refId(7)]],
      ['DELETE', [refId(7)]],
      ['CREATE', [refId(8), refId(9)]],
    ]);
  });

  test('a batch of one that returns the wrong number of results is a 500 for the single request', async () => {
    b = await batchHost(['create', 'update', 'delete']);
    b.handlers.deleteMany = async () => [];
    const res = await request(b.host.app).delete(`${rc}/xStudents/${refId(1)}`).set('Authorization', b.auth).set('Accept', 'application/json');
    expect(res.status).toBe(500);
    expect(res.body.error.message).toMatch(/deleteMany handler must return one result per item/);
  });
});

describe('start-up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sif3-batch-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const attempt = (xStudents: ServiceDefinition, queues = false) => () =>
    createSifProvider({ database: join(dir, 'state.db'), services: { xStudents }, consumers: [], ...(queues ? { queues: true } : {}) });
  const base = { objectName: 'xStudent', namespace: INFRA_NS };

  test('a batch handler that is not a function is refused, naming it', () => {
    const bad = { ...base, handlers: { createMany: 'yes' } } as unknown as ServiceDefinition;
    expect(attempt(bad)).toThrow(SifConfigError);
    expect(attempt(bad)).toThrow(/services\.xStudents\.handlers\.createMany must be a function/);
  });

  test('an asynchronous createMany is accepted beside handlers.createMany alone, and still refused with neither', async () => {
    const delayed = { createMany: async () => undefined };
    const ok = attempt({ ...base, handlers: { createMany: async (_ctx, objects) => objects }, delayed }, true)();
    await ok.close();
    expect(attempt({ ...base, handlers: { read: async () => null }, delayed }, true)).toThrow(/services\.xStudents\.delayed\.createMany needs handlers\.create or handlers\.createMany/);
  });
});

describe('delayed requests', () => {
  test('a delayed multi-object create runs through the batch handler, once', async () => {
    const b = await batchHost([], { consumers: QUEUE_TEST_CONSUMERS, queues: true });
    const calls: number[] = [];
    const createMany = b.handlers.createMany!;
    b.handlers.createMany = async (ctx, objects, options) => (calls.push(objects.length), createMany(ctx, objects, options));
    const me = { id: '', auth: b.auth, body: {} };
    const q = await createQueue(b.host, me);
    const res = await request(b.host.app)
      .post(`${rc}/xStudents`)
      .set('Authorization', me.auth)
      .set('requestType', 'DELAYED')
      .set('queueId', q.id)
      .set('requestId', 'bulk-1')
      .set('Accept', 'application/json')
      .type('json')
      .send({ xStudents: { xStudent: [student(21), student(22), student(1)] } });
    expect(res.status).toBe(202);
    await b.host.provider.idle();
    const [answer] = await drain(b.host, me, q.messages);
    expect(answer!.headers.requestid).toBe('bulk-1');
    expect(answer!.body.createResponse.creates.create.map((c: Record<string, string>) => c['@statusCode'])).toEqual(['201', '201', '201']);
    expect(calls).toEqual([3]);
    expect(b.changes).toMatchObject([{ action: 'CREATE' }]);
    expect(b.changes[0]!.ids).toHaveLength(3);
    await b.host.close();
  });
});
