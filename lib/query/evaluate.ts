import type { GoessnerObject, GoessnerValue } from '../payload/goessner';
import { isElement } from '../payload/goessner';
import type { OrderTerm, WhereCondition, WhereNode } from './ast';
import { likeMatches } from './like';

// The reference semantics of the query language, for handlers that filter in memory and as the
// yardstick that SQL translations are tested against:
// - a path selects every value it reaches; a repeated element on the way means "any of them";
// - a condition holds when some selected value satisfies it; a missing value satisfies nothing
//   (so `!=` does not match objects without the element);
// - a quoted literal compares as text (by UTF-16 code units, like SQLite's BINARY collation on
//   ASCII); a number literal compares numerically, and only with values that are numbers;
// - `like` (query by example) is case-insensitive for A-Z and `%` matches any run of characters;
// - `order` sorts by the first value at each path as text, missing values first when ascending.

/**
 * The text values a path selects in an object. Only the object's own properties are steps: a path
 * such as `constructor/name` or `__proto__/x` selects nothing, whatever the object's prototype holds.
 *
 * @example
 * valuesAt({ otherIds: { otherId: [{ id: '9' }, { id: '12' }] } }, ['otherIds', 'otherId', 'id']); // ['9', '12']
 */
export function valuesAt(object: GoessnerObject, path: readonly string[]): string[] {
  let nodes: GoessnerValue[] = [object];
  for (const step of path) {
    const next: GoessnerValue[] = [];
    for (const node of nodes) {
      if (!isElement(node) || !Object.hasOwn(node, step)) continue;
      const child = node[step];
      if (child === undefined) continue;
      if (Array.isArray(child)) next.push(...child);
      else next.push(child);
    }
    nodes = next;
  }
  const values: string[] = [];
  for (const node of nodes) {
    if (typeof node === 'string') values.push(node);
    else if (isElement(node) && Object.hasOwn(node, '#text') && typeof node['#text'] === 'string') values.push(node['#text']);
  }
  return values;
}

/** True when the object satisfies the clause. */
export function matchesWhere(object: GoessnerObject, node: WhereNode): boolean {
  switch (node.kind) {
    case 'condition':
      return valuesAt(object, node.path).some((value) => satisfies(value, node));
    case 'and':
      return node.children.every((child) => matchesWhere(object, child));
    case 'or':
      return node.children.some((child) => matchesWhere(object, child));
  }
}

/** True when one value satisfies one condition. */
export function satisfies(value: string, condition: WhereCondition): boolean {
  if (condition.operator === 'like') return likeMatches(condition.value, value);
  if (condition.valueType === 'number') {
    const n = asNumber(value);
    return n !== undefined && compareWith(condition.operator, n - Number(condition.value));
  }
  return compareWith(condition.operator, value < condition.value ? -1 : value > condition.value ? 1 : 0);
}

function compareWith(operator: WhereCondition['operator'], sign: number): boolean {
  switch (operator) {
    case '=':
      return sign === 0;
    case '!=':
      return sign !== 0;
    case '<':
      return sign < 0;
    case '>':
      return sign > 0;
    case '<=':
      return sign <= 0;
    case '>=':
      return sign >= 0;
    default:
      return false;
  }
}

/** The number a text value stands for, if it is one (`12`, `-3.5`). */
export function asNumber(value: string): number | undefined {
  return /^\s*-?\d+(\.\d+)?\s*$/.test(value) ? Number(value) : undefined;
}

/**
 * Compares two objects by an `order` clause, for `Array.prototype.sort`.
 *
 * @example
 * students.sort((a, b) => compareByOrder(a, b, parseOrder('[name/familyName=ascending]')));
 */
export function compareByOrder(a: GoessnerObject, b: GoessnerObject, order: readonly OrderTerm[]): number {
  for (const term of order) {
    const va = valuesAt(a, term.path)[0];
    const vb = valuesAt(b, term.path)[0];
    let c = 0;
    if (va === undefined && vb !== undefined) c = -1;
    else if (va !== undefined && vb === undefined) c = 1;
    else if (va !== undefined && vb !== undefined) c = va < vb ? -1 : va > vb ? 1 : 0;
    if (c !== 0) return term.direction === 'ascending' ? c : -c;
  }
  return 0;
}
