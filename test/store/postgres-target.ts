import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { PostgresStore } from '../../lib/store/postgres';
import type { SifStore } from '../../lib/store/store';

/**
 * The PostgreSQL database the store suites run against: SIF_TEST_DATABASE_URL, a role that owns
 * its database (no superuser needed). Without it the suites say that they skipped; with
 * SIF_REQUIRE_POSTGRES set (as in CI) a skip fails the run instead.
 */
export interface PostgresTarget {
  /** A fresh, empty store in a schema of its own; the cleanup drops the schema. */
  open(): Promise<{ store: SifStore; cleanup: () => Promise<void> }>;
  /** A fresh schema: a connection string whose `search_path` is it, and how to drop it. */
  schema(): Promise<{ url: string; name: string; drop: () => Promise<void> }>;
  /** Runs one statement as the test role, outside any store's schema. */
  query<R extends Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]>;
  /** Ends the connections the target itself holds. */
  end(): Promise<void>;
}

/**
 * The target, or undefined (with a printed line saying why) when the PostgreSQL suites of `suite`
 * cannot run here. Throws when SIF_REQUIRE_POSTGRES forbids skipping them.
 *
 * @example
 * const postgres = postgresTarget('PostgreSQL store suites');
 * if (postgres) storeContract('PostgresStore', () => postgres.open());
 */
export function postgresTarget(suite: string): PostgresTarget | undefined {
  const url = process.env.SIF_TEST_DATABASE_URL;
  if (!url) {
    const why = 'SIF_TEST_DATABASE_URL is not set (a postgres:// URL of a database the test role owns)';
    if (process.env.SIF_REQUIRE_POSTGRES) {
      throw new Error(`the PostgreSQL store suites are required here (SIF_REQUIRE_POSTGRES) but cannot run: ${why}`);
    }
    console.warn(`SKIPPED ${suite}: ${why}`);
    return undefined;
  }
  // One small pool for creating and dropping schemas; the stores make their own.
  const admin = new Pool({ connectionString: url, max: 2 });
  return {
    async open() {
      const schema = await this.schema();
      const store = await PostgresStore.open(schema.url);
      return { store, cleanup: schema.drop };
    },
    async schema() {
      const name = `sif_test_${randomBytes(6).toString('hex')}`;
      // Identifiers cannot be parameters; the name is made here of hex digits only.
      await admin.query(`CREATE SCHEMA "${name}"`);
      return { url: withSearchPath(url, name), name, drop: async () => void (await admin.query(`DROP SCHEMA "${name}" CASCADE`)) };
    },
    async query<R extends Record<string, unknown>>(text: string, values?: unknown[]) {
      return (await admin.query<R>(text, values)).rows;
    },
    end: () => admin.end(),
  };
}

/** The connection string with `search_path` set for every connection made from it. */
function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-csearch_path=${schema}`);
  return parsed.toString();
}
