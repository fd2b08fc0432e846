import { basicAuth } from '../helpers/consumer-auth';
import { listen, startExample } from '../helpers/example';
import { schemaSkipReason, xsdErrors } from '../helpers/xsd';

// A consumer configured like the A4L Java demo (env.mediaType=JSON, env.schema.enabled=true, infra and
// data JSON type pesc, infra version 3.3; ../shared/samples/pesc/wire-register-pesc.txt) against the
// example SIS over real HTTP: it registers, queries, creates and unregisters, reading every answer
// with its own configured notation (PESC), as the framework does. The example SIS speaks 3.2.1 by
// default: the 3.3 answers come from the profiles alone.

const INF = 'urn:sif:inf/global/3.3+pesc';
const DATA = 'urn:sif:data/na/3.6+pesc';
const schemaSkip = schemaSkipReason();

let example: ReturnType<typeof startExample>;
let server: Awaited<ReturnType<typeof listen>>;
let base: string;

beforeAll(async () => {
  example = startExample({ seed: { students: 30 } });
  server = await listen(example.app);
  base = `${server.base}/sif3`;
});

afterAll(async () => {
  await server.close();
  await example.close();
});

/** A request as the Java framework's BaseClient sends it: lower-case names, JSON with charset, profiles. */
async function javaCall(path: string, init: { method?: string; user: string; profile?: string; accept?: string; body?: unknown; headers?: Record<string, string> }) {
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=UTF-8',
    accept: 'application/json; charset=UTF-8',
    authorization: basicAuth(init.user, 'DemoSecret'),
    requesttype: 'IMMEDIATE',
    'accept-profile': init.accept ?? INF,
    ...init.headers,
  };
  if (init.body !== undefined) headers['content-profile'] = init.profile ?? INF;
  const res = await fetch(`${base}${path}`, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? JSON.parse(text) : undefined };
}

const environmentRequest = {
  environment: {
    solutionId: 'test',
    authenticationMethod: 'Basic',
    consumerName: 'Student Consumer',
    instanceId: 'java-demo-pesc',
    applicationInfo: {
      applicationKey: 'DemoApp',
      supportedInfrastructureVersion: '3.3',
      dataModelNamespace: 'http://www.sifassociation.org/datamodel/na/3.6',
      transport: 'REST',
      applicationProduct: { vendorName: 'Systemic Pty Ltd', productName: 'Test Driver', productVersion: '0.1alpha' },
    },
  },
};

test('a Java-demo-like PESC consumer registers, queries, creates and unregisters (Version Indication & Negotiation §3.2.1)', async () => {
  // Register: PESC in, PESC out, Content-Profile naming it; the id is a plain key (no @), services an array.
  const created = await javaCall('/environments/environment', { method: 'POST', user: 'DemoApp', body: environmentRequest });
  expect(created.status).toBe(201);
  expect(created.headers.get('content-profile')).toBe(INF);
  const env = created.json.environment;
  expect(env.id).toMatch(/^[0-9a-f-]{36}$/);
  expect(env['@id']).toBeUndefined();
  expect(env.type).toBe('DIRECT');
  expect(env.consumerName).toBe('Student Consumer');
  expect(env.applicationInfo.supportedInfrastructureVersion).toBe('3.3');
  expect(Array.isArray(env.infrastructureServices.infrastructureService)).toBe(true);
  expect(env.infrastructureServices.infrastructureService).toContainEqual({ value: expect.stringMatching(/\/requests$/), name: 'requestsConnector' });
  const zone = env.provisionedZones.provisionedZone[0];
  expect(zone.services.service[0].rights.right[0]).toEqual({ value: 'APPROVED', type: expect.any(String) });
  const token: string = env.sessionToken;

  // Query, as the demo does: the data profile first, then the infrastructure one for errors.
  const accept = `${DATA},${INF}`;
  const page = await javaCall('/requests/xStudents', { user: token, accept, headers: { navigationpage: '1', navigationpagesize: '5' } });
  expect(page.status).toBe(200);
  expect(page.headers.get('content-profile')).toBe(DATA);
  const students = page.json.xStudents.xStudent;
  expect(students).toHaveLength(5);
  expect(students[0].refId).toMatch(/^[0-9a-f-]{36}$/i);
  expect(JSON.stringify(page.json)).not.toContain('"@');

  // Create one: a PESC body whose refId is a plain key is read as the id attribute.
  const { refId: _old, ...rest } = students[0];
  const refId = '0d5a2f3e-8b1c-4d6e-9f70-1a2b3c4d5e6f';
  const one = await javaCall('/requests/xStudents/xStudent', { method: 'POST', user: token, accept, profile: DATA, body: { xStudent: { ...rest, localId: 'JAVA-1', refId } } });
  expect(one.status).toBe(201);
  expect(one.headers.get('content-profile')).toBe(DATA);
  expect(one.json.xStudent.refId).toBe(refId);
  const read = await javaCall(`/requests/xStudents/${refId}`, { user: token, accept });
  expect(read.json.xStudent.localId).toBe('JAVA-1');

  // Create several: the createResponse is infrastructure, in the infrastructure profile.
  const many = await javaCall('/requests/xStudents', {
    method: 'POST', user: token, accept: INF, profile: DATA,
    body: { xStudents: { xStudent: [{ ...rest, localId: 'JAVA-2' }] } },
  });
  expect(many.status).toBe(200);
  expect(many.headers.get('content-profile')).toBe(INF);
  expect(many.json.createResponse.creates.create).toEqual([expect.objectContaining({ statusCode: '201', id: expect.any(String) })]);

  // Update several, then delete several with a PESC deleteRequest (ids as plain keys).
  const updated = await javaCall('/requests/xStudents', {
    method: 'PUT', user: token, accept: INF, profile: DATA, body: { xStudents: { xStudent: [{ refId, localId: 'JAVA-1b' }] } },
  });
  expect(updated.status).toBe(200);
  expect(updated.json.updateResponse.updates.update).toEqual([{ id: refId, statusCode: '200' }]);
  expect((await javaCall(`/requests/xStudents/${refId}`, { user: token, accept })).json.xStudent.localId).toBe('JAVA-1b');
  const removed = await javaCall('/requests/xStudents', {
    method: 'PUT', user: token, accept: INF, profile: INF, headers: { methodoverride: 'DELETE' },
    body: { deleteRequest: { deletes: { delete: [{ id: refId }, { id: '00000000-0000-4000-8000-00000000dead' }] } } },
  });
  expect(removed.status).toBe(200);
  expect(removed.json.deleteResponse.deletes.delete).toEqual([
    { id: refId, statusCode: expect.stringMatching(/^20[04]$/) },
    expect.objectContaining({ id: '00000000-0000-4000-8000-00000000dead', statusCode: '404', error: expect.objectContaining({ code: 404 }) }),
  ]);

  // An error: PESC, code as a JSON number, in the infrastructure profile.
  const missing = await javaCall('/requests/xStudents/00000000-0000-4000-8000-000000000000', { user: token, accept });
  expect(missing.status).toBe(404);
  expect(missing.headers.get('content-profile')).toBe(INF);
  expect(missing.json.error).toEqual(expect.objectContaining({ code: 404, id: expect.any(String) }));

  // Unregister: 204, and the environment is gone.
  const deleted = await javaCall(`/environments/${env.id}`, { method: 'DELETE', user: token });
  expect(deleted.status).toBe(204);
  expect((await javaCall(`/environments/${env.id}`, { user: token })).status).toBe(401);
});

describe('content profiles over HTTP', () => {
  let token: string;
  let envId: string;
  let zoneId: string;
  beforeAll(async () => {
    const res = await javaCall('/environments/environment', { method: 'POST', user: 'DemoApp', body: { environment: { ...environmentRequest.environment, instanceId: 'profiles-2' } } });
    token = res.json.environment.sessionToken;
    envId = res.json.environment.id;
    zoneId = res.json.environment.defaultZone.id;
  });

  test('among several Accept-Profile entries the highest quality value wins', async () => {
    const res = await javaCall(`/environments/${envId}`, { user: token, accept: 'urn:sif:inf/global/3.3+goessner;q=0.4, urn:sif:inf/global/3.3+pesc;q=0.9,urn:sif:inf/global/3.2.1+goessner;q=0.5' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-profile')).toBe(INF);
    expect(res.json.environment.id).toBe(envId);
    const goessner = await javaCall(`/environments/${envId}`, { user: token, accept: 'urn:sif:inf/global/3.3+pesc;q=0.1, urn:sif:inf/global/3.2.1+goessner' });
    expect(goessner.headers.get('content-profile')).toBe('urn:sif:inf/global/3.2.1+goessner');
    expect(goessner.json.environment['@id']).toBe(envId);
  });

  test('without profiles the answer is Goessner and says so', async () => {
    const res = await fetch(`${base}/environments/${envId}`, { headers: { authorization: basicAuth(token, 'DemoSecret'), accept: 'application/json' } });
    expect(res.headers.get('content-profile')).toBe('urn:sif:inf/global/3.2.1+goessner');
    expect(res.headers.get('vary')).toContain('Accept-Profile');
    expect(((await res.json()) as { environment: Record<string, string> }).environment['@id']).toBe(envId);
  });

  test('an Accept-Profile that cannot be answered is a 406 SIF error; an unsupported Content-Profile a 415', async () => {
    for (const accept of ['urn:sif:inf/global/3.9+pesc', 'urn:sif:inf/global/3.3+yaml', 'text/plain', 'urn:sif:inf/global/3.3+pesc;q=0']) {
      const res = await javaCall(`/environments/${envId}`, { user: token, accept });
      expect(res.status).toBe(406);
      expect(res.json.error.code).toBe('406');
      expect(res.json.error.message).toContain('Accept-Profile');
    }
    for (const [profile, type] of [['urn:sif:inf/global/3.3+yaml', 'application/json'], ['nonsense', 'application/json'], [INF, 'application/xml']]) {
      const res = await javaCall('/queues', { method: 'POST', user: token, profile, body: { queue: { name: 'q' } }, headers: { 'content-type': type! } });
      expect(res.status).toBe(415);
      expect(res.json.error.code).toBe(415);
    }
  });

  test('queues, subscriptions and alerts read and answer PESC', async () => {
    const queue = await javaCall('/queues', { method: 'POST', user: token, body: { queue: { polling: 'IMMEDIATE', name: 'pesc-queue' } } });
    expect(queue.status).toBe(201);
    expect(queue.json.queue).toEqual(expect.objectContaining({ name: 'pesc-queue', id: expect.any(String), messageCount: 0 }));
    const subscription = await javaCall('/subscriptions', {
      method: 'POST', user: token,
      body: { subscription: { zoneId, contextId: 'DEFAULT', serviceType: 'OBJECT', serviceName: 'xStudents', queueId: queue.json.queue.id } },
    });
    expect(subscription.status).toBe(201);
    expect(subscription.json.subscription).toEqual(expect.objectContaining({ serviceName: 'xStudents', id: expect.any(String) }));
    expect(subscription.headers.get('content-profile')).toBe(INF);
    // An event in the queue is delivered in the poller's data profile.
    const student = await javaCall('/requests/xStudents?navigationPageSize=1', { user: token, accept: DATA });
    const { refId: _id, ...fields } = student.json.xStudents.xStudent[0];
    const made = await javaCall('/requests/xStudents/xStudent', { method: 'POST', user: token, profile: DATA, accept: DATA, body: { xStudent: { ...fields, localId: 'EVENT-1' } } });
    expect(made.status).toBe(201);
    let message = await javaCall(`/queues/${queue.json.queue.id}/messages`, { user: token, accept: `${DATA},${INF}` });
    for (let i = 0; i < 20 && message.status === 204; i++) {
      await new Promise((r) => setTimeout(r, 100));
      message = await javaCall(`/queues/${queue.json.queue.id}/messages`, { user: token, accept: `${DATA},${INF}` });
    }
    expect(message.status).toBe(200);
    expect(message.headers.get('content-profile')).toBe(DATA);
    expect(message.json.xStudents.xStudent).toEqual([expect.objectContaining({ localId: 'EVENT-1', refId: made.json.xStudent.refId })]);
    const alert = await javaCall('/requests/alerts/alert', {
      method: 'POST', user: token, body: { alert: { reporter: 'pesc', cause: 'test', exchange: 'REQUEST', level: 'INFO', description: 'a PESC alert', category: 1, code: 2 } },
    });
    expect(alert.headers.get('content-profile')).toBe(INF);
    expect(alert.status).toBe(201);
    expect(alert.json.alert).toEqual(expect.objectContaining({ reporter: 'pesc', id: expect.any(String) }));
  });

  test('HEAD carries the Content-Profile of its GET; a delayed answer keeps the profile it was asked in', async () => {
    const head = await fetch(`${base}/requests/xStudents?navigationPageSize=1`, {
      method: 'HEAD', headers: { authorization: basicAuth(token, 'DemoSecret'), accept: 'application/json', 'accept-profile': `${DATA},${INF}` },
    });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-profile')).toBe(DATA);

    const queue = await javaCall('/queues', { method: 'POST', user: token, body: { queue: { polling: 'IMMEDIATE', name: 'delayed-pesc' } } });
    const queueId: string = queue.json.queue.id;
    const accepted = await javaCall('/requests/xStudents', {
      user: token, accept: `${DATA},${INF}`,
      headers: { requesttype: 'DELAYED', queueid: queueId, requestid: 'pesc-delayed-1', navigationpage: '1', navigationpagesize: '3' },
    });
    expect(accepted.status).toBe(202);
    let message = await javaCall(`/queues/${queueId}/messages`, { user: token });
    for (let i = 0; i < 50 && message.status === 204; i++) {
      await new Promise((r) => setTimeout(r, 100));
      message = await javaCall(`/queues/${queueId}/messages`, { user: token });
    }
    expect(message.status).toBe(200);
    expect(message.headers.get('requestid')).toBe('pesc-delayed-1');
    expect(message.headers.get('content-profile')).toBe(DATA);
    expect(message.json.xStudents.xStudent).toHaveLength(3);
    expect(message.json.xStudents.xStudent[0].refId).toEqual(expect.any(String));
  });

  const validate = schemaSkip ? test.skip : test;
  validate('the 3.3 infrastructure namespace is answered when asked for, and validates against the 3.3 XSD', async () => {
    const headers = { authorization: basicAuth(token, 'DemoSecret'), accept: 'application/xml' };
    const v33 = await fetch(`${base}/environments/${envId}`, { headers: { ...headers, 'accept-profile': 'urn:sif:inf/global/3.3' } });
    expect(v33.headers.get('content-profile')).toBe('urn:sif:inf/global/3.3');
    const xml = await v33.text();
    expect(xml).toContain('xmlns="http://www.sifassociation.org/infrastructure/3.3"');
    expect(xsdErrors(xml, '3.3')).toBeUndefined();
    const error = await fetch(`${base}/queues/nope`, { headers: { ...headers, 'accept-profile': 'urn:sif:inf/global/3.3' } });
    expect(xsdErrors(await error.text(), '3.3')).toBeUndefined();
    const v321 = await fetch(`${base}/environments/${envId}`, { headers });
    expect(xsdErrors(await v321.text(), '3.2.1')).toBeUndefined();
  });
});
