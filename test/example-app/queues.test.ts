import { basicAuth } from '../helpers/consumer-auth';
import type { SqliteExampleApp as ExampleApp } from '../../example-app/app';
import { listen, startExample } from '../helpers/example';

// The walk-through, as a new user would do it, over real HTTP (fetch) against the running
// example SIS: A listens with a LONG queue, B changes students, A gets exactly those events; a
// delayed paged query arrives page by page; a delayed bulk import is answered batch by batch.

jest.setTimeout(30_000);

let example: ExampleApp & { dir: string };
let server: { base: string; close(): Promise<void> };

beforeAll(async () => {
  example = startExample({ seed: { students: 250 }, bulkImport: { batchSize: 50, pauseMs: 20 } });
  server = await listen(example.app);
});
afterAll(async () => {
  await server.close();
  await example.close();
});

interface Consumer {
  auth: string;
  env: any;
}

async function register(applicationKey: string, secret: string, instanceId: string): Promise<Consumer> {
  const res = await fetch(`${server.base}/sif3/environments/environment`, {
    method: 'POST',
    headers: { Authorization: basicAuth(applicationKey, secret), Accept: 'application/json', instanceId },
  });
  expect(res.status).toBe(201);
  const env = ((await res.json()) as any).environment;
  return { env, auth: basicAuth(env.sessionToken, secret) };
}

function infrastructureUrl(consumer: Consumer, name: string): string {
  return consumer.env.infrastructureServices.infrastructureService.find((s: any) => s['@name'] === name)['#text'];
}

async function send(consumer: Consumer, method: string, url: string, body?: unknown, headers: Record<string, string> = {}) {
  return fetch(url, {
    method,
    headers: { Authorization: consumer.auth, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
}

async function createQueue(consumer: Consumer, queue: Record<string, unknown>): Promise<string> {
  const res = await send(consumer, 'POST', `${infrastructureUrl(consumer, 'queues')}/queue`, { queue });
  expect(res.status).toBe(201);
  return ((await res.json()) as any).queue.queueUri;
}

/** Get-next-and-pop until 204; each message with its headers and JSON body. */
async function drain(consumer: Consumer, queueUri: string, until: (n: number) => boolean = () => false) {
  const messages: { headers: Headers; body: any }[] = [];
  let previous: string | null = null;
  for (;;) {
    const res = await send(consumer, 'GET', previous ? `${queueUri};deleteMessageId=${previous}` : queueUri);
    if (res.status === 204) {
      if (until(messages.length)) return messages;
      previous = null; // popped: the next poll must not name it again
      await new Promise((r) => setTimeout(r, 20));
      continue;
    }
    expect(res.status).toBe(200);
    const text = await res.text();
    messages.push({ headers: res.headers, body: text ? JSON.parse(text) : undefined });
    previous = res.headers.get('messageId');
    if (until(messages.length)) {
      await send(consumer, 'GET', `${queueUri};deleteMessageId=${previous}`).then((r) => r.arrayBuffer());
      return messages;
    }
  }
}

test('A subscribes with a LONG queue; B creates, updates, deletes; A receives exactly those events, in order, promptly', async () => {
  const a = await register('SyncApp', 'SyncSecret', 'events');
  const b = await register('DemoApp', 'DemoSecret', 'writer');
  const queueUri = await createQueue(a, { polling: 'LONG', idleTimeout: 3, name: 'student-sync' });
  const sub = await send(a, 'POST', `${infrastructureUrl(a, 'subscriptions')}/subscription`, {
    subscription: { zoneId: 'District', contextId: 'DEFAULT', serviceType: 'OBJECT', serviceName: 'xStudents', queueId: queueUri.split('/').at(-2) },
  });
  expect(sub.status).toBe(201);

  const firstPoll = send(a, 'GET', queueUri).then(async (res) => ({ res, at: Date.now(), text: await res.text() }));
  await new Promise((r) => setTimeout(r, 300));
  const rc = infrastructureUrl(b, 'requestsConnector');
  const createdAt = Date.now();
  const created = await send(b, 'POST', `${rc}/xStudents/xStudent`, { xStudent: { name: { type: 'LegalName', familyName: 'Queue', givenName: 'Quinn' } } });
  expect(created.status).toBe(201);
  const refId = ((await created.json()) as any).xStudent['@refId'];
  const first = await firstPoll;
  expect(first.res.status).toBe(200);
  expect(first.at - createdAt).toBeLessThan(1000);
  expect(first.res.headers.get('eventAction')).toBe('CREATE');

  expect((await send(b, 'PUT', `${rc}/xStudents/${refId}`, { xStudent: { name: { type: 'LegalName', familyName: 'Queue', givenName: 'Quincy' } } })).status).toBe(204);
  expect((await send(b, 'DELETE', `${rc}/xStudents/${refId}`)).status).toBe(204);

  const rest: { action: string | null; body: any }[] = [];
  let previous = first.res.headers.get('messageId');
  while (rest.length < 2) {
    const res = await send(a, 'GET', `${queueUri};deleteMessageId=${previous}`);
    expect(res.status).toBe(200);
    previous = res.headers.get('messageId');
    rest.push({ action: res.headers.get('eventAction'), body: await res.json() });
  }
  expect(rest.map((r) => r.action)).toEqual(['UPDATE', 'DELETE']);
  expect(rest[0]!.body.xStudents.xStudent[0].name.givenName).toBe('Quincy');
  expect(rest[1]!.body.xStudents.xStudent).toEqual([{ '@refId': refId }]);
  expect(JSON.parse(first.text).xStudents.xStudent[0]['@refId']).toBe(refId);
  // Nothing else: the last pop leaves the queue empty (held for idleTimeout, then 204).
  const queueUrl = queueUri.replace(/\/messages$/, '');
  const after = await send(a, 'GET', `${queueUri};deleteMessageId=${previous}`, undefined, {});
  expect(after.status).toBe(204);
  expect(((await (await send(a, 'GET', queueUrl)).json()) as any).queue.messageCount).toBe('0');
});

test('a delayed paged query of all students arrives page by page in A’s queue', async () => {
  const a = await register('SyncApp', 'SyncSecret', 'delayed');
  const queueUri = await createQueue(a, { polling: 'IMMEDIATE' });
  const queueId = queueUri.split('/').at(-2)!;
  // Naming the page size makes it a paged batch (Base Architecture §5.4.1); without it, one bulk answer.
  const accepted = await send(a, 'GET', `${infrastructureUrl(a, 'requestsConnector')}/xStudents`, undefined, { requestType: 'DELAYED', queueId, requestId: 'all-students', navigationPageSize: '100' });
  expect(accepted.status).toBe(202);
  const pages = await drain(a, queueUri, (n) => n === 3);
  expect(pages.map((p) => [p.headers.get('requestId'), p.headers.get('navigationPage'), p.headers.get('navigationLastPage')])).toEqual([
    ['all-students', '1', '3'],
    ['all-students', '2', '3'],
    ['all-students', '3', '3'],
  ]);
  const ids = pages.flatMap((p) => p.body.xStudents.xStudent.map((s: any) => s['@refId']));
  expect(new Set(ids).size).toBe(250);
});

test('a delayed bulk import is taken by the asynchronous provider and answered batch by batch', async () => {
  const b = await register('DemoApp', 'DemoSecret', 'importer');
  const queueUri = await createQueue(b, {});
  const queueId = queueUri.split('/').at(-2)!;
  const students = Array.from({ length: 120 }, (_, i) => ({ name: { type: 'LegalName', familyName: 'Import', givenName: `I${i}` } }));
  const accepted = await send(b, 'POST', `${infrastructureUrl(b, 'requestsConnector')}/xStudents`, { xStudents: { xStudent: students } }, { requestType: 'DELAYED', queueId, requestId: 'import-7' });
  expect(accepted.status).toBe(202);
  const parts = await drain(b, queueUri, (n) => n === 3);
  expect(parts.map((p) => [p.headers.get('requestId'), p.headers.get('responseAction'), p.body.createResponse.creates.create.length])).toEqual([
    ['import-7', 'CREATE', 50],
    ['import-7', 'CREATE', 50],
    ['import-7', 'CREATE', 20],
  ]);
  const statuses = parts.flatMap((p) => p.body.createResponse.creates.create.map((c: any) => c['@statusCode']));
  expect(new Set(statuses)).toEqual(new Set(['201']));
  const count = example.sis.prepare("SELECT count(*) FROM students WHERE family_name = 'Import'").pluck().get();
  expect(count).toBe(120);
});
