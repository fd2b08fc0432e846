import type { DelayedRequestRecord, NewQueueMessage, QueueRecord, SifStore, SubscriptionRecord } from '../../lib/store/store';
import { newId } from '../../lib/util/ids';
import { environment } from './contract';
import type { OpenStore } from './every-store';
import { freshStoreEach } from './every-store';

/**
 * The queue side of the `SifStore` contract: queues, messages (FIFO, outstanding per connection,
 * at-least-once), subscriptions and delayed requests, and what deleting owners takes with it.
 */
export function queueStoreContract(name: string, open: OpenStore): void {
  describe(`SifStore queue contract: ${name}`, () => {
    let store: SifStore;
    let envId: string;
    const T0 = '2026-01-01T00:00:00.000Z';
    freshStoreEach(open, (opened) => {
      store = opened;
    });
    beforeEach(async () => {
      const env = environment();
      await store.createEnvironment(env);
      envId = env.id;
    });

    async function newQueue(environmentId = envId, overrides: Partial<QueueRecord> = {}): Promise<QueueRecord> {
      const q = queue(environmentId, overrides);
      expect(await store.createQueue(q, { perEnvironment: 10, perApplication: 100 })).toEqual({ created: true });
      return q;
    }

    test('queues: created, read with counts by their owner only, listed oldest first, limited per environment', async () => {
      const q1 = await newQueue();
      const q2 = await newQueue(envId, { name: undefined, polling: 'LONG', idleTimeout: 30 });
      expect(await store.getQueue(envId, q1.id)).toEqual({ ...q1, messageCount: 0, oldestMessage: undefined });
      expect((await store.listQueues(envId)).map((q) => q.id)).toEqual([q1.id, q2.id]);
      const other = environment();
      await store.createEnvironment(other);
      expect(await store.getQueue(other.id, q1.id)).toBeUndefined();
      expect(await store.deleteQueue(other.id, q1.id)).toBe(false);
      expect(await store.createQueue(queue(envId), { perEnvironment: 2, perApplication: 100 })).toEqual({ created: false, limit: 'perEnvironment' });
      expect((await store.allQueues()).length).toBe(2);
    });

    test('queues are limited per application key across its environments, atomically; other keys are not counted', async () => {
      const sibling = environment();
      const stranger = environment({ applicationKey: 'Someone else' });
      const owner = (await store.getEnvironment(envId))!;
      expect(sibling.applicationKey).toBe(owner.applicationKey);
      await store.createEnvironment(sibling);
      await store.createEnvironment(stranger);
      const limits = { perEnvironment: 10, perApplication: 3 };
      await store.createQueue(queue(stranger.id), limits);
      const outcomes = await Promise.all([envId, sibling.id, envId, sibling.id, envId].map((id) => store.createQueue(queue(id), limits)));
      expect(outcomes.filter((o) => o.created)).toHaveLength(3);
      expect(outcomes.filter((o) => !o.created)).toEqual([{ created: false, limit: 'perApplication' }, { created: false, limit: 'perApplication' }]);
      expect((await store.listQueues(envId)).length + (await store.listQueues(sibling.id)).length).toBe(3);
      expect(await store.createQueue(queue(stranger.id), limits)).toEqual({ created: true });
    });

    test('messages: FIFO per queue; a message is outstanding on the connection it was handed to until removed', async () => {
      const q = await newQueue();
      const [m1, m2, m3] = [1, 2, 3].map((i) => message(q.id, `2026-01-01T00:00:0${i}.000Z`));
      expect(await store.enqueue([m1!, m2!, m3!], 10)).toEqual([]);
      const state = await store.getQueue(envId, q.id);
      expect([state!.messageCount, state!.lastModified, state!.oldestMessage]).toEqual([3, m3!.createdAt, m1!.createdAt]);
      const got = await store.takeMessage(q.id, '0', '2026-01-01T00:01:00.000Z');
      expect(got).toEqual({ ...m1, connectionId: '0' });
      expect((await store.takeMessage(q.id, '0', '2026-01-01T00:02:00.000Z'))!.id).toBe(m1!.id); // again, not yet removed
      expect((await store.takeMessage(q.id, '1', '2026-01-01T00:02:00.000Z'))!.id).toBe(m2!.id); // another connection, the next
      expect(await store.removeMessage(q.id, m2!.id, '0')).toBe(false); // not outstanding on connection 0
      expect(await store.removeMessage(q.id, m1!.id, '0')).toBe(true);
      expect((await store.takeMessage(q.id, '0', '2026-01-01T00:03:00.000Z'))!.id).toBe(m3!.id);
      expect(await store.removeMessage(q.id, m3!.id)).toBe(true); // without a connection: any message of the queue
      expect(await store.removeMessage(q.id, m3!.id)).toBe(false);
      const after = await store.getQueue(envId, q.id);
      expect([after!.messageCount, after!.lastAccessed, after!.lastPolled]).toEqual([1, '2026-01-01T00:03:00.000Z', '2026-01-01T00:03:00.000Z']);
      expect(await store.takeMessage(q.id, '2', '2026-01-01T00:04:00.000Z')).toBeUndefined();
      expect((await store.getQueue(envId, q.id))!.lastPolled).toBe('2026-01-01T00:04:00.000Z');
    });

    test('message bodies come back as stored: encoded bytes, payloads, empty', async () => {
      const q = await newQueue();
      const bodies: NewQueueMessage['body'][] = [
        { kind: 'encoded', contentType: 'application/xml', bytes: Buffer.from('<a>é</a>') },
        { kind: 'payload', root: 'xStudents', namespace: 'urn:x', value: { xStudent: [{ '@refId': '1' }] } },
        { kind: 'empty' },
      ];
      await store.enqueue(bodies.map((body) => ({ ...message(q.id), body })), 10);
      for (const body of bodies) {
        const m = await store.takeMessage(q.id, '', T0);
        expect(m!.body).toEqual(body);
        await store.removeMessage(q.id, m!.id, '');
      }
    });

    test('enqueue refuses what a full or missing queue cannot take, and keeps the rest in order', async () => {
      const q = await newQueue();
      const ms = [1, 2, 3].map(() => message(q.id));
      const lost = message(newId());
      expect(await store.enqueue([...ms, lost], 2)).toEqual([ms[2], lost]);
      expect((await store.getQueue(envId, q.id))!.messageCount).toBe(2);
    });

    test('pruneMessages drops old messages and counts them per queue', async () => {
      const q = await newQueue();
      await store.enqueue([message(q.id, '2026-01-01T00:00:00.000Z'), message(q.id, '2026-01-01T00:00:01.000Z'), message(q.id, '2026-02-01T00:00:00.000Z')], 10);
      expect([...(await store.pruneMessages('2026-01-15T00:00:00.000Z'))]).toEqual([[q.id, 2]]);
      expect((await store.getQueue(envId, q.id))!.messageCount).toBe(1);
      await store.markQueueAlerted(q.id, T0);
      expect((await store.getQueue(envId, q.id))!.alertedAt).toBe(T0);
    });

    test('subscriptions: one per service, zone and context per environment; found by service across environments', async () => {
      const q = await newQueue();
      const s = subscription(envId, q.id);
      expect(await store.createSubscription(s)).toEqual({ created: true });
      expect(await store.createSubscription({ ...s, id: newId() })).toEqual({ created: false, existing: s });
      const elsewhere = { ...s, id: newId(), zoneId: 'Elementary' };
      expect(await store.createSubscription(elsewhere)).toEqual({ created: true });
      expect(await store.getSubscription(envId, s.id)).toEqual(s);
      expect((await store.listSubscriptions(envId)).map((x) => x.id)).toEqual([s.id, elsewhere.id]);
      expect((await store.subscriptionsTo('xStudents')).map((x) => x.id)).toEqual([s.id, elsewhere.id]);
      expect(await store.subscriptionsTo('xSchools')).toEqual([]);
      expect(await store.deleteSubscription(envId, s.id)).toBe(true);
      expect(await store.deleteSubscription(envId, s.id)).toBe(false);
    });

    test('delayed requests: pending until done, progress and state recorded atomically with their answers', async () => {
      const q = await newQueue();
      const d = delayedRequest(envId, q.id);
      await store.createDelayedRequest(d);
      expect(await store.getDelayedRequest(d.id)).toEqual(d);
      expect(await store.pendingDelayedRequests()).toEqual([d]);
      const page1 = message(q.id);
      expect(await store.advanceDelayedRequest(d.id, { progress: { parts: 1, navigationId: 'n' } }, [page1])).toBe('advanced');
      expect((await store.getDelayedRequest(d.id))!.progress).toEqual({ parts: 1, navigationId: 'n' });
      expect((await store.getQueue(envId, q.id))!.messageCount).toBe(1);
      await store.advanceDelayedRequest(d.id, { progress: { parts: 1, deferred: { serviceName: 'xStudents', operation: 'query' } }, state: 'deferred' }, []);
      expect(await store.pendingDelayedRequests()).toEqual([]);
      expect((await store.getDelayedRequest(d.id))!.state).toBe('deferred');
      expect((await store.staleDeferredRequests('2026-01-01T00:00:00.001Z')).map((x) => x.id)).toEqual([d.id]);
      expect(await store.staleDeferredRequests(d.createdAt)).toEqual([]);
      expect(await store.advanceDelayedRequest(d.id, { progress: { parts: 2 }, done: true }, [message(q.id)])).toBe('advanced');
      expect(await store.getDelayedRequest(d.id)).toBeUndefined();
      expect((await store.getQueue(envId, q.id))!.messageCount).toBe(2);
      // A request that is gone takes no answers.
      expect(await store.advanceDelayedRequest(d.id, { progress: { parts: 3 }, done: true }, [message(q.id)])).toBe('gone');
      expect((await store.getQueue(envId, q.id))!.messageCount).toBe(2);
    });

    test('delayed requests per queue are limited atomically (pending and deferred alike)', async () => {
      const q = await newQueue();
      const other = await newQueue();
      const outcomes = await Promise.all([1, 2, 3, 4, 5].map(() => store.createDelayedRequest(delayedRequest(envId, q.id), 3)));
      expect(outcomes.filter(Boolean)).toHaveLength(3);
      const [first] = await store.pendingDelayedRequests(q.id);
      await store.advanceDelayedRequest(first!.id, { progress: { parts: 0 }, state: 'deferred' }, []);
      expect(await store.createDelayedRequest(delayedRequest(envId, q.id), 3)).toBe(false);
      expect(await store.createDelayedRequest(delayedRequest(envId, other.id), 3)).toBe(true);
      await store.advanceDelayedRequest(first!.id, { progress: { parts: 1 }, done: true }, [message(q.id)]);
      expect(await store.createDelayedRequest(delayedRequest(envId, q.id), 3)).toBe(true);
    });

    test('pending delayed requests: read a few at a time, and their queues without them', async () => {
      const q1 = await newQueue();
      const q2 = await newQueue();
      const [a, b, c] = [q2, q1, q2].map((q) => delayedRequest(envId, q.id));
      for (const d of [a!, b!, c!]) await store.createDelayedRequest(d);
      expect(await store.pendingDelayedQueues()).toEqual([q2.id, q1.id]);
      expect((await store.pendingDelayedRequests(q2.id, 1)).map((d) => d.id)).toEqual([a!.id]);
      expect((await store.pendingDelayedRequests(undefined, 2)).map((d) => d.id)).toEqual([a!.id, b!.id]);
      await store.advanceDelayedRequest(a!.id, { progress: { parts: 0 }, state: 'deferred' }, []);
      await store.advanceDelayedRequest(c!.id, { progress: { parts: 1 }, done: true }, [message(q2.id)]);
      expect(await store.pendingDelayedQueues()).toEqual([q1.id]);
    });

    test('advancing a delayed request with a depth: all its messages or none, the progress unchanged when full', async () => {
      const q = await newQueue();
      const d = delayedRequest(envId, q.id);
      await store.createDelayedRequest(d);
      expect(await store.enqueue([message(q.id), message(q.id)], 10)).toEqual([]);
      expect(await store.advanceDelayedRequest(d.id, { progress: { parts: 2 } }, [message(q.id), message(q.id)], 3)).toBe('full');
      expect((await store.getDelayedRequest(d.id))!.progress).toEqual({ parts: 0 });
      expect((await store.getQueue(envId, q.id))!.messageCount).toBe(2);
      // Progress alone never needs room.
      expect(await store.advanceDelayedRequest(d.id, { progress: { parts: 0, navigationId: 'n' } }, [], 2)).toBe('advanced');
      expect(await store.advanceDelayedRequest(d.id, { progress: { parts: 1 } }, [message(q.id)], 3)).toBe('advanced');
      expect((await store.getQueue(envId, q.id))!.messageCount).toBe(3);
      // Concurrent answers cannot pass the depth together.
      const more = delayedRequest(envId, q.id);
      await store.createDelayedRequest(more);
      await store.takeMessage(q.id, '', T0).then((m) => store.removeMessage(q.id, m!.id, ''));
      const raced = await Promise.all([d, more].map((r) => store.advanceDelayedRequest(r.id, { progress: { parts: 2 } }, [message(q.id)], 3)));
      expect(raced.sort()).toEqual(['advanced', 'full']);
      expect((await store.getQueue(envId, q.id))!.messageCount).toBe(3);
    });

    // Issue #12 item 2: delayed work is leased, so that an instance that dies leaves it to another.
    test('claiming delayed requests: the head of a queue only, one owner at a time until the lease expires', async () => {
      const q = await newQueue();
      const [first, second] = [delayedRequest(envId, q.id), delayedRequest(envId, q.id)];
      for (const d of [first!, second!]) await store.createDelayedRequest(d);
      const [T1, T2, T3] = ['2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z', '2026-01-01T00:03:00.000Z'];
      expect(await store.claimDelayedRequest(q.id, 'a', T2, T1)).toEqual(first);
      // Another owner waits for the lease; the one behind is not handed out meanwhile (order).
      expect(await store.claimDelayedRequest(q.id, 'b', T2, T1)).toBeUndefined();
      // The owner claims again (renewing); once its lease is over another may take it.
      expect((await store.claimDelayedRequest(q.id, 'a', T3, T2))?.id).toBe(first!.id);
      expect(await store.claimDelayedRequest(q.id, 'b', T3, T2)).toBeUndefined();
      expect((await store.claimDelayedRequest(q.id, 'b', T3, T3))?.id).toBe(first!.id);
      // Without a time every lease counts as expired (the only instance, restarted).
      expect((await store.claimDelayedRequest(q.id, 'c', T3))?.id).toBe(first!.id);
      // A released request is claimable at once; a release by another owner changes nothing.
      await store.releaseDelayedRequest(first!.id, 'b');
      expect(await store.claimDelayedRequest(q.id, 'a', T3, T1)).toBeUndefined();
      await store.releaseDelayedRequest(first!.id, 'c');
      expect((await store.claimDelayedRequest(q.id, 'a', T3, T1))?.id).toBe(first!.id);
      // Done, the next one is the head; a deferred one is not claimed; nor is a queue without any.
      await store.advanceDelayedRequest(first!.id, { progress: { parts: 1 }, done: true }, [message(q.id)]);
      expect((await store.claimDelayedRequest(q.id, 'b', T3, T1))?.id).toBe(second!.id);
      await store.advanceDelayedRequest(second!.id, { progress: { parts: 0 }, state: 'deferred' }, []);
      expect(await store.claimDelayedRequest(q.id, 'a', T3, T1)).toBeUndefined();
      expect(await store.claimDelayedRequest((await newQueue()).id, 'a', T3, T1)).toBeUndefined();
    });

    test('of concurrent claims of one request exactly one wins', async () => {
      const q = await newQueue();
      await store.createDelayedRequest(delayedRequest(envId, q.id));
      const owners = ['a', 'b', 'c', 'd', 'e', 'f'];
      const claims = await Promise.all(owners.map((o) => store.claimDelayedRequest(q.id, o, '2026-01-01T01:00:00.000Z', T0)));
      expect(claims.filter(Boolean)).toHaveLength(1);
    });

    test('advancing under a lease: refused (lost, nothing stored) once another owner holds it; renews or releases it', async () => {
      const q = await newQueue();
      const d = delayedRequest(envId, q.id);
      await store.createDelayedRequest(d);
      const [T1, T2, T3, T4] = ['2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z', '2026-01-01T00:03:00.000Z', '2026-01-01T00:04:00.000Z'];
      await store.claimDelayedRequest(q.id, 'a', T2, T1);
      // The owner queues a page and renews its lease to T4: b cannot take it over at T3.
      expect(await store.advanceDelayedRequest(d.id, { progress: { parts: 1 }, lease: { owner: 'a', until: T4 } }, [message(q.id)])).toBe('advanced');
      expect(await store.claimDelayedRequest(q.id, 'b', T4, T3)).toBeUndefined();
      // Past it, b takes over: a's next page is refused and nothing of it is stored.
      expect((await store.claimDelayedRequest(q.id, 'b', '2026-01-01T00:09:00.000Z', T4))?.progress).toEqual({ parts: 1 });
      expect(await store.advanceDelayedRequest(d.id, { progress: { parts: 2 }, lease: { owner: 'a', until: T4 } }, [message(q.id)])).toBe('lost');
      expect((await store.getQueue(envId, q.id))!.messageCount).toBe(1);
      expect((await store.getDelayedRequest(d.id))!.progress).toEqual({ parts: 1 });
      // b holds a page back for a full queue and lets the lease go with it: anyone may claim at once.
      expect(await store.advanceDelayedRequest(d.id, { progress: { parts: 1, navigationId: 'n' }, lease: { owner: 'b', until: undefined } }, [])).toBe('advanced');
      expect((await store.claimDelayedRequest(q.id, 'a', T4, T1))?.progress).toEqual({ parts: 1, navigationId: 'n' });
      expect(await store.advanceDelayedRequest(d.id, { progress: { parts: 2 }, done: true, lease: { owner: 'a', until: T4 } }, [message(q.id)])).toBe('advanced');
      expect(await store.getDelayedRequest(d.id)).toBeUndefined();
      expect((await store.getQueue(envId, q.id))!.messageCount).toBe(2);
    });

    test('deleting a queue takes its messages, subscriptions and delayed requests; deleting the environment takes its queues', async () => {
      const q1 = await newQueue();
      const q2 = await newQueue();
      await store.enqueue([message(q1.id), message(q2.id)], 10);
      await store.createSubscription(subscription(envId, q1.id));
      await store.createDelayedRequest(delayedRequest(envId, q1.id));
      const keep = delayedRequest(envId, q2.id);
      await store.createDelayedRequest(keep);
      expect(await store.deleteQueue(envId, q1.id)).toBe(true);
      expect(await store.getQueue(envId, q1.id)).toBeUndefined();
      expect(await store.listSubscriptions(envId)).toEqual([]);
      expect((await store.pendingDelayedRequests()).map((d) => d.id)).toEqual([keep.id]);
      expect((await store.pendingDelayedRequests(q2.id)).map((d) => d.id)).toEqual([keep.id]);
      expect(await store.pendingDelayedRequests(q1.id)).toEqual([]);
      expect(await store.takeMessage(q1.id, '', T0)).toBeUndefined();
      await store.createSubscription(subscription(envId, q2.id));
      expect(await store.deleteEnvironment(envId)).toBe(true);
      expect(await store.allQueues()).toEqual([]);
      expect(await store.subscriptionsTo('xStudents')).toEqual([]);
      expect(await store.pendingDelayedRequests()).toEqual([]);
    });
  });
}

export function queue(environmentId: string, overrides: Partial<QueueRecord> = {}): QueueRecord {
  const T0 = '2026-01-01T00:00:00.000Z';
  return {
    id: newId(),
    environmentId,
    name: 'Q',
    polling: 'IMMEDIATE',
    idleTimeout: 0,
    minWaitTime: 0,
    maxConcurrentConnections: 2,
    created: T0,
    lastAccessed: T0,
    lastModified: T0,
    lastPolled: T0,
    alertedAt: undefined,
    ...overrides,
  };
}

function message(queueId: string, createdAt = '2026-01-01T00:00:00.000Z'): NewQueueMessage {
  return { id: newId(), queueId, createdAt, headers: { messageType: 'EVENT', eventAction: 'CREATE' }, body: { kind: 'empty' } };
}

function subscription(environmentId: string, queueId: string): SubscriptionRecord {
  return { id: newId(), environmentId, queueId, zoneId: 'District', contextId: 'DEFAULT', serviceType: 'OBJECT', serviceName: 'xStudents', createdAt: '2026-01-01T00:00:00.000Z' };
}

function delayedRequest(environmentId: string, queueId: string): DelayedRequestRecord {
  return {
    id: newId(),
    environmentId,
    queueId,
    createdAt: '2026-01-01T00:00:00.000Z',
    method: 'GET',
    url: '/requests/xStudents;zoneId=District?where=x',
    headers: { accept: 'application/json', requestid: '7' },
    body: Buffer.from('payload'),
    baseUrl: 'http://localhost/sif3',
    state: 'pending',
    progress: { parts: 0 },
  };
}
