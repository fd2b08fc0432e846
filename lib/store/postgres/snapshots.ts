import type { SifStore } from '../store';
import type { PgDb } from './db';
import { num } from './db';

/** The part of the store that keeps query snapshots for consistent paging. */
export type SnapshotTables = Pick<SifStore, 'createSnapshot' | 'snapshotPage' | 'deleteSnapshot'>;

/** Ids per stored snapshot chunk: a page reads one or two chunks, never one row per id. */
const SNAPSHOT_CHUNK = 1000;
/** Chunks per INSERT while storing a snapshot: 10,000 ids, a few hundred kilobytes a statement. */
const CHUNKS_PER_STATEMENT = 10;

/**
 * Query snapshots on PostgreSQL: ids in `text[]` chunks of 1,000; the per-environment quota is
 * checked with the environment's row locked.
 *
 * @example
 * const snapshots = postgresSnapshots(db);
 * await snapshots.createSnapshot({ navigationId, environmentId, serviceName, expiresAt }, ids, now, 10);
 */
export function postgresSnapshots(db: PgDb): SnapshotTables {
  return {
    createSnapshot: (snapshot, ids, now, maxPerEnvironment = Number.POSITIVE_INFINITY) =>
      db.transaction(async (tx) => {
        await tx.query('DELETE FROM snapshots WHERE expires_at <= $1', [now]);
        if (Number.isFinite(maxPerEnvironment)) {
          // The environment's row lock serializes its snapshot creations across instances.
          await tx.query('SELECT 1 FROM environments WHERE id = $1 FOR NO KEY UPDATE', [snapshot.environmentId]);
          const { rows } = await tx.query<{ n: string }>('SELECT count(*) AS n FROM snapshots WHERE environment_id = $1', [snapshot.environmentId]);
          if (num(rows[0]?.n) >= maxPerEnvironment) return false;
        }
        await tx.query('INSERT INTO snapshots (navigation_id, environment_id, service, total, expires_at) VALUES ($1, $2, $3, $4, $5)', [
          snapshot.navigationId,
          snapshot.environmentId,
          snapshot.serviceName,
          ids.length,
          snapshot.expiresAt,
        ]);
        // Chunks go in batches, one statement each (one round trip per 10,000 ids), sent as one JSON
        // array of arrays (a text[][] parameter would have to be rectangular). Small statements
        // leave the event loop free between them: one message of 500,000 ids held it for a second.
        for (let first = 0; first * SNAPSHOT_CHUNK < ids.length; first += CHUNKS_PER_STATEMENT) {
          const chunks: string[][] = [];
          for (let chunk = first; chunk < first + CHUNKS_PER_STATEMENT && chunk * SNAPSHOT_CHUNK < ids.length; chunk++) {
            chunks.push(ids.slice(chunk * SNAPSHOT_CHUNK, (chunk + 1) * SNAPSHOT_CHUNK));
          }
          await tx.query(
            `INSERT INTO snapshot_chunks (navigation_id, chunk, ids)
             SELECT $1, $2::integer + c.n - 1, ARRAY(SELECT e.id FROM json_array_elements_text(c.ids) WITH ORDINALITY AS e(id, i) ORDER BY e.i)
             FROM json_array_elements($3::json) WITH ORDINALITY AS c(ids, n)`,
            [snapshot.navigationId, first, JSON.stringify(chunks)],
          );
        }
        return true;
      }),
    snapshotPage: async (navigationId, environmentId, now, page) => {
      const [head] = await db.rows<{ service: string; total: number }>(
        'SELECT service, total FROM snapshots WHERE navigation_id = $1 AND environment_id = $2 AND expires_at > $3',
        [navigationId, environmentId, now],
      );
      if (!head) return undefined;
      const end = Math.min(page.offset + page.limit, head.total);
      if (end <= page.offset) return { serviceName: head.service, total: head.total, objectIds: [] };
      const first = Math.floor(page.offset / SNAPSHOT_CHUNK);
      const chunks = await db.rows<{ ids: string[] }>(
        'SELECT ids FROM snapshot_chunks WHERE navigation_id = $1 AND chunk >= $2 AND chunk <= $3 ORDER BY chunk',
        [navigationId, first, Math.floor((end - 1) / SNAPSHOT_CHUNK)],
      );
      const ids = chunks.flatMap((c) => c.ids);
      const start = page.offset - first * SNAPSHOT_CHUNK;
      return { serviceName: head.service, total: head.total, objectIds: ids.slice(start, start + (end - page.offset)) };
    },
    deleteSnapshot: async (navigationId) => void (await db.query('DELETE FROM snapshots WHERE navigation_id = $1', [navigationId])),
  };
}
