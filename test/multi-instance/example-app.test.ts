import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicAuth } from '../helpers/consumer-auth';
import type { ServerProcess } from '../helpers/server-process';
import { startServer } from '../helpers/server-process';
import { postgresTarget } from '../store/postgres-target';

// Issue #12 item 5: the example SIS as two real processes (example-app/server.ts, as `npm start`
// runs it) with DATABASE_URL on one PostgreSQL database, over real HTTP: the SIS data and the
// protocol state are shared, so what one instance does, the other sees — environments, wake-ups,
// delayed work of an instance killed mid-answer, deletes, concurrent writes and change markers.

const postgres = postgresTarget('multi-instance example SIS suite (two example-app processes on one PostgreSQL database)');
const describePostgres = postgres ? describe : describe.skip;

jest.setTimeout(120_000);

/** Students seeded into the shared district: a delayed walk one to a page is long enough to die in. */
const STUDENTS = 1000;

interface Consumer {
  id: string;
  auth: string;
}

/** Waits (no deadline but the test's) until `check` holds: for state another process changes. */
async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 25));
}

function send(base: string, who: Consumer, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}/sif3${path}`, {
    method,
    headers: { Authorization: who.auth, Accept: 'application/json', ...(body ? { 'Content-Type': 'application/json' } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
}

async function register(base: string, applicationKey: string, secret: string, instanceId: string): Promise<Consumer> {
  const res = await fetch(`${base}/sif3/environments/environment`, {
    method: 'POST',
    headers: { Authorization: basicAuth(applicationKey, secret), Accept: 'application/json', instanceId },
  });
  expect(res.status).toBe(201);
  const env = ((await res.json()) as any).environment;
  return { id: env['@id'], auth: basicAuth(env.sessionToken, secret) };
}

async function createQueue(base: string, who: Consumer, queue: Record<string, unknown>): Promise<string> {
  const res = await send(base, who, 'POST', '/queues/queue', { queue });
  expect(res.status).toBe(201);
  return ((await res.json()) as any).queue['@id'];
}

describePostgres('two example SIS processes on one PostgreSQL database', () => {
  const target = postgres!;
  let schema: Awaited<ReturnType<typeof target.schema>>;
  let dataDir: string;
  let a: ServerProcess;
  let b: ServerProcess;
  /** Starts an instance on the shared database; a short lease, so that B takes over A's work within seconds. */
  const start = () => startServer(dataDir, STUDENTS, { DATABASE_URL: schema.url, SIF_LEASE_SECONDS: '1' });
  /** A value from the shared database, read beside the instances (the protocol state's own tables). */
  const single = async (sql: string, values: unknown[]) => Object.values((await target.query(sql.replaceAll('%s', `"${schema.name}"`), values))[0] ?? {})[0];

  beforeAll(async () => {
    schema = await target.schema();
    dataDir = mkdtempSync(join(tmpdir(), 'sif3-multi-'));
    a = await start(); // creates and seeds the district
    b = await start(); // finds it there
  });
  afterAll(async () => {
    for (const server of [a, b]) {
      if (server?.child.exitCode === null && server.child.signalCode === null) {
        server.child.kill('SIGTERM');
        await server.exited;
      }
    }
    await schema?.drop();
    await target.end();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('one district: an environment created on A is used on B, which serves the same data', async () => {
    const demo = await register(a.base, 'DemoApp', 'DemoSecret', 'shared');
    const env = await send(b.base, demo, 'GET', `/environments/${demo.id}`);
    expect(env.status).toBe(200);
    const [onA, onB] = await Promise.all([a.base, b.base].map((base) => send(base, demo, 'GET', '/requests/xStudents', undefined, { navigationPageSize: '7' })));
    expect([onA!.status, onB!.status]).toEqual([200, 200]);
    expect(onB!.headers.get('navigationCount')).toBe(String(STUDENTS));
    expect(await onB!.json()).toEqual(await onA!.json());
  });

  test('a create on A wakes a LONG poll waiting on B, which answers with the event', async () => {
    const subscriber = await register(a.base, 'SyncApp', 'SyncSecret', 'long-poll');
    const queueId = await createQueue(a.base, subscriber, { polling: 'LONG', idleTimeout: 60 });
    const subscribed = await send(a.base, subscriber, 'POST', '/subscriptions/subscription', {
      subscription: { zoneId: 'District', contextId: 'DEFAULT', serviceType: 'OBJECT', serviceName: 'xStudents', queueId },
    });
    expect(subscribed.status).toBe(201);
    const polled = await single('SELECT last_polled FROM %s.queues WHERE id = $1', [queueId]);
    const waiting = send(b.base, subscriber, 'GET', `/queues/${queueId}/messages`);
    // B has recorded the poll: it is waiting, with nothing in the queue.
    await until(async () => (await single('SELECT last_polled FROM %s.queues WHERE id = $1', [queueId])) !== polled);
    const demo = await register(a.base, 'DemoApp', 'DemoSecret', 'long-poll-writer');
    const created = await send(a.base, demo, 'POST', '/requests/xStudents/xStudent', { xStudent: { name: { type: 'LegalName', familyName: 'Woken', givenName: 'Wendy' } } });
    expect(created.status).toBe(201);
    const refId = ((await created.json()) as any).xStudent['@refId'];
    const answer = await waiting;
    expect([answer.status, answer.headers.get('messageType'), answer.headers.get('eventAction')]).toEqual([200, 'EVENT', 'CREATE']);
    expect(((await answer.json()) as any).xStudents.xStudent[0]['@refId']).toBe(refId);
  });

  test('a DELAYED query accepted on A, which is killed with SIGKILL while answering, is finished by B: every page exactly once', async () => {
    const demo = await register(a.base, 'DemoApp', 'DemoSecret', 'failover');
    const queueId = await createQueue(a.base, demo, { polling: 'IMMEDIATE' });
    const expected: string[] = [];
    for (let page = 1; expected.length % 1000 === 0; page++) {
      const res = await send(a.base, demo, 'GET', '/requests/xStudents', undefined, { navigationPageSize: '1000', navigationPage: String(page) });
      if (res.status === 204) break;
      const ids = ((await res.json()) as any).xStudents.xStudent.map((s: any) => s['@refId']);
      expected.push(...ids);
      if (ids.length === 0) break;
    }
    expect(expected.length).toBeGreaterThan(STUDENTS - 1);
    const accepted = await send(a.base, demo, 'GET', '/requests/xStudents', undefined, { requestType: 'DELAYED', queueId, requestId: 'failover', navigationPageSize: '1' });
    expect(accepted.status).toBe(202);
    // A has queued its first page and is working through the rest, one student a page: kill it there.
    await until(async () => Number(await single('SELECT message_count FROM %s.queues WHERE id = $1', [queueId])) >= 1);
    a.child.kill('SIGKILL');
    expect(await a.exited).toBe('SIGKILL');
    a = await start(); // a new A for the tests that follow: it may take over the work too, exactly once all the same
    const queuedByA = Number(await single('SELECT message_count FROM %s.queues WHERE id = $1', [queueId]));
    expect(queuedByA).toBeLessThan(expected.length); // A died mid-answer
    // B takes the request over once A's lease lapses, and queues the rest.
    const pages = new Map<string, string[]>();
    let previous: string | null = null;
    while (pages.size < expected.length) {
      const res = await send(b.base, demo, 'GET', previous ? `/queues/${queueId}/messages;deleteMessageId=${previous}` : `/queues/${queueId}/messages`);
      if (res.status === 204) {
        previous = null; // popped: the next poll must not name it again
        await new Promise((resolve) => setTimeout(resolve, 50));
        continue;
      }
      expect(res.status).toBe(200);
      previous = res.headers.get('messageId');
      const page = res.headers.get('navigationPage')!;
      expect(res.headers.get('requestId')).toBe('failover');
      expect(pages.has(page)).toBe(false); // never the same page twice
      pages.set(page, ((await res.json()) as any).xStudents.xStudent.map((s: any) => s['@refId']));
    }
    const last = await send(b.base, demo, 'GET', `/queues/${queueId}/messages;deleteMessageId=${previous}`);
    expect([last.status, last.headers.get('navigationPage'), await last.text()]).toEqual([204, null, '']);
    const delivered = [...pages.entries()].sort(([x], [y]) => Number(x) - Number(y));
    expect(delivered.map(([page]) => page)).toEqual(expected.map((_: string, i: number) => String(i + 1)));
    expect(delivered.flatMap(([, ids]) => ids)).toEqual(expected);
    // Nothing further: the request is done, and the queue is empty.
    await until(async () => Number(await single('SELECT count(*) FROM %s.delayed_requests', [])) === 0);
    expect(Number(await single('SELECT message_count FROM %s.queues WHERE id = $1', [queueId]))).toBe(0);
  });

  test('an environment deleted on A is refused on B', async () => {
    const demo = await register(a.base, 'DemoApp', 'DemoSecret', 'deleted');
    expect((await send(b.base, demo, 'GET', `/environments/${demo.id}`)).status).toBe(200); // B knows the session now
    expect((await send(a.base, demo, 'DELETE', `/environments/${demo.id}`)).status).toBe(204);
    // B drops the session from its cache when A's notification arrives (LISTEN/NOTIFY: after A's
    // commit, not inside B's request), and from then on refuses it.
    await until(async () => (await send(b.base, demo, 'GET', `/environments/${demo.id}`)).status === 401);
    expect((await send(b.base, demo, 'GET', '/requests/xStudents')).status).toBe(401);
  });

  test('concurrent writers on both instances end with exactly the acknowledged writes', async () => {
    const writers = await Promise.all([a.base, b.base].map((base, i) => register(base, 'DemoApp', 'DemoSecret', `writer-${i}`)));
    const acknowledged = new Set<string>();
    const removed = new Set<string>();
    await Promise.all(
      [a.base, b.base].flatMap((base, w) =>
        Array.from({ length: 30 }, async (_, i) => {
          const name = { type: 'LegalName', familyName: 'Concurrent', givenName: `W${w}N${i}` };
          if (i % 5 === 0) {
            // A batch: one transaction on the instance, each student answered on its own.
            const res = await send(base, writers[w]!, 'POST', '/requests/xStudents', { xStudents: { xStudent: [{ name }, { name: { ...name, givenName: `${name.givenName}b` } }] } });
            expect(res.status).toBe(200);
            for (const c of ((await res.json()) as any).createResponse.creates.create) if (c['@statusCode'] === '201') acknowledged.add(c['@id']);
            return;
          }
          const res = await send(base, writers[w]!, 'POST', '/requests/xStudents/xStudent', { xStudent: { name } });
          expect(res.status).toBe(201);
          const refId = ((await res.json()) as any).xStudent['@refId'];
          acknowledged.add(refId);
          if (i % 3 === 0) {
            // Deleted through the other instance.
            expect((await send(w === 0 ? b.base : a.base, writers[1 - w]!, 'DELETE', `/requests/xStudents/${refId}`)).status).toBe(204);
            removed.add(refId);
          }
        }),
      ),
    );
    const expected = [...acknowledged].filter((id) => !removed.has(id)).sort();
    for (const base of [a.base, b.base]) {
      const found = await fetch(`${base}/sif3/requests/xStudents?where=${encodeURIComponent('[name/familyName="Concurrent"]')}`, {
        headers: { Authorization: writers[0]!.auth, Accept: 'application/json', navigationPageSize: '1000' },
      });
      expect(found.status).toBe(200);
      const students = ((await found.json()) as any).xStudents.xStudent as any[];
      expect(students.map((s) => s['@refId']).sort()).toEqual(expected);
      // Local ids come from one counter in the database: no two instances hand out the same one.
      expect(new Set(students.map((s) => s.localId)).size).toBe(students.length);
    }
    const landing = (await (await fetch(`${b.base}/`)).json()) as any;
    expect(landing.data.students).toBe(Number(await single('SELECT count(*) FROM %s.students', [])));
  });

  test('a changes-since marker from A is honoured on B', async () => {
    const demo = await register(a.base, 'DemoApp', 'DemoSecret', 'markers');
    const head = await send(a.base, demo, 'HEAD', '/requests/xStudents');
    const marker = head.headers.get('changesSinceMarker')!;
    expect(marker).toBeTruthy();
    const created = await send(b.base, demo, 'POST', '/requests/xStudents/xStudent', { xStudent: { name: { type: 'LegalName', familyName: 'Marker', givenName: 'Mo' } } });
    expect(created.status).toBe(201);
    const refId = ((await created.json()) as any).xStudent['@refId'];
    for (const base of [b.base, a.base]) {
      const since = await send(base, demo, 'GET', `/requests/xStudents?changesSinceMarker=${encodeURIComponent(marker)}`);
      expect(since.status).toBe(200);
      expect(((await since.json()) as any).xStudents.xStudent.map((s: any) => s['@refId'])).toEqual([refId]);
    }
  });
});

if (!postgres) test.skip('multi-instance example SIS suite (SIF_TEST_DATABASE_URL is not set)', () => undefined);
