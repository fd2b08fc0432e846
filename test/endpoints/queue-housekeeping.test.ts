import request from 'supertest';
import type { SifEventMap } from 'sif3-direct';
import type { TestHost } from '../helpers/host';
import { createTestHost } from '../helpers/host';
import { student } from '../helpers/memory-service';
import { QUEUE_TEST_CONSUMERS, createQueue, session, subscribe } from '../helpers/queues';

// Queue hygiene: depth limit, message age, and the inactive-consumer alert (Utility Services §7.2.4).
// Housekeeping runs on its timer (every second here) against a clock the test moves.

function next<K extends keyof SifEventMap>(host: TestHost, name: K, ms = 5000): Promise<SifEventMap[K]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${name} within ${ms} ms`)), ms);
    const off = host.provider.events.on(name, (event) => {
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

test('a full queue drops what does not fit; an unpolled queue raises one alert; old messages expire', async () => {
  let now = Date.parse('2026-11-22T08:00:00.000Z');
  const host = createTestHost({
    consumers: QUEUE_TEST_CONSUMERS,
    clock: () => new Date(now),
    queues: { housekeepingSeconds: 1, unpolledAlertMinutes: 5, maxMessageAgeHours: 1, maxMessagesPerQueue: 2 },
  });
  try {
    const a = await session(host, 'Subscriber', 'SubscriberSecret');
    const b = await session(host, 'DemoApp', 'DemoSecret');
    const q = await createQueue(host, a, { name: 'Nightly' });
    await subscribe(host, a, q.id);
    const overflowed = next(host, 'queue.overflowed');
    for (const i of [1, 2, 3]) {
      await request(host.app).post('/sif3/requests/xStudents/xStudent').set('Authorization', b.auth).type('json').send({ xStudent: student(i) });
    }
    expect(await overflowed).toEqual({ queueId: q.id, dropped: 1 });

    now += 10 * 60_000;
    const unpolled = await next(host, 'queue.unpolled');
    expect(unpolled).toMatchObject({ queueId: q.id, environmentId: a.id, messageCount: 2, lastPolled: '2026-11-22T08:00:00.000Z' });
    const alerts = await request(host.app).get('/sif3/requests/alerts').set('Authorization', a.auth).set('Accept', 'application/json');
    expect(alerts.body.alerts.alert).toEqual([
      expect.objectContaining({ exchange: 'TIMEOUT', level: 'WARNING', description: expect.stringContaining(`Queue ${q.id} (Nightly) holds 2 message(s)`) }),
    ]);
    await new Promise((r) => setTimeout(r, 1500)); // more housekeeping runs: the same silence is not alerted twice
    expect((await request(host.app).get('/sif3/requests/alerts').set('Authorization', a.auth).set('Accept', 'application/json')).body.alerts.alert).toHaveLength(1);

    now += 2 * 3_600_000;
    expect(await next(host, 'queue.expired')).toEqual({ queueId: q.id, dropped: 2 });
    const queue = await request(host.app).get(`/sif3/queues/${q.id}`).set('Authorization', a.auth).set('Accept', 'application/json');
    expect(queue.body.queue.messageCount).toBe('0');
  } finally {
    await host.close();
  }
});

// Issue #10: the provider's own unpolled-queue alerts count against limits.alertsPerEnvironment
// like the consumer's (one per silence would otherwise grow without bound).
test('an unpolled-queue alert is not stored past limits.alertsPerEnvironment; the host still hears of it', async () => {
  let now = Date.parse('2026-11-22T08:00:00.000Z');
  const host = createTestHost({
    consumers: QUEUE_TEST_CONSUMERS,
    clock: () => new Date(now),
    limits: { alertsPerEnvironment: 1 },
    queues: { housekeepingSeconds: 1, unpolledAlertMinutes: 5 },
  });
  try {
    const a = await session(host, 'Subscriber', 'SubscriberSecret');
    const b = await session(host, 'DemoApp', 'DemoSecret');
    const q = await createQueue(host, a);
    await subscribe(host, a, q.id);
    await request(host.app).post('/sif3/requests/xStudents/xStudent').set('Authorization', b.auth).type('json').send({ xStudent: student(1) });
    const own = await request(host.app)
      .post('/sif3/requests/alerts/alert')
      .set('Authorization', a.auth)
      .type('json')
      .send({ alert: { reporter: 'Subscriber', exchange: 'OTHER', level: 'INFO' } });
    expect(own.status).toBe(201);
    now += 10 * 60_000;
    expect(await next(host, 'queue.unpolled')).toMatchObject({ queueId: q.id });
    expect(await host.provider.store.countAlerts(a.id)).toBe(1);
  } finally {
    await host.close();
  }
});
