import type { PoolClient } from 'pg';
import { POSTGRES_DIALECT } from '../../query/postgres-dialect';
import { STUDENT_GENERATED_COLUMNS } from '../database';
import type { SeedOptions } from '../seed';
import { generateDistrict } from '../seed';

// The Springfield SIS's tables on PostgreSQL: the SQLite schema of sis/database.ts, with what
// PostgreSQL needs said its way. Documents are `json` (jsonb would reorder a SIF object's elements);
// every text that queries compare or sort is `COLLATE "C"`, code point order, as the reference
// evaluator compares; `seq` numbers every table's rows in insertion order (SQLite's rowid); counts
// are kept by statement triggers; the element paths queries reach through an index are generated
// columns computed with the very expression the query translation uses for the path.

const VERSION = 1;

/** The advisory lock under which the schema is created and the district seeded: instances may start together. */
const LOCK = [0x53495333, 0x5349_5301] as const; // 'SIS3', 'SIS'+1: apart from PostgresStore's keys

const generated = STUDENT_GENERATED_COLUMNS.map(
  ({ column, path }) => `${column} text COLLATE "C" GENERATED ALWAYS AS (${POSTGRES_DIALECT.textAtLiteral('doc', path)}) STORED`,
).join(',\n    ');

const SCHEMA = `
  CREATE TABLE schools (
    seq integer GENERATED ALWAYS AS IDENTITY UNIQUE,
    ref_id text COLLATE "C" PRIMARY KEY,
    local_id text NOT NULL,
    name text NOT NULL,
    doc json NOT NULL
  );
  CREATE TABLE students (
    seq integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ref_id text COLLATE "C" NOT NULL UNIQUE,
    local_id text COLLATE "C" NOT NULL,
    school_ref_id text COLLATE "C" REFERENCES schools(ref_id),
    family_name text COLLATE "C" NOT NULL,
    given_name text COLLATE "C" NOT NULL,
    doc json NOT NULL,
    ${generated}
  );
  CREATE INDEX students_by_school ON students (school_ref_id, seq);
  ${STUDENT_GENERATED_COLUMNS.map(({ column }) => `CREATE INDEX students_by_${column} ON students (${column} NULLS FIRST, seq);`).join('\n  ')}
  CREATE TABLE rosters (
    seq integer GENERATED ALWAYS AS IDENTITY UNIQUE,
    ref_id text COLLATE "C" PRIMARY KEY,
    school_ref_id text COLLATE "C" NOT NULL REFERENCES schools(ref_id),
    course_title text NOT NULL,
    doc json NOT NULL
  );
  CREATE TABLE roster_students (
    roster_ref_id text COLLATE "C" NOT NULL REFERENCES rosters(ref_id) ON DELETE CASCADE,
    student_ref_id text COLLATE "C" NOT NULL REFERENCES students(ref_id) ON DELETE CASCADE,
    PRIMARY KEY (roster_ref_id, student_ref_id)
  );
  CREATE INDEX roster_students_by_student ON roster_students (student_ref_id);
  CREATE INDEX rosters_by_school ON rosters (school_ref_id);

  CREATE TABLE row_counts (tbl text PRIMARY KEY, n integer NOT NULL);
  INSERT INTO row_counts (tbl, n) VALUES ('schools', 0), ('students', 0), ('rosters', 0);
  -- Statement triggers with transition tables: one UPDATE per statement, however many rows it wrote.
  CREATE FUNCTION sis_count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN
      UPDATE row_counts SET n = n + (SELECT count(*) FROM new_rows) WHERE tbl = TG_TABLE_NAME;
    ELSE
      UPDATE row_counts SET n = n - (SELECT count(*) FROM old_rows) WHERE tbl = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
  END $$;
  ${['schools', 'students', 'rosters']
    .map(
      (t) => `CREATE TRIGGER ${t}_counted_insert AFTER INSERT ON ${t} REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sis_count_rows();
  CREATE TRIGGER ${t}_counted_delete AFTER DELETE ON ${t} REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sis_count_rows();`,
    )
    .join('\n  ')}

  CREATE TABLE counters (name text PRIMARY KEY, n integer NOT NULL);
  INSERT INTO counters (name, n) VALUES ('student_local_id', 100000);

  CREATE TABLE import_jobs (
    seq integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ref text NOT NULL UNIQUE, ctx text NOT NULL, objects text NOT NULL,
    done integer NOT NULL, in_batch integer NOT NULL DEFAULT 0,
    owner text, heartbeat bigint NOT NULL DEFAULT 0
  );

  -- The number a text stands for, by the reference evaluator's rule (asNumber); NULL otherwise.
  -- float8 input rounds as JavaScript's Number does.
  CREATE FUNCTION sif_num(value text) RETURNS double precision LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE WHEN value ~ '^[[:space:]]*-?[0-9]+([.][0-9]+)?[[:space:]]*$' THEN value::double precision END
  $$;

  CREATE TABLE sis_schema_version (version integer NOT NULL);
  INSERT INTO sis_schema_version (version) VALUES (${VERSION});
`;

/**
 * Creates the SIS's tables in the connection's first `search_path` schema when they are missing, and
 * seeds the district into them when they are empty: in one transaction, under an advisory lock, so
 * that several instances starting together create and seed once.
 */
export async function preparePostgresSis(client: PoolClient, seed: SeedOptions | undefined): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...LOCK]);
    const present = await client.query<{ t: string | null }>("SELECT to_regclass('sis_schema_version')::text AS t");
    if (!present.rows[0]?.t) await client.query(SCHEMA);
    const version = (await client.query<{ version: number }>('SELECT version FROM sis_schema_version')).rows[0]?.version;
    if (version !== VERSION) throw new Error(`The SIS tables are at version ${String(version)}; this build knows ${VERSION}`);
    const empty = (await client.query('SELECT 1 FROM schools LIMIT 1')).rowCount === 0;
    if (empty) await seedPostgres(client, seed ?? {});
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** Rows inserted per statement when seeding (unnest of one array per column). */
const CHUNK = 5000;

/** Inserts the generated district (sis/seed.ts), in insertion order, a few thousand rows a statement. */
async function seedPostgres(client: PoolClient, options: SeedOptions): Promise<void> {
  const schools: string[][] = [];
  const students: string[][] = [];
  const rosters: string[][] = [];
  const members: string[][] = [];
  generateDistrict(options, {
    school: (...row) => void schools.push(row),
    student: (...row) => void students.push(row),
    roster: (...row) => void rosters.push(row),
    member: (...row) => void members.push(row),
  });
  const load = async (table: string, columns: string[], types: string[], rows: string[][], tail = '') => {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk = rows.slice(i, i + CHUNK);
      const arrays = columns.map((_, c) => chunk.map((row) => row[c]));
      await client.query(
        `INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${types.map((t, c) => `$${c + 1}::${t}[]`).join(', ')}) ${tail}`,
        arrays,
      );
    }
  };
  await load('schools', ['ref_id', 'local_id', 'name', 'doc'], ['text', 'text', 'text', 'json'], schools);
  await load('students', ['ref_id', 'local_id', 'school_ref_id', 'family_name', 'given_name', 'doc'], ['text', 'text', 'text', 'text', 'text', 'json'], students);
  await load('rosters', ['ref_id', 'school_ref_id', 'course_title', 'doc'], ['text', 'text', 'text', 'json'], rosters);
  await load('roster_students', ['roster_ref_id', 'student_ref_id'], ['text', 'text'], members, 'ON CONFLICT DO NOTHING');
  // The next local id is 100001 + max(seq), as on SQLite.
  await client.query("UPDATE counters SET n = 100000 + (SELECT coalesce(max(seq), 0) FROM students) WHERE name = 'student_local_id'");
  await client.query('ANALYZE schools; ANALYZE students; ANALYZE rosters; ANALYZE roster_students');
}
