import { connect } from 'node:net';
import request from 'supertest';
import type { GoessnerObject, ServiceDefinition } from 'sif3-direct';
import { parseXml } from '../../lib/payload/xml';
import { basicAuth } from '../helpers/consumer-auth';
import { listen } from '../helpers/example';
import type { TestHost } from '../helpers/host';
import { INFRA_NS, createTestHost, register } from '../helpers/host';
import { NA_NS, memoryService } from '../helpers/memory-service';

// GitHub issue #10: hostile payloads (injected names, huge or deep documents, slow bodies) and
// handler results the writers cannot carry. Everything goes through real HTTP.

const rc = '/sif3/requests';
const INJECTED = 'enrollment/><enrollment><schoolRefId>attacker</schoolRefId></enrollment><x';
const INJECTED_ATTR = '@x="1" evil="2';

/** What the handlers below return for special ids: values the writers must refuse or convert. */
const SPECIAL: Record<string, unknown> = {
  inject: { '@refId': 'inject', [INJECTED]: 'v' },
  'inject-attr': { '@refId': 'inject-attr', [INJECTED_ATTR]: 'v' },
  scalars: {
    '@refId': 'scalars',
    '@version': 3,
    localId: 42,
    active: true,
    born: new Date('2001-02-03T04:05:06.000Z'),
    big: 12345678901234567890n,
    missing: null,
    gone: undefined,
    otherIds: { otherId: [7, { '@type': 'x', '#text': false }] },
  },
  'bad-scalar': { '@refId': 'bad-scalar', localId: Number.NaN },
  'bad-function': { '@refId': 'bad-function', name: { familyName: () => 'x' } },
};

function service(stored: Map<string, GoessnerObject>): ServiceDefinition {
  const base = memoryService({ objectName: 'xStudent', repeatable: ['otherIds/otherId'] }).definition;
  const handlers = base.handlers!;
  const read = handlers.read!;
  const update = handlers.update!;
  const remove = handlers.delete!;
  const create = handlers.create!;
  return {
    ...base,
    handlers: {
      ...handlers,
      read: async (ctx, id) => (id in SPECIAL ? (SPECIAL[id] as GoessnerObject) : read(ctx, id)),
      update: async (ctx, id, partial) => (id === 'undefined' ? (undefined as unknown as boolean) : update(ctx, id, partial)),
      delete: async (ctx, id) => (id === 'yes' ? ('yes' as unknown as boolean) : remove(ctx, id)),
      // Every object created, to check that refused requests create none.
      create: async (ctx, object, options) => {
        const created = await create(ctx, object, options);
        stored.set(String(created['@refId']), created);
        return created;
      },
    },
  };
}

let host: TestHost;
let auth: string;
const stored = new Map<string, GoessnerObject>();

beforeAll(async () => {
  host = createTestHost({ services: { xStudents: service(stored) }, limits: { maxObjectsPerRequest: 3, bodyIdleTimeoutSeconds: 1 } });
  const me = await register(host);
  auth = basicAuth(me.sessionToken, 'DemoSecret');
});
afterAll(async () => {
  await host.close();
});

const call = (method: 'get' | 'post' | 'put' | 'delete', path: string) => request(host.app)[method](`${rc}${path}`).set('Authorization', auth);
const postJson = (path: string, body: string) => call('post', path).set('Content-Type', 'application/json').set('Accept', 'application/json').send(body);
const postXml = (path: string, body: string) => call('post', path).set('Content-Type', 'application/xml').send(body);

function expectSifError(res: request.Response, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers.messagetype).toBe('ERROR');
  if (res.type === 'application/json') expect(Object.keys(res.body)).toEqual(['error']);
  else expect(parseXml(res.text).root).toBe('error');
}

describe('names that cannot inject', () => {
  test('a JSON key that would inject elements into XML is a 400 naming its path, and nothing is stored', async () => {
    const before = stored.size;
    const res = await postJson('/xStudents/xStudent', JSON.stringify({ xStudent: { localId: '1', [INJECTED]: 'x' } }));
    expectSifError(res, 400);
    expect(JSON.stringify(res.body)).toContain('xStudent/');
    expect(stored.size).toBe(before);
  });

  test('a bad key deep inside an object, or an element name with a colon, is a 400 too', async () => {
    const deep = await postJson('/xStudents/xStudent', JSON.stringify({ xStudent: { name: { parts: [{ 'a b': 'x' }] } } }));
    expectSifError(deep, 400);
    expect(JSON.stringify(deep.body)).toContain('xStudent/name/parts');
    expectSifError(await postJson('/xStudents/xStudent', JSON.stringify({ xStudent: { 'sif:name': 'x' } })), 400);
  });

  test('an attribute key that would inject attributes is a 400', async () => {
    const res = await postJson('/xStudents/xStudent', JSON.stringify({ xStudent: { localId: '1', [INJECTED_ATTR]: 'x' } }));
    expectSifError(res, 400);
  });

  test.each(['xml', 'json'] as const)('a handler returning an injecting element name is a 500 SIF error in %s, never XML with the injected element', async (format) => {
    const res = await call('get', '/xStudents/inject').set('Accept', `application/${format}`);
    expectSifError(res, 500);
    // In JSON the name is quoted text of the error message; in XML it is escaped.
    if (format === 'xml') expect(res.text).not.toContain('<schoolRefId>');
    expect(res.text).toContain('is not an XML element name');
  });

  test('a handler returning an injecting attribute name is a 500 SIF error', async () => {
    const res = await call('get', '/xStudents/inject-attr');
    expectSifError(res, 500);
    expect(res.text).not.toContain('evil="2');
  });

  test('__proto__ and duplicate keys in a JSON object are 400s, at any depth', async () => {
    const before = stored.size;
    for (const body of [
      '{"xStudent":{"__proto__":{"localId":"1"}}}',
      '{"xStudent":{"name":{"__proto__":"x"}}}',
      '{"xStudent":{"localId":"1","localId":"2"}}',
      '{"xStudent":{"name":{"a":[{"b":"1","b":"2"}]}}}',
      '{"xStudent":{"@refId":"a","@refId":"b"}}',
    ]) {
      expectSifError(await postJson('/xStudents/xStudent', body), 400);
    }
    expectSifError(await postXml('/xStudents/xStudent', `<xStudent xmlns="${NA_NS}"><__proto__>x</__proto__></xStudent>`), 400);
    expect(stored.size).toBe(before);
  });

  test.each(['xml', 'json'] as const)('toString and constructor are ordinary elements that round-trip (%s in)', async (format) => {
    const value = { toString: 'a', constructor: { hasOwnProperty: 'b', valueOf: ['c', 'd'] }, localId: '9' };
    const body = format === 'json' ? JSON.stringify({ xStudent: value }) : `<xStudent xmlns="${NA_NS}"><toString>a</toString><constructor><hasOwnProperty>b</hasOwnProperty><valueOf>c</valueOf><valueOf>d</valueOf></constructor><localId>9</localId></xStudent>`;
    const created = format === 'json' ? await postJson('/xStudents/xStudent', body) : await postXml('/xStudents/xStudent', body);
    expect(created.status).toBe(201);
    const id = format === 'json' ? created.body.xStudent['@refId'] : parseXml(created.text).value['@refId'];
    const asJson = await call('get', `/xStudents/${id}`).set('Accept', 'application/json');
    expect(asJson.body.xStudent).toEqual({ ...value, '@refId': id });
    const asXml = await call('get', `/xStudents/${id}`);
    expect(parseXml(asXml.text).value).toEqual({ ...value, '@refId': id });
  });
});

describe('limits enforced while parsing', () => {
  test('150,000 sibling elements in XML are a 413 naming limits.maxElements', async () => {
    const res = await postXml('/xStudents/xStudent', `<xStudent xmlns="${NA_NS}">${'<a/>'.repeat(150_000)}</xStudent>`);
    expectSifError(res, 413);
    expect(res.text).toContain('limits.maxElements');
  });

  test('150,000 elements in JSON are a 413 naming limits.maxElements', async () => {
    const res = await postJson('/xStudents/xStudent', JSON.stringify({ xStudent: { a: new Array(150_000).fill('') } }));
    expectSifError(res, 413);
    expect(JSON.stringify(res.body)).toContain('limits.maxElements');
  });

  test('150,000 attributes are a 413 naming limits.maxAttributes', async () => {
    const attrs = Array.from({ length: 150_000 }, (_, i) => ` a${i}=""`).join('');
    const res = await postXml('/xStudents/xStudent', `<xStudent xmlns="${NA_NS}"${attrs}/>`);
    expectSifError(res, 413);
    expect(res.text).toContain('limits.maxAttributes');
  });

  test.each(['xml', 'json'] as const)('nesting past limits.maxDepth is a 400 (%s)', async (format) => {
    const res =
      format === 'xml'
        ? await postXml('/xStudents/xStudent', `<xStudent xmlns="${NA_NS}">${'<a>'.repeat(100)}${'</a>'.repeat(100)}</xStudent>`)
        : await postJson('/xStudents/xStudent', `{"xStudent":${'{"a":'.repeat(100)}"x"${'}'.repeat(100)}}`);
    expectSifError(res, 400);
    expect(res.text).toContain('limits.maxDepth');
  });

  test.each([
    ['an unclosed tag', `<xStudent xmlns="${NA_NS}"><a>`],
    ['mismatched tags', `<xStudent xmlns="${NA_NS}"><a></b></xStudent>`],
    ['an attribute without quotes', `<xStudent xmlns="${NA_NS}" a=1/>`],
    ['< in an attribute value', `<xStudent xmlns="${NA_NS}" a="<"/>`],
    ['text after the root', `<xStudent xmlns="${NA_NS}"/>x`],
    ['an invalid character', `<xStudent xmlns="${NA_NS}">\u0001</xStudent>`],
    ['an undefined entity', `<xStudent xmlns="${NA_NS}">&nbsp;</xStudent>`],
  ])('%s is a 400 with a description', async (_name, body) => {
    const res = await postXml('/xStudents/xStudent', body);
    expectSifError(res, 400);
    expect(parseXml(res.text).value.description).toBeTruthy();
  });
});

describe('scalars from handlers', () => {
  test('numbers, booleans, dates and bigints are written as text in XML; null and undefined are left out', async () => {
    const res = await call('get', '/xStudents/scalars');
    expect(res.status).toBe(200);
    expect(res.text).toContain('<xStudent xmlns="http://www.sifassociation.org/datamodel/na/3.6" refId="scalars" version="3">');
    expect(res.text).toContain('<localId>42</localId><active>true</active><born>2001-02-03T04:05:06.000Z</born><big>12345678901234567890</big>');
    expect(res.text).toContain('<otherIds><otherId>7</otherId><otherId type="x">false</otherId></otherIds>');
    expect(res.text).not.toContain('missing');
    expect(res.text).not.toContain('gone');
  });

  test('and as the same text (strings) in JSON', async () => {
    const res = await call('get', '/xStudents/scalars').set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.body.xStudent).toEqual({
      '@refId': 'scalars',
      '@version': '3',
      localId: '42',
      active: 'true',
      born: '2001-02-03T04:05:06.000Z',
      big: '12345678901234567890',
      otherIds: { otherId: ['7', { '@type': 'x', '#text': 'false' }] },
    });
  });

  test.each(['bad-scalar', 'bad-function'])('%s from a read handler is a 500 naming the path', async (id) => {
    for (const format of ['xml', 'json']) {
      const res = await call('get', `/xStudents/${id}`).set('Accept', `application/${format}`);
      expectSifError(res, 500);
      expect(res.text).toMatch(/xStudent\/(localId|name\/familyName)/);
    }
  });
});

describe('every handler result is checked', () => {
  test('an update handler returning undefined is a 500 naming the handler, not a 404', async () => {
    const res = await call('put', '/xStudents/undefined').set('Content-Type', 'application/xml').send(`<xStudent xmlns="${NA_NS}"><localId>1</localId></xStudent>`);
    expectSifError(res, 500);
    expect(res.text).toContain('The xStudents update handler must return true or false');
  });

  test('a delete handler returning something other than a boolean is a 500', async () => {
    const res = await call('delete', '/xStudents/yes');
    expectSifError(res, 500);
    expect(res.text).toContain('The xStudents delete handler must return true or false');
  });
});

describe('objects per request', () => {
  test('a multi-object create past limits.maxObjectsPerRequest is a 413 before any handler runs', async () => {
    const before = stored.size;
    const body = JSON.stringify({ xStudents: { xStudent: [1, 2, 3, 4].map((i) => ({ localId: String(i) })) } });
    const res = await postJson('/xStudents', body);
    expectSifError(res, 413);
    expect(JSON.stringify(res.body)).toContain('limits.maxObjectsPerRequest');
    expect(stored.size).toBe(before);
  });

  test('a multi-object update past the limit is a 413', async () => {
    const body = JSON.stringify({ xStudents: { xStudent: [1, 2, 3, 4].map((i) => ({ '@refId': `id-${i}`, localId: String(i) })) } });
    const res = await call('put', '/xStudents').set('Content-Type', 'application/json').send(body);
    expectSifError(res, 413);
  });

  test('a deleteRequest past the limit is a 413 and deletes nothing', async () => {
    const created = await postJson('/xStudents/xStudent', JSON.stringify({ xStudent: { localId: 'keep' } }));
    const id = created.body.xStudent['@refId'];
    const deletes = { delete: [id, 'b', 'c', 'd'].map((x) => ({ '@id': x })) };
    const res = await call('put', '/xStudents')
      .set('methodOverride', 'DELETE')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ deleteRequest: { '@xmlns': INFRA_NS, deletes } }));
    expectSifError(res, 413);
    expect((await call('get', `/xStudents/${id}`)).status).toBe(200);
  });
});

describe('body idle timeout', () => {
  test('a body that stalls for limits.bodyIdleTimeoutSeconds is answered 408 and the connection is closed', async () => {
    const { base, close } = await listen(host.app);
    try {
      const { hostname, port } = new URL(base);
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), hostname, () => {
          socket.write(
            `POST ${rc}/xStudents/xStudent HTTP/1.1\r\nHost: ${hostname}\r\nAuthorization: ${auth}\r\nContent-Type: application/xml\r\nContent-Length: 1000\r\n\r\n<xStudent xmlns="${NA_NS}">`,
          );
        });
        let received = '';
        socket.on('data', (chunk) => (received += chunk.toString('utf8')));
        socket.on('end', () => resolve(received));
        socket.on('close', () => resolve(received));
        socket.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toContain('<error');
    } finally {
      await close();
    }
  });
});
