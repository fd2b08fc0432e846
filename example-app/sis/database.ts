import Database from 'better-sqlite3';
import { registerQueryFunctions } from '../query/sql';

/**
 * The Springfield SIS's own database: the school's data, which the SIF provider never owns. Each
 * table keeps the SIF object as Goessner JSON (`doc`) beside the columns the SIS searches and
 * sorts on.
 */
export type SisDatabase = Database.Database;

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

/** Opens (and creates, if new) the SIS database. */
export function openSisDatabase(filename: string): SisDatabase {
  const db = new Database(filename);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  registerQueryFunctions(db);
  return db;
}

/** Row counts, for the landing page and the tests. */
export function countRows(db: SisDatabase): { schools: number; students: number; rosters: number } {
  const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { schools: count('schools'), students: count('students'), rosters: count('rosters') };
}
