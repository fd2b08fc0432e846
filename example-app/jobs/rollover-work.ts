import type { GoessnerObject } from 'sif3-direct';
import type { SqlRunner } from '../sis/connection';
import type { Work } from '../sis/work';
import { step } from '../sis/work';
import { child, text } from '../handlers/common';

// The Springfield SIS's year-end rollover, as units of work on SQLite or PostgreSQL: every student
// still enrolled moves up one grade of their school, and those in its last grade leave it. A year
// is rolled over once: the `rollovers` table records it in the same transaction as the students.

/** What a rollover does (or did): counts per school and grade, and in all. */
export interface RolloverPlan {
  readonly schoolYear: number;
  readonly promoted: number;
  readonly graduated: number;
  /** `{school localId}/{grade}` → students there now. */
  readonly byGrade: Readonly<Record<string, number>>;
}

/** A student as changed by the rollover, for the SIS's change report. */
export interface RolledStudent {
  readonly refId: string;
  readonly doc: GoessnerObject;
}

/**
 * Creates the tables of rollovers, if this SIS database has none yet (both dialects): `rollovers`
 * records each year rolled over; `rollover_runs` each run started and not yet reported, with the
 * instance that holds it and when it last said so, so that a run a restart cut off is resumed.
 */
export function* ensureRolloverTable(sql: SqlRunner): Work<void> {
  yield* step(
    sql.run(`CREATE TABLE IF NOT EXISTS rollovers (
      school_year INTEGER PRIMARY KEY,
      job_id TEXT NOT NULL UNIQUE,
      promoted INTEGER NOT NULL,
      graduated INTEGER NOT NULL,
      done_at TEXT NOT NULL
    )`),
  );
  yield* step(
    sql.run(`CREATE TABLE IF NOT EXISTS rollover_runs (
      job_id TEXT PRIMARY KEY,
      school_year INTEGER NOT NULL,
      owner TEXT NOT NULL,
      heartbeat BIGINT NOT NULL
    )`),
  );
}

/** A run started and not yet reported. */
export interface RolloverRun {
  readonly jobId: string;
  readonly schoolYear: number;
}

/**
 * Claims the run of `jobId` for `owner` (recording it when new): true when it is free, already the
 * owner's, or its holder fell silent before `stale` (ms since the epoch); false when another holds it.
 */
export function* claimRun(sql: SqlRunner, run: RolloverRun, owner: string, now: number, stale: number): Work<boolean> {
  yield* step(sql.run('INSERT INTO rollover_runs (job_id, school_year, owner, heartbeat) VALUES (?, ?, ?, ?) ON CONFLICT (job_id) DO NOTHING', [run.jobId, run.schoolYear, owner, now]));
  return (yield* step(sql.run('UPDATE rollover_runs SET owner = ?, heartbeat = ? WHERE job_id = ? AND (owner = ? OR heartbeat < ?)', [owner, now, run.jobId, owner, stale]))) > 0;
}

/** The runs no live instance holds: the owner's own, or those whose holder fell silent before `stale`. */
export function* orphanRuns(sql: SqlRunner, owner: string, stale: number): Work<RolloverRun[]> {
  const rows = yield* step(sql.rows<{ job_id: string; school_year: number }>('SELECT job_id, school_year FROM rollover_runs WHERE owner = ? OR heartbeat < ? ORDER BY job_id', [owner, stale]));
  return rows.map((r) => ({ jobId: r.job_id, schoolYear: Number(r.school_year) }));
}

/** Forgets a run once its outcome is on the job. */
export function* endRun(sql: SqlRunner, jobId: string): Work<void> {
  yield* step(sql.run('DELETE FROM rollover_runs WHERE job_id = ?', [jobId]));
}

/** The rollover of `schoolYear` already done (by which job), if any. */
export function* doneRollover(sql: SqlRunner, schoolYear: number): Work<{ jobId: string; promoted: number; graduated: number } | undefined> {
  const row = yield* step(sql.row<{ job_id: string; promoted: number; graduated: number }>('SELECT job_id, promoted, graduated FROM rollovers WHERE school_year = ?', [schoolYear]));
  return row && { jobId: row.job_id, promoted: Number(row.promoted), graduated: Number(row.graduated) };
}

/** What rolling over into `schoolYear` would do, without changing anything. */
export function* planRollover(sql: SqlRunner, schoolYear: number): Work<RolloverPlan> {
  const { plan } = yield* walk(sql, schoolYear, false);
  return plan;
}

/**
 * Rolls every enrolled student over into `schoolYear` (ending in that calendar year, as SIF's
 * schoolYear does) and records it for `jobId`, in the caller's transaction; the changed students.
 */
export function* runRollover(sql: SqlRunner, schoolYear: number, jobId: string, now: string): Work<{ plan: RolloverPlan; changed: RolledStudent[] }> {
  const result = yield* walk(sql, schoolYear, true);
  yield* step(
    sql.run('INSERT INTO rollovers (school_year, job_id, promoted, graduated, done_at) VALUES (?, ?, ?, ?, ?)', [
      schoolYear,
      jobId,
      result.plan.promoted,
      result.plan.graduated,
      now,
    ]),
  );
  return result;
}

function* walk(sql: SqlRunner, schoolYear: number, write: boolean): Work<{ plan: RolloverPlan; changed: RolledStudent[] }> {
  const schools = yield* step(sql.rows<{ ref_id: string; doc: unknown }>('SELECT ref_id, doc FROM schools'));
  const grades = new Map<string, { localId: string; grades: string[] }>();
  for (const s of schools) {
    const doc = sql.dialect.parseDoc(s.doc);
    const list = child(doc, 'gradeLevels', 'gradeLevel');
    grades.set(s.ref_id, { localId: text(doc.localId) ?? s.ref_id, grades: (Array.isArray(list) ? list : [list]).map((g) => text(g) ?? '') });
  }
  const students = yield* step(sql.rows<{ ref_id: string; school_ref_id: string | null; doc: unknown }>('SELECT ref_id, school_ref_id, doc FROM students ORDER BY seq'));
  let promoted = 0;
  let graduated = 0;
  const byGrade: Record<string, number> = {};
  const changed: RolledStudent[] = [];
  for (const row of students) {
    const doc = sql.dialect.parseDoc(row.doc);
    const enrollment = doc.enrollment;
    const school = row.school_ref_id ? grades.get(row.school_ref_id) : undefined;
    if (!school || !enrollment || typeof enrollment !== 'object' || Array.isArray(enrollment) || enrollment.exitDate !== undefined) continue;
    const grade = text(enrollment.gradeLevel) ?? '';
    byGrade[`${school.localId}/${grade}`] = (byGrade[`${school.localId}/${grade}`] ?? 0) + 1;
    const at = school.grades.indexOf(grade);
    const leaves = at === school.grades.length - 1;
    if (leaves) graduated++;
    else promoted++;
    if (!write || at < 0) continue;
    const next = rolledEnrollment(enrollment, leaves ? undefined : school.grades[at + 1]!, schoolYear);
    const updated = { ...doc, enrollment: next };
    yield* step(sql.run('UPDATE students SET doc = ? WHERE ref_id = ?', [JSON.stringify(updated), row.ref_id]));
    changed.push({ refId: row.ref_id, doc: updated });
  }
  return { plan: { schoolYear, promoted, graduated, byGrade }, changed };
}

/**
 * The enrollment in the new year, elements in their order: the next grade from the first school day,
 * or, for a student in the last grade, an exit date at the end of the old year.
 */
function rolledEnrollment(enrollment: GoessnerObject, nextGrade: string | undefined, schoolYear: number): GoessnerObject {
  const out: GoessnerObject = {};
  for (const [key, value] of Object.entries(enrollment)) {
    if (key === 'entryDate') {
      out.entryDate = nextGrade ? `${schoolYear - 1}-08-24` : value;
      if (!nextGrade) out.exitDate = `${schoolYear - 1}-06-15`;
    } else if (key === 'gradeLevel' && nextGrade) {
      out.gradeLevel = nextGrade;
    } else {
      out[key] = value;
    }
  }
  return out;
}
