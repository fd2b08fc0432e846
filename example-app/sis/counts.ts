import type { SqlRunner } from './connection';
import type { Work } from './work';
import { step } from './work';

/** Row counts of the SIS's tables. */
export interface SisCounts {
  schools: number;
  students: number;
  rosters: number;
}

/** Row counts, for the landing page and the tests: kept by triggers (`row_counts`), so O(1) at any size. */
export function* countAll(sql: SqlRunner): Work<SisCounts> {
  const rows = yield* step(sql.rows<{ tbl: string; n: number }>('SELECT tbl, n FROM row_counts'));
  const counts = new Map(rows.map((r) => [r.tbl, Number(r.n)]));
  return { schools: counts.get('schools') ?? 0, students: counts.get('students') ?? 0, rosters: counts.get('rosters') ?? 0 };
}

/** The number of rows of a counted table, from the trigger-kept counts. */
export function* rowCount(sql: SqlRunner, table: string): Work<number | undefined> {
  const n = yield* step(sql.value<number>('SELECT n FROM row_counts WHERE tbl = ?', [table]));
  return n === undefined ? undefined : Number(n);
}
