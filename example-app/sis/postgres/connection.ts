import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { BadRequestError, ConflictError } from 'sif3-direct';
import { POSTGRES_DIALECT } from '../../query/postgres-dialect';
import type { SisConnection, SqlRunner } from '../connection';
import { asError } from '../connection';
import { runAsync } from '../work';

/** `?` placeholders numbered as PostgreSQL wants them (`$1`, `$2`…); the SIS's SQL has no other `?`. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * What a refusal by the database means for the consumer. Another instance (or request) may win a
 * race the handler's own checks cannot see: the same refId created twice is a 409, as is a row
 * referenced or removed meanwhile. Text PostgreSQL cannot store (a NUL character) is a 400.
 */
function translate(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === '23505') return new ConflictError('An object with this identity exists');
  if (code === '23503') return new ConflictError('An object this one refers to, or that refers to it, changed meanwhile');
  if (code === '22P05' || code === '22021') return new BadRequestError('The text holds a character that cannot be stored (NUL)');
  return err;
}

interface Queryable {
  query<R extends QueryResultRow>(config: { text: string; values: unknown[]; rowMode?: 'array' }): Promise<{ rows: R[]; rowCount: number | null }>;
}

function runner(db: Queryable): SqlRunner {
  const query = async <R extends QueryResultRow>(sql: string, params: readonly unknown[], rowMode?: 'array') => {
    try {
      return await db.query<R>({ text: numbered(sql), values: [...params], ...(rowMode ? { rowMode } : {}) });
    } catch (err) {
      throw translate(err);
    }
  };
  return {
    dialect: POSTGRES_DIALECT,
    rows: async (sql, params = []) => (await query(sql, params)).rows as never,
    row: async (sql, params = []) => (await query(sql, params)).rows[0] as never,
    column: async (sql, params = []) => (await query<unknown[]>(sql, params, 'array')).rows.map((r) => r[0]) as never,
    value: async (sql, params = []) => (await query<unknown[]>(sql, params, 'array')).rows[0]?.[0] as never,
    run: async (sql, params = []) => (await query(sql, params)).rowCount ?? 0,
  };
}

/**
 * The SIS's statements on PostgreSQL through a node-postgres pool: reads on any pooled connection,
 * each write and each batch on one client in one transaction (a batch with a savepoint per item).
 * Several instances may share the database: what must be unique is enforced by the database.
 */
export function postgresConnection(pool: Pool, ownsPool: boolean): SisConnection {
  const shared = runner(pool as unknown as Queryable);

  async function inTransaction<R>(work: (client: PoolClient) => Promise<R>): Promise<R> {
    const client = await pool.connect();
    let broken = false;
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        broken = true; // the connection itself failed: do not hand it to the next request
      });
      throw translate(err);
    } finally {
      client.release(broken);
    }
  }

  return {
    dialect: POSTGRES_DIALECT,
    read: (work) => runAsync(work(shared)),
    write: (work) => inTransaction((client) => runAsync(work(runner(client as unknown as Queryable)))),
    writeEach: (items, work) =>
      inTransaction(async (client) => {
        const sql = runner(client as unknown as Queryable);
        const results = [];
        for (const item of items) {
          await client.query('SAVEPOINT item');
          try {
            results.push(await runAsync(work(sql, item)));
            await client.query('RELEASE SAVEPOINT item');
          } catch (err) {
            await client.query('ROLLBACK TO SAVEPOINT item');
            results.push(asError(translate(err)));
          }
        }
        return results;
      }),
    async close() {
      if (ownsPool && !pool.ended) await pool.end();
    },
  };
}
