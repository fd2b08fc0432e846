import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../lib/store/memory';
import { SqliteStore } from '../../lib/store/sqlite';
import type { SifStore } from '../../lib/store/store';
import { postgresTarget } from './postgres-target';

// Every part of the store contract runs against every store the same way: a SQLite file, the
// memory store and PostgreSQL (when SIF_TEST_DATABASE_URL names a database), each test on a fresh,
// empty store.

/** Gives a fresh, empty store and how to remove what it left behind. */
export type OpenStore = () => Promise<{ store: SifStore; cleanup: () => Promise<void> }>;

/** A part of the store contract: its describe block, run against the store `open` makes. */
export type StoreContract = (name: string, open: OpenStore) => void;

/**
 * A path for a SQLite database in a directory of its own, and the cleanup that removes it.
 *
 * @example
 * const { file, cleanup } = tempSqliteFile();
 * const store = new SqliteStore(file);
 */
export function tempSqliteFile(): { file: string; cleanup: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'sif3-store-'));
  return { file: join(dir, 'state.db'), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Runs each contract against a SQLite file, the memory store and PostgreSQL. Without a PostgreSQL
 * database the PostgreSQL runs are one skipped test named after `suite` (or fail the run when
 * SIF_REQUIRE_POSTGRES is set, see postgres-target.ts).
 *
 * @example
 * onEveryStore('PostgreSQL job store contract', [jobStoreContract]);
 */
export function onEveryStore(suite: string, contracts: readonly StoreContract[]): void {
  for (const contract of contracts) {
    contract('SqliteStore (file)', async () => {
      const { file, cleanup } = tempSqliteFile();
      return { store: new SqliteStore(file), cleanup };
    });
    contract('MemoryStore', async () => ({ store: new MemoryStore(), cleanup: async () => undefined }));
  }
  const postgres = postgresTarget(suite);
  if (postgres) {
    for (const contract of contracts) contract('PostgresStore', () => postgres.open());
    afterAll(() => postgres.end());
  } else {
    test.skip(`${suite} (SIF_TEST_DATABASE_URL is not set)`, () => undefined);
  }
}

/**
 * Inside a contract's describe block: opens a fresh store before each test, hands it to `use`,
 * and closes and removes it after the test.
 *
 * @example
 * let store: SifStore;
 * freshStoreEach(open, (opened) => { store = opened; });
 */
export function freshStoreEach(open: OpenStore, use: (store: SifStore) => void): void {
  let opened: Awaited<ReturnType<OpenStore>> | undefined;
  beforeEach(async () => {
    opened = await open();
    use(opened.store);
  });
  afterEach(async () => {
    await opened?.store.close();
    await opened?.cleanup();
    opened = undefined;
  });
}
