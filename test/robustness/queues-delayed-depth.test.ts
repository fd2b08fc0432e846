import type { Server } from 'node:http';
import request from 'supertest';
import type { ServiceDefinition } from 'sif3-direct';
import type { TestHost } from '../helpers/host';
import { createTestHost } from '../helpers/host';
import { memoryService, student } from '../helpers/memory-service';
import { QUEUE_TEST_CONSUMERS, createQueue, session } from '../helpers/queues';

// Issue #10: 20 parallel DELAYED queries with page size 1 put 40,000 messages into a queue capped at
// 10,000. Answers of accepted requests are never dropped, so the runner must hold back instead: a
// full queue leaves the request pending where it stopped, and removing messages lets it go on.

const OBJECTS = 25;
const REQUESTS = 20;
const CAP = 50;

test('parallel delayed paged queries never take a queue past maxMessagesPerQueue, and every page arrives exactly once', async () => {
  // The service answers nothing until every request is accepted, so that none is refused for a
  // queue that its siblings filled meanwhile (acceptance still answers 503 when the queue is full).
  let open: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (open = resolve));
  const students = memoryService({ objectName: 'xStudent', objects: Array.from({ length: OBJECTS }, (_, i) => student(i + 1)) });
  const handlers = students.definition.handlers!;
  const service: ServiceDefinition = {
    ...students.definition,
    handlers: {
      ...handlers,
      query: async (ctx, query) => gate.then(() => handlers.query!(ctx, query)),
      queryIds: async (ctx, query) => gate.then(() => handlers.queryIds!(ctx, query)),
    },
  };
  const host: TestHost = createTestHost({
    consumers: QUEUE_TEST_CONSUMERS,
    services: { xStudents: service },
    queues: { maxMessagesPerQueue: CAP },
    limits: { snapshotsPerEnvironment: REQUESTS },
  });
  const server: Server = host.app.listen(0);
  try {
    const b = await session(host, 'DemoApp', 'DemoSecret');
    const q = await createQueue(host, b);
    const accepted = await Promise.all(
      Array.from({ length: REQUESTS }, (_, i) =>
        request(server).get('/sif3/requests/xStudents').set('Authorization', b.auth).set('Accept', 'application/json')
          .set('requestType', 'DELAYED').set('queueId', q.id).set('requestId', `r${i}`).set('navigationPageSize', '1'),
      ),
    );
    expect(accepted.map((r) => r.status)).toEqual(Array(REQUESTS).fill(202));
    open();

    const depth = async () => (await host.provider.store.getQueue(b.id, q.id))!.messageCount;
    const pages = new Map<string, string[]>();
    let previous: string | undefined;
    let emptyInARow = 0;
    for (;;) {
      const url = previous ? `${q.messages};deleteMessageId=${previous}` : q.messages;
      const res = await request(server).get(url).set('Authorization', b.auth).set('Accept', 'application/json');
      expect(await depth()).toBeLessThanOrEqual(CAP);
      if (res.status === 200) {
        emptyInARow = 0;
        previous = res.headers.messageid;
        expect(res.headers).toMatchObject({ messagetype: 'RESPONSE', navigationlastpage: String(OBJECTS) });
        const requestId = res.headers.requestid as string;
        pages.set(requestId, [...(pages.get(requestId) ?? []), res.headers.navigationpage as string]);
        continue;
      }
      expect(res.status).toBe(204);
      previous = undefined;
      await host.provider.idle();
      const pending = await host.provider.store.pendingDelayedRequests();
      if (pending.length === 0) break;
      // Twice empty with requests still pending and nothing running: they were never taken up again.
      if (++emptyInARow > 1) throw new Error(`${pending.length} delayed request(s) left pending behind an empty queue`);
    }

    const inOrder = Array.from({ length: OBJECTS }, (_, i) => String(i + 1));
    expect([...pages.keys()].sort()).toEqual(Array.from({ length: REQUESTS }, (_, i) => `r${i}`).sort());
    for (const [requestId, got] of pages) expect([requestId, got]).toEqual([requestId, inOrder]);
  } finally {
    open();
    server.close();
    await host.close();
  }
}, 60_000);
