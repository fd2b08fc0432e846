import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import type { ConsumerEntry, ServiceDefinition, SifProvider } from 'sif3-direct';
import { createSifProvider } from 'sif3-direct';
import type { TestHost } from '../helpers/host';
import { memoryService, student } from '../helpers/memory-service';
import { createQueue, drain, session, subscribe } from '../helpers/queues';

// A delayed answer that finds its queue full although the queue had room when the request started
// (its own events, or another writer, took the room meanwhile) is not dropped, not queued past
// `maxMessagesPerQueue`, and its request is not run twice: the answer is kept with the request and
// queued once the consumer makes room, after a restart too.

const BOTH: ConsumerEntry = {
  applicationKey: 'Both',
  secret: 'BothSecret',
  environment: { defaultZone: { id: 'District', services: [{ name: 'xStudents', rights: ['QUERY', 'CREATE', 'SUBSCRIBE'] }] } },
};
const SILENT = { warn: () => undefined, error: () => undefined };

test('an answer its queue cannot take is held with the request and queued once there is room, even after a restart; the request ran once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sif3-held-'));
  const database = join(dir, 'state.db');
  let creates = 0;
  const students = memoryService({ objectName: 'xStudent' });
  const create = students.definition.handlers!.create!;
  const service: ServiceDefinition = {
    ...students.definition,
    handlers: { ...students.definition.handlers, create: async (ctx, object, options) => (creates++, create(ctx, object, options)) },
  };
  const start = (): TestHost => {
    const provider: SifProvider = createSifProvider({
      database,
      consumers: [BOTH],
      services: { xStudents: service },
      queues: { maxMessagesPerQueue: 3 },
      logger: SILENT,
    });
    const app = express();
    app.use('/sif3', provider.router);
    return { app, provider, mount: '/sif3' } as TestHost;
  };

  const first = start();
  try {
    const who = await session(first, 'Both', 'BothSecret');
    const q = await createQueue(first, who);
    expect((await subscribe(first, who, q.id)).status).toBe(201);
    for (const i of [1, 2]) {
      await request(first.app).post('/sif3/requests/xStudents/xStudent').set('Authorization', who.auth).type('json').send({ xStudent: student(i) });
    }
    // Two events: room for one more message. The delayed create's own event takes it, before its answer.
    const accepted = await request(first.app).post('/sif3/requests/xStudents/xStudent').set('Authorization', who.auth)
      .set('Accept', 'application/json').set('requestType', 'DELAYED').set('queueId', q.id).set('requestId', 'held').type('json').send({ xStudent: student(3) });
    expect(accepted.status).toBe(202);
    await first.provider.idle();
    expect((await first.provider.store.getQueue(who.id, q.id))!.messageCount).toBe(3);
    const [pending] = await first.provider.store.pendingDelayedRequests(q.id);
    expect(pending!.progress.held).toMatchObject({ done: true, headers: { requestId: 'held', responseAction: 'CREATE' } });

    await first.provider.close();
    const second = start();
    try {
      await second.provider.idle();
      const messages = await drain(second, who, q.messages);
      expect(messages.map((m) => [m.headers.messagetype, m.headers.requestid])).toEqual([
        ['EVENT', undefined],
        ['EVENT', undefined],
        ['EVENT', undefined],
        ['RESPONSE', 'held'],
      ]);
      expect(messages[3]!.body.xStudent['@refId']).toBe(student(3)['@refId']);
      expect(creates).toBe(3);
      expect(await second.provider.store.pendingDelayedRequests()).toEqual([]);
    } finally {
      await second.provider.close();
    }
  } finally {
    await first.provider.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  }
});
