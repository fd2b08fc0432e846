import { Pool } from 'pg';
import type { SisConnection } from '../connection';
import type { SeedOptions } from '../seed';
import { postgresConnection } from './connection';
import { preparePostgresSis } from './schema';

/** Where the SIS keeps its data on PostgreSQL. */
export interface PostgresSisOptions {
  /** `postgres://…`; tables go into the first schema of its `search_path`. */
  connectionString: string;
  /** Connections in the SIS's pool (default 10). */
  maxConnections?: number;
  /** The district to seed into empty tables. */
  seed?: SeedOptions;
}

/** Connects, creates the SIS's tables when missing and seeds them when empty; the connection owns its pool. */
export async function openPostgresSis(options: PostgresSisOptions): Promise<SisConnection> {
  const pool = new Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 10 });
  // An idle client that loses its connection (a server restart) is dropped from the pool; the next
  // query reconnects. Without a listener the error would end the process.
  pool.on('error', () => undefined);
  try {
    const client = await pool.connect();
    try {
      await preparePostgresSis(client, options.seed);
    } finally {
      client.release();
    }
  } catch (err) {
    await pool.end();
    throw err;
  }
  return postgresConnection(pool, true);
}
