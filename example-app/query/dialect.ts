import type { GoessnerObject, WhereCondition } from 'sif3-direct';

/** A piece of SQL and the values bound to its `?` placeholders, in order. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/**
 * What the query translation (query/sql.ts) and the SIS's statements need to say differently to
 * SQLite and to PostgreSQL; everything else about a query, a page or a write is written once. Every
 * fragment uses `?` placeholders (the PostgreSQL connection numbers them), and every value and JSON
 * path is bound: the dialects never write request data into SQL text.
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** The column that numbers rows in insertion order: the tiebreak of every sort, the key of seeks. */
  readonly rowId: string;
  /**
   * The text of the element or attribute at `steps` below `base` (a document column, or an array
   * element from `eachElement`): a string, or an object's `#text`; NULL otherwise. A step of digits
   * is an array index (element names never start with a digit). Compared and
   * sorted by code unit (BINARY in SQLite, `COLLATE "C"` in PostgreSQL), as the reference evaluator does.
   */
  textAt(base: string, steps: readonly string[]): SqlFragment;
  /** `textAt` with the path written in, for schema (generated columns): only for paths from this code. */
  textAtLiteral(base: string, steps: readonly string[]): string;
  /** A FROM item with the elements of the repeated element at `steps` below `base`, as `alias`. */
  eachElement(base: string, steps: readonly string[], alias: string): SqlFragment;
  /** Where `eachElement`'s element is, as a base for `textAt`. */
  elementBase(alias: string): string;
  /** The text of an `eachElement` element itself (an array of plain values). */
  elementText(alias: string): SqlFragment;
  /** `value` compared with a text by `operator`, code unit order. */
  compareText(value: SqlFragment, operator: WhereCondition['operator'], text: string): SqlFragment;
  /** `value` compared numerically (the evaluator's `asNumber`) with a number. */
  compareNumber(value: SqlFragment, operator: WhereCondition['operator'], number: number): SqlFragment;
  /** Query by example: `pattern` with `%` as the only wildcard, case-insensitive for A-Z only. */
  like(value: SqlFragment, pattern: string): SqlFragment;
  /** A sort direction, with missing values first ascending and last descending (the evaluator's rule). */
  direction(ascending: boolean): string;
  /**
   * The condition "at or after the `offset`-th row of `table` in row order", found by stepping over
   * a narrow index (`rowIndex` where the dialect can name one) instead of over the documents.
   */
  offsetSeek(table: string, rowIndex: string | undefined, offset: number): SqlFragment;
  /** A stored document as the driver returns it (JSON text in SQLite, parsed jsonb in PostgreSQL). */
  parseDoc(value: unknown): GoessnerObject;
}

/** Checks that path steps are element or attribute names before they are written into schema SQL. */
export function assertNames(steps: readonly string[]): void {
  if (!steps.every((step) => /^@?[A-Za-z_][\w.-]*$/.test(step))) throw new Error(`Not an element path: ${steps.join('/')}`);
}

/** `%` is the only wildcard of query by example: LIKE's `_` and the escape character are escaped. */
export function likePattern(pattern: string): string {
  return pattern.replace(/[\\_]/g, (c) => `\\${c}`);
}
