import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { SqliteStore } from '../../lib/store/sqlite';
import { MIGRATIONS } from '../../lib/store/sqlite/migrations';
import { environment, storeContract } from './contract';
import { onEveryStore, tempSqliteFile } from './every-store';
import { provisionStoreContract } from './provision-contract';
import { queueStoreContract } from './queue-contract';

// The contract on every store; on PostgreSQL (when SIF_TEST_DATABASE_URL names a database) each test gets a schema of its own.
onEveryStore('PostgreSQL store suites (contracts here, specifics in postgres.test.ts)', [storeContract, queueStoreContract, provisionStoreContract]);

describe('SqliteStore specifics', () => {
  // Foreign keys are per connection: their enforcement is checked by the contract (alerts of unknown environments).
  test('WAL and the migration version are set; state survives reopening', async () => {
    const { file, cleanup } = tempSqliteFile();
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
    const { file, cleanup } = tempSqliteFile();
    const raw = new Database(file);
    raw.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    raw.close();
    expect(() => new SqliteStore(file)).toThrow(/newer/);
    await cleanup();
  });

  // Issue #10 item 6: a state file that cannot be trusted stops start-up with a message naming it.
  test('refuses an existing empty file, a file that is not SQLite, a damaged one and another application\'s database', async () => {
    const { file, cleanup } = tempSqliteFile();
    writeFileSync(file, '');
    expect(() => new SqliteStore(file)).toThrow(new RegExp(`${escape(file)} exists but is empty`));
    writeFileSync(file, 'not a database at all, just text that is long enough to look like a header '.repeat(100));
    expect(() => new SqliteStore(file)).toThrow(new RegExp(`${escape(file)} is damaged or not a SQLite database`));
    rmSync(file);

    const other = new Database(file);
    other.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)');
    other.close();
    expect(() => new SqliteStore(file)).toThrow(/database of another application/);
    rmSync(file);

    const store = new SqliteStore(file);
    for (let i = 0; i < 200; i++) await store.createEnvironment(environment());
    await store.close();
    // Overwrite pages in the middle of the file: the kind of damage a bad disk or a partial copy leaves.
    const bytes = readFileSync(file);
    const pageSize = bytes.readUInt16BE(16) || 65536;
    bytes.fill(0xa5, pageSize * 2, pageSize * 4);
    writeFileSync(file, bytes);
    expect(() => new SqliteStore(file)).toThrow(new RegExp(`${escape(file)} is damaged`));
    await cleanup();
  });

  test('durability: synchronous FULL by default, NORMAL on request', async () => {
    const { file, cleanup } = tempSqliteFile();
    const full = new SqliteStore(file);
    // 2 = FULL, 1 = NORMAL (PRAGMA synchronous is per connection: read it through the store's own).
    expect((full as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true })).toBe(2);
    await full.close();
    const normal = new SqliteStore(file, { durability: 'normal' });
    expect((normal as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true })).toBe(1);
    await normal.close();
    await cleanup();
  });

  test('session tokens are not stored: only their hashes', async () => {
    const { file, cleanup } = tempSqliteFile();
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

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
