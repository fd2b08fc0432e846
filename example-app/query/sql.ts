import type { OrderTerm, WhereCondition, WhereNode } from 'sif3-direct';
import { asNumber } from 'sif3-direct';
import type { SisDatabase } from '../sis/database';
import type { SqlDialect, SqlFragment } from './dialect';
import { SQLITE_DIALECT } from './sqlite-dialect';

export type { SqlFragment } from './dialect';

// Translates the query language into SQL over a JSON `doc` column, with the library's reference
// semantics (see lib/query/evaluate.ts): a repeated element on a path means "any of them",
// missing values match nothing, quoted literals compare as text, numbers numerically, `like` is
// case-insensitive for A-Z. Every value and every JSON path is a bound parameter: nothing from the
// request is ever spliced into the SQL text. Paths that a table keeps in an indexed column holding
// exactly the path's text (`ColumnPaths`) are compared and sorted on that column instead, so that
// `@refId`, `localId` or `name/familyName` are index lookups rather than scans of every document.
// The structure of the translation is written once; what SQLite and PostgreSQL spell differently
// (JSON access, arrays, numbers, like, NULL order) comes from a `SqlDialect` (SQLite by default).

/** Element paths (e.g. `otherIds/otherId`) whose values are JSON arrays in the documents. */
export type ArrayPaths = ReadonlySet<string>;

/**
 * Element paths (e.g. `name/familyName`, `@refId`) that a table also keeps in an indexed column,
 * mapped to that column (e.g. `t.doc_family_name`). A mapped column must hold exactly the text the
 * JSON path yields (`textAtSql` of it, NULL when missing): conditions and sorts on it are then the
 * same as on the document, but use the index. Never a repeated path.
 */
export type ColumnPaths = ReadonlyMap<string, string>;

const NO_COLUMNS: ColumnPaths = new Map();

/** One sort key of an `order` clause: the SQL value it sorts by, and which way. */
export interface OrderKey extends SqlFragment {
  ascending: boolean;
}

/** Registers the SQL functions the translation uses. Call once per connection. */
export function registerQueryFunctions(db: SisDatabase): void {
  // The number a text stands for, by the reference evaluator's own rule; NULL for anything else.
  db.function('sif_num', { deterministic: true }, (value: unknown) => (typeof value === 'string' ? (asNumber(value) ?? null) : null));
}

/**
 * `where` as a SQL condition on the JSON column `doc` (e.g. `students.doc`).
 *
 * @example
 * whereToSql(parseWhere('[name/familyName="Smith"]'), 'students.doc', new Set());
 * // { sql: '(CASE json_type(students.doc, ?) … END) = ?', params: ['$."name"."familyName"', …, 'Smith'] }
 */
export function whereToSql(node: WhereNode, doc: string, arrays: ArrayPaths, columns: ColumnPaths = NO_COLUMNS, dialect: SqlDialect = SQLITE_DIALECT): SqlFragment {
  if (node.kind === 'condition') return conditionToSql(node, doc, arrays, columns, dialect);
  const parts = node.children.map((child) => whereToSql(child, doc, arrays, columns, dialect));
  return { sql: `(${parts.map((p) => p.sql).join(node.kind === 'and' ? ' AND ' : ' OR ')})`, params: parts.flatMap((p) => p.params) };
}

/**
 * The sort keys of `order`: the first text value at each path (a mapped column where there is one),
 * NULL when missing. `dialect.direction` sorts NULL first ascending and last descending, as the
 * evaluator does.
 */
export function orderKeys(order: readonly OrderTerm[], doc: string, arrays: ArrayPaths, columns: ColumnPaths = NO_COLUMNS, dialect: SqlDialect = SQLITE_DIALECT): OrderKey[] {
  return order.map((term) => {
    const ascending = term.direction === 'ascending';
    const column = columns.get(term.path.join('/'));
    if (column) return { sql: column, params: [], ascending };
    // The first of a repeated element: a step `0` (an index; element names never start with a digit).
    const steps: string[] = [];
    term.path.forEach((step, i) => {
      steps.push(step);
      if (arrays.has(term.path.slice(0, i + 1).join('/'))) steps.push('0');
    });
    return { ...dialect.textAt(doc, steps), ascending };
  });
}

/**
 * The rows that come strictly after a position in the order `keys` then `tiebreak` (ascending):
 * `values` are the keys' values at that position (null for missing) and `last` the tiebreak's.
 * Missing values sort first ascending and last descending, as in `orderKeys`. This is how a walk
 * continues from the last object of a page with an index seek instead of skipping `OFFSET` rows.
 * The same SQL for both dialects.
 *
 * @example
 * seekAfter([{ sql: 't.doc_family_name', params: [], ascending: true }], ['Smith'], 't.rowid', 42);
 * // { sql: '(t.doc_family_name, t.rowid) > (?, ?)', params: ['Smith', 42] }
 */
export function seekAfter(keys: readonly OrderKey[], values: readonly (string | null)[], tiebreak: string, last: number): SqlFragment {
  // All ascending and nothing missing: one row-value comparison, which the database turns into an
  // index range. (A row whose key is NULL compares as NULL, i.e. not after: right, NULL sorts first.)
  if (keys.every((k) => k.ascending) && values.every((v) => v !== null)) {
    return {
      sql: `(${[...keys.map((k) => k.sql), tiebreak].join(', ')}) > (${[...keys.map(() => '?'), '?'].join(', ')})`,
      params: [...keys.flatMap((k) => k.params), ...values, last],
    };
  }
  // Otherwise lexicographically: after on the first key, or equal on it and after on the rest.
  let rest: SqlFragment = { sql: `${tiebreak} > ?`, params: [last] };
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i]!;
    const value = values[i] ?? null;
    const equal: SqlFragment = value === null ? { sql: `${key.sql} IS NULL`, params: key.params } : { sql: `${key.sql} = ?`, params: [...key.params, value] };
    let after: SqlFragment;
    if (key.ascending) after = value === null ? { sql: `${key.sql} IS NOT NULL`, params: key.params } : { sql: `${key.sql} > ?`, params: [...key.params, value] };
    else after = value === null ? { sql: 'FALSE', params: [] } : { sql: `(${key.sql} < ? OR ${key.sql} IS NULL)`, params: [...key.params, value, ...key.params] };
    rest = { sql: `(${after.sql} OR (${equal.sql} AND ${rest.sql}))`, params: [...after.params, ...equal.params, ...rest.params] };
  }
  return rest;
}

function conditionToSql(condition: WhereCondition, doc: string, arrays: ArrayPaths, columns: ColumnPaths, dialect: SqlDialect): SqlFragment {
  const column = columns.get(condition.path.join('/'));
  if (column) return compare({ sql: column, params: [] }, condition, dialect);
  return descend(condition, doc, 0, arrays, 0, dialect);
}

// Walks the path from step `from`; at each repeated element, continues inside
// `EXISTS (SELECT 1 FROM <its elements> …)` with paths relative to the array element.
function descend(condition: WhereCondition, base: string, from: number, arrays: ArrayPaths, depth: number, dialect: SqlDialect): SqlFragment {
  const steps = condition.path;
  for (let i = from; i < steps.length; i++) {
    if (!arrays.has(steps.slice(0, i + 1).join('/'))) continue;
    const alias = `j${depth}`;
    const test =
      i + 1 === steps.length
        ? compare(dialect.elementText(alias), condition, dialect) // an array of plain values: the element is the value
        : descend(condition, dialect.elementBase(alias), i + 1, arrays, depth + 1, dialect);
    const elements = dialect.eachElement(base, steps.slice(from, i + 1), alias);
    return { sql: `EXISTS (SELECT 1 FROM ${elements.sql} WHERE ${test.sql})`, params: [...elements.params, ...test.params] };
  }
  return compare(dialect.textAt(base, steps.slice(from)), condition, dialect);
}

function compare(value: SqlFragment, condition: WhereCondition, dialect: SqlDialect): SqlFragment {
  if (condition.operator === 'like') return dialect.like(value, condition.value);
  if (condition.valueType === 'number') return dialect.compareNumber(value, condition.operator, Number(condition.value));
  return dialect.compareText(value, condition.operator, condition.value);
}

/**
 * The text at a path of plain elements as a SQLite expression with the path written in, for schema
 * (generated columns and indexes cannot take bound parameters): the same value the translation
 * reads. Only for paths from this code; steps are checked to be names.
 *
 * @example
 * textAtSql('doc', ['name', 'familyName']); // (CASE json_type(doc, '$."name"."familyName"') …)
 */
export function textAtSql(base: string, path: readonly string[]): string {
  return SQLITE_DIALECT.textAtLiteral(base, path);
}
