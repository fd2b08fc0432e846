import type {
  DelayedRequestRecord,
  NewQueueMessage,
  QueueMessage,
  QueueRecord,
  QueueState,
  QueueTables,
  SubscriptionRecord,
} from '../store';
import type { MemoryTableOwner, MemoryTables } from './tables';
import { copy, copyMaybe } from './copy';

/**
 * Queues, their messages, subscriptions and delayed requests in process memory, beside the
 * store's environments; `dropEnvironment` removes what an environment owned (its queues and,
 * through them, their messages, subscriptions and delayed requests).
 */
export function memoryQueueTables(owner: MemoryTableOwner): MemoryTables<QueueTables> {
  const { assertOpen } = owner;
  const queues = new Map<string, QueueRecord>();
  /** Every queued message, oldest first across queues (FIFO per queue follows). */
  let messages: QueueMessage[] = [];
  const subscriptions = new Map<string, SubscriptionRecord>();
  const delayed = new Map<string, DelayedRequestRecord>();
  /** Leases of delayed requests, kept beside them: a record reads back as it was stored. */
  const leases = new Map<string, { owner: string; until: string }>();

  const depthOf = (queueId: string): number => messages.filter((m) => m.queueId === queueId).length;

  const stateOf = (queue: QueueRecord): QueueState => {
    const mine = messages.filter((m) => m.queueId === queue.id);
    return { ...copy(queue), messageCount: mine.length, oldestMessage: mine[0]?.createdAt };
  };

  const dropDelayed = (id: string): void => {
    delayed.delete(id);
    leases.delete(id);
  };

  const dropQueue = (id: string): void => {
    queues.delete(id);
    messages = messages.filter((m) => m.queueId !== id);
    for (const [sid, s] of subscriptions) if (s.queueId === id) subscriptions.delete(sid);
    for (const [did, d] of delayed) if (d.queueId === id) dropDelayed(did);
  };

  const enqueue = (added: NewQueueMessage[], maxDepth: number): NewQueueMessage[] => {
    const refused: NewQueueMessage[] = [];
    // Each queue's depth is counted once per call, then kept up to date here.
    const depths = new Map<string, number>();
    for (const m of added) {
      const queue = queues.get(m.queueId);
      const depth = depths.get(m.queueId) ?? depthOf(m.queueId);
      if (!queue || depth >= maxDepth) {
        refused.push(m);
        continue;
      }
      messages.push({ ...copy(m), connectionId: undefined });
      depths.set(m.queueId, depth + 1);
      queue.lastModified = m.createdAt;
    }
    return refused;
  };

  const tables: QueueTables = {
    async createQueue(record, limits) {
      assertOpen();
      const env = owner.environment(record.environmentId);
      if (!env) throw new Error(`no environment ${record.environmentId}`);
      const all = [...queues.values()];
      if (all.filter((q) => q.environmentId === record.environmentId).length >= limits.perEnvironment) return { created: false, limit: 'perEnvironment' };
      const ofApplication = all.filter((q) => owner.environment(q.environmentId)?.applicationKey === env.applicationKey);
      if (ofApplication.length >= limits.perApplication) return { created: false, limit: 'perApplication' };
      queues.set(record.id, copy(record));
      return { created: true };
    },

    async getQueue(environmentId, id) {
      assertOpen();
      const queue = queues.get(id);
      return queue && queue.environmentId === environmentId ? stateOf(queue) : undefined;
    },

    async listQueues(environmentId) {
      assertOpen();
      return [...queues.values()].filter((q) => q.environmentId === environmentId).map(stateOf);
    },

    async allQueues() {
      assertOpen();
      return [...queues.values()].map(stateOf);
    },

    async deleteQueue(environmentId, id) {
      assertOpen();
      if (queues.get(id)?.environmentId !== environmentId) return false;
      dropQueue(id);
      return true;
    },

    async markQueueAlerted(id, at) {
      assertOpen();
      const queue = queues.get(id);
      if (queue) queue.alertedAt = at;
    },

    async enqueue(added, maxDepth) {
      assertOpen();
      return enqueue(added, maxDepth);
    },

    async takeMessage(queueId, connectionId, now) {
      assertOpen();
      const queue = queues.get(queueId);
      if (!queue) return undefined;
      queue.lastPolled = now;
      const held = messages.find((m) => m.queueId === queueId && m.connectionId === connectionId);
      if (held) return copy(held);
      const next = messages.find((m) => m.queueId === queueId && m.connectionId === undefined);
      if (!next) return undefined;
      next.connectionId = connectionId;
      queue.lastAccessed = now;
      return copy(next);
    },

    async removeMessage(queueId, messageId, connectionId) {
      assertOpen();
      const i = messages.findIndex(
        (m) => m.queueId === queueId && m.id === messageId && (connectionId === undefined || m.connectionId === connectionId),
      );
      if (i < 0) return false;
      messages.splice(i, 1);
      return true;
    },

    async pruneMessages(olderThan) {
      assertOpen();
      const counts = new Map<string, number>();
      for (const m of messages) if (m.createdAt < olderThan) counts.set(m.queueId, (counts.get(m.queueId) ?? 0) + 1);
      messages = messages.filter((m) => m.createdAt >= olderThan);
      return counts;
    },

    async createSubscription(record) {
      assertOpen();
      if (!queues.has(record.queueId)) throw new Error(`no queue ${record.queueId}`);
      const existing = [...subscriptions.values()].find(
        (s) =>
          s.environmentId === record.environmentId && s.serviceName === record.serviceName && s.zoneId === record.zoneId &&
          s.contextId === record.contextId && s.serviceType === record.serviceType,
      );
      if (existing) return { created: false, existing: copy(existing) };
      const provider = [...subscriptions.values()].find(
        (s) => record.messageType === 'REQUEST' && s.messageType === 'REQUEST' && s.serviceName === record.serviceName &&
          s.zoneId === record.zoneId && s.contextId === record.contextId,
      );
      if (provider) return { created: false, existing: copy(provider) };
      subscriptions.set(record.id, copy(record));
      return { created: true };
    },

    async getSubscription(environmentId, id) {
      assertOpen();
      const s = subscriptions.get(id);
      return s && s.environmentId === environmentId ? copy(s) : undefined;
    },

    async listSubscriptions(environmentId) {
      assertOpen();
      return [...subscriptions.values()].filter((s) => s.environmentId === environmentId).map(copy);
    },

    async deleteSubscription(environmentId, id) {
      assertOpen();
      if (subscriptions.get(id)?.environmentId !== environmentId) return false;
      return subscriptions.delete(id);
    },

    async subscriptionsTo(serviceName) {
      assertOpen();
      return [...subscriptions.values()].filter((s) => s.serviceName === serviceName).map(copy);
    },

    async createDelayedRequest(record, maxPerQueue = Number.POSITIVE_INFINITY) {
      assertOpen();
      if (!queues.has(record.queueId)) throw new Error(`no queue ${record.queueId}`);
      if ([...delayed.values()].filter((d) => d.queueId === record.queueId).length >= maxPerQueue) return false;
      delayed.set(record.id, copy(record));
      return true;
    },

    async getDelayedRequest(id) {
      assertOpen();
      return copyMaybe(delayed.get(id));
    },

    async pendingDelayedRequests(queueId, limit = Number.POSITIVE_INFINITY) {
      assertOpen();
      return [...delayed.values()].filter((d) => d.state === 'pending' && (queueId === undefined || d.queueId === queueId)).slice(0, limit).map(copy);
    },

    async pendingDelayedQueues() {
      assertOpen();
      return [...new Set([...delayed.values()].filter((d) => d.state === 'pending').map((d) => d.queueId))];
    },

    async staleDeferredRequests(createdBefore) {
      assertOpen();
      return [...delayed.values()].filter((d) => d.state === 'deferred' && d.createdAt < createdBefore).map(copy);
    },

    async deferredRequestSummaries() {
      assertOpen();
      return [...delayed.values()]
        .filter((d) => d.state === 'deferred')
        .map((d) => copy({ id: d.id, environmentId: d.environmentId, queueId: d.queueId, createdAt: d.createdAt, progress: d.progress }));
    },

    async advanceDelayedRequest(id, update, added, maxDepth = Number.POSITIVE_INFINITY) {
      assertOpen();
      const record = delayed.get(id);
      if (!record) return 'gone';
      if (update.lease && leases.get(id)?.owner !== update.lease.owner) return 'lost';
      if (update.ifParts !== undefined && record.progress.parts !== update.ifParts) return 'lost';
      if (added.length > 0 && depthOf(record.queueId) + added.length > maxDepth) return 'full';
      enqueue(added, Number.MAX_SAFE_INTEGER);
      if (update.done) dropDelayed(id);
      else Object.assign(record, { progress: copy(update.progress), state: update.state ?? record.state });
      if (!update.done && update.lease) {
        if (update.lease.until === undefined) leases.delete(id);
        else leases.set(id, { owner: update.lease.owner, until: update.lease.until });
      }
      return 'advanced';
    },

    async claimDelayedRequest(queueId, claimant, until, now) {
      assertOpen();
      const head = [...delayed.values()].find((d) => d.state === 'pending' && d.queueId === queueId);
      if (!head) return undefined;
      const lease = leases.get(head.id);
      if (lease && lease.owner !== claimant && now !== undefined && lease.until > now) return undefined;
      leases.set(head.id, { owner: claimant, until });
      return copy(head);
    },

    async releaseDelayedRequest(id, claimant) {
      assertOpen();
      if (leases.get(id)?.owner === claimant) leases.delete(id);
    },
  };

  return {
    tables,
    dropEnvironment(environmentId) {
      for (const queue of [...queues.values()]) if (queue.environmentId === environmentId) dropQueue(queue.id);
    },
  };
}
