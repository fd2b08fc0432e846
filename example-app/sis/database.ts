import Database from 'better-sqlite3';
import { registerQueryFunctions, textAtSql } from '../query/sql';
import { cachedStatement } from './statements';

/**
 * The Springfield SIS's own database: the school's data, which the SIF provider never owns. Each
 * table keeps the SIF object as Goessner JSON (`doc`) beside the columns the SIS searches and
 * sorts on.
 */
export type SisDatabase = Database.Database;

/** The tables whose row counts the triggers keep in `row_counts`. */
const COUNTED_TABLES = ['schools', 'students', 'rosters'] as const;

/**
 * Student elements that queries reach through an indexed column instead of a JSON scan: element
 * path → generated column. The columns are computed by SQLite from `doc` with the very expression
 * the query translation uses for a JSON path (`textAtSql`), so a condition or sort on the column is
 * the same as on the document by construction. (The SIS's own `local_id`, `family_name` and
 * `given_name` columns are trimmed copies for its screens and roster lists: close, but not the text
 * the reference semantics compare.) VIRTUAL: the value lives only in the index.
 */
export const STUDENT_GENERATED_COLUMNS: ReadonlyArray<{ column: string; path: readonly string[] }> = [
  { column: 'doc_local_id', path: ['localId'] },
  { column: 'doc_family_name', path: ['name', 'familyName'] },
  { column: 'doc_given_name', path: ['name', 'givenName'] },
];

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS schools (
    ref_id TEXT PRIMARY KEY,
    local_id TEXT NOT NULL,
    name TEXT NOT NULL,
    doc TEXT NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS students (
    seq INTEGER PRIMARY KEY,
    ref_id TEXT NOT NULL UNIQUE,
    local_id TEXT NOT NULL,
    school_ref_id TEXT REFERENCES schools(ref_id),
    family_name TEXT NOT NULL,
    given_name TEXT NOT NULL,
    doc TEXT NOT NULL
  ) STRICT;
  CREATE INDEX IF NOT EXISTS students_by_school ON students(school_ref_id, seq);
  CREATE TABLE IF NOT EXISTS rosters (
    ref_id TEXT PRIMARY KEY,
    school_ref_id TEXT NOT NULL REFERENCES schools(ref_id),
    course_title TEXT NOT NULL,
    doc TEXT NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS roster_students (
    roster_ref_id TEXT NOT NULL REFERENCES rosters(ref_id) ON DELETE CASCADE,
    student_ref_id TEXT NOT NULL REFERENCES students(ref_id) ON DELETE CASCADE,
    PRIMARY KEY (roster_ref_id, student_ref_id)
  ) STRICT, WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS roster_students_by_student ON roster_students(student_ref_id);
`;

/**
 * Schema versions after the first (`PRAGMA user_version`), each applied once, in one transaction,
 * to databases created by an earlier build as well as to new ones.
 */
const MIGRATIONS: ReadonlyArray<(db: SisDatabase) => void> = [
  // 1: row counts kept by triggers, so that a page or a HEAD does not count 500,000 rows each time.
  (db) => {
    db.exec('CREATE TABLE row_counts (tbl TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT, WITHOUT ROWID');
    for (const table of COUNTED_TABLES) db.exec(countTriggers(table));
    recount(db);
  },
  // 2: indexed, generated columns for the student elements that consumers search and sort on.
  (db) => {
    for (const { column, path } of STUDENT_GENERATED_COLUMNS) {
      db.exec(`ALTER TABLE students ADD COLUMN ${column} TEXT GENERATED ALWAYS AS (${textAtSql('doc', path)}) VIRTUAL`);
      db.exec(`CREATE INDEX students_by_${column} ON students(${column})`);
    }
  },
  // 3: the row ids alone, in a narrow index: a page far into the table (OFFSET) steps over these
  // entries, about 400 to a page, instead of over the documents, about 5 to a page.
  (db) => db.exec('CREATE INDEX students_by_seq ON students(seq)'),
  // 4: the bulk importer's jobs with an owner and a heartbeat (so that, on a shared database, one
  // instance works a job at a time), and the counter new students' local ids come from (the same
  // SQL on PostgreSQL, where several instances create students at once).
  (db) => {
    db.exec(IMPORT_JOBS);
    // Idempotent: a database rewound to an older user_version by hand may have them already.
    const columns = new Set((db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('import_jobs') as string[]));
    if (!columns.has('owner')) db.exec('ALTER TABLE import_jobs ADD COLUMN owner TEXT');
    if (!columns.has('heartbeat')) db.exec('ALTER TABLE import_jobs ADD COLUMN heartbeat INTEGER NOT NULL DEFAULT 0');
    db.exec('CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL) STRICT, WITHOUT ROWID');
    resetCounters(db);
  },
];

/**
 * The importer's jobs as the first builds created them (handlers/bulk-import.ts made the table
 * itself): migration 4 creates it when missing and then adds what later builds need.
 */
const IMPORT_JOBS = `CREATE TABLE IF NOT EXISTS import_jobs (
  seq INTEGER PRIMARY KEY, ref TEXT NOT NULL UNIQUE, ctx TEXT NOT NULL, objects TEXT NOT NULL,
  done INTEGER NOT NULL, in_batch INTEGER NOT NULL DEFAULT 0
) STRICT`;

/** Sets the local id counter past every student's row: the next local id is 100001 + max(seq), as before the counter. */
function resetCounters(db: SisDatabase): void {
  db.exec("INSERT OR REPLACE INTO counters (name, n) SELECT 'student_local_id', 100000 + coalesce(max(seq), 0) FROM students");
}

/** The triggers that keep `row_counts` for a table (whose name comes from this file, never from a request). */
function countTriggers(table: (typeof COUNTED_TABLES)[number]): string {
  return `
    CREATE TRIGGER ${table}_counted_insert AFTER INSERT ON ${table} BEGIN UPDATE row_counts SET n = n + 1 WHERE tbl = '${table}'; END;
    CREATE TRIGGER ${table}_counted_delete AFTER DELETE ON ${table} BEGIN UPDATE row_counts SET n = n - 1 WHERE tbl = '${table}'; END;
  `;
}

/** Sets every kept count from the tables themselves. */
function recount(db: SisDatabase): void {
  for (const table of COUNTED_TABLES) db.exec(`INSERT OR REPLACE INTO row_counts (tbl, n) SELECT '${table}', count(*) FROM ${table}`);
}

/**
 * Runs a bulk load (the seeding of a new district) in one transaction, without the count triggers:
 * they would add an UPDATE to each of 500,000 inserts, about a third of the seeding time. The
 * triggers are dropped and created again inside the same transaction, and the counts set once at
 * the end, so no one ever sees the table without them or a count that is off.
 */
export function bulkLoad(db: SisDatabase, load: () => void): void {
  db.transaction(() => {
    for (const table of COUNTED_TABLES) db.exec(`DROP TRIGGER ${table}_counted_insert; DROP TRIGGER ${table}_counted_delete;`);
    load();
    for (const table of COUNTED_TABLES) db.exec(countTriggers(table));
    recount(db);
    resetCounters(db);
  })();
}

/** Opens (and creates, or brings up to date) the SIS database. */
export function openSisDatabase(filename: string): SisDatabase {
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  // 64 MiB of page cache (the default is 2 MiB): the refId index of 500,000 students is about
  // 30 MiB, and random UUIDs touch all of it when seeding or creating.
  db.pragma('cache_size = -65536');
  registerQueryFunctions(db);
  db.exec(SCHEMA);
  migrate(db);
  return db;
}

function migrate(db: SisDatabase): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version >= MIGRATIONS.length) return;
  db.transaction(() => {
    for (let v = version; v < MIGRATIONS.length; v++) MIGRATIONS[v]!(db);
    // PRAGMA takes no bound parameters; the value is this file's own integer.
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  })();
}

/** Row counts, for the landing page and the tests: kept by triggers, so O(1) at any size. */
export function countRows(db: SisDatabase): { schools: number; students: number; rosters: number } {
  const rows = cachedStatement(db, 'SELECT tbl, n FROM row_counts').all() as { tbl: string; n: number }[];
  const counts = new Map(rows.map((r) => [r.tbl, r.n]));
  return { schools: counts.get('schools') ?? 0, students: counts.get('students') ?? 0, rosters: counts.get('rosters') ?? 0 };
}

/** The number of rows of a counted table, from the trigger-kept counts. */
export function rowCount(db: SisDatabase, table: string): number | undefined {
  return cachedStatement(db, 'SELECT n FROM row_counts WHERE tbl = ?', 'pluck').get(table) as number | undefined;
}
