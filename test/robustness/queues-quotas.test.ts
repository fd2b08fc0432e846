import request from 'supertest';
import type { DeferredRequest, ServiceDefinition } from 'sif3-direct';
import type { TestHost } from '../helpers/host';
import { createTestHost } from '../helpers/host';
import { memoryService } from '../helpers/memory-service';
import { QUEUE_TEST_CONSUMERS, createQueue, drain, session } from '../helpers/queues';
import type { Session } from '../helpers/queues';

// What one consumer with valid credentials may make the provider store on the queue side (issue #10):
// queues per application key across its environments, queue names, and delayed requests waiting
// per queue. Each limit is refused with the SIF error that names it, and nothing is stored.

function postQueue(host: TestHost, who: Session, queue: Record<string, string>) {
  return request(host.app).post('/sif3/queues/queue').set('Authorization', who.auth).set('Accept', 'application/json').type('json').send({ queue });
}

async function queueCount(host: TestHost, who: Session): Promise<number> {
  const res = await request(host.app).get('/sif3/queues').set('Authorization', who.auth).set('Accept', 'application/json');
  if (res.status === 204) return 0;
  const queue = res.body.queues.queue;
  return Array.isArray(queue) ? queue.length : 1;
}

describe('queues per application key and queue names', () => {
  let host: TestHost;
  beforeEach(() => {
    host = createTestHost({ consumers: QUEUE_TEST_CONSUMERS, queues: { maxQueuesPerEnvironment: 2, maxQueuesPerApplication: 3 } });
  });
  afterEach(async () => host.close());

  test('an application key with several environments is limited across all of them (409 naming the limit, nothing stored)', async () => {
    const kiosk1 = await session(host, 'Kiosk', 'KioskSecret', 'kiosk-1');
    const kiosk2 = await session(host, 'Kiosk', 'KioskSecret', 'kiosk-2');
    for (let i = 0; i < 2; i++) expect((await postQueue(host, kiosk1, {})).status).toBe(201);
    expect((await postQueue(host, kiosk2, {})).status).toBe(201);

    const overApplication = await postQueue(host, kiosk2, {});
    expect(overApplication.status).toBe(409);
    expect(overApplication.body.error.description).toContain('queues.maxQueuesPerApplication');
    const overEnvironment = await postQueue(host, kiosk1, {});
    expect(overEnvironment.status).toBe(409);
    expect(overEnvironment.body.error.description).toContain('queues.maxQueuesPerEnvironment');
    expect([await queueCount(host, kiosk1), await queueCount(host, kiosk2)]).toEqual([2, 1]);

    // Another application key has its own allowance.
    const other = await session(host, 'DemoApp', 'DemoSecret');
    expect((await postQueue(host, other, {})).status).toBe(201);
  });

  test('concurrent creates cannot pass the per-application limit', async () => {
    const kiosk1 = await session(host, 'Kiosk', 'KioskSecret', 'kiosk-1');
    const kiosk2 = await session(host, 'Kiosk', 'KioskSecret', 'kiosk-2');
    const results = await Promise.all([kiosk1, kiosk2, kiosk1, kiosk2, kiosk1, kiosk2].map((who) => postQueue(host, who, {})));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 409, 409, 409]);
    expect((await queueCount(host, kiosk1)) + (await queueCount(host, kiosk2))).toBe(3);
  });

  test('a queue name longer than limits.maxFieldLength is a 400 naming it; one at the limit is taken', async () => {
    await host.close();
    host = createTestHost({ consumers: QUEUE_TEST_CONSUMERS, queues: true, limits: { maxFieldLength: 20 } });
    const b = await session(host, 'DemoApp', 'DemoSecret');
    const tooLong = await postQueue(host, b, { name: 'n'.repeat(21) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.description).toContain('limits.maxFieldLength');
    expect(await queueCount(host, b)).toBe(0);
    const atLimit = await postQueue(host, b, { name: 'n'.repeat(20) });
    expect([atLimit.status, atLimit.body.queue.name]).toEqual([201, 'n'.repeat(20)]);
  });
});

describe('delayed requests waiting per queue', () => {
  test('concurrent DELAYED requests beyond queues.maxPendingDelayedPerQueue are refused (409 naming it), the rest answered', async () => {
    // An asynchronous provider that takes requests and answers only when the test says so: the
    // requests stay stored, as they would while a slow host works through them.
    const taken: string[] = [];
    const students = memoryService({ objectName: 'xStudent' });
    const service: ServiceDefinition = {
      ...students.definition,
      delayed: { query: async (_ctx, _query, req: DeferredRequest) => void taken.push(req.ref) },
    };
    const host = createTestHost({ consumers: QUEUE_TEST_CONSUMERS, queues: { maxPendingDelayedPerQueue: 3 }, services: { xStudents: service } });
    try {
      const b = await session(host, 'DemoApp', 'DemoSecret');
      const q = await createQueue(host, b);
      const sent = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          request(host.app).get('/sif3/requests/xStudents').set('Authorization', b.auth).set('Accept', 'application/json')
            .set('requestType', 'DELAYED').set('queueId', q.id).set('requestId', `r${i}`),
        ),
      );
      const refused = sent.filter((r) => r.status === 409);
      expect([sent.filter((r) => r.status === 202).length, refused.length]).toEqual([3, 17]);
      expect(refused[0]!.body.error.description).toContain('queues.maxPendingDelayedPerQueue');
      await host.provider.idle();
      expect(taken).toHaveLength(3);

      // Once one is complete, there is room for one more.
      await host.provider.complete(taken[0]!, { objects: [] });
      const again = await request(host.app).get('/sif3/requests/xStudents').set('Authorization', b.auth)
        .set('requestType', 'DELAYED').set('queueId', q.id).set('requestId', 'again');
      expect(again.status).toBe(202);
      expect((await drain(host, b, q.messages)).map((m) => m.headers.messagetype)).toEqual(['RESPONSE']);
    } finally {
      await host.close();
    }
  });
});
