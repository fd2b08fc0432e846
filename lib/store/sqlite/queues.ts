import Database from 'better-sqlite3';
import type {
  AdvanceOutcome,
  CreateQueueResult,
  CreateSubscriptionResult,
  DelayedRequestRecord,
  NewQueueMessage,
  QueueLimits,
  QueueMessage,
  QueueRecord,
  SubscriptionRecord,
} from '../queue-records';
import type { DelayedUpdate, QueueTables } from '../store';
import type { DeferredSummaryRow, DelayedRow, MessageRow, QueueRow, SubscriptionRow } from '../rows';
import { DEFERRED_SUMMARY_COLUMNS, bodyColumns, toDeferredSummary, toDelayed, toMessage, toQueueState, toSubscription } from '../rows';

/**
 * The asynchronous side of the SQLite store (migration 3): statements prepared once, every write
 * one transaction; deleting a queue or an environment cascades in the same statement.
 */
export function sqliteQueueTables(db: Database.Database): QueueTables {
  const q = prepareQueueStatements(db);
  return {
    createQueue: async (record, limits) => q.createQueue(record, limits),
    getQueue: async (environmentId, id) => {
      const row = q.queueById.get(id, environmentId) as QueueRow | undefined;
      return row ? toQueueState(row) : undefined;
    },
    listQueues: async (environmentId) => (q.queuesByEnvironment.all(environmentId) as QueueRow[]).map(toQueueState),
    allQueues: async () => (q.allQueues.all() as QueueRow[]).map(toQueueState),
    deleteQueue: async (environmentId, id) => q.deleteQueue.run(id, environmentId).changes > 0,
    markQueueAlerted: async (id, at) => void q.markQueueAlerted.run(at, id),
    enqueue: async (messages, maxDepth) => q.enqueue.immediate(messages, maxDepth),
    takeMessage: async (queueId, connectionId, now) => q.takeMessage(queueId, connectionId, now),
    removeMessage: async (queueId, messageId, connectionId) =>
      (connectionId === undefined ? q.removeMessage.run(queueId, messageId) : q.removeOutstanding.run(queueId, messageId, connectionId)).changes > 0,
    pruneMessages: async (olderThan) => q.pruneMessages(olderThan),
    createSubscription: async (record) => q.createSubscription(record),
    getSubscription: async (environmentId, id) => {
      const row = q.subscriptionById.get(id, environmentId) as SubscriptionRow | undefined;
      return row ? toSubscription(row) : undefined;
    },
    listSubscriptions: async (environmentId) => (q.subscriptionsByEnvironment.all(environmentId) as SubscriptionRow[]).map(toSubscription),
    deleteSubscription: async (environmentId, id) => q.deleteSubscription.run(id, environmentId).changes > 0,
    subscriptionsTo: async (serviceName) => (q.subscriptionsTo.all(serviceName) as SubscriptionRow[]).map(toSubscription),
    createDelayedRequest: async (record, maxPerQueue = Number.POSITIVE_INFINITY) => q.createDelayed(record, maxPerQueue),
    getDelayedRequest: async (id) => {
      const row = q.delayedById.get(id) as DelayedRow | undefined;
      return row ? toDelayed(row) : undefined;
    },
    pendingDelayedRequests: async (queueId, limit = -1) =>
      ((queueId === undefined ? q.pendingDelayed.all(limit) : q.pendingDelayedIn.all(queueId, limit)) as DelayedRow[]).map(toDelayed),
    pendingDelayedQueues: async () => q.pendingDelayedQueues.all() as string[],
    staleDeferredRequests: async (createdBefore) => (q.staleDeferred.all(createdBefore) as DelayedRow[]).map(toDelayed),
    deferredRequestSummaries: async () => (q.deferredSummaries.all() as DeferredSummaryRow[]).map(toDeferredSummary),
    advanceDelayedRequest: async (id, update, messages, maxDepth = Number.POSITIVE_INFINITY) => q.advanceDelayed(id, update, messages, maxDepth),
    claimDelayedRequest: async (queueId, owner, until, now) => {
      const row = q.claimDelayed(queueId, owner, until, now ?? null);
      return row ? toDelayed(row) : undefined;
    },
    releaseDelayedRequest: async (id, owner) => void q.releaseDelayed.run(id, owner),
  };
}

function prepareQueueStatements(db: Database.Database) {
  const queueColumns = `q.id, q.environment_id, q.name, q.polling, q.idle_timeout, q.min_wait_time, q.max_connections,
    q.created, q.last_accessed, q.last_modified, q.last_polled, q.alerted_at, q.message_count,
    (SELECT created_at FROM queue_messages m WHERE m.queue_id = q.id ORDER BY m.seq LIMIT 1) AS oldest_message`;
  const countQueues = db.prepare('SELECT count(*) FROM queues WHERE environment_id = ?').pluck();
  // Every queue of every environment registered under the application key of this one.
  const countApplicationQueues = db.prepare(`SELECT count(*) FROM queues q JOIN environments e ON e.id = q.environment_id
    WHERE e.application_key = (SELECT application_key FROM environments WHERE id = ?)`).pluck();
  const insertQueue = db.prepare(`INSERT INTO queues (id, environment_id, name, polling, idle_timeout, min_wait_time,
    max_connections, created, last_accessed, last_modified, last_polled, alerted_at)
    VALUES (@id, @environmentId, @name, @polling, @idleTimeout, @minWaitTime, @maxConcurrentConnections,
    @created, @lastAccessed, @lastModified, @lastPolled, @alertedAt)`);
  const createQueue = db.transaction((record: QueueRecord, limits: QueueLimits): CreateQueueResult => {
    if ((countQueues.get(record.environmentId) as number) >= limits.perEnvironment) return { created: false, limit: 'perEnvironment' };
    if ((countApplicationQueues.get(record.environmentId) as number) >= limits.perApplication) return { created: false, limit: 'perApplication' };
    insertQueue.run({ ...record, name: record.name ?? null, alertedAt: record.alertedAt ?? null });
    return { created: true };
  });

  const depth = db.prepare('SELECT message_count FROM queues WHERE id = ?').pluck();
  // The triggers of migration 3 keep queues.message_count and last_modified.
  const insertMessage = db.prepare(`INSERT INTO queue_messages (id, queue_id, created_at, headers, body_kind, content_type, body)
    VALUES (?, ?, ?, ?, ?, ?, ?)`);
  const enqueue = (messages: NewQueueMessage[], maxDepth: number): NewQueueMessage[] => {
    const refused: NewQueueMessage[] = [];
    for (const m of messages) {
      const n = depth.get(m.queueId) as number | undefined;
      if (n === undefined || n >= maxDepth) {
        refused.push(m);
        continue;
      }
      const { kind, contentType, body } = bodyColumns(m.body);
      insertMessage.run(m.id, m.queueId, m.createdAt, JSON.stringify(m.headers), kind, contentType, body);
    }
    return refused;
  };

  const outstanding = db.prepare('SELECT * FROM queue_messages WHERE queue_id = ? AND connection_id = ? ORDER BY seq LIMIT 1');
  const oldestWaiting = db.prepare('SELECT * FROM queue_messages WHERE queue_id = ? AND connection_id IS NULL ORDER BY seq LIMIT 1');
  const handOut = db.prepare('UPDATE queue_messages SET connection_id = ? WHERE seq = ?');
  const touchPolled = db.prepare('UPDATE queues SET last_polled = ? WHERE id = ?');
  const touchAccessed = db.prepare('UPDATE queues SET last_accessed = ?, last_polled = ? WHERE id = ?');
  const takeMessage = db.transaction((queueId: string, connectionId: string, now: string): QueueMessage | undefined => {
    const held = outstanding.get(queueId, connectionId) as MessageRow | undefined;
    if (held) {
      touchPolled.run(now, queueId);
      return toMessage(held);
    }
    const next = oldestWaiting.get(queueId) as MessageRow | undefined;
    if (!next) {
      touchPolled.run(now, queueId);
      return undefined;
    }
    handOut.run(connectionId, next.seq);
    touchAccessed.run(now, now, queueId);
    return toMessage({ ...next, connection_id: connectionId });
  });

  const insertDelayed = db.prepare(`INSERT INTO delayed_requests (id, environment_id, queue_id, created_at, method, url, headers, body,
    base_url, state, progress) VALUES (@id, @environmentId, @queueId, @createdAt, @method, @url, @headers, @body, @baseUrl, @state, @progress)`);
  const delayedById = db.prepare('SELECT * FROM delayed_requests WHERE id = ?');
  const countDelayed = db.prepare('SELECT count(*) FROM delayed_requests WHERE queue_id = ?').pluck();
  const createDelayed = db.transaction((record: DelayedRequestRecord, maxPerQueue: number): boolean => {
    if ((countDelayed.get(record.queueId) as number) >= maxPerQueue) return false;
    insertDelayed.run({ ...record, headers: JSON.stringify(record.headers), progress: JSON.stringify(record.progress) });
    return true;
  });
  const deleteDelayed = db.prepare('DELETE FROM delayed_requests WHERE id = ?');
  const updateDelayed = db.prepare('UPDATE delayed_requests SET state = ?, progress = ? WHERE id = ?');
  const setLease = db.prepare('UPDATE delayed_requests SET lease_owner = ?, lease_until = ? WHERE id = ?');
  const advanceDelayed = db.transaction((id: string, update: DelayedUpdate, messages: NewQueueMessage[], maxDepth: number): AdvanceOutcome => {
    const row = delayedById.get(id) as DelayedRow | undefined;
    if (!row) return 'gone';
    if (update.lease && row.lease_owner !== update.lease.owner) return 'lost';
    if (update.ifParts !== undefined && (JSON.parse(row.progress) as { parts: number }).parts !== update.ifParts) return 'lost';
    if (update.lease && !update.done) setLease.run(update.lease.until === undefined ? null : update.lease.owner, update.lease.until ?? null, id);
    // Answers of an accepted request are never dropped (the 202 promised them): all of them or none.
    if (messages.length > 0 && (depth.get(row.queue_id) as number) + messages.length > maxDepth) return 'full';
    enqueue(messages, Number.MAX_SAFE_INTEGER);
    if (update.done) deleteDelayed.run(id);
    else updateDelayed.run(update.state ?? row.state, JSON.stringify(update.progress), id);
    return 'advanced';
  });

  // The head of the queue only: a queue's requests run in order, the one behind never first.
  const headDelayed = db.prepare("SELECT * FROM delayed_requests WHERE queue_id = ? AND state = 'pending' ORDER BY seq LIMIT 1");
  const claimDelayed = db.transaction((queueId: string, owner: string, until: string, now: string | null): DelayedRow | undefined => {
    const head = headDelayed.get(queueId) as DelayedRow | undefined;
    if (!head) return undefined;
    if (head.lease_owner !== null && head.lease_owner !== owner && now !== null && head.lease_until !== null && head.lease_until > now) return undefined;
    setLease.run(owner, until, head.id);
    return head;
  });

  const insertSubscription = db.prepare(`INSERT INTO subscriptions (id, environment_id, queue_id, zone_id, context_id, service_type,
    service_name, created_at, message_type, service_sub_type) VALUES (@id, @environmentId, @queueId, @zoneId, @contextId, @serviceType,
    @serviceName, @createdAt, @messageType, @serviceSubType)
    ON CONFLICT (environment_id, service_name, zone_id, context_id, service_type) DO NOTHING`);
  const providerSubscription = db.prepare(`SELECT * FROM subscriptions WHERE message_type = 'REQUEST' AND service_name = ? AND zone_id = ?
    AND context_id = ?`);
  const sameSubscription = db.prepare(`SELECT * FROM subscriptions WHERE environment_id = ? AND service_name = ? AND zone_id = ?
    AND context_id = ? AND service_type = ?`);
  const createSubscription = db.transaction((record: SubscriptionRecord): CreateSubscriptionResult => {
    if (record.messageType === 'REQUEST') {
      const provider = providerSubscription.get(record.serviceName, record.zoneId, record.contextId) as SubscriptionRow | undefined;
      if (provider) return { created: false, existing: toSubscription(provider) };
    }
    const row = { ...record, messageType: record.messageType ?? null, serviceSubType: record.serviceSubType ?? null };
    if (insertSubscription.run(row).changes > 0) return { created: true };
    const existing = sameSubscription.get(record.environmentId, record.serviceName, record.zoneId, record.contextId, record.serviceType);
    return { created: false, existing: toSubscription(existing as SubscriptionRow) };
  });

  const oldMessages = db.prepare('SELECT queue_id, count(*) AS n FROM queue_messages WHERE created_at < ? GROUP BY queue_id');
  const dropOld = db.prepare('DELETE FROM queue_messages WHERE created_at < ?');
  const pruneMessages = db.transaction((olderThan: string): Map<string, number> => {
    const counts = new Map((oldMessages.all(olderThan) as { queue_id: string; n: number }[]).map((r) => [r.queue_id, r.n]));
    if (counts.size > 0) dropOld.run(olderThan);
    return counts;
  });

  return {
    createQueue: (record: QueueRecord, limits: QueueLimits) => createQueue.immediate(record, limits),
    queueById: db.prepare(`SELECT ${queueColumns} FROM queues q WHERE q.id = ? AND q.environment_id = ?`),
    queuesByEnvironment: db.prepare(`SELECT ${queueColumns} FROM queues q WHERE q.environment_id = ? ORDER BY q.seq`),
    allQueues: db.prepare(`SELECT ${queueColumns} FROM queues q ORDER BY q.seq`),
    deleteQueue: db.prepare('DELETE FROM queues WHERE id = ? AND environment_id = ?'),
    markQueueAlerted: db.prepare('UPDATE queues SET alerted_at = ? WHERE id = ?'),
    enqueue: db.transaction(enqueue),
    takeMessage: (queueId: string, connectionId: string, now: string) => takeMessage.immediate(queueId, connectionId, now),
    removeMessage: db.prepare('DELETE FROM queue_messages WHERE queue_id = ? AND id = ?'),
    removeOutstanding: db.prepare('DELETE FROM queue_messages WHERE queue_id = ? AND id = ? AND connection_id = ?'),
    pruneMessages: (olderThan: string) => pruneMessages.immediate(olderThan),
    createSubscription: (record: SubscriptionRecord) => createSubscription.immediate(record),
    subscriptionById: db.prepare('SELECT * FROM subscriptions WHERE id = ? AND environment_id = ?'),
    subscriptionsByEnvironment: db.prepare('SELECT * FROM subscriptions WHERE environment_id = ? ORDER BY seq'),
    deleteSubscription: db.prepare('DELETE FROM subscriptions WHERE id = ? AND environment_id = ?'),
    subscriptionsTo: db.prepare('SELECT * FROM subscriptions WHERE service_name = ? ORDER BY seq'),
    createDelayed: (record: DelayedRequestRecord, maxPerQueue: number) => createDelayed.immediate(record, maxPerQueue),
    delayedById,
    // LIMIT -1 is no limit in SQLite.
    pendingDelayed: db.prepare("SELECT * FROM delayed_requests WHERE state = 'pending' ORDER BY seq LIMIT ?"),
    pendingDelayedIn: db.prepare("SELECT * FROM delayed_requests WHERE queue_id = ? AND state = 'pending' ORDER BY seq LIMIT ?"),
    pendingDelayedQueues: db.prepare("SELECT queue_id FROM delayed_requests WHERE state = 'pending' GROUP BY queue_id ORDER BY min(seq)").pluck(),
    staleDeferred: db.prepare("SELECT * FROM delayed_requests WHERE state = 'deferred' AND created_at < ? ORDER BY seq"),
    deferredSummaries: db.prepare(`SELECT ${DEFERRED_SUMMARY_COLUMNS} FROM delayed_requests WHERE state = 'deferred' ORDER BY seq`),
    advanceDelayed: (id: string, update: DelayedUpdate, messages: NewQueueMessage[], maxDepth: number) =>
      advanceDelayed.immediate(id, update, messages, maxDepth),
    claimDelayed: (queueId: string, owner: string, until: string, now: string | null) => claimDelayed.immediate(queueId, owner, until, now),
    releaseDelayed: db.prepare('UPDATE delayed_requests SET lease_owner = NULL, lease_until = NULL WHERE id = ? AND lease_owner = ?'),
  };
}

