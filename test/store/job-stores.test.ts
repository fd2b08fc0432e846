import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../lib/store/memory';
import { SqliteStore } from '../../lib/store/sqlite';
import { jobStoreContract } from './job-contract';
import { postgresTarget } from './postgres-target';

// The job tables of every store (functional services), against one contract.

jobStoreContract('SqliteStore (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sif3-jobs-'));
  return { store: new SqliteStore(join(dir, 'state.db')), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

jobStoreContract('MemoryStore', async () => ({ store: new MemoryStore(), cleanup: async () => undefined }));

const postgres = postgresTarget('PostgreSQL job store contract');
if (postgres) {
  jobStoreContract('PostgresStore', () => postgres.open());
  afterAll(() => postgres.end());
} else {
  test.skip('SifStore job contract on PostgreSQL (SIF_TEST_DATABASE_URL is not set)', () => undefined);
}
