import { Pool } from 'pg';
import type { Coordinator, CoordinatingStore } from '../../coordination/coordinator';
import { PostgresCoordinator } from '../../coordination/postgres';
import type { ProvisionRequestTables, SifStore } from '../store';
import type { ChangeLogTables } from './changes';
import { postgresChangeLog } from './changes';
import { PgDb } from './db';
import type { DelayedTables } from './delayed';
import { postgresDelayedRequests } from './delayed';
import type { EnvironmentTables } from './environments';
import { postgresEnvironmentTables } from './environments';
import type { JobTables } from './jobs';
import { postgresJobs } from './jobs';
import { migrate } from './migrations';
import { postgresProvisionRequests } from './provision-requests';
import type { QueueTables } from './queues';
import { postgresQueues } from './queues';
import type { SnapshotTables } from './snapshots';
import { postgresSnapshots } from './snapshots';
import type { SubscriptionTables } from './subscriptions';
import { postgresSubscriptions } from './subscriptions';

/**
 * Where the PostgreSQL store keeps its state: a connection string (the store makes and owns a
 * pool), or a `pg.Pool` of the host's (the store uses it and leaves it open on `close()`). Tables
 * go into the first schema of the connection's `search_path`: to keep several providers in one
 * database, give each a schema, e.g. `postgres://…/db?options=-csearch_path%3Dsif`.
 */
export type PostgresStoreOptions = (
  | {
      connectionString: string;
      /** Connections in the store's pool (default 10). */
      maxConnections?: number;
    }
  | { pool: Pool }
) & {
  /**
   * Seconds a provider instance holds a delayed request it runs before another may take it over
   * (default 60): renewed with every page queued, so it bounds how long work of an instance that
   * died waits, and must exceed the longest a single page or answer of your handlers takes.
   */
  leaseSeconds?: number;
};

/** Default `leaseSeconds`. */
const DEFAULT_LEASE_SECONDS = 60;

/**
 * A store on PostgreSQL through node-postgres, for providers that run as several instances or
 * want their state in the database they already operate. The role needs no superuser rights and
 * no extension: it must own the database (or the schema) so that migrations can create tables.
 * Migrations run in `open()`, under an advisory lock, so instances may start together. Every
 * method is one transaction; quotas and depths are checked under row or advisory locks.
 * It offers a coordinator (`coordinator()`, LISTEN/NOTIFY on one extra connection) that
 * `createSifProvider` uses, so that several instances on one schema act as one provider.
 *
 * @example
 * const store = await PostgresStore.open(process.env.DATABASE_URL!);
 * app.use('/sif3', createSifProvider({ store, consumers }).router);
 * // at shutdown
 * await store.close();
 */
export class PostgresStore implements SifStore, CoordinatingStore {
  private coordinating: PostgresCoordinator | undefined;

  private constructor(
    private readonly db: PgDb,
    private readonly pool: Pool,
    private readonly ownsPool: boolean,
    private readonly leaseSeconds: number,
  ) {
    Object.assign(
      this,
      postgresEnvironmentTables(db),
      postgresChangeLog(db),
      postgresSnapshots(db),
      postgresQueues(db),
      postgresSubscriptions(db),
      postgresDelayedRequests(db),
      postgresJobs(db),
      postgresProvisionRequests(db),
    );
  }

  /**
   * Connects, brings the schema up to date and returns the store; fails (and ends a pool it made)
   * when the database cannot be reached or holds a newer schema.
   */
  static async open(options: string | PostgresStoreOptions): Promise<PostgresStore> {
    const given: PostgresStoreOptions = typeof options === 'string' ? { connectionString: options } : options;
    const leaseSeconds = given.leaseSeconds ?? DEFAULT_LEASE_SECONDS;
    if (!(Number.isFinite(leaseSeconds) && leaseSeconds > 0)) throw new TypeError('sif3-direct: PostgresStore leaseSeconds must be a positive number');
    const ownsPool = !('pool' in given);
    const pool = 'pool' in given ? given.pool : new Pool({ connectionString: given.connectionString, max: given.maxConnections ?? 10 });
    // An idle client that loses its connection (a server restart) is dropped from the pool and
    // replaced on next use; without a listener its error would end the process.
    if (ownsPool) pool.on('error', () => undefined);
    const db = new PgDb(pool);
    try {
      await migrate(db);
    } catch (err) {
      if (ownsPool) await pool.end();
      throw err;
    }
    return new PostgresStore(db, pool, ownsPool, leaseSeconds);
  }

  /**
   * The coordinator of the provider instances that share this store's schema (made on first call,
   * then the same one); it listens on a connection of its own, opened when a provider starts.
   *
   * @example
   * const store = await PostgresStore.open({ connectionString: process.env.DATABASE_URL!, leaseSeconds: 30 });
   * createSifProvider({ store, consumers, queues: true }); // uses store.coordinator()
   */
  coordinator(): Coordinator {
    this.coordinating ??= new PostgresCoordinator({
      connection: this.pool.options,
      query: (text, values) => this.db.query(text, values),
      leaseMs: this.leaseSeconds * 1000,
    });
    return this.coordinating;
  }

  async close(): Promise<void> {
    await this.coordinating?.close();
    this.db.close();
    if (this.ownsPool && !this.pool.ended) await this.pool.end();
  }
}

// The domain methods come from the per-concern modules, assigned in the constructor.
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface PostgresStore extends EnvironmentTables, ChangeLogTables, SnapshotTables, QueueTables, SubscriptionTables, DelayedTables, JobTables, ProvisionRequestTables {}
