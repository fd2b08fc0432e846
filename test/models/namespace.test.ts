import request from 'supertest';
import { basicAuth } from '../helpers/consumer-auth';
import { createTestHost, register } from '../helpers/host';
import type { TestHost } from '../helpers/host';
import { NA_NS } from '../helpers/memory-service';

// Every object service, hand-written or from a model, takes XML only in its own data-model
// namespace: an AU object is never stored by an NA service (issue #13), and nothing is half-written.

describe('the data-model namespace of XML payloads, on a hand-written NA service', () => {
  let host: TestHost;
  let auth: string;
  beforeAll(async () => {
    host = createTestHost();
    auth = basicAuth((await register(host)).sessionToken, 'DemoSecret');
  });
  afterAll(() => host.close());
  const send = (method: 'post' | 'put', path: string, xml: string, headers: Record<string, string> = {}) =>
    request(host.app)[method](`/sif3/requests/${path}`).set('Authorization', auth).set('Content-Type', 'application/xml').set(headers).send(xml);

  test.each([
    ['create', 'post', 'xStudents/xStudent', '<xStudent xmlns="http://www.sifassociation.org/datamodel/au/3.4"><localId>1</localId></xStudent>', 'is in the namespace &quot;http://www.sifassociation.org/datamodel/au/3.4&quot;; xStudents takes'],
    ['create, no namespace', 'post', 'xStudents/xStudent', '<xStudent><localId>1</localId></xStudent>', 'The xStudent has no namespace; xStudents takes xmlns='],
    ['multi-object create', 'post', 'xStudents', '<xStudents xmlns="http://www.sifassociation.org/datamodel/na/3.5"><xStudent><localId>1</localId></xStudent></xStudents>', 'is in the namespace &quot;http://www.sifassociation.org/datamodel/na/3.5&quot;'],
    ['update', 'put', 'xStudents/00000000-0000-4000-8000-000000000001', '<xStudent xmlns="urn:other"><localId>1</localId></xStudent>', 'is in the namespace &quot;urn:other&quot;'],
    ['multi-object update', 'put', 'xStudents', '<xStudents><xStudent refId="00000000-0000-4000-8000-000000000001"/></xStudents>', 'The xStudents has no namespace'],
  ] as const)('Base Architecture §3.1: %s in a foreign namespace is a 400 that names both, and nothing is stored', async (_name, method, path, xml, message) => {
    const before = host.students.size;
    const res = await send(method, path, xml);
    expect(res.status).toBe(400);
    expect(res.text).toContain(message);
    expect(res.text).toContain(NA_NS);
    expect(host.students.size).toBe(before);
  });

  test('query by example is checked too; the right namespace and JSON (which has none) are served', async () => {
    const qbe = await send('post', 'xStudents', '<xStudent xmlns="urn:other"><localId>1</localId></xStudent>', { methodOverride: 'GET' });
    expect(qbe.status).toBe(400);
    expect(qbe.text).toContain('is in the namespace &quot;urn:other&quot;');
    expect((await send('post', 'xStudents/xStudent', `<xStudent xmlns="${NA_NS}"><localId>7</localId></xStudent>`)).status).toBe(201);
    const json = await request(host.app).post('/sif3/requests/xStudents/xStudent').set('Authorization', auth).set('Content-Type', 'application/json').send({ xStudent: { localId: '8' } });
    expect(json.status).toBe(201);
  });
});
