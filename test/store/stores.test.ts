import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MemoryStore } from '../../lib/store/memory';
import { SqliteStore } from '../../lib/store/sqlite';
import { MIGRATIONS } from '../../lib/store/sqlite/migrations';
import { environment, storeContract } from './contract';
import { queueStoreContract } from './queue-contract';

function tempFile(): { file: string; cleanup: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'sif3-store-'));
  return { file: join(dir, 'state.db'), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

storeContract('SqliteStore (file)', async () => {
  const { file, cleanup } = tempFile();
  return { store: new SqliteStore(file), cleanup };
});

storeContract('MemoryStore', async () => ({ store: new MemoryStore(), cleanup: async () => undefined }));

queueStoreContract('SqliteStore (file)', async () => {
  const { file, cleanup } = tempFile();
  return { store: new SqliteStore(file), cleanup };
});

queueStoreContract('MemoryStore', async () => ({ store: new MemoryStore(), cleanup: async () => undefined }));

describe('SqliteStore specifics', () => {
  // Foreign keys are per connection: their enforcement is checked by the contract (alerts of unknown environments).
  test('WAL and the migration version are set; state survives reopening', async () => {
    const { file, cleanup } = tempFile();
    const store = new SqliteStore(file);
    const env = environment();
    await store.createEnvironment(env);
    await store.close();

    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    raw.close();

    const reopened = new SqliteStore(file);
    expect(await reopened.getEnvironment(env.id)).toEqual(env);
    await reopened.close();
    await cleanup();
  });

  test('refuses a database from a newer version', async () => {
    const { file, cleanup } = tempFile();
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => new SqliteStore(file)).toThrow(/newer/);
    await cleanup();
  });

  test('session tokens are not stored: only their hashes', async () => {
    const { file, cleanup } = tempFile();
    const store = new SqliteStore(file);
    await store.createEnvironment(environment({ sessionTokenHash: 'abc123' }));
    await store.close();
    const raw = new Database(file, { readonly: true });
    const columns = (raw.prepare('PRAGMA table_info(environments)').all() as { name: string }[]).map((c) => c.name);
    raw.close();
    expect(columns).toContain('session_token_hash');
    expect(columns).not.toContain('session_token');
    await cleanup();
  });
});
