import { basicAuth as basic } from '../helpers/consumer-auth';
import { listen, startExample } from '../helpers/example';

// A bounded load test over loopback: many consumers, each with its own environment, mixing reads and
// writes concurrently. Zero 5xx, no consumer ever sees another's environment or alerts, and the
// final data is exactly what the acknowledged writes imply.

jest.setTimeout(120_000);

const CONSUMERS = 16;
const ROUNDS = 30; // per consumer: about 6 requests a round → some 2,800 requests in all

let example: ReturnType<typeof startExample>;
let server: Awaited<ReturnType<typeof listen>>;
let base: string;

beforeAll(async () => {
  example = startExample({ seed: { students: 200 } });
  server = await listen(example.app);
  base = `${server.base}/sif3`;
});
afterAll(async () => {
  await server.close();
  await example.close();
});

interface Consumer {
  tag: string;
  id: string;
  auth: string;
  /** refId → last acknowledged localId, for the students this consumer created and did not delete. */
  live: Map<string, string>;
  deleted: Set<string>;
}

test('concurrent consumers: no 5xx, no mix-ups, and the data matches the acknowledged writes', async () => {
  const statuses = new Map<number, number>();
  const call = async (path: string, init: RequestInit & { auth: string }): Promise<Response> => {
    const res = await fetch(`${base}${path}`, { ...init, headers: { ...(init.headers as Record<string, string>), Authorization: init.auth, Accept: 'application/json' } });
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    return res;
  };

  const consumers: Consumer[] = await Promise.all(
    Array.from({ length: CONSUMERS }, async (_, i) => {
      const tag = `Load${String(i).padStart(2, '0')}`;
      const res = await call('/environments/environment', { method: 'POST', auth: basic('DemoApp', 'DemoSecret'), headers: { instanceId: tag } });
      const env = ((await res.json()) as any).environment;
      return { tag, id: env['@id'], auth: basic(env.sessionToken, 'DemoSecret'), live: new Map(), deleted: new Set() };
    }),
  );

  await Promise.all(
    consumers.map(async (c) => {
      for (let round = 0; round < ROUNDS; round++) {
        const created = await call('/requests/xStudents/xStudent', {
          method: 'POST', auth: c.auth, headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ xStudent: { name: { type: 'LegalName', familyName: c.tag, givenName: `R${round}` }, localId: `${c.tag}-${round}` } }),
        });
        if (created.status === 201) {
          const refId = ((await created.json()) as any).xStudent['@refId'];
          c.live.set(refId, `${c.tag}-${round}`);
        }
        const ids = [...c.live.keys()];
        if (round % 3 === 1 && ids.length) {
          const target = ids[round % ids.length]!;
          const localId = `${c.tag}-u${round}`;
          const res = await call(`/requests/xStudents/${target}`, { method: 'PUT', auth: c.auth, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ xStudent: { localId } }) });
          if (res.status === 204) c.live.set(target, localId);
        }
        if (round % 4 === 3 && ids.length > 1) {
          const target = ids[0]!;
          const res = await call(`/requests/xStudents/${target}`, { method: 'DELETE', auth: c.auth });
          if (res.status === 204) {
            c.live.delete(target);
            c.deleted.add(target);
          }
        }
        await call(`/requests/xStudents?navigationPageSize=20&navigationPage=${1 + (round % 5)}`, { auth: c.auth });
        await call(`/requests/xStudents?where=${encodeURIComponent(`[name/familyName="${c.tag}"]`)}`, { auth: c.auth });
        if (round % 5 === 0) {
          await call('/requests/alerts/alert', { method: 'POST', auth: c.auth, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ alert: { reporter: c.tag, exchange: 'OTHER', level: 'INFO' } }) });
        }
        const env = await call(`/environments/${c.id}`, { auth: c.auth });
        expect(((await env.json()) as any).environment['@id']).toBe(c.id);
        const other = consumers[(consumers.indexOf(c) + 1) % consumers.length]!;
        expect((await call(`/environments/${other.id}`, { auth: c.auth })).status).toBe(404);
      }
    }),
  );

  const total = [...statuses.values()].reduce((a, b) => a + b, 0);
  expect(total).toBeGreaterThan(2500);
  expect([...statuses.keys()].filter((s) => s >= 500)).toEqual([]);

  for (const c of consumers) {
    const rows = example.sis.prepare('SELECT ref_id, local_id FROM students WHERE family_name = ?').all(c.tag) as { ref_id: string; local_id: string }[];
    expect(new Map(rows.map((r) => [r.ref_id, r.local_id]))).toEqual(c.live);
    const alerts = await call('/requests/alerts', { auth: c.auth });
    const list = [((await alerts.json()) as any).alerts.alert].flat();
    // Every consumer here is an environment of DemoApp: each sees the alerts of the whole
    // application (Utility Services §7.1), each reported exactly once.
    expect(list.length).toBe(CONSUMERS * Math.ceil(ROUNDS / 5));
    expect(list.filter((a: any) => a.reporter === c.tag)).toHaveLength(Math.ceil(ROUNDS / 5));
    expect(new Set(list.map((a: any) => a['@id'])).size).toBe(list.length);
  }
});

test('events under load: every subscriber gets every acknowledged create exactly once, each writer’s in order', async () => {
  const SUBSCRIBERS = 4;
  const WRITERS = 4;
  const CREATES = 40;
  const json = { Accept: 'application/json', 'Content-Type': 'application/json' };
  const subscribers = await Promise.all(
    Array.from({ length: SUBSCRIBERS }, async (_, i) => {
      const reg = await fetch(`${base}/environments/environment`, { method: 'POST', headers: { Authorization: basic('SyncApp', 'SyncSecret'), Accept: 'application/json', instanceId: `load-sub-${i}` } });
      const auth = basic(((await reg.json()) as any).environment.sessionToken, 'SyncSecret');
      const queue = ((await (await fetch(`${base}/queues`, { method: 'POST', headers: { Authorization: auth, ...json }, body: '{"queue":{"polling":"LONG","idleTimeout":1}}' })).json()) as any).queue;
      const sub = await fetch(`${base}/subscriptions`, { method: 'POST', headers: { Authorization: auth, ...json }, body: JSON.stringify({ subscription: { serviceType: 'OBJECT', serviceName: 'xStudents', queueId: queue['@id'] } }) });
      expect(sub.status).toBe(201);
      return { auth, queueUri: queue.queueUri as string, received: [] as string[] };
    }),
  );
  let writing = true;
  // Subscribers poll (get-next-and-pop, long polls) while the writers write.
  const polling = subscribers.map(async (s) => {
    let previous: string | null = null;
    for (let idle = 0; writing || idle < 2; ) {
      const res = await fetch(previous ? `${s.queueUri};deleteMessageId=${previous}` : s.queueUri, { headers: { Authorization: s.auth, Accept: 'application/json' } });
      expect(res.status).toBeLessThan(300);
      if (res.status === 204) {
        previous = null;
        if (!writing) idle++;
        continue;
      }
      idle = 0;
      previous = res.headers.get('messageId');
      const body = (await res.json()) as any;
      for (const student of body.xStudents.xStudent) s.received.push(student.name.givenName);
    }
  });
  const acknowledged: string[][] = await Promise.all(
    Array.from({ length: WRITERS }, async (_, w) => {
      const reg = await fetch(`${base}/environments/environment`, { method: 'POST', headers: { Authorization: basic('DemoApp', 'DemoSecret'), Accept: 'application/json', instanceId: `load-writer-${w}` } });
      const auth = basic(((await reg.json()) as any).environment.sessionToken, 'DemoSecret');
      const mine: string[] = [];
      for (let i = 0; i < CREATES; i++) {
        const name = `W${w}-${String(i).padStart(3, '0')}`;
        const res = await fetch(`${base}/requests/xStudents/xStudent`, { method: 'POST', headers: { Authorization: auth, ...json }, body: JSON.stringify({ xStudent: { name: { type: 'LegalName', familyName: 'Load', givenName: name } } }) });
        expect(res.status).toBe(201);
        mine.push(name);
      }
      return mine;
    }),
  );
  writing = false;
  await Promise.all(polling);
  const all = acknowledged.flat().sort();
  for (const s of subscribers) {
    expect([...s.received].sort()).toEqual(all);
    for (const mine of acknowledged) expect(s.received.filter((n) => mine.includes(n))).toEqual(mine);
  }
});
