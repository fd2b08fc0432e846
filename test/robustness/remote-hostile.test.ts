import request from 'supertest';
import type { TestHost } from '../helpers/host';
import type { Session } from '../helpers/queues';
import { createQueue, drain, poll, session } from '../helpers/queues';
import { answer, remoteHost, staff, subscribe35 } from '../remote/helpers';

// Red team on SIF 3.5 remote (pull-mode) providers, over real HTTP against a real SQLite file: a
// sloppy or hostile provider answering the requests routed to it, and consumers posing as providers.
// What reaches the consumer's queue must be what its request asked for, or an ERROR.

let host: TestHost;
let consumer: Session;
let provider: Session;
let providerQueue: { id: string; messages: string };
let consumerQueue: { id: string; messages: string };

beforeEach(async () => {
  host = remoteHost();
  consumer = await session(host, 'DemoApp', 'DemoSecret');
  provider = await session(host, 'StaffDirectory', 'StaffSecret');
  providerQueue = await createQueue(host, provider);
  const sub = await subscribe35(host, provider, { serviceType: 'OBJECT', serviceName: 'xStaffs', messageType: 'REQUEST', queueId: providerQueue.id });
  expect(sub.status).toBe(201);
  consumerQueue = await createQueue(host, consumer);
});
afterEach(async () => host.close());

/** A DELAYED request of the consumer, taken from the provider's queue: the id the provider answers. */
async function routed(requestId: string, method: 'get' | 'post' = 'get', pageSize?: number): Promise<string> {
  let req = request(host.app)[method]('/sif3/requests/xStaffs').set('Authorization', consumer.auth).set('requestType', 'DELAYED').set('queueId', consumerQueue.id).set('requestId', requestId).set('Accept', 'application/json');
  if (method === 'post') req = req.type('json').send({ xStaffs: { xStaff: [staff(1)] } });
  if (pageSize !== undefined) req = req.set('navigationPageSize', String(pageSize));
  expect((await req).status).toBe(202);
  await host.provider.idle();
  const message = await poll(host, provider, providerQueue.messages);
  await request(host.app).delete(`/sif3/queues/${providerQueue.id}/messages/${message.headers.messageid}`).set('Authorization', provider.auth);
  return message.headers.requestid!;
}

function expectSifError(res: request.Response, status: number): string {
  expect([res.status, res.body?.error?.code]).toEqual([status, String(status)]);
  expect(res.text).not.toMatch(/\bat \S+\.(ts|js):\d+|node_modules/);
  return res.body.error.message;
}

describe('remote providers: a part that is not what was asked for is refused, and the consumer gets nothing of it', () => {
  test('objects of another type inside the service’s collection are a 400, not an empty page', async () => {
    const ref = await routed('other-type');
    expect(expectSifError(await answer(host, provider, ref, {}, { xStaffs: { xStudent: [staff(1)] } }), 400)).toContain('"xStudent"');
    expect(expectSifError(await answer(host, provider, ref, {}, { xStaffs: { xStaff: [staff(1)], xStudent: [staff(2)] } }), 400)).toContain('"xStudent"');
    expect(await drain(host, consumer, consumerQueue.messages)).toEqual([]);
    // The request is still open: a correct answer is taken.
    expect((await answer(host, provider, ref, {}, { xStaffs: { xStaff: [staff(3)] } })).status).toBe(202);
    const [page] = await drain(host, consumer, consumerQueue.messages);
    expect(page!.body.xStaffs.xStaff.map((s: { '@refId': string }) => s['@refId'])).toEqual([staff(3)['@refId']]);
  });

  test('malformed part numbers are 400s; a create answered with a collection or bad status codes is a 400', async () => {
    const ref = await routed('numbers');
    for (const navigationPage of ['0', '-1', 'abc', '1.5', '99999999999999999999999']) {
      expectSifError(await answer(host, provider, ref, { navigationPage }, { xStaffs: { xStaff: [staff(1)] } }), 400);
    }
    const create = await routed('create', 'post');
    expectSifError(await answer(host, provider, create, {}, { xStaffs: { xStaff: [staff(1)] } }), 400);
    for (const statusCode of ['abc', '999', '42']) {
      expectSifError(await answer(host, provider, create, {}, { createResponse: { creates: { create: [{ '@id': 'x', '@advisoryId': 'y', statusCode }] } } }), 400);
    }
    expect(await drain(host, consumer, consumerQueue.messages)).toEqual([]);
  });

  test('a part of a paged request larger than paging.maxPageSize is a 413', async () => {
    const ref = await routed('oversized', 'get', 1000);
    const res = await answer(host, provider, ref, {}, { xStaffs: { xStaff: Array.from({ length: 1001 }, (_, i) => staff(i)) } });
    expect(expectSifError(res, 413)).toContain('at most 1000');
    expect(await drain(host, consumer, consumerQueue.messages)).toEqual([]);
  });

  test('a provider’s ERROR with a nonsense code reaches the consumer as a 500, with its message but no control character in XML', async () => {
    const ref = await routed('bad-error');
    const res = await answer(host, provider, ref, { messageType: 'ERROR' }, { error: { '@id': 'x', code: 'abc', scope: 's', message: 'HR\u0001 down' } });
    expect(res.status).toBe(202);
    const xml = await request(host.app).get(consumerQueue.messages).set('Authorization', consumer.auth).set('Accept', 'application/xml');
    expect(xml.headers.messagetype).toBe('ERROR');
    expect(xml.text).toContain('<code>500</code>');
    // eslint-disable-next-line no-control-regex
    expect(xml.text).not.toMatch(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/);
  });
});

describe('remote providers: who may answer', () => {
  test('a consumer posting messageType RESPONSE, with a request id it knows or not, is a 404 and delivers nothing', async () => {
    const ref = await routed('posing');
    for (const requestId of [ref, 'posing', '00000000-0000-4000-8000-000000000000']) {
      expectSifError(await answer(host, consumer, requestId, {}, { xStaffs: { xStaff: [staff(9)] } }), 404);
    }
    expect(await drain(host, consumer, consumerQueue.messages)).toEqual([]);
  });

  test('RESPONSE with another method is a 405; with an object id in the path it is not taken', async () => {
    const ref = await routed('methods');
    for (const method of ['get', 'put', 'delete'] as const) {
      const res = await request(host.app)[method]('/sif3/requests/xStaffs').set('Authorization', provider.auth).set('messageType', 'RESPONSE').set('requestId', ref).set('Accept', 'application/json');
      expectSifError(res, 405);
    }
    const byId = await request(host.app).post('/sif3/requests/xStaffs/x').set('Authorization', provider.auth).set('messageType', 'RESPONSE').set('requestId', ref).set('Accept', 'application/json').type('json').send({ xStaffs: { xStaff: [staff(1)] } });
    expect(byId.status).toBeGreaterThanOrEqual(400);
    expect(byId.status).toBeLessThan(500);
    expect(await drain(host, consumer, consumerQueue.messages)).toEqual([]);
  });
});
