import type { GoessnerObject } from 'sif3-direct';
import type { ProvideHandlers, QueueMessage } from 'sif3-direct/client';
import { SifClient } from 'sif3-direct/client';
import { basicAuth } from '../helpers/consumer-auth';
import type { RunningProvider } from './provider';
import { DEMO, startProvider } from './provider';

// client.provide(): the provider SDK of SIF 3.5 pull mode, against the example SIS (xStaffs is
// provided remotely by StaffDirectory) over real HTTP, with handlers of the in-process shapes.

const STAFF = { applicationKey: 'StaffDirectory', secret: 'StaffSecret' } as const;

function member(i: number): GoessnerObject {
  return { '@refId': `5a1f0000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, name: { familyName: `F${i}`, givenName: `G${i}` } };
}

/** The answers to `requestIds` in a consumer's queue, each request's until its last part. */
async function answers(client: SifClient, queueId: string, requestIds: readonly string[]): Promise<Map<string, QueueMessage[]>> {
  const byRequest = new Map<string, QueueMessage[]>(requestIds.map((id) => [id, []]));
  const ended = new Set<string>();
  const signal = AbortSignal.timeout(20_000);
  for await (const m of client.queue(queueId).messages({ signal })) {
    const list = byRequest.get(m.requestId ?? '');
    if (!list) continue;
    list.push(m);
    // A results answer is one message; a query's ends with the page numbered navigationLastPage.
    const lastPage = m.root !== 'xStaffs' || (m.page.navigationLastPage !== undefined && m.page.navigationPage >= m.page.navigationLastPage);
    if (m.messageType === 'ERROR' || lastPage) ended.add(m.requestId!);
    if (ended.size === requestIds.length) break;
  }
  return byRequest;
}

describe('client.provide (SIF 3.5 remote provider SDK)', () => {
  let sis: RunningProvider;
  beforeAll(async () => {
    sis = await startProvider();
  });
  afterAll(async () => sis.close());

  test('two instances on one queue (one connection each) answer every request once, page by page', async () => {
    const handled: string[] = [];
    const instance = (name: string): ProvideHandlers => ({
      async query(ctx, q) {
        handled.push(`${name}:${ctx.requestId}:${q.page}`);
        await new Promise((r) => setTimeout(r, 50));
        const all = Array.from({ length: 7 }, (_, i) => member(i));
        return { objects: all.slice(q.offset, q.offset + q.pageSize), totalCount: all.length };
      },
    });
    const a = await SifClient.connect({ url: sis.url, ...STAFF, instanceId: 'sdk-pair', format: 'json' });
    const b = await SifClient.connect({ url: sis.url, ...STAFF, instanceId: 'sdk-pair', format: 'xml' });
    const first = await a.provide('xStaffs', instance('a'), { connections: 2, connectionId: 0, idleTimeout: 2 });
    const second = await b.provide('xStaffs', instance('b'), { connections: 2, connectionId: 1, idleTimeout: 2 });
    try {
      expect(second.queueId).toBe(first.queueId);
      const consumer = await SifClient.connect({ url: sis.url, ...DEMO, instanceId: 'sdk-pair-consumer', format: 'json' });
      const queue = await consumer.createQueue({ polling: 'LONG', idleTimeout: 2 });
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) ids.push((await consumer.service('xStaffs').query({ pageSize: 3 }, { delayed: { queueId: queue.id } })).requestId);
      const got = await answers(consumer, queue.id, ids);
      for (const id of ids) {
        expect(got.get(id)!.map((m) => [m.messageType, m.page.navigationPage, m.objects.length])).toEqual([['RESPONSE', 1, 3], ['RESPONSE', 2, 3], ['RESPONSE', 3, 1]]);
      }
      // Each request was taken by one instance: 6 requests × 3 pages, no page asked twice.
      expect(handled).toHaveLength(18);
      expect(new Set(handled.map((h) => h.slice(2))).size).toBe(18);
    } finally {
      await Promise.all([first.stop(), second.stop()]);
    }
  }, 60_000);

  test('a query by example and a where clause reach the query handler as one parsed filter', async () => {
    const seen: unknown[] = [];
    const staff = await SifClient.connect({ url: sis.url, ...STAFF, instanceId: 'sdk-pair' });
    const provision = await staff.provide('xStaffs', { query: async (_ctx, q) => (seen.push(q.where), { objects: [], totalCount: 0 }) }, { idleTimeout: 2 });
    try {
      const consumer = await SifClient.connect({ url: sis.url, ...DEMO, instanceId: 'sdk-qbe-consumer', format: 'json' });
      const queue = await consumer.createQueue({ polling: 'LONG', idleTimeout: 2 });
      const res = await fetch(`${sis.url}/requests/xStaffs?where=${encodeURIComponent('[localId="S1"]')}`, {
        method: 'POST',
        headers: {
          Authorization: basicAuth(consumer.environment.sessionToken, DEMO.secret), 'Content-Type': 'application/json', methodOverride: 'GET',
          requestType: 'DELAYED', queueId: queue.id, requestId: 'qbe',
        },
        body: JSON.stringify({ xStaff: { name: { familyName: 'Hoo%' } } }),
      });
      expect(res.status).toBe(202);
      const got = await answers(consumer, queue.id, ['qbe']);
      expect(got.get('qbe')!.map((m) => [m.messageType, m.responseAction, m.objects.length])).toEqual([['RESPONSE', 'QUERY', 0]]);
      expect(seen).toEqual([
        { kind: 'and', children: [
          expect.objectContaining({ kind: 'condition', path: ['localId'], operator: '=', value: 'S1' }),
          expect.objectContaining({ kind: 'condition', path: ['name', 'familyName'], operator: 'like', value: 'Hoo%' }),
        ] },
      ]);
    } finally {
      await provision.stop();
    }
  }, 60_000);

  test('Base Architecture §5.4.1: an unpaged query is answered in one part holding every object, walked page by page; a paged batch starts at its navigationPage', async () => {
    const asked: number[][] = [];
    const all = Array.from({ length: 7 }, (_, i) => member(i));
    const handlers: ProvideHandlers = {
      query: async (_ctx, q) => (asked.push([q.page, q.pageSize, q.offset]), { objects: all.slice(q.offset, q.offset + q.pageSize), totalCount: all.length }),
    };
    const staff = await SifClient.connect({ url: sis.url, ...STAFF, instanceId: 'sdk-pair' });
    const provision = await staff.provide('xStaffs', handlers, { idleTimeout: 2, pageSize: 3 });
    try {
      const consumer = await SifClient.connect({ url: sis.url, ...DEMO, instanceId: 'sdk-bulk-consumer', format: 'json' });
      const queue = await consumer.createQueue({ polling: 'LONG', idleTimeout: 2 });
      const { requestId: bulk } = await consumer.service('xStaffs').query({}, { delayed: { queueId: queue.id } });
      const { requestId: fromThree } = await consumer.service('xStaffs').query({ pageSize: 2, page: 3 }, { delayed: { queueId: queue.id } });
      const got = await answers(consumer, queue.id, [bulk, fromThree]);
      expect(got.get(bulk)!.map((m) => [m.messageType, m.page.navigationPage, m.page.navigationLastPage, m.objects.length])).toEqual([['RESPONSE', 1, 1, 7]]);
      expect(got.get(fromThree)!.flatMap((m) => m.objects.map((o) => o['@refId']))).toEqual([4, 5, 6].map((i) => member(i)['@refId']));
      expect(asked).toEqual([[1, 3, 0], [2, 3, 3], [3, 3, 6], [3, 2, 4], [4, 2, 6]]);
    } finally {
      await provision.stop();
    }
  }, 60_000);

  test('multi-object updates and deletes answer per object; a handler that throws is the consumer’s ERROR with its status', async () => {
    const handlers: ProvideHandlers = {
      query: async () => {
        throw Object.assign(new Error('The HR system is down'), { status: 504 });
      },
      updateMany: async (_ctx, updates) => updates.map((u) => u.id === member(1)['@refId']),
      delete: async (_ctx, id) => {
        if (id === member(2)['@refId']) throw Object.assign(new Error('Still employed'), { status: 409 });
        return true;
      },
    };
    const staff = await SifClient.connect({ url: sis.url, ...STAFF, instanceId: 'sdk-pair' });
    const provision = await staff.provide('xStaffs', handlers, { idleTimeout: 2 });
    try {
      const consumer = await SifClient.connect({ url: sis.url, ...DEMO, instanceId: 'sdk-writes-consumer', format: 'json' });
      const queue = await consumer.createQueue({ polling: 'LONG', idleTimeout: 2 });
      const { requestId: queryId } = await consumer.service('xStaffs').query({}, { delayed: { queueId: queue.id } });
      const send = async (method: string, requestId: string, body: unknown, extra: Record<string, string> = {}) => {
        const res = await fetch(`${sis.url}/requests/xStaffs`, {
          method,
          headers: {
            Authorization: basicAuth(consumer.environment.sessionToken, DEMO.secret), 'Content-Type': 'application/json',
            requestType: 'DELAYED', queueId: queue.id, requestId, ...extra,
          },
          body: JSON.stringify(body),
        });
        expect(res.status).toBe(202);
      };
      await send('PUT', 'upd', { xStaffs: { xStaff: [{ '@refId': member(1)['@refId'], localId: 'L1' }, { '@refId': member(3)['@refId'], localId: 'L3' }] } });
      await send('PUT', 'del', { deleteRequest: { deletes: { delete: [{ '@id': member(1)['@refId'] }, { '@id': member(2)['@refId'] }] } } }, { methodOverride: 'DELETE' });
      const got = await answers(consumer, queue.id, [queryId, 'upd', 'del']);
      expect(got.get(queryId)!.map((m) => [m.messageType, m.error?.status, m.error?.message])).toEqual([['ERROR', 504, 'The HR system is down']]);
      expect(got.get('upd')!.flatMap((m) => m.results.map((r) => [r.id, r.status]))).toEqual([[member(1)['@refId'], 200], [member(3)['@refId'], 404]]);
      const deleted = got.get('del')!.flatMap((m) => m.results);
      expect(deleted.map((r) => [r.id, r.status])).toEqual([[member(1)['@refId'], 200], [member(2)['@refId'], 409]]);
      expect(got.get('del')![0]!.responseAction).toBe('DELETE');
    } finally {
      await provision.stop();
    }
  }, 60_000);
});
