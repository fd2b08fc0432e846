import fc from 'fast-check';
import type { OrderTerm, WhereCondition, WhereNode } from '../../lib/query';

// Random queries over the xStudent shape of the example data, for property tests.

export const STUDENT_PATHS: string[][] = [
  ['name', 'familyName'],
  ['name', 'givenName'],
  ['name', 'type'],
  ['localId'],
  ['demographics', 'sex'],
  ['demographics', 'birthDate'],
  ['enrollment', 'gradeLevel'],
  ['enrollment', 'homeRoomNumber'],
  ['enrollment', 'schoolRefId'],
  ['otherIds', 'otherId', 'id'],
  ['otherIds', 'otherId', 'type'],
  ['@refId'],
  ['missing', 'element'],
];

const TEXT_VALUES = ['Smith', 'Jones', 'Amy', 'Eve', 'Male', 'Female', 'LegalName', '02', '10', 'KG', 'State', '', 'a"b', 'Zoe', 'Park'];

export const conditionArb: fc.Arbitrary<WhereCondition> = fc.record({
  kind: fc.constant('condition' as const),
  path: fc.constantFrom(...STUDENT_PATHS),
  operator: fc.constantFrom('=', '!=', '<', '>', '<=', '>=' as const),
  value: fc.oneof(fc.constantFrom(...TEXT_VALUES), fc.integer({ min: -5, max: 200000 }).map(String), fc.string({ maxLength: 6 })),
  valueType: fc.constant('string' as const),
}).chain((c) =>
  /^-?\d+$/.test(c.value) ? fc.constantFrom(c, { ...c, valueType: 'number' as const }) : fc.constant({ ...c, value: c.value.replace(/["\u201C\u201D]/g, '') }),
);

/** Valid where trees: a condition, a junction of conditions, or a junction of groups. */
export const whereArb: fc.Arbitrary<WhereNode> = fc.oneof(
  conditionArb,
  fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), children: fc.array(conditionArb, { minLength: 2, maxLength: 4 }) }),
  fc.record({
    kind: fc.constantFrom('and' as const, 'or' as const),
    children: fc.array(
      fc.oneof(conditionArb, fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), children: fc.array(conditionArb, { minLength: 2, maxLength: 3 }) })),
      { minLength: 2, maxLength: 3 },
    ),
  }),
);

export const orderArb: fc.Arbitrary<OrderTerm[]> = fc.array(
  fc.record({ path: fc.constantFrom(...STUDENT_PATHS), direction: fc.constantFrom('ascending' as const, 'descending' as const) }),
  { minLength: 1, maxLength: 3 },
);

/** Writes a where tree in the wire syntax. */
export function formatWhere(node: WhereNode, nested = false): string {
  if (node.kind === 'condition') {
    const value = node.valueType === 'number' ? node.value : `"${node.value}"`;
    return `${node.path.join('/')}${node.operator}${value}`;
  }
  const inner = node.children.map((c) => (c.kind === 'condition' ? formatWhere(c, true) : `(${formatWhere(c, true)})`)).join(` ${node.kind} `);
  return nested ? inner : `[${inner}]`;
}

export function formatOrder(order: OrderTerm[]): string {
  return `[${order.map((t) => `${t.path.join('/')}=${t.direction}`).join(';')}]`;
}

/** Query-by-example conditions (`like`, `%` wildcards, and a literal `_` that must not be a wildcard). */
export const likeArb: fc.Arbitrary<WhereNode> = fc
  .array(
    fc.record({
      kind: fc.constant('condition' as const),
      path: fc.constantFrom(...STUDENT_PATHS),
      operator: fc.constant('like' as const),
      value: fc.constantFrom('S%', '%o%', 'smith', 'J%s', '%', 'A_y', '%_%', '0%', 'male', '%e'),
      valueType: fc.constant('string' as const),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .map((children) => (children.length === 1 ? children[0]! : { kind: 'and' as const, children }));
