import type { NewQueueMessage, QueueMessage } from '../queue-records';
import type { SifStore } from '../store';
import type { PgDb, Queryable } from './db';
import { advisoryLock, num } from './db';
import type { MessageRow, QueueRow } from '../rows';
import { bodyColumns, toMessage, toQueueState } from '../rows';

/** The part of the store that keeps queues and their messages. */
export type QueueTables = Pick<
  SifStore,
  'createQueue' | 'getQueue' | 'listQueues' | 'allQueues' | 'deleteQueue' | 'markQueueAlerted' | 'enqueue' | 'takeMessage' | 'removeMessage' | 'pruneMessages'
>;

/**
 * Queues and messages on PostgreSQL. A queue's row lock serializes what must not interleave on
 * it (depth checks with their inserts, hand-outs to pollers); the per-application queue quota is
 * checked under an advisory lock on the application key. Message counts are kept by triggers.
 *
 * @example
 * const queues = postgresQueues(db);
 * const refused = await queues.enqueue(messages, 1000);
 */
export function postgresQueues(db: PgDb): QueueTables {
  return {
    createQueue: (record, limits) =>
      db.transaction(async (tx) => {
        const [owner] = (await tx.query<{ application_key: string }>('SELECT application_key FROM environments WHERE id = $1', [record.environmentId])).rows;
        // The application key's lock covers both quotas: an environment belongs to one key.
        if (owner) await tx.query(advisoryLock('queues'), [owner.application_key]);
        const { rows } = await tx.query<{ in_environment: string; in_application: string }>(
          `SELECT (SELECT count(*) FROM queues WHERE environment_id = $1) AS in_environment,
                  (SELECT count(*) FROM queues q JOIN environments e ON e.id = q.environment_id WHERE e.application_key = $2) AS in_application`,
          [record.environmentId, owner?.application_key ?? null],
        );
        if (num(rows[0]?.in_environment) >= limits.perEnvironment) return { created: false, limit: 'perEnvironment' } as const;
        if (num(rows[0]?.in_application) >= limits.perApplication) return { created: false, limit: 'perApplication' } as const;
        // An unknown environment fails the foreign key here.
        await tx.query(
          `INSERT INTO queues (id, environment_id, name, polling, idle_timeout, min_wait_time, max_connections,
             created, last_accessed, last_modified, last_polled, alerted_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
          [
            record.id,
            record.environmentId,
            record.name ?? null,
            record.polling,
            record.idleTimeout,
            record.minWaitTime,
            record.maxConcurrentConnections,
            record.created,
            record.lastAccessed,
            record.lastModified,
            record.lastPolled,
            record.alertedAt ?? null,
          ],
        );
        return { created: true } as const;
      }),
    getQueue: async (environmentId, id) => {
      const [row] = await db.rows<QueueRow>(`SELECT ${QUEUE_COLUMNS} FROM queues q WHERE q.id = $1 AND q.environment_id = $2`, [id, environmentId]);
      return row ? toQueueState(row) : undefined;
    },
    listQueues: async (environmentId) =>
      (await db.rows<QueueRow>(`SELECT ${QUEUE_COLUMNS} FROM queues q WHERE q.environment_id = $1 ORDER BY q.seq`, [environmentId])).map(toQueueState),
    allQueues: async () => (await db.rows<QueueRow>(`SELECT ${QUEUE_COLUMNS} FROM queues q ORDER BY q.seq`)).map(toQueueState),
    // Messages, subscriptions and delayed requests go by ON DELETE CASCADE in the same statement.
    deleteQueue: async (environmentId, id) =>
      num((await db.query('DELETE FROM queues WHERE id = $1 AND environment_id = $2', [id, environmentId])).rowCount) > 0,
    markQueueAlerted: async (id, at) => void (await db.query('UPDATE queues SET alerted_at = $1 WHERE id = $2', [at, id])),
    enqueue: (messages, maxDepth) => (messages.length === 0 ? Promise.resolve([]) : db.transaction((tx) => insertMessages(tx, messages, maxDepth))),
    takeMessage: (queueId, connectionId, now) =>
      db.transaction(async (tx): Promise<QueueMessage | undefined> => {
        // Recording the poll locks the queue's row: pollers of one queue take turns, so no message
        // is handed to two connections.
        const polled = await tx.query('UPDATE queues SET last_polled = $1 WHERE id = $2', [now, queueId]);
        if (num(polled.rowCount) === 0) return undefined;
        const [held] = (
          await tx.query<MessageRow>(`SELECT ${MESSAGE_COLUMNS} FROM queue_messages WHERE queue_id = $1 AND connection_id = $2 ORDER BY seq LIMIT 1`, [
            queueId,
            connectionId,
          ])
        ).rows;
        if (held) return toMessage(held);
        const [next] = (
          await tx.query<MessageRow>(
            `UPDATE queue_messages SET connection_id = $2
             WHERE seq = (SELECT seq FROM queue_messages WHERE queue_id = $1 AND connection_id IS NULL ORDER BY seq LIMIT 1)
             RETURNING ${MESSAGE_COLUMNS}`,
            [queueId, connectionId],
          )
        ).rows;
        if (!next) return undefined;
        await tx.query('UPDATE queues SET last_accessed = $1 WHERE id = $2', [now, queueId]);
        return toMessage(next);
      }),
    removeMessage: async (queueId, messageId, connectionId) =>
      num(
        (
          connectionId === undefined
            ? await db.query('DELETE FROM queue_messages WHERE queue_id = $1 AND id = $2', [queueId, messageId])
            : await db.query('DELETE FROM queue_messages WHERE queue_id = $1 AND id = $2 AND connection_id = $3', [queueId, messageId, connectionId])
        ).rowCount,
      ) > 0,
    pruneMessages: async (olderThan) => {
      const rows = await db.rows<{ queue_id: string; n: string }>(
        `WITH dropped AS (DELETE FROM queue_messages WHERE created_at < $1 RETURNING queue_id)
         SELECT queue_id, count(*) AS n FROM dropped GROUP BY queue_id`,
        [olderThan],
      );
      return new Map(rows.map((r) => [r.queue_id, num(r.n)]));
    },
  };
}

/**
 * Appends messages at the back of their queues, in order, inside the caller's transaction: the
 * queues' rows are locked (in id order, as the triggers lock them) before their depths are read,
 * so concurrent writers cannot pass `maxDepth` together. Returns the messages not stored.
 *
 * @example
 * const refused = await db.transaction((tx) => insertMessages(tx, messages, 1000));
 */
export async function insertMessages(tx: Queryable, messages: NewQueueMessage[], maxDepth: number): Promise<NewQueueMessage[]> {
  if (messages.length === 0) return [];
  const { rows } = await tx.query<{ id: string; message_count: number }>(
    'SELECT id, message_count FROM queues WHERE id = ANY($1::text[]) ORDER BY id FOR NO KEY UPDATE',
    [[...new Set(messages.map((m) => m.queueId))]],
  );
  const depth = new Map(rows.map((r) => [r.id, r.message_count]));
  const accepted: NewQueueMessage[] = [];
  const refused: NewQueueMessage[] = [];
  for (const m of messages) {
    const n = depth.get(m.queueId);
    if (n === undefined || n >= maxDepth) {
      refused.push(m);
      continue;
    }
    depth.set(m.queueId, n + 1);
    accepted.push(m);
  }
  if (accepted.length > 0) {
    const columns = accepted.map((m) => bodyColumns(m.body));
    // One statement for the batch, its rows inserted in the given order (so `seq` follows it).
    await tx.query(
      `INSERT INTO queue_messages (id, queue_id, created_at, headers, body_kind, content_type, body)
       SELECT id, queue_id, created_at, headers, body_kind, content_type, body
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bytea[])
         WITH ORDINALITY AS m(id, queue_id, created_at, headers, body_kind, content_type, body, n)
       ORDER BY n`,
      [
        accepted.map((m) => m.id),
        accepted.map((m) => m.queueId),
        accepted.map((m) => m.createdAt),
        accepted.map((m) => JSON.stringify(m.headers)),
        columns.map((c) => c.kind),
        columns.map((c) => c.contentType),
        columns.map((c) => c.body),
      ],
    );
  }
  return refused;
}

/** A queue's columns with its oldest message's time. */
const QUEUE_COLUMNS = `q.id, q.environment_id, q.name, q.polling, q.idle_timeout, q.min_wait_time, q.max_connections,
  q.created, q.last_accessed, q.last_modified, q.last_polled, q.alerted_at, q.message_count,
  (SELECT m.created_at FROM queue_messages m WHERE m.queue_id = q.id ORDER BY m.seq LIMIT 1) AS oldest_message`;

const MESSAGE_COLUMNS = 'id, queue_id, created_at, headers, body_kind, content_type, body, connection_id';

