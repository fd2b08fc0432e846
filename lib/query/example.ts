import { LIMIT_DEFAULTS } from '../limits';
import { BadRequestError } from '../errors';
import type { GoessnerObject, GoessnerValue } from '../payload/goessner';
import { isElement } from '../payload/goessner';
import type { WhereCondition, WhereNode } from './ast';
import { pathProblem } from './path';
import type { WhereOptions } from './where';
import { WHERE_LIMITS, tooManyConditions } from './where';

/**
 * Turns a query-by-example object (Base Architecture §5.9) into a `where` tree: every element and
 * attribute with a value becomes a `like` condition (`%` wildcards), all joined by `and`. Keys follow
 * the step grammar of `where` paths (a key that does not is a 400 naming its path), and more than
 * `maxConditions` values is a 400 naming `limits.maxWhereConditions`.
 *
 * @example
 * exampleToWhere({ name: { '@type': 'LegalName', familyName: 'Jo%' } });
 * // and( name/@type like "LegalName", name/familyName like "Jo%" )
 */
export function exampleToWhere(example: GoessnerObject, options: WhereOptions = {}): WhereNode {
  const conditions: WhereCondition[] = [];
  collect(example, [], conditions, options.maxConditions ?? LIMIT_DEFAULTS.maxWhereConditions);
  if (conditions.length === 0) throw new BadRequestError('The query-by-example object has no element with a value');
  return conditions.length === 1 ? conditions[0]! : { kind: 'and', children: conditions };
}

function collect(value: GoessnerValue, path: string[], out: WhereCondition[], max: number): void {
  if (typeof value === 'string') {
    if (value === '' || path.length === 0) return;
    // Refused at the first value too many: a large example is not walked to the end to be refused.
    if (out.length === max) throw tooManyConditions('The query by example', max);
    // As long as a whole where clause may be: a longer value is no example, and SQL engines refuse long LIKE patterns.
    if (value.length > WHERE_LIMITS.length) {
      throw new BadRequestError(`The query-by-example value at ${path.join('/').slice(0, 200)} is longer than ${WHERE_LIMITS.length} characters`, { scope: 'Query' });
    }
    out.push({ kind: 'condition', path, operator: 'like', value, valueType: 'string' });
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collect(item, path, out, max);
    return;
  }
  if (!isElement(value)) return;
  for (const [key, child] of Object.entries(value)) {
    if (key === '#text') {
      collect(child, path, out, max);
      continue;
    }
    const childPath = [...path, key];
    // The same grammar as `where` paths: handlers (and their SQL) can rely on it, whichever way a
    // consumer filtered; a key with no value is refused too, since it can only be a mistake.
    const problem = pathProblem(childPath);
    if (problem) {
      throw new BadRequestError(`Invalid query by example at ${childPath.join('/').slice(0, 200)}: ${problem}`, { scope: 'Query' });
    }
    collect(child, childPath, out, max);
  }
}
