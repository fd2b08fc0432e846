import type { Pool, PoolClient, QueryResultRow } from 'pg';

/** Something to run a parameterized statement on: the pool, or a client inside a transaction. */
export interface Queryable {
  query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }>;
}

/**
 * The store's access to PostgreSQL: single statements on the pool, and transactions on one client
 * that are retried when PostgreSQL aborts them for a deadlock or a serialization failure.
 *
 * @example
 * const db = new PgDb(pool);
 * const n = await db.transaction(async (tx) => (await tx.query('SELECT 1 AS n')).rows[0].n);
 */
export class PgDb implements Queryable {
  private closed = false;

  constructor(private readonly pool: Pool) {}

  async query<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<{ rows: R[]; rowCount: number | null }> {
    this.assertOpen();
    return this.pool.query<R>(text, values);
  }

  /** The rows of one statement. */
  async rows<R extends QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    return (await this.query<R>(text, values)).rows;
  }

  /**
   * Runs `work` in one READ COMMITTED transaction on one client, committed when it returns and
   * rolled back when it throws. Callers take the row or advisory locks their invariants need.
   * A deadlock or serialization failure (which PostgreSQL resolves by aborting one side) runs
   * `work` again from the start, up to a few times: it must not have effects outside the database.
   */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      this.assertOpen();
      const client = await this.pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const result = await work(client as PoolClient as Queryable);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // A client that cannot roll back is in an unknown state: it leaves the pool.
          broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        }
        if (attempt < MAX_ATTEMPTS && isTransient(err)) continue;
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  /** Marks the store closed: every later call fails, whether or not the pool is ended. */
  close(): void {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('the PostgreSQL store is closed');
  }
}

/** Attempts at a transaction that PostgreSQL aborted to resolve a conflict. */
const MAX_ATTEMPTS = 5;

/** 40001 serialization_failure, 40P01 deadlock_detected: the transaction did nothing and may run again. */
function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === '40001' || code === '40P01';
}

/**
 * First keys of the two-key advisory locks (`pg_advisory_xact_lock(int, int)`), one per purpose so
 * that different invariants never wait on each other. The second key is a hash of what is locked.
 *
 * @example
 * await tx.query(`SELECT pg_advisory_xact_lock(${LOCK.migrate}, hashtext(current_schema()))`);
 */
export const LOCK = {
  /** Schema migrations of one schema. */
  migrate: 0x53494630,
  /** The environments of one application key (`createEnvironment`'s quota and identity check). */
  environments: 0x53494631,
  /** The queues of one application key (`createQueue`'s per-application quota). */
  queues: 0x53494632,
} as const;

/**
 * The SQL that takes a transaction-scoped advisory lock on `$1` within this schema: instances that
 * share a database but not a schema do not wait on each other.
 *
 * @example
 * await tx.query(advisoryLock('queues'), [applicationKey]);
 */
export function advisoryLock(purpose: keyof typeof LOCK): string {
  return `SELECT pg_advisory_xact_lock(${LOCK[purpose]}, hashtext(current_schema() || ':' || $1::text))`;
}

/**
 * A PostgreSQL `bigint` or `count(*)` (node-postgres returns them as strings, to be exact) as a
 * number; null (an empty `max()`) is 0. Sequence numbers and counts stay far below 2^53.
 *
 * @example
 * num((await db.rows<{ n: string }>('SELECT count(*) AS n FROM queues'))[0]?.n); // 3
 */
export function num(value: string | number | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}
