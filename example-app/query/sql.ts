import type { OrderTerm, WhereCondition, WhereNode } from 'sif3-direct';
import { asNumber } from 'sif3-direct';
import type { SisDatabase } from '../sis/database';

// Translates the query language into SQLite over a JSON `doc` column, with the library's reference
// semantics (see lib/protocol/query/evaluate.ts): a repeated element on a path means "any of them",
// missing values match nothing, quoted literals compare as text, numbers numerically, `like` is
// case-insensitive for A-Z. Every value and every JSON path is a bound parameter: nothing from the
// request is ever spliced into the SQL text.

/** A piece of SQL and the values bound to its `?` placeholders, in order. */
export interface SqlFragment {
  sql: string;
  params: unknown[];
}

/** Element paths (e.g. `otherIds/otherId`) whose values are JSON arrays in the documents. */
export type ArrayPaths = ReadonlySet<string>;

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
export function whereToSql(node: WhereNode, doc: string, arrays: ArrayPaths): SqlFragment {
  if (node.kind === 'condition') return conditionToSql(node, doc, arrays);
  const parts = node.children.map((child) => whereToSql(child, doc, arrays));
  return { sql: `(${parts.map((p) => p.sql).join(node.kind === 'and' ? ' AND ' : ' OR ')})`, params: parts.flatMap((p) => p.params) };
}

/** `order` as an ORDER BY list (without the keyword), sorting by the first value at each path. */
export function orderToSql(order: readonly OrderTerm[], doc: string, arrays: ArrayPaths): SqlFragment {
  const parts = order.map((term) => {
    const path: string[] = [];
    term.path.forEach((step, i) => {
      path.push(quoteStep(step));
      if (arrays.has(term.path.slice(0, i + 1).join('/'))) path.push('[0]');
    });
    const value = valueAt(doc, `$${path.map((p) => (p === '[0]' ? p : `.${p}`)).join('')}`);
    return { sql: `${value.sql} ${term.direction === 'ascending' ? 'ASC' : 'DESC'}`, params: value.params };
  });
  return { sql: parts.map((p) => p.sql).join(', '), params: parts.flatMap((p) => p.params) };
}

function conditionToSql(condition: WhereCondition, doc: string, arrays: ArrayPaths): SqlFragment {
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

function jsonPath(steps: string[]): string {
  return `$${steps.map((s) => `.${quoteStep(s)}`).join('')}`;
}

function quoteStep(step: string): string {
  // Steps are validated names (letters, digits, _ . - and a leading @): quoting keeps `.` literal.
  return `"${step}"`;
}
