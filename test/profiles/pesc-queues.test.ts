import request from 'supertest';
import type { TestHost } from '../helpers/host';
import type { Session } from '../helpers/queues';
import { createQueue, session, subscribe } from '../helpers/queues';
import { parseXml } from '../../lib/payload/xml';
import { remoteHost, staff, subscribe35 } from '../remote/helpers';

// Answers that reach a consumer through its queue, in the profile of the poll that takes them
// (Version Indication & Negotiation §3.2.1): a remote provider's pages (SIF 3.5 pull mode), sent by
// the provider in PESC and delivered in PESC or XML, and the events of a service.

const INF = 'urn:sif:inf/global/3.3+pesc';
const DATA = 'urn:sif:data/na/3.6+pesc';

let host: TestHost;
let consumer: Session;
beforeEach(async () => {
  host = remoteHost();
  consumer = await session(host, 'DemoApp', 'DemoSecret');
});
afterEach(() => host.close());

function take(who: Session, messages: string, profile: string | undefined, deleteId?: string) {
  const req = request(host.app).get(deleteId ? `${messages};deleteMessageId=${deleteId}` : messages).set('Authorization', who.auth);
  return profile === undefined ? req.set('Accept', 'application/xml') : req.set('Accept', 'application/json').set('Accept-Profile', profile);
}

test('a remote provider answers in PESC; the consumer takes the page in PESC (refId a plain key) or XML (@refId): the same objects', async () => {
  const provider = await session(host, 'StaffDirectory', 'StaffSecret');
  const providerQueue = await createQueue(host, provider);
  expect((await subscribe35(host, provider, { serviceType: 'OBJECT', serviceName: 'xStaffs', messageType: 'REQUEST', queueId: providerQueue.id })).status).toBe(201);
  const q = await createQueue(host, consumer);
  const asked = await request(host.app).get('/sif3/requests/xStaffs').set('Authorization', consumer.auth)
    .set('requestType', 'DELAYED').set('queueId', q.id).set('requestId', 'c-1').set('Accept', 'application/json');
  expect(asked.status).toBe(202);
  await host.provider.idle();

  const pulled = await take(provider, providerQueue.messages, INF);
  expect(pulled.status).toBe(200);
  const ref = pulled.headers.requestid!;
  // The provider's page, in PESC: attributes as plain keys (refId, name/type), repeats as arrays.
  const page = { xStaffs: { xStaff: [1, 2].map((i) => ({ name: { familyName: `Staff${i}`, givenName: `G${i}` }, refId: staff(i)['@refId'] })) } };
  const answered = await request(host.app).post('/sif3/requests/xStaffs').set('Authorization', provider.auth)
    .set('requestId', ref).set('messageType', 'RESPONSE').set('navigationPage', '1').set('navigationLastPage', '1')
    .set('Content-Type', 'application/json').set('Content-Profile', DATA).set('Accept', 'application/json').set('Accept-Profile', INF)
    .send(JSON.stringify(page));
  expect(answered.status).toBe(202);

  const asPesc = await take(consumer, q.messages, `${DATA},${INF}`);
  expect(asPesc.status).toBe(200);
  expect(asPesc.headers['content-profile']).toBe(DATA);
  expect(asPesc.headers.requestid).toBe('c-1');
  expect(JSON.parse(asPesc.text)).toEqual(page);
  // Taken again (not yet popped) in XML: the provider's refId was read as the attribute it is.
  const asXml = await take(consumer, q.messages, undefined);
  expect(asXml.headers.messageid).toBe(asPesc.headers.messageid);
  const xml = parseXml(asXml.text);
  expect(xml.root).toBe('xStaffs');
  expect((xml.value.xStaff as { '@refId': string }[]).map((s) => s['@refId'])).toEqual([1, 2].map((i) => staff(i)['@refId']));
});

test('events are taken in the poll\'s profile: PESC with the data profile, XML without', async () => {
  const q = await createQueue(host, consumer);
  expect((await subscribe(host, consumer, q.id)).status).toBe(201);
  const created = await request(host.app).post('/sif3/requests/xStudents/xStudent').set('Authorization', consumer.auth)
    .set('Content-Type', 'application/json').set('Content-Profile', DATA).set('Accept', 'application/json').set('Accept-Profile', `${DATA},${INF}`)
    .send(JSON.stringify({ xStudent: { name: { familyName: 'Simpson', givenName: 'Lisa', type: 'LegalName' } } }));
  expect(created.status).toBe(201);
  expect(created.headers['content-profile']).toBe(DATA);
  const refId = created.body.xStudent.refId;
  expect(refId).toMatch(/^[0-9a-f-]{36}$/);
  await host.provider.idle();

  const event = await take(consumer, q.messages, `${DATA},${INF}`);
  expect(event.status).toBe(200);
  expect(event.headers.messagetype).toBe('EVENT');
  expect(event.headers['content-profile']).toBe(DATA);
  expect(event.body.xStudents.xStudent).toEqual([expect.objectContaining({ refId, name: expect.objectContaining({ familyName: 'Simpson' }) })]);
  const again = await take(consumer, q.messages, undefined);
  expect(parseXml(again.text).value.xStudent).toMatchObject({ '@refId': refId });
});
