import { BadRequestError } from '../../errors';
import type { GoessnerObject, GoessnerValue } from '../../payload/goessner';
import { isElement } from '../../payload/goessner';
import type { WhereCondition, WhereNode } from './ast';

/** Most conditions a query by example may produce. */
const MAX_CONDITIONS = 64;

/**
 * Turns a query-by-example object (Base Architecture §5.9) into a `where` tree: every element and
 * attribute with a value becomes a `like` condition (`%` wildcards), all joined by `and`.
 *
 * @example
 * exampleToWhere({ name: { '@type': 'LegalName', familyName: 'Jo%' } });
 * // and( name/@type like "LegalName", name/familyName like "Jo%" )
 */
export function exampleToWhere(example: GoessnerObject): WhereNode {
  const conditions: WhereCondition[] = [];
  collect(example, [], conditions);
  if (conditions.length === 0) throw new BadRequestError('The query-by-example object has no element with a value');
  if (conditions.length > MAX_CONDITIONS) throw new BadRequestError(`A query by example may have at most ${MAX_CONDITIONS} values`);
  return conditions.length === 1 ? conditions[0]! : { kind: 'and', children: conditions };
}

function collect(value: GoessnerValue, path: string[], out: WhereCondition[]): void {
  if (typeof value === 'string') {
    if (value !== '' && path.length > 0) out.push({ kind: 'condition', path, operator: 'like', value, valueType: 'string' });
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collect(item, path, out);
    return;
  }
  if (!isElement(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (key === '#text') collect(child, path, out);
    else collect(child, [...path, key], out);
  }
}
