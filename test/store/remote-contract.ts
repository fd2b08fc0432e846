import type { DelayedRequestRecord, QueueRecord, SifStore, SubscriptionRecord } from '../../lib/store/store';
import { newId } from '../../lib/util/ids';
import { environment } from './contract';
import type { OpenStore } from './every-store';
import { freshStoreEach } from './every-store';

const T0 = '2026-01-01T00:00:00.000Z';

/**
 * What remote providers (SIF 3.5 pull mode, lib/remote) need of a `SifStore`: the 3.5 subscription
 * fields kept, one REQUEST subscription per service, zone and context across environments, and an
 * answer queued only at the part it names (`ifParts`), so that a part sent twice is queued once.
 */
export function remoteStoreContract(name: string, open: OpenStore): void {
  describe(`SifStore remote-provider contract: ${name}`, () => {
    let store: SifStore;
    freshStoreEach(open, (opened) => {
      store = opened;
    });

    async function environmentWithQueue(): Promise<{ envId: string; queueId: string }> {
      const env = environment();
      await store.createEnvironment(env);
      const q = queue(env.id);
      expect(await store.createQueue(q, { perEnvironment: 10, perApplication: 100 })).toEqual({ created: true });
      return { envId: env.id, queueId: q.id };
    }

    test('3.5 subscription fields are kept; absent ones stay absent', async () => {
      const { envId, queueId } = await environmentWithQueue();
      const request = subscription(envId, queueId, { messageType: 'REQUEST', serviceSubType: 'adminDirective', serviceType: 'SERVICE' });
      const plain = subscription(envId, queueId, { serviceName: 'xSchools' });
      expect(await store.createSubscription(request)).toEqual({ created: true });
      expect(await store.createSubscription(plain)).toEqual({ created: true });
      expect(await store.getSubscription(envId, request.id)).toEqual(request);
      expect(await store.getSubscription(envId, plain.id)).toEqual(plain);
      expect(Object.keys((await store.subscriptionsTo('xSchools'))[0]!)).not.toContain('messageType');
    });

    test('one REQUEST subscription per service, zone and context across environments; EVENT ones are not limited so', async () => {
      const a = await environmentWithQueue();
      const b = await environmentWithQueue();
      const first = subscription(a.envId, a.queueId, { messageType: 'REQUEST' });
      expect(await store.createSubscription(first)).toEqual({ created: true });
      expect(await store.createSubscription(subscription(b.envId, b.queueId, { messageType: 'REQUEST' }))).toEqual({ created: false, existing: first });
      expect(await store.createSubscription(subscription(b.envId, b.queueId, { messageType: 'REQUEST', zoneId: 'Elementary' }))).toEqual({ created: true });
      expect(await store.createSubscription(subscription(b.envId, b.queueId, { messageType: 'EVENT' }))).toEqual({ created: true });
      // Concurrent: of two providers subscribing at once, one wins.
      const c = await environmentWithQueue();
      const d = await environmentWithQueue();
      const outcomes = await Promise.all([c, d].map((x) => store.createSubscription(subscription(x.envId, x.queueId, { messageType: 'REQUEST', contextId: 'other' }))));
      expect(outcomes.filter((o) => o.created)).toHaveLength(1);
      // Deleting the provider's queue frees the service for another.
      expect(await store.deleteQueue(a.envId, a.queueId)).toBe(true);
      const e = await environmentWithQueue();
      expect(await store.createSubscription(subscription(e.envId, e.queueId, { messageType: 'REQUEST' }))).toEqual({ created: true });
    });

    test('ifParts: an answer is queued only while the request has queued exactly that many; a repeat is lost, nothing stored', async () => {
      const { envId, queueId } = await environmentWithQueue();
      const d = delayed(envId, queueId);
      expect(await store.createDelayedRequest(d)).toBe(true);
      const deferred = { serviceName: 'xStaffs', operation: 'query', remote: { environmentId: envId, queueId, zoneId: 'District', contextId: 'DEFAULT' } };
      await store.advanceDelayedRequest(d.id, { progress: { parts: 0, deferred }, state: 'deferred' }, []);
      const page = (n: number) => ({ id: newId(), queueId, createdAt: T0, headers: { messageType: 'RESPONSE', navigationPage: String(n) }, body: { kind: 'empty' as const } });
      const twice = await Promise.all([1, 1].map(() => store.advanceDelayedRequest(d.id, { progress: { parts: 1, deferred }, ifParts: 0 }, [page(1)])));
      expect(twice.sort()).toEqual(['advanced', 'lost']);
      expect((await store.getQueue(envId, queueId))!.messageCount).toBe(1);
      expect(await store.getDelayedRequest(d.id)).toMatchObject({ state: 'deferred', progress: { parts: 1, deferred } });
      expect(await store.advanceDelayedRequest(d.id, { progress: { parts: 2, deferred }, ifParts: 0 }, [page(2)])).toBe('lost');
      expect(await store.advanceDelayedRequest(d.id, { progress: { parts: 2, deferred }, ifParts: 1, done: true }, [page(2)])).toBe('advanced');
      expect(await store.getDelayedRequest(d.id)).toBeUndefined();
      expect((await store.getQueue(envId, queueId))!.messageCount).toBe(2);
    });

    test('deferredRequestSummaries: every deferred request, oldest first, with its progress and route but no body, headers or URL', async () => {
      const { envId, queueId } = await environmentWithQueue();
      const pending = delayed(envId, queueId);
      const first = { ...delayed(envId, queueId), body: Buffer.from('<xStaffs/>') };
      const second = { ...delayed(envId, queueId), createdAt: '2026-01-01T00:00:01.000Z' };
      for (const d of [pending, first, second]) expect(await store.createDelayedRequest(d)).toBe(true);
      const route = { environmentId: envId, queueId, zoneId: 'District', contextId: 'DEFAULT' };
      expect(await store.deferredRequestSummaries()).toEqual([]);
      await store.advanceDelayedRequest(first.id, { progress: { parts: 1, deferred: { serviceName: 'xStaffs', operation: 'createMany', remote: route } }, state: 'deferred' }, []);
      await store.advanceDelayedRequest(second.id, { progress: { parts: 0, deferred: { serviceName: 'xStudents', operation: 'query' } }, state: 'deferred' }, []);
      const summaries = await store.deferredRequestSummaries();
      expect(summaries).toEqual([
        { id: first.id, environmentId: envId, queueId, createdAt: T0, progress: { parts: 1, deferred: { serviceName: 'xStaffs', operation: 'createMany', remote: route } } },
        { id: second.id, environmentId: envId, queueId, createdAt: second.createdAt, progress: { parts: 0, deferred: { serviceName: 'xStudents', operation: 'query' } } },
      ]);
      // A copy: changing it changes nothing stored.
      summaries[0]!.progress.parts = 99;
      expect((await store.deferredRequestSummaries())[0]!.progress.parts).toBe(1);
      // Finished requests leave the list.
      expect(await store.advanceDelayedRequest(first.id, { progress: { parts: 1 }, done: true }, [])).toBe('advanced');
      expect((await store.deferredRequestSummaries()).map((d) => d.id)).toEqual([second.id]);
    });
  });
}

function queue(environmentId: string): QueueRecord {
  return {
    id: newId(), environmentId, name: 'q', polling: 'IMMEDIATE', idleTimeout: 0, minWaitTime: 0, maxConcurrentConnections: 1,
    created: T0, lastAccessed: T0, lastModified: T0, lastPolled: T0, alertedAt: undefined,
  };
}

function subscription(environmentId: string, queueId: string, overrides: Partial<SubscriptionRecord> = {}): SubscriptionRecord {
  return { id: newId(), environmentId, queueId, zoneId: 'District', contextId: 'DEFAULT', serviceType: 'OBJECT', serviceName: 'xStaffs', createdAt: T0, ...overrides };
}

function delayed(environmentId: string, queueId: string): DelayedRequestRecord {
  return {
    id: newId(), environmentId, queueId, createdAt: T0, method: 'GET', url: '/requests/xStaffs', headers: { requestid: 'r' },
    body: Buffer.alloc(0), baseUrl: 'http://localhost/sif3', state: 'pending', progress: { parts: 0 },
  };
}
