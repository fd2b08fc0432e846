import type { ChangedObject, ChangeLogState, SifStore } from '../store';
import type { PgDb, Queryable } from './db';
import { num } from './db';
import { newEpoch } from './migrations';

/** The part of the store that keeps the change log. */
export type ChangeLogTables = Pick<SifStore, 'appendChanges' | 'changeLogState' | 'restartChangeLog' | 'changedObjects' | 'countChangedObjects'>;

/**
 * The change log on PostgreSQL. Appenders lock the one `change_log` row for the length of their
 * transaction, so sequence numbers are monotonic and committed in order across every instance.
 *
 * @example
 * const log = postgresChangeLog(db);
 * await log.appendChanges([{ serviceName: 'xStudents', objectId: id, action: 'CREATE' }], now, retention);
 */
export function postgresChangeLog(db: PgDb): ChangeLogTables {
  return {
    appendChanges: (changes, at, retention) =>
      db.transaction(async (tx) => {
        const [log] = (
          await tx.query<LogRow>('UPDATE change_log SET latest = latest + $1 RETURNING epoch, latest, pruned_through', [changes.length])
        ).rows;
        const latest = num(log!.latest);
        if (changes.length > 0) {
          // One statement for the whole batch; numbered after the previous latest, in order.
          await tx.query(
            `INSERT INTO changes (seq, service, object_id, action, at)
             SELECT $1::bigint + c.n, c.service, c.object_id, c.action, $5
             FROM unnest($2::text[], $3::text[], $4::text[]) WITH ORDINALITY AS c(service, object_id, action, n)`,
            [
              latest - changes.length,
              changes.map((c) => c.serviceName),
              changes.map((c) => c.objectId),
              changes.map((c) => c.action),
              at,
            ],
          );
        }
        await applyRetention(tx, latest, num(log!.pruned_through), retention.maxEntries, retention.olderThan);
      }),
    changeLogState: async () => toState((await db.rows<LogRow>('SELECT epoch, latest, pruned_through FROM change_log'))[0]!),
    restartChangeLog: () =>
      db.transaction(async (tx) => {
        const { rows } = await tx.query<LogRow>(
          'UPDATE change_log SET epoch = $1, pruned_through = latest RETURNING epoch, latest, pruned_through',
          [newEpoch()],
        );
        await tx.query('DELETE FROM changes');
        return toState(rows[0]!);
      }),
    changedObjects: async (serviceName, after, upTo, page) =>
      (
        await db.rows<{ object_id: string; action: ChangedObject['action']; seq: string }>(
          // Each object's latest change in the range, then those in the order of that change.
          `SELECT object_id, action, seq FROM (
             SELECT DISTINCT ON (object_id) object_id, action, seq FROM changes
             WHERE service = $1 AND seq > $2 AND seq <= $3
             ORDER BY object_id, seq DESC
           ) latest ORDER BY seq LIMIT $4 OFFSET $5`,
          [serviceName, after, upTo, page.limit, page.offset],
        )
      ).map((r) => ({ objectId: r.object_id, action: r.action, seq: num(r.seq) })),
    countChangedObjects: async (serviceName, after, upTo) =>
      num(
        (
          await db.rows<{ n: string }>('SELECT count(DISTINCT object_id) AS n FROM changes WHERE service = $1 AND seq > $2 AND seq <= $3', [
            serviceName,
            after,
            upTo,
          ])
        )[0]?.n,
      ),
  };
}

interface LogRow {
  epoch: string;
  latest: string;
  pruned_through: string;
}

/**
 * Drops entries beyond the newest `maxEntries` and those recorded before `olderThan`, and moves
 * `pruned_through` past them. Runs with the `change_log` row locked by the caller's transaction.
 */
async function applyRetention(tx: Queryable, latest: number, pruned: number, maxEntries: number, olderThan: string): Promise<void> {
  // Retention must cost a write O(log n), not a scan of the log. `seq + 0` keeps the planner from
  // answering max(seq) by walking the primary key down from the newest entry until one is old
  // enough (the whole log when none is): through the (at, seq) index it reads only the entries
  // older than the cut, which are deleted right below, so each entry is read once in its life.
  const { rows } = await tx.query<{ seq: string | null }>('SELECT max(seq + 0) AS seq FROM changes WHERE at < $1', [olderThan]);
  const cut = Math.max(latest - maxEntries, num(rows[0]?.seq));
  if (cut <= pruned) return;
  // A primary-key range that starts after what was pruned before: only the rows it deletes.
  await tx.query('DELETE FROM changes WHERE seq > $1 AND seq <= $2', [pruned, cut]);
  await tx.query('UPDATE change_log SET pruned_through = $1', [cut]);
}

function toState(row: LogRow): ChangeLogState {
  return { epoch: row.epoch, latest: num(row.latest), prunedThrough: num(row.pruned_through) };
}
