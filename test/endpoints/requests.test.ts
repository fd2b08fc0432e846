import request from 'supertest';
import type { GoessnerObject, ObjectsChanged } from 'sif3-direct';
import { parseXml, toXml } from '../../lib/payload/xml';
import { basicAuth } from '../helpers/consumer-auth';
import type { Registered, TestHost } from '../helpers/host';
import { INFRA_NS, createTestHost, register } from '../helpers/host';
import { NA_NS, memoryService, student } from '../helpers/memory-service';

let host: TestHost;
let me: Registered;
let auth: string;
let changes: ObjectsChanged[];
/** The objects behind xStudents. */
let students: Map<string, GoessnerObject>;
/** The write handlers called, in order: which of the single and batch handlers served a request. */
let calls: string[];
// The interop rows run with one-at-a-time handlers and again with batch handlers (issue #11): the
// answers must not tell them apart. Set by those describes, read when each test's host is built.
let batch = false;

const WRITE_HANDLERS = ['create', 'update', 'delete', 'createMany', 'updateMany', 'deleteMany'] as const;

beforeEach(async () => {
  const svc = memoryService({ objectName: 'xStudent', repeatable: ['otherIds/otherId', 'otherEmails/email'], batch });
  calls = [];
  const handlers = svc.definition.handlers as Record<string, (...args: unknown[]) => Promise<unknown>>;
  for (const name of WRITE_HANDLERS) {
    const handler = handlers[name];
    if (handler) handlers[name] = (...args) => (calls.push(name), handler(...args));
  }
  host = createTestHost({ services: { xStudents: svc.definition } });
  students = svc.objects;
  me = await register(host);
  auth = basicAuth(me.sessionToken, 'DemoSecret');
  changes = [];
  host.provider.events.on('objects.changed', (c) => changes.push(c));
});
afterEach(async () => {
  await host.close();
});

const rc = '/sif3/requests';
const xml = (root: string, value: object, ns = NA_NS) => toXml(root, value as never, ns);
const seed = (n: number) => {
  for (let i = 1; i <= n; i++) students.set(String(student(i)['@refId']), student(i));
};
const refId = (i: number) => String(student(i)['@refId']);
const call = (method: 'get' | 'post' | 'put' | 'delete' | 'head', path: string) => request(host.app)[method](`${rc}${path}`).set('Authorization', auth);

describe.each([
  ['xml', 'single'],
  ['json', 'single'],
  ['xml', 'batch'],
  ['json', 'batch'],
] as const)('every row of the interop table, in %s, with %s handlers', (format, handlers) => {
  beforeAll(() => {
    batch = handlers === 'batch';
  });
  afterAll(() => {
    batch = false;
  });
  /** The handler calls a multi-object request of n items makes. */
  const served = (single: string, many: string, n: number) => (handlers === 'batch' ? [many] : Array<string>(n).fill(single));
  const type = format === 'json' ? 'application/json' : 'application/xml';
  const body = (root: string, value: object, ns?: string) => (format === 'json' ? JSON.stringify({ [root]: value }) : xml(root, value, ns));
  const parse = (res: request.Response) => {
    expect(res.headers['content-type']).toBe(`${type}; charset=utf-8`);
    if (format === 'json') {
      const [root] = Object.keys(res.body);
      return { root: root!, value: res.body[root!] };
    }
    return parseXml(res.text);
  };
  const send = (method: 'get' | 'post' | 'put' | 'delete' | 'head', path: string) => call(method, path).set('Accept', type).type(type);

  test('POST {rc}/{plural}/{singular} → 201 with the created object', async () => {
    const res = await send('post', '/xStudents/xStudent').send(body('xStudent', student(1)));
    expect(res.status).toBe(201);
    expect(res.headers.responseaction).toBe('CREATE');
    const doc = parse(res);
    expect(doc.root).toBe('xStudent');
    if (format === 'xml') expect((doc as { namespace?: string }).namespace).toBe(NA_NS);
    expect(doc.value['@refId']).toBe(refId(1));
    expect(res.headers.location).toMatch(new RegExp(`/sif3/requests/xStudents/${refId(1)}$`));
    expect(students.get(refId(1))).toMatchObject({ name: { familyName: 'Family1' } });
    expect(changes).toMatchObject([{ serviceName: 'xStudents', action: 'CREATE', ids: [refId(1)], source: 'connector', zoneId: 'District' }]);
    expect(calls).toEqual(['create']);
  });

  test('POST {rc}/{plural} → 200 createResponse; each item stands alone', async () => {
    seed(2);
    const res = await send('post', '/xStudents')
      .set('mustUseAdvisory', 'true')
      .send(body('xStudents', { xStudent: [student(1), student(3), student(4)] }));
    expect(res.status).toBe(200);
    const doc = parse(res);
    expect(doc.root).toBe('createResponse');
    if (format === 'xml') expect((doc as { namespace?: string }).namespace).toBe(INFRA_NS);
    const creates = doc.value.creates.create;
    expect(creates.map((c: Record<string, string>) => [c['@advisoryId'], c['@statusCode']])).toEqual([
      [refId(1), '409'],
      [refId(3), '201'],
      [refId(4), '201'],
    ]);
    expect(creates[1]['@id']).toBe(refId(3));
    expect(creates[0].error.code).toBe('409');
    expect([...students.keys()]).toEqual([refId(1), refId(2), refId(3), refId(4)]);
    expect(changes).toMatchObject([{ action: 'CREATE', ids: [refId(3), refId(4)] }]);
    expect(calls).toEqual(served('create', 'createMany', 3));
  });

  test('GET {rc}/{plural} → 200 collection; 204 when empty, with paging headers', async () => {
    const empty = await send('get', '/xStudents');
    expect(empty.status).toBe(204);
    expect(empty.headers).toMatchObject({ navigationpage: '1', navigationcount: '0' });
    seed(3);
    const res = await send('get', '/xStudents');
    expect(res.status).toBe(200);
    const doc = parse(res);
    expect(doc.root).toBe('xStudents');
    expect(doc.value.xStudent.map((s: Record<string, string>) => s['@refId'])).toEqual([refId(1), refId(2), refId(3)]);
    expect(res.headers).toMatchObject({ navigationpage: '1', navigationpagesize: '3', navigationcount: '3', navigationlastpage: '1', responseaction: 'QUERY' });
  });

  test('GET {rc}/{plural}/{id} → 200 object / 404 error', async () => {
    seed(1);
    const res = await send('get', `/xStudents/${refId(1)}`);
    expect(res.status).toBe(200);
    expect(parse(res).value).toMatchObject({ '@refId': refId(1), name: { familyName: 'Family1' } });
    const missing = await send('get', `/xStudents/${refId(9)}`);
    expect(missing.status).toBe(404);
    expect(parse(missing).value.code).toBe('404');
  });

  test('PUT {rc}/{plural}/{id} → 204; 404 when missing', async () => {
    seed(1);
    const res = await send('put', `/xStudents/${refId(1)}`).send(body('xStudent', { localId: '777' }));
    expect(res.status).toBe(204);
    expect(res.headers.responseaction).toBe('UPDATE');
    expect(students.get(refId(1))!.localId).toBe('777');
    expect((await send('put', `/xStudents/${refId(9)}`).send(body('xStudent', { localId: '1' }))).status).toBe(404);
    expect(changes).toMatchObject([{ action: 'UPDATE', ids: [refId(1)] }]);
  });

  test('PUT {rc}/{plural} → 200 updateResponse with per-item status', async () => {
    seed(2);
    const res = await send('put', '/xStudents').send(
      body('xStudents', { xStudent: [{ '@refId': refId(1), localId: 'a' }, { '@refId': refId(9), localId: 'b' }, { localId: 'c' }] }),
    );
    expect(res.status).toBe(200);
    const updates = parse(res).value.updates.update;
    expect(updates.map((u: Record<string, string>) => [u['@id'], u['@statusCode']])).toEqual([
      [refId(1), '200'],
      [refId(9), '404'],
      [undefined, '400'],
    ]);
    expect(students.get(refId(1))!.localId).toBe('a');
    // The item without an id is refused before any handler sees it.
    expect(calls).toEqual(served('update', 'updateMany', 2));
    expect(changes).toMatchObject([{ action: 'UPDATE', ids: [refId(1)] }]);
  });

  test('PUT {rc}/{plural} + methodOverride: DELETE + deleteRequest → 200 deleteResponse', async () => {
    seed(3);
    const deleteRequest = { deletes: { delete: [{ '@id': refId(1) }, { '@id': refId(9) }, { '@id': refId(3) }] } };
    const res = await send('put', '/xStudents').set('methodOverride', 'delete').send(body('deleteRequest', deleteRequest, INFRA_NS));
    expect(res.status).toBe(200);
    expect(res.headers.responseaction).toBe('DELETE');
    const doc = parse(res);
    expect(doc.root).toBe('deleteResponse');
    expect(doc.value.deletes.delete.map((d: Record<string, string>) => [d['@id'], d['@statusCode']])).toEqual([
      [refId(1), '200'],
      [refId(9), '404'],
      [refId(3), '200'],
    ]);
    expect([...students.keys()]).toEqual([refId(2)]);
    expect(changes).toMatchObject([{ action: 'DELETE', ids: [refId(1), refId(3)] }]);
    expect(calls).toEqual(served('delete', 'deleteMany', 3));
  });

  test('DELETE {rc}/{plural}/{id} → 204; 404 when missing', async () => {
    seed(1);
    expect((await send('delete', `/xStudents/${refId(1)}`)).status).toBe(204);
    expect(students.size).toBe(0);
    expect((await send('delete', `/xStudents/${refId(1)}`)).status).toBe(404);
  });

  test('DELETE {rc}/{plural} → 405 pointing to methodOverride', async () => {
    const res = await send('delete', '/xStudents');
    expect(res.status).toBe(405);
    expect(parse(res).value.message).toMatch(/methodOverride: DELETE/);
  });

  test('HEAD {rc}/{plural} → 200, headers only', async () => {
    seed(3);
    const res = await send('head', '/xStudents');
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({ navigationcount: '3', responseaction: 'HEAD' });
    expect(res.text ?? '').toBe('');
  });
});

describe('routing', () => {
  test('matrix parameters choose zone and context; the relativeServicePath echoes them', async () => {
    seed(1);
    const res = await call('get', `/xStudents/${refId(1)};zoneId=District;contextId=DEFAULT?x=1`).set('requestId', 'r1');
    expect(res.status).toBe(200);
    expect(res.headers.relativeservicepath).toBe(`/xStudents/${refId(1)};zoneId=District;contextId=DEFAULT?x=1`);
    expect(res.headers.requestid).toBe('r1');
    expect(res.headers.environmenturi).toMatch(new RegExp(`/environments/${me.id}$`));
    expect(res.headers.fingerprint).toBe(me.body.fingerprint);
  });

  test.each([
    ['an unknown service', '/xTeachers'],
    ['an unknown zone', '/xStudents;zoneId=Nowhere'],
    ['an unknown context', '/xStudents;contextId=SUMMER'],
    ['a zone where the service is not provisioned', '/xStudents;zoneId=environment-global'],
  ])('%s → 404', async (_why, path) => {
    const res = await call('get', path);
    expect(res.status).toBe(404);
    expect(parseXml(res.text).value.code).toBe('404');
  });

  test('a zone given as a header works too; the .json suffix picks JSON', async () => {
    seed(1);
    const res = await call('get', '/xStudents.json').set('zoneId', 'Elementary');
    expect(res.status).toBe(200);
    expect(res.body.xStudents.xStudent).toHaveLength(1);
  });

  test('requestType DELAYED is a 400 while the provider has no queues; IMMEDIATE is fine', async () => {
    expect((await call('get', '/xStudents').set('requestType', 'DELAYED').set('queueId', 'q')).status).toBe(400);
    expect((await call('get', '/xStudents').set('requestType', 'immediate')).status).toBe(204);
  });

  test.each([
    ['where=%5Bname%2FfamilyName%3D%22X%22%5D', /does not support where/],
    ['order=%5BlocalId%3Dascending%5D', /does not support order/],
  ])('%s on a service that cannot apply it is a 400, never answered unfiltered', async (query, message) => {
    const { memoryService } = await import('../helpers/memory-service');
    const plain = memoryService({ objectName: 'xStudent', supports: {} });
    const h = createTestHost({ services: { xStudents: plain.definition } });
    const env = await register(h);
    const res = await request(h.app).get(`${rc}/xStudents?${query}`).set('Authorization', basicAuth(env.sessionToken, 'DemoSecret'));
    expect(res.status).toBe(400);
    expect(parseXml(res.text).value.message).toMatch(message);
    await h.close();
  });

});

describe('rights', () => {
  test('an operation without the right is 403 naming the right; nothing changes', async () => {
    seed(1);
    const kioskSession = await register(host, 'Kiosk', 'KioskSecret', 'kiosk-1');
    const kiosk = basicAuth(kioskSession.sessionToken, 'KioskSecret');
    // Kiosk has no xStudents service at all: 404. The Elementary zone grants DemoApp QUERY only.
    expect((await request(host.app).get(`${rc}/xStudents`).set('Authorization', kiosk)).status).toBe(404);
    const create = await call('post', '/xStudents/xStudent;zoneId=Elementary').type('xml').send(xml('xStudent', student(5)));
    expect(create.status).toBe(403);
    expect(parseXml(create.text).value.message).toMatch(/CREATE right on xStudents/);
    const del = await call('delete', `/xStudents/${refId(1)};zoneId=Elementary`);
    expect(del.status).toBe(403);
    expect(students.size).toBe(1);
  });
});

describe('paging', () => {
  beforeEach(() => seed(250));

  test('every object exactly once across pages, with count and last page', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 3; page++) {
      const res = await call('get', `/xStudents?navigationPage=${page}&navigationPageSize=100`).set('Accept', 'application/json');
      expect(res.status).toBe(200);
      expect(res.headers).toMatchObject({ navigationcount: '250', navigationlastpage: '3', navigationpage: String(page) });
      seen.push(...res.body.xStudents.xStudent.map((s: Record<string, string>) => s['@refId']));
    }
    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    const past = await call('get', '/xStudents').set('navigationPage', '4').set('navigationPageSize', '100');
    expect(past.status).toBe(204);
    expect(past.headers).toMatchObject({ navigationcount: '250', navigationlastpage: '3' });
  });

  // Issue #13: a query without paging used to be cut silently to the default page of 100.
  test('no paging asked → a bulk query: every object in one answer, page 1 of 1 (Base Architecture §5.4.1)', async () => {
    const res = await call('get', '/xStudents').set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.body.xStudents.xStudent).toHaveLength(250);
    expect(new Set(res.body.xStudents.xStudent.map((s: Record<string, string>) => s['@refId'])).size).toBe(250);
    expect(res.headers).toMatchObject({ navigationpage: '1', navigationpagesize: '250', navigationcount: '250', navigationlastpage: '1' });
  });

  test('navigationPage without a size → a page of the default size (paging.defaultPageSize)', async () => {
    const res = await call('get', '/xStudents?navigationPage=3').set('Accept', 'application/json');
    expect(res.body.xStudents.xStudent).toHaveLength(50);
    expect(res.headers).toMatchObject({ navigationpage: '3', navigationlastpage: '3' });
  });

  test('headers win over query parameters', async () => {
    const res = await call('get', '/xStudents?navigationPageSize=5').set('navigationPageSize', '7').set('Accept', 'application/json');
    expect(res.body.xStudents.xStudent).toHaveLength(7);
  });

  test.each([
    ['navigationPage=0', 400],
    ['navigationPage=-1', 400],
    ['navigationPage=abc', 400],
    ['navigationPageSize=0', 400],
    ['navigationPageSize=1001', 413],
  ])('%s → %i', async (query, status) => {
    const res = await call('get', `/xStudents?${query}`);
    expect(res.status).toBe(status);
    expect(parseXml(res.text).value.code).toBe(String(status));
  });

  test('a large page is gzipped when accepted', async () => {
    const res = await call('get', '/xStudents').set('Accept-Encoding', 'gzip');
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(parseXml(res.text).value.xStudent).toHaveLength(250);
  });
});

describe('objects cross the handler boundary in one shape', () => {
  test('a single repeated element reaches the handler as an array, from XML and from JSON; JSON output has arrays', async () => {
    const one = { '@refId': refId(1), otherIds: { otherId: { type: 'State', id: '1' } }, localId: 5 };
    expect((await call('post', '/xStudents/xStudent').type('json').send({ xStudent: one })).status).toBe(201);
    expect(students.get(refId(1))).toEqual({ '@refId': refId(1), otherIds: { otherId: [{ type: 'State', id: '1' }] }, localId: '5' });
    const two = { '@refId': refId(2), otherIds: { otherId: { type: 'State', id: '2' } } };
    expect((await call('post', '/xStudents/xStudent').type('xml').send(xml('xStudent', two))).status).toBe(201);
    expect(students.get(refId(2))!.otherIds).toEqual({ otherId: [{ type: 'State', id: '2' }] });

    students.set(refId(3), { '@refId': refId(3), otherIds: { otherId: { type: 'State', id: '3' } } });
    const out = await call('get', `/xStudents/${refId(3)}`).set('Accept', 'application/json');
    expect(out.body.xStudent.otherIds.otherId).toEqual([{ type: 'State', id: '3' }]);
  });

  test('the wrong root or a body id that contradicts the URL is a 400', async () => {
    seed(1);
    expect((await call('post', '/xStudents/xStudent').type('xml').send(xml('xSchool', {}))).status).toBe(400);
    expect((await call('put', `/xStudents/${refId(1)}`).type('xml').send(xml('xStudent', { '@refId': refId(2) }))).status).toBe(400);
    expect((await call('post', '/xStudents').type('xml').send(xml('xStudents', {}))).status).toBe(400);
  });
});

describe('handlers', () => {
  test('an operation a service does not implement is a 405 with Allow', async () => {
    const { memoryService } = await import('../helpers/memory-service');
    const readOnly = memoryService({ objectName: 'xStudent', omit: ['create', 'update', 'delete'] });
    const h = createTestHost({ services: { xStudents: readOnly.definition } });
    const env = await register(h);
    const res = await request(h.app).post(`${rc}/xStudents/xStudent`).set('Authorization', basicAuth(env.sessionToken, 'DemoSecret')).type('xml').send(xml('xStudent', student(1)));
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    await h.close();
  });

  test('a handler’s SifError picks the status; any other error is a bare 500', async () => {
    const { memoryService } = await import('../helpers/memory-service');
    const { ForbiddenError } = await import('sif3-direct');
    const svc = memoryService({ objectName: 'xStudent' });
    svc.definition.handlers!.read = async () => {
      throw new ForbiddenError('Sealed record');
    };
    svc.definition.handlers!.query = async () => {
      throw new Error('SELECT * FROM secret_table failed');
    };
    const h = createTestHost({ services: { xStudents: svc.definition } });
    const env = await register(h);
    const a = basicAuth(env.sessionToken, 'DemoSecret');
    const sealed = await request(h.app).get(`${rc}/xStudents/x`).set('Authorization', a);
    expect(sealed.status).toBe(403);
    expect(parseXml(sealed.text).value.message).toBe('Sealed record');
    const broken = await request(h.app).get(`${rc}/xStudents`).set('Authorization', a);
    expect(broken.status).toBe(500);
    expect(broken.text).not.toContain('secret_table');
    await h.close();
  });

  test('handlers receive who is asking', async () => {
    const { memoryService } = await import('../helpers/memory-service');
    const svc = memoryService({ objectName: 'xStudent' });
    const seenCtx: unknown[] = [];
    svc.definition.handlers!.read = async (ctx) => {
      seenCtx.push(ctx);
      return null;
    };
    const h = createTestHost({ services: { xStudents: svc.definition } });
    const env = await register(h, 'DemoApp', 'DemoSecret', 'tablet-3');
    await request(h.app).get(`${rc}/xStudents/x`).set('Authorization', basicAuth(env.sessionToken, 'DemoSecret')).set('generatorId', 'clerk-7').set('requestId', 'q-1');
    expect(seenCtx).toEqual([
      {
        serviceName: 'xStudents', zoneId: 'District', contextId: 'DEFAULT', applicationKey: 'DemoApp', environmentId: env.id,
        fingerprint: env.body.fingerprint, instanceId: 'tablet-3', userToken: undefined, solutionId: undefined, generatorId: 'clerk-7', requestId: 'q-1',
      },
    ]);
    await h.close();
  });

  test('the host reports its own changes', async () => {
    await host.provider.changed('xStudents', 'UPDATE', [student(1)]);
    expect(changes).toMatchObject([{ serviceName: 'xStudents', action: 'UPDATE', ids: [refId(1)], source: 'host' }]);
    await expect(host.provider.changed('xTeachers', 'UPDATE', [])).rejects.toThrow(/no service/);
    await expect(host.provider.changed('xStudents', 'DELETE', [{ name: 'x' }])).rejects.toThrow(/@refId/);
  });
});
