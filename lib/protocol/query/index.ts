// The query language: AST types, parsers and the reference evaluator.
export type { OrderTerm, WhereCondition, WhereJunction, WhereNode, WhereOperator } from './ast';
export { parseWhere, WHERE_LIMITS } from './where';
export { parseOrder } from './order';
export { exampleToWhere } from './example';
export { asNumber, compareByOrder, foldAscii, matchesWhere, satisfies, valuesAt } from './evaluate';
