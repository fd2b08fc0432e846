/**
 * The query language handed to handlers: a parsed `where` clause (or a query-by-example turned into
 * one) and an `order` clause. Paths are relative to the object root; an attribute is the last step,
 * written with `@` (e.g. `['@refId']`, `['name', '@type']`).
 *
 * @example
 * // [(name/familyName="Smith") and (name/givenName="Amy" or name/givenName="Eve")]
 * const where: WhereNode = {
 *   kind: 'and',
 *   children: [
 *     { kind: 'condition', path: ['name', 'familyName'], operator: '=', value: 'Smith', valueType: 'string' },
 *     { kind: 'or', children: [ …givenName="Amy"…, …givenName="Eve"… ] },
 *   ],
 * };
 */
export type WhereNode = WhereCondition | WhereJunction;

/** Comparison operators; `like` comes only from query by example (`%` wildcards). */
export type WhereOperator = '=' | '!=' | '<' | '>' | '<=' | '>=' | 'like';

/** One comparison of the values at a path with a literal. */
export interface WhereCondition {
  readonly kind: 'condition';
  readonly path: readonly string[];
  readonly operator: WhereOperator;
  readonly value: string;
  /** A quoted literal compares as text; an unquoted one as a number. */
  readonly valueType: 'string' | 'number';
}

/** All (`and`) or any (`or`) of its children. */
export interface WhereJunction {
  readonly kind: 'and' | 'or';
  readonly children: readonly WhereNode[];
}

/** One key of an `order` clause. */
export interface OrderTerm {
  readonly path: readonly string[];
  readonly direction: 'ascending' | 'descending';
}
