import type { AdvanceOutcome } from '../queue-records';
import type { SifStore } from '../store';
import type { PgDb } from './db';
import { num } from './db';
import { insertMessages } from './queues';
import type { DeferredSummaryRow, DelayedRow } from '../rows';
import { DEFERRED_SUMMARY_COLUMNS, toDeferredSummary, toDelayed } from '../rows';

/** The part of the store that keeps delayed requests. */
export type DelayedTables = Pick<
  SifStore,
  | 'createDelayedRequest' | 'getDelayedRequest' | 'pendingDelayedRequests' | 'pendingDelayedQueues' | 'staleDeferredRequests' | 'deferredRequestSummaries'
  | 'advanceDelayedRequest'
  | 'claimDelayedRequest' | 'releaseDelayedRequest'
>;

/**
 * Delayed requests on PostgreSQL. Whatever touches a request together with its queue locks the
 * queue's row first, then the request's (the order a queue's deletion takes them), so the quota
 * per queue and the depth check of its answers hold across instances without deadlocks.
 *
 * @example
 * const delayed = postgresDelayedRequests(db);
 * await delayed.advanceDelayedRequest(id, { progress: { parts: 1 } }, [answer], 1000);
 */
export function postgresDelayedRequests(db: PgDb): DelayedTables {
  return {
    createDelayedRequest: (record, maxPerQueue = Number.POSITIVE_INFINITY) =>
      db.transaction(async (tx) => {
        if (Number.isFinite(maxPerQueue)) {
          await tx.query('SELECT 1 FROM queues WHERE id = $1 FOR NO KEY UPDATE', [record.queueId]);
          const { rows } = await tx.query<{ n: string }>('SELECT count(*) AS n FROM delayed_requests WHERE queue_id = $1', [record.queueId]);
          if (num(rows[0]?.n) >= maxPerQueue) return false;
        }
        // A queue or environment that is gone fails a foreign key here.
        await tx.query(
          `INSERT INTO delayed_requests (id, environment_id, queue_id, created_at, method, url, headers, body, base_url, state, progress)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
          [
            record.id,
            record.environmentId,
            record.queueId,
            record.createdAt,
            record.method,
            record.url,
            JSON.stringify(record.headers),
            record.body,
            record.baseUrl,
            record.state,
            JSON.stringify(record.progress),
          ],
        );
        return true;
      }),
    getDelayedRequest: async (id) => {
      const [row] = await db.rows<DelayedRow>('SELECT * FROM delayed_requests WHERE id = $1', [id]);
      return row ? toDelayed(row) : undefined;
    },
    // LIMIT NULL is no limit.
    pendingDelayedRequests: async (queueId, limit) =>
      (
        queueId === undefined
          ? await db.rows<DelayedRow>("SELECT * FROM delayed_requests WHERE state = 'pending' ORDER BY seq LIMIT $1", [limit ?? null])
          : await db.rows<DelayedRow>("SELECT * FROM delayed_requests WHERE queue_id = $1 AND state = 'pending' ORDER BY seq LIMIT $2", [
              queueId,
              limit ?? null,
            ])
      ).map(toDelayed),
    pendingDelayedQueues: async () =>
      (await db.rows<{ queue_id: string }>("SELECT queue_id FROM delayed_requests WHERE state = 'pending' GROUP BY queue_id ORDER BY min(seq)")).map(
        (r) => r.queue_id,
      ),
    staleDeferredRequests: async (createdBefore) =>
      (await db.rows<DelayedRow>("SELECT * FROM delayed_requests WHERE state = 'deferred' AND created_at < $1 ORDER BY seq", [createdBefore])).map(
        toDelayed,
      ),
    deferredRequestSummaries: async () =>
      (await db.rows<DeferredSummaryRow>(`SELECT ${DEFERRED_SUMMARY_COLUMNS} FROM delayed_requests WHERE state = 'deferred' ORDER BY seq`)).map(toDeferredSummary),
    advanceDelayedRequest: (id, update, messages, maxDepth = Number.POSITIVE_INFINITY) =>
      db.transaction(async (tx): Promise<AdvanceOutcome> => {
        const [found] = (await tx.query<{ queue_id: string }>('SELECT queue_id FROM delayed_requests WHERE id = $1', [id])).rows;
        if (!found) return 'gone';
        const [queue] = (
          await tx.query<{ message_count: number }>('SELECT message_count FROM queues WHERE id = $1 FOR NO KEY UPDATE', [found.queue_id])
        ).rows;
        // Read again under the locks: a concurrent advance may have finished it, a deletion removed it.
        const [row] = (
          await tx.query<{ state: string; lease_owner: string | null; progress: string }>(
            'SELECT state, lease_owner, progress FROM delayed_requests WHERE id = $1 FOR UPDATE',
            [id],
          )
        ).rows;
        if (!queue || !row) return 'gone';
        // Checked under the row lock: a claim that took the lease over waits for it, or wins first.
        if (update.lease && row.lease_owner !== update.lease.owner) return 'lost';
        if (update.ifParts !== undefined && (JSON.parse(row.progress) as { parts: number }).parts !== update.ifParts) return 'lost';
        // Answers of an accepted request are never dropped (the 202 promised them): all of them or none.
        if (messages.length > 0 && queue.message_count + messages.length > maxDepth) return 'full';
        await insertMessages(tx, messages, Number.MAX_SAFE_INTEGER);
        if (update.done) await tx.query('DELETE FROM delayed_requests WHERE id = $1', [id]);
        else await tx.query('UPDATE delayed_requests SET state = $1, progress = $2 WHERE id = $3', [update.state ?? row.state, JSON.stringify(update.progress), id]);
        if (update.lease && !update.done) {
          const until = update.lease.until ?? null;
          await tx.query('UPDATE delayed_requests SET lease_owner = $1, lease_until = $2 WHERE id = $3', [until === null ? null : update.lease.owner, until, id]);
        }
        return 'advanced';
      }),
    claimDelayedRequest: (queueId, owner, until, now) =>
      db.transaction(async (tx) => {
        // The head is found without a lock, then locked only if free: SKIP LOCKED over the whole
        // queue would hand out the request behind a head another instance is writing, out of order.
        const [head] = (
          await tx.query<{ id: string }>("SELECT id FROM delayed_requests WHERE queue_id = $1 AND state = 'pending' ORDER BY seq LIMIT 1", [queueId])
        ).rows;
        if (!head) return undefined;
        const [row] = (
          await tx.query<DelayedRow>(
            `SELECT * FROM delayed_requests WHERE id = $1 AND state = 'pending'
               AND ($3::text IS NULL OR lease_owner IS NULL OR lease_owner = $2 OR lease_until <= $3)
             FOR UPDATE SKIP LOCKED`,
            [head.id, owner, now ?? null],
          )
        ).rows;
        if (!row) return undefined;
        await tx.query('UPDATE delayed_requests SET lease_owner = $1, lease_until = $2 WHERE id = $3', [owner, until, row.id]);
        return toDelayed(row);
      }),
    releaseDelayedRequest: async (id, owner) => {
      await db.query('UPDATE delayed_requests SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2', [id, owner]);
    },
  };
}

