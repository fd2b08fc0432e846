import type { Format, QueueMessage } from 'sif3-direct/client';
import { SifClient } from 'sif3-direct/client';
import type { RunningProvider } from './provider';
import { DEMO, newStudent, startProvider } from './provider';

jest.setTimeout(30_000);

describe.each<Format>(['json', 'xml'])('queues, events and delayed requests (%s)', (format) => {
  let provider: RunningProvider;
  let client: SifClient;

  beforeAll(async () => {
    provider = await startProvider();
    client = await SifClient.connect({ url: provider.url, ...DEMO, format, authMethod: 'SIF_HMACSHA256', instanceId: `queues-${format}` });
  });
  afterAll(async () => {
    await client.close();
    await provider.close();
  });

  test('a LONG queue subscribed to xStudents receives each change as an event; get-next-and-pop acknowledges', async () => {
    const queue = await client.createQueue({ polling: 'LONG', idleTimeout: 5, name: 'events' });
    expect(queue.polling).toBe('LONG');
    const subscription = await client.subscribe({ queueId: queue.id, serviceName: 'xStudents' });
    expect(subscription.id).toEqual(expect.any(String));

    const students = client.service('xStudents');
    const controller = new AbortController();
    const received: QueueMessage[] = [];
    const reading = (async () => {
      for await (const message of client.queue(queue).messages({ signal: controller.signal })) {
        received.push(message);
        if (received.length === 1) await students.update(message.objects[0]!['@refId'] as string, { localId: 'evented' });
        if (received.length === 2) break;
      }
    })();
    // The poll is waiting (or about to); the change wakes it.
    const created = await students.create(newStudent('Evented'));
    await reading;
    expect(received.map((m) => [m.messageType, m.eventAction, m.serviceName])).toEqual([
      ['EVENT', 'CREATE', 'xStudents'],
      ['EVENT', 'UPDATE', 'xStudents'],
    ]);
    expect(received[0]!.objects.map((o) => o['@refId'])).toEqual([created['@refId']]);
    // The first message was popped by the poll that fetched the second; the second is still there
    // until it is deleted (at least once).
    expect((await client.queue(queue).info()).raw.messageCount).toBe('1');
    expect(await client.queue(queue).deleteMessage(received[1]!.messageId)).toBe(true);
    expect((await client.queue(queue).info()).raw.messageCount).toBe('0');
    await client.unsubscribe(subscription.id);
    await client.queue(queue).delete();
  });

  test('an aborted long poll ends the loop quietly', async () => {
    const queue = await client.createQueue({ polling: 'LONG', idleTimeout: 30 });
    const controller = new AbortController();
    const loop = (async () => {
      const seen: QueueMessage[] = [];
      for await (const message of client.queue(queue).messages({ signal: controller.signal })) seen.push(message);
      return seen;
    })();
    controller.abort();
    expect(await loop).toEqual([]);
    await client.queue(queue).delete();
  });

  test('a delayed query is answered in the queue page by page, correlated by requestId', async () => {
    const queue = await client.createQueue({ polling: 'LONG', idleTimeout: 5 });
    const students = client.service('xStudents');
    const total = (await students.head()).navigationCount!;
    const { requestId } = await students.query({ pageSize: 20 }, { delayed: { queueId: queue.id } });
    const pages: QueueMessage[] = [];
    for await (const message of client.queue(queue).messages()) {
      expect(message.requestId).toBe(requestId);
      pages.push(message);
      if (message.page.navigationPage === message.page.navigationLastPage) break;
    }
    expect(pages.every((m) => m.messageType === 'RESPONSE' && m.responseAction === 'QUERY')).toBe(true);
    expect(pages.map((m) => m.page.navigationPage)).toEqual(Array.from({ length: Math.ceil(total / 20) }, (_, i) => i + 1));
    expect(pages.reduce((n, m) => n + m.objects.length, 0)).toBe(total);
    await client.queue(queue).delete();
  });

  test('a delayed batch create answers with its createResponse in the queue', async () => {
    const queue = await client.createQueue({ polling: 'LONG', idleTimeout: 5 });
    const { requestId } = await client.service('xStudents').createMany([newStudent('DelayedA'), newStudent('DelayedB')], { delayed: { queueId: queue.id, requestId: `batch-${format}` } });
    expect(requestId).toBe(`batch-${format}`);
    const results = [];
    for await (const message of client.queue(queue).messages()) {
      expect(message.requestId).toBe(requestId);
      results.push(...message.results);
      if (results.length === 2) break;
    }
    expect(results.map((r) => r.status)).toEqual([201, 201]);
    await client.queue(queue).delete();
  });
});
