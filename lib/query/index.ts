// The query language: AST types, parsers and the reference evaluator.
export type { OrderTerm, WhereCondition, WhereJunction, WhereNode, WhereOperator } from './ast';
export type { WhereOptions } from './where';
export { countConditions, parseWhere, tooManyConditions, WHERE_LIMITS } from './where';
export { pathProblem, STEP_PATTERN } from './path';
export { parseOrder } from './order';
export { exampleToWhere } from './example';
export { asNumber, compareByOrder, matchesWhere, satisfies, valuesAt } from './evaluate';
export { foldAscii, likeMatches } from './like';
