import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { SqliteStore } from 'sif3-direct';
import type { SifStore } from 'sif3-direct';
import type { TestHost } from '../helpers/host';
import { createTestHost } from '../helpers/host';
import { student } from '../helpers/memory-service';
import type { Session } from '../helpers/queues';
import { QUEUE_TEST_CONSUMERS, createQueue, drain, session, subscribe } from '../helpers/queues';

// Issue #11 item 1: a change must not cost a store read of the subscriptions. The publisher keeps
// them in memory, and forgets them whenever a subscription is created or deleted, or a queue or an
// environment (with its queues and subscriptions) is deleted. Over real HTTP against a real SQLite
// file, with the store wrapped to count the calls that show whether the cache is used and trusted.

/** A SQLite store whose `subscriptionsTo` and `enqueue` calls are counted. */
function countingStore(file: string): { store: SifStore; calls: { subscriptionsTo: number; enqueue: number } } {
  const inner = new SqliteStore(file);
  const calls = { subscriptionsTo: 0, enqueue: 0 };
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (property === 'subscriptionsTo' || property === 'enqueue') calls[property]++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

describe('subscriptions are kept in memory by the event publisher', () => {
  let host: TestHost;
  let dir: string;
  let store: SifStore;
  let calls: { subscriptionsTo: number; enqueue: number };
  let a: Session;
  let b: Session;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sif3-subs-'));
    ({ store, calls } = countingStore(join(dir, 'state.db')));
    host = createTestHost({ database: undefined, store, consumers: QUEUE_TEST_CONSUMERS, queues: {} });
    a = await session(host, 'Subscriber', 'SubscriberSecret');
    b = await session(host, 'DemoApp', 'DemoSecret');
  });
  afterEach(async () => {
    await host.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const create = async (i: number) => {
    const res = await request(host.app).post('/sif3/requests/xStudents/xStudent').set('Authorization', b.auth).set('Accept', 'application/json').type('json').send({ xStudent: student(i) });
    expect(res.status).toBe(201);
  };

  test('many changes read the subscriptions from the store once', async () => {
    const q = await createQueue(host, a);
    expect((await subscribe(host, a, q.id)).status).toBe(201);
    calls.subscriptionsTo = 0;
    for (let i = 1; i <= 5; i++) await create(i);
    await host.provider.changed('xStudents', 'UPDATE', [student(1)]);
    expect(calls.subscriptionsTo).toBe(1);
    expect((await drain(host, a, q.messages)).map((m) => m.headers.eventaction)).toEqual(['CREATE', 'CREATE', 'CREATE', 'CREATE', 'CREATE', 'UPDATE']);
  });

  test('a subscription created after changes were published gets the next events; a deleted one no more', async () => {
    const q = await createQueue(host, a);
    await create(1); // the publisher now knows there are no subscriptions
    const sub = await subscribe(host, a, q.id);
    expect(sub.status).toBe(201);
    await create(2);
    expect((await drain(host, a, q.messages)).map((m) => m.body.xStudents.xStudent[0]['@refId'])).toEqual([student(2)['@refId']]);
    expect((await request(host.app).delete(`/sif3/subscriptions/${sub.body.subscription['@id']}`).set('Authorization', a.auth)).status).toBe(204);
    await create(3);
    expect(await drain(host, a, q.messages)).toEqual([]);
  });

  test('after its queue is deleted, a change queues nothing for it', async () => {
    const q = await createQueue(host, a);
    expect((await subscribe(host, a, q.id)).status).toBe(201);
    await create(1);
    expect((await request(host.app).delete(`/sif3/queues/${q.id}`).set('Authorization', a.auth)).status).toBe(204);
    calls.enqueue = 0;
    await create(2);
    expect(calls.enqueue).toBe(0);
  });

  test('after its environment is deleted, a change queues nothing for it', async () => {
    const q = await createQueue(host, a);
    expect((await subscribe(host, a, q.id)).status).toBe(201);
    await create(1);
    expect((await request(host.app).delete(`/sif3/environments/${a.id}`).set('Authorization', a.auth)).status).toBe(204);
    calls.enqueue = 0;
    await create(2);
    expect(calls.enqueue).toBe(0);
  });
});
