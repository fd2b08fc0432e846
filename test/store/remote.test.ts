import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryStore } from '../../lib/store/memory';
import { SqliteStore } from '../../lib/store/sqlite';
import { postgresTarget } from './postgres-target';
import { remoteStoreContract } from './remote-contract';

// The remote-provider part of the store contract, on every store.

remoteStoreContract('SqliteStore (file)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sif3-store-'));
  return { store: new SqliteStore(join(dir, 'state.db')), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

remoteStoreContract('MemoryStore', async () => ({ store: new MemoryStore(), cleanup: async () => undefined }));

const postgres = postgresTarget('PostgreSQL remote-provider store contract');
if (postgres) {
  remoteStoreContract('PostgresStore', () => postgres.open());
  afterAll(() => postgres.end());
} else {
  test.skip('remote-provider store contract on PostgreSQL (SIF_TEST_DATABASE_URL is not set)', () => undefined);
}
