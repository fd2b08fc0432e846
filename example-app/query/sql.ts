import type { OrderTerm, WhereCondition, WhereNode } from 'sif3-direct';
import { asNumber } from 'sif3-direct';
import type { SisDatabase } from '../sis/database';

// Translates the query language into SQLite over a JSON `doc` column, with the library's reference
// semantics (see lib/protocol/query/evaluate.ts): a repeated element on a path means "any of them",
// missing values match nothing, quoted literals compare as text, numbers numerically, `like` is
// case-insensitive for A-Z. Every value and every JSON path is a bound parameter: nothing from the
// request is ever spliced into the SQL text. Paths that a table keeps in an indexed column holding
// exactly the path's text (`ColumnPaths`) are compared and sorted on that column instead, so that
// `@refId`, `localId` or `name/familyName` are index lookups rather than scans of every document.

/** A piece of SQL and the values bound to its `?` placeholders, in order. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

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
export function whereToSql(node: WhereNode, doc: string, arrays: ArrayPaths, columns: ColumnPaths = NO_COLUMNS): SqlFragment {
  if (node.kind === 'condition') return conditionToSql(node, doc, arrays, columns);
  const parts = node.children.map((child) => whereToSql(child, doc, arrays, columns));
  return { sql: `(${parts.map((p) => p.sql).join(node.kind === 'and' ? ' AND ' : ' OR ')})`, params: parts.flatMap((p) => p.params) };
}

/** `order` as an ORDER BY list (without the keyword), sorting by the first value at each path. */
export function orderToSql(order: readonly OrderTerm[], doc: string, arrays: ArrayPaths, columns: ColumnPaths = NO_COLUMNS): SqlFragment {
  const parts = orderKeys(order, doc, arrays, columns).map((key) => ({ sql: `${key.sql} ${key.ascending ? 'ASC' : 'DESC'}`, params: key.params }));
  return { sql: parts.map((p) => p.sql).join(', '), params: parts.flatMap((p) => p.params) };
}

/**
 * The sort keys of `order`: the first text value at each path (a mapped column where there is one),
 * NULL when missing. SQLite sorts NULL first ascending and last descending, as the evaluator does.
 */
export function orderKeys(order: readonly OrderTerm[], doc: string, arrays: ArrayPaths, columns: ColumnPaths = NO_COLUMNS): OrderKey[] {
  return order.map((term) => {
    const ascending = term.direction === 'ascending';
    const column = columns.get(term.path.join('/'));
    if (column) return { sql: column, params: [], ascending };
    const path: string[] = [];
    term.path.forEach((step, i) => {
      path.push(quoteStep(step));
      if (arrays.has(term.path.slice(0, i + 1).join('/'))) path.push('[0]');
    });
    return { ...valueAt(doc, `$${path.map((p) => (p === '[0]' ? p : `.${p}`)).join('')}`), ascending };
  });
}

/**
 * The rows that come strictly after a position in the order `keys` then `tiebreak` (ascending):
 * `values` are the keys' values at that position (null for missing) and `last` the tiebreak's.
 * Missing values sort first ascending and last descending, as in `orderKeys`. This is how a walk
 * continues from the last object of a page with an index seek instead of skipping `OFFSET` rows.
 *
 * @example
 * seekAfter([{ sql: 't.doc_family_name', params: [], ascending: true }], ['Smith'], 't.rowid', 42);
 * // { sql: '(t.doc_family_name, t.rowid) > (?, ?)', params: ['Smith', 42] }
 */
export function seekAfter(keys: readonly OrderKey[], values: readonly (string | null)[], tiebreak: string, last: number): SqlFragment {
  // All ascending and nothing missing: one row-value comparison, which SQLite turns into an index
  // range. (A row whose key is NULL compares as NULL, i.e. not after: right, NULL sorts first.)
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
    else after = value === null ? { sql: '0', params: [] } : { sql: `(${key.sql} < ? OR ${key.sql} IS NULL)`, params: [...key.params, value, ...key.params] };
    rest = { sql: `(${after.sql} OR (${equal.sql} AND ${rest.sql}))`, params: [...after.params, ...equal.params, ...rest.params] };
  }
  return rest;
}

function conditionToSql(condition: WhereCondition, doc: string, arrays: ArrayPaths, columns: ColumnPaths): SqlFragment {
  const column = columns.get(condition.path.join('/'));
  if (column) return compare({ sql: column, params: [] }, condition);
  return descend(condition, doc, 0, arrays, 0);
}

// Walks the path from step `from`; at each repeated element, continues inside
// `EXISTS (SELECT 1 FROM json_each(…) …)` with paths relative to the array element.
function descend(condition: WhereCondition, base: string, from: number, arrays: ArrayPaths, depth: number): SqlFragment {
  const steps = condition.path;
  for (let i = from; i < steps.length; i++) {
    if (!arrays.has(steps.slice(0, i + 1).join('/'))) continue;
    const alias = `j${depth}`;
    const test =
      i + 1 === steps.length
        ? compare(elementValue(alias), condition) // an array of plain values: the element is the value
        : descend(condition, `${alias}.value`, i + 1, arrays, depth + 1);
    return {
      sql: `EXISTS (SELECT 1 FROM json_each(${base}, ?) AS ${alias} WHERE ${test.sql})`,
      params: [jsonPath(steps.slice(from, i + 1)), ...test.params],
    };
  }
  return compare(valueAt(base, jsonPath(steps.slice(from))), condition);
}

function compare(value: SqlFragment, condition: WhereCondition): SqlFragment {
  if (condition.operator === 'like') {
    // `%` is the only wildcard of query by example: escape LIKE's `_` and the escape character.
    const pattern = condition.value.replace(/[\\_]/g, (c) => `\\${c}`);
    return { sql: `${value.sql} LIKE ? ESCAPE '\\'`, params: [...value.params, pattern] };
  }
  if (condition.valueType === 'number') {
    return { sql: `sif_num(${value.sql}) ${condition.operator} ?`, params: [...value.params, Number(condition.value)] };
  }
  return { sql: `${value.sql} ${condition.operator} ?`, params: [...value.params, condition.value] };
}

/** The text of the element or attribute at a JSON path: a string, or an object's `#text`. */
function valueAt(base: string, path: string): SqlFragment {
  return {
    sql: `(CASE json_type(${base}, ?) WHEN 'text' THEN json_extract(${base}, ?) WHEN 'object' THEN (CASE json_type(${base}, ?) WHEN 'text' THEN json_extract(${base}, ?) END) END)`,
    params: [path, path, `${path}."#text"`, `${path}."#text"`],
  };
}

/** The text of a `json_each` element. */
function elementValue(alias: string): SqlFragment {
  return {
    sql: `(CASE ${alias}.type WHEN 'text' THEN ${alias}.value WHEN 'object' THEN (CASE json_type(${alias}.value, '$."#text"') WHEN 'text' THEN json_extract(${alias}.value, '$."#text"') END) END)`,
    params: [],
  };
}

/**
 * The text at a path of plain elements as a SQL expression with the path written in, for schema
 * (generated columns and indexes cannot take bound parameters): the same value `valueAt` yields.
 * Only for paths from this code; steps are checked to be names.
 *
 * @example
 * textAtSql('doc', ['name', 'familyName']); // (CASE json_type(doc, '$."name"."familyName"') …)
 */
export function textAtSql(base: string, path: readonly string[]): string {
  if (!path.every((step) => /^@?[A-Za-z_][\w.-]*$/.test(step))) throw new Error(`Not an element path: ${path.join('/')}`);
  const fragment = valueAt(base, jsonPath(path));
  let i = 0;
  return fragment.sql.replace(/\?/g, () => `'${String(fragment.params[i++])}'`);
}

function jsonPath(steps: readonly string[]): string {
  return `$${steps.map((s) => `.${quoteStep(s)}`).join('')}`;
}

function quoteStep(step: string): string {
  // Steps are validated names (letters, digits, _ . - and a leading @): quoting keeps `.` literal.
  return `"${step}"`;
}
