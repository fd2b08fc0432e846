import type { GoessnerObject } from 'sif3-direct';
import type { SqlDialect, SqlFragment } from './dialect';
import { assertNames, likePattern } from './dialect';

// SQLite: documents are JSON text, read with json_type/json_extract and json_each; numbers through
// the `sif_num` function (registered per connection by registerQueryFunctions); text compares
// BINARY, i.e. by code unit for the UTF-8 it stores, as the evaluator compares.

function jsonPath(steps: readonly string[]): string {
  // Steps are validated names (letters, digits, _ . - and a leading @), quoted to keep `.` literal,
  // or an array index (all digits: no element name starts with one).
  return `$${steps.map((s) => (/^\d+$/.test(s) ? `[${s}]` : `."${s}"`)).join('')}`;
}

function valueAt(base: string, path: string): SqlFragment {
  return {
    sql: `(CASE json_type(${base}, ?) WHEN 'text' THEN json_extract(${base}, ?) WHEN 'object' THEN (CASE json_type(${base}, ?) WHEN 'text' THEN json_extract(${base}, ?) END) END)`,
    params: [path, path, `${path}."#text"`, `${path}."#text"`],
  };
}

/** The SQLite dialect of the SIS's SQL. */
export const SQLITE_DIALECT: SqlDialect = {
  name: 'sqlite',
  rowId: 'rowid',
  textAt: (base, steps) => valueAt(base, jsonPath(steps)),
  textAtLiteral(base, steps) {
    assertNames(steps);
    const fragment = valueAt(base, jsonPath(steps));
    let i = 0;
    return fragment.sql.replace(/\?/g, () => `'${String(fragment.params[i++])}'`);
  },
  eachElement: (base, steps, alias) => ({ sql: `json_each(${base}, ?) AS ${alias}`, params: [jsonPath(steps)] }),
  elementBase: (alias) => `${alias}.value`,
  // json_each gives a string element as its text, an object element as JSON text.
  elementText: (alias) => ({
    sql: `(CASE ${alias}.type WHEN 'text' THEN ${alias}.value WHEN 'object' THEN (CASE json_type(${alias}.value, '$."#text"') WHEN 'text' THEN json_extract(${alias}.value, '$."#text"') END) END)`,
    params: [],
  }),
  compareText: (value, operator, text) => ({ sql: `${value.sql} ${operator} ?`, params: [...value.params, text] }),
  compareNumber: (value, operator, number) => ({ sql: `sif_num(${value.sql}) ${operator} ?`, params: [...value.params, number] }),
  like: (value, pattern) => ({ sql: `${value.sql} LIKE ? ESCAPE '\\'`, params: [...value.params, likePattern(pattern)] }),
  direction: (ascending) => (ascending ? 'ASC' : 'DESC'),
  offsetSeek: (table, rowIndex, offset) => ({
    sql: `t.rowid >= (SELECT rowid FROM ${table}${rowIndex ? ` INDEXED BY ${rowIndex}` : ''} ORDER BY rowid LIMIT 1 OFFSET ?)`,
    params: [offset],
  }),
  parseDoc: (value) => JSON.parse(value as string) as GoessnerObject,
};
