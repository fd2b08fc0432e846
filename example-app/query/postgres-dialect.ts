import type { GoessnerObject } from 'sif3-direct';
import type { SqlDialect, SqlFragment } from './dialect';
import { assertNames, likePattern } from './dialect';

// PostgreSQL: documents are `json` (not jsonb: jsonb reorders an object's keys, and the order of a
// SIF object's elements is part of the object), read with `#>`/`#>>` and a `text[]` path bound as a
// parameter; numbers through the `sif_num` SQL function of sis/postgres/schema.ts; text compared and
// sorted `COLLATE "C"` (by code point, which for the text SIS data holds is the evaluator's code
// unit order); NULLs placed as the evaluator places missing values.

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';

function valueAt(base: string, path: readonly string[]): SqlFragment {
  const text = [...path, '#text'];
  return {
    sql: `((CASE json_typeof(${base} #> ?::text[]) WHEN 'string' THEN ${base} #>> ?::text[] WHEN 'object' THEN (CASE json_typeof(${base} #> ?::text[]) WHEN 'string' THEN ${base} #>> ?::text[] END) END) COLLATE "C")`,
    params: [path, path, text, text],
  };
}

/** A `text[]` literal of checked names, for schema SQL. */
function arrayLiteral(path: readonly string[]): string {
  return `'{${path.map((s) => `"${s}"`).join(',')}}'`;
}

/**
 * The condition `value operator text` when `text` holds a NUL, which PostgreSQL text cannot carry.
 * No stored text holds one either (json and text refuse it), and NUL is the least character: so
 * `value < "ab\0c"` is `value <= "ab"`, `value > "ab\0c"` is `value > "ab"`, and `=` never holds.
 */
function compareWithNul(value: SqlFragment, operator: string, text: string): SqlFragment {
  const prefix = text.slice(0, text.indexOf('\0'));
  switch (operator) {
    case '=':
      return { sql: 'FALSE', params: [] };
    case '!=':
      return { sql: `${value.sql} IS NOT NULL`, params: value.params };
    case '<':
    case '<=':
      return { sql: `${value.sql} <= ?`, params: [...value.params, prefix] };
    default:
      return { sql: `${value.sql} > ?`, params: [...value.params, prefix] };
  }
}

/** The PostgreSQL dialect of the SIS's SQL. */
export const POSTGRES_DIALECT: SqlDialect = {
  name: 'postgres',
  rowId: 'seq',
  textAt: valueAt,
  textAtLiteral(base, steps) {
    assertNames(steps);
    const fragment = valueAt(base, steps);
    let i = 0;
    return fragment.sql.replace(/\?/g, () => arrayLiteral(fragment.params[i++] as string[]));
  },
  // A single element where a list may be (a repeatable element given once) counts as a list of one.
  eachElement: (base, steps, alias) => ({
    sql: `json_array_elements(CASE json_typeof(${base} #> ?::text[]) WHEN 'array' THEN ${base} #> ?::text[] ELSE json_build_array(${base} #> ?::text[]) END) AS ${alias}(value)`,
    params: [steps, steps, steps],
  }),
  elementBase: (alias) => `${alias}.value`,
  elementText: (alias) => valueAt(`${alias}.value`, []),
  compareText: (value, operator, text) =>
    text.includes('\0') ? compareWithNul(value, operator, text) : { sql: `${value.sql} ${operator} ?`, params: [...value.params, text] },
  compareNumber: (value, operator, number) => ({ sql: `sif_num(${value.sql}) ${operator} ?`, params: [...value.params, number] }),
  // ASCII-only case folding on both sides (ILIKE would fold by the database's locale).
  like: (value, pattern) =>
    pattern.includes('\0')
      ? { sql: 'FALSE', params: [] }
      : {
          sql: `translate(${value.sql}, '${UPPER}', '${LOWER}') LIKE ? ESCAPE '\\'`,
          params: [...value.params, likePattern(pattern).replace(/[A-Z]/g, (c) => c.toLowerCase())],
        },
  direction: (ascending) => (ascending ? 'ASC NULLS FIRST' : 'DESC NULLS LAST'),
  offsetSeek: (table, _rowIndex, offset) => ({ sql: `t.seq >= (SELECT seq FROM ${table} ORDER BY seq LIMIT 1 OFFSET ?)`, params: [offset] }),
  parseDoc: (value) => (typeof value === 'string' ? (JSON.parse(value) as GoessnerObject) : (value as GoessnerObject)),
};
