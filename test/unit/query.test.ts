import fc from 'fast-check';
import { BadRequestError, QuotaExceededError } from '../../lib/errors';
import type { GoessnerObject } from '../../lib/payload/goessner';
import { compareByOrder, exampleToWhere, matchesWhere, parseOrder, parseWhere } from '../../lib/query';
import { formatOrder, formatWhere, orderArb, whereArb } from '../helpers/query-arbitraries';

const cond = (path: string, operator: string, value: string, valueType = 'string') => ({
  kind: 'condition',
  path: path.split('/'),
  operator,
  value,
  valueType,
});

describe('parseWhere', () => {
  test.each([
    ['[name/familyName="Smith"]', cond('name/familyName', '=', 'Smith')],
    ['name/familyName = "Smith"', cond('name/familyName', '=', 'Smith')],
    ['[@refId=1234]', cond('@refId', '=', '1234', 'number')],
    ['[(studentssections/section=”CIS 101”)]', cond('studentssections/section', '=', 'CIS 101')],
    ["[grade>='09']", cond('grade', '>=', '09')],
    ['[name/@type!="x"]', cond('name/@type', '!=', 'x')],
  ])('%s', (text, expected) => {
    expect(parseWhere(text)).toEqual(expected);
  });

  test('the spec and interop.md examples', () => {
    expect(parseWhere('[(name/nameOfRecord/familyName="Smith")and(name/nameOfRecord/givenName="John")]')).toEqual({
      kind: 'and',
      children: [cond('name/nameOfRecord/familyName', '=', 'Smith'), cond('name/nameOfRecord/givenName', '=', 'John')],
    });
    expect(parseWhere('[(name/familyName="Smith") and (name/givenName="Amy" or name/givenName="Eve")]')).toEqual({
      kind: 'and',
      children: [cond('name/familyName', '=', 'Smith'), { kind: 'or', children: [cond('name/givenName', '=', 'Amy'), cond('name/givenName', '=', 'Eve')] }],
    });
    expect(parseWhere('[a="1" or b="2" or c=3]')).toEqual({ kind: 'or', children: [cond('a', '=', '1'), cond('b', '=', '2'), cond('c', '=', '3', 'number')] });
  });

  test.each([
    ['[a="1" and b="2" or c="3"]', 18, 'mixing'],
    ['[(a="1" and (b="2"))]', 13, 'expected an element path'],
    ['[a="1"', 7, 'expected "]"'],
    ['[a=1; DROP TABLE students]', 5, 'unexpected ";"'],
    ['[a=unquoted]', 4, 'expected a value'],
    ['[a="open]', 4, 'not closed'],
    ['[a=="1"]', 4, 'expected a value'],
    ['[a/@b/c="1"]', 2, 'attribute'],
    ['[]', 2, 'expected an element path'],
    ['[a="1"] x', 9, 'unexpected'],
    ['[a !~ "1"]', 4, 'not an operator'],
  ])('%s → 400 at position %i', (text, position, problem) => {
    expect(() => parseWhere(text)).toThrow(BadRequestError);
    expect(() => parseWhere(text)).toThrow(new RegExp(`position ${position}: .*${problem}`));
  });

  test('property: every valid tree survives formatting and parsing', () => {
    fc.assert(
      fc.property(whereArb, (tree) => {
        expect(parseWhere(formatWhere(tree))).toEqual(tree);
      }),
      { numRuns: 500 },
    );
  });

  test('property: any input either parses or is a 400, never another error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 80 }), fc.stringMatching(/^[[\]()"'a-z/@=!<>0-9 .-]{0,60}$/)), (text) => {
        try {
          parseWhere(text);
        } catch (err) {
          expect(err).toBeInstanceOf(BadRequestError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('bounds on a where clause', () => {
  const ors = (n: number) => `[${Array.from({ length: n }, (_, i) => `a="${i}"`).join(' or ')}]`;

  test('more conditions than limits.maxWhereConditions is a 400 that names the limit', () => {
    expect(() => parseWhere(ors(100))).not.toThrow();
    for (const [text, max] of [[ors(101), undefined], [ors(4), 3], ['[(a="1" and b="2") or (c="3" and d="4")]', 3]] as const) {
      let error: unknown;
      try {
        parseWhere(text, max === undefined ? {} : { maxConditions: max });
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(QuotaExceededError);
      expect(error).toMatchObject({ status: 400, limit: 'limits.maxWhereConditions', message: expect.stringContaining('limits.maxWhereConditions') });
    }
    expect(parseWhere(ors(3), { maxConditions: 3 })).toMatchObject({ kind: 'or' });
  });

  test('hostile clauses are refused with a 400 at once: deep parentheses, the longest text, long paths', () => {
    expect(() => parseWhere(`[${'('.repeat(1990)}a="1"${')'.repeat(1990)}]`)).toThrow(/position 3: expected an element path/);
    expect(() => parseWhere('a'.repeat(4001))).toThrow(/longer than 4000/);
    expect(() => parseWhere(`[${'a/'.repeat(1990)}a="1"]`)).not.toThrow();
    expect(() => parseWhere(`[a=${'1'.repeat(3990)}x]`)).toThrow(BadRequestError);
    expect(() => parseWhere(`[${'a="1" and '.repeat(399)}a="1"]`, { maxConditions: 1000 })).not.toThrow();
  });
});

describe('bounds on a query by example', () => {
  test('more values than limits.maxWhereConditions is a 400 that names the limit', () => {
    const many = (n: number) => ({ otherIds: { otherId: Array.from({ length: n }, (_, i) => ({ id: String(i) })) } });
    expect(() => exampleToWhere(many(100))).not.toThrow();
    expect(() => exampleToWhere(many(101))).toThrow(QuotaExceededError);
    expect(() => exampleToWhere(many(4), { maxConditions: 3 })).toThrow(expect.objectContaining({ status: 400, limit: 'limits.maxWhereConditions' }));
    expect(exampleToWhere(many(3), { maxConditions: 3 })).toMatchObject({ kind: 'and' });
  });

  test.each<[string, GoessnerObject, string]>([
    ['a space', { name: { 'given name': 'Amy' } }, 'name/given name'],
    ['a quote', { 'a"b': 'x' }, 'a"b'],
    ['a JSON path', { '$.name': 'x' }, '$.name'],
    ['an attribute with children', { name: { '@type': { x: 'y' } } }, 'name/@type/x'],
    ['an empty key', { '': 'x' }, ''],
    ['a bracket, even without a value', { 'a[0]': '' }, 'a[0]'],
  ])('a key that is not a where step (%s) is a 400 naming its path', (_why, example, path) => {
    expect(() => exampleToWhere(example)).toThrow(BadRequestError);
    expect(() => exampleToWhere(example)).toThrow(`Invalid query by example at ${path}:`);
  });

  test('keys that are where steps are accepted, #text included', () => {
    expect(exampleToWhere({ 'x-y.z_1': { '@_a': 'v', '#text': 't' } })).toEqual({
      kind: 'and',
      children: [cond('x-y.z_1/@_a', 'like', 'v'), cond('x-y.z_1', 'like', 't')],
    });
  });
});

describe('parseOrder', () => {
  test('keys and directions', () => {
    expect(parseOrder('[name/familyName=ascending;name/givenName=DESCENDING]')).toEqual([
      { path: ['name', 'familyName'], direction: 'ascending' },
      { path: ['name', 'givenName'], direction: 'descending' },
    ]);
  });
  test.each(['[name=up]', '[=ascending]', '[a=ascending;;]', '[a;b=ascending]'])('%s is a 400', (text) => {
    expect(() => parseOrder(text)).toThrow(BadRequestError);
  });
  test('property: formatted orders parse back', () => {
    fc.assert(fc.property(orderArb, (order) => expect(parseOrder(formatOrder(order))).toEqual(order)));
  });
});

describe('reference evaluator', () => {
  const amy: GoessnerObject = {
    '@refId': 'r1',
    name: { '@type': 'LegalName', familyName: 'Smith', givenName: 'Amy' },
    localId: '17',
    otherIds: { otherId: [{ type: 'State', id: '900' }, { type: 'District', id: '12' }] },
    note: { '@lang': 'en', '#text': 'hello' },
  };

  test.each([
    ['[name/familyName="Smith"]', true],
    ['[name/familyName!="Smith"]', false],
    ['[name/@type="LegalName"]', true],
    ['[@refId="r1"]', true],
    ['[localId=17]', true],
    ['[localId>9]', true],
    ['[localId>"9"]', false],
    ['[otherIds/otherId/id="12"]', true],
    ['[otherIds/otherId/type!="State"]', true],
    ['[missing="x"]', false],
    ['[missing!="x"]', false],
    ['[note="hello"]', true],
    ['[name/familyName="Smith" and (name/givenName="Eve" or name/givenName="Amy")]', true],
    ['[(name/familyName="Jones") or (localId<=16)]', false],
  ])('%s → %s', (where, expected) => {
    expect(matchesWhere(amy, parseWhere(where))).toBe(expected);
  });

  test('query by example: like with %, case-insensitive, all conditions', () => {
    expect(matchesWhere(amy, exampleToWhere({ name: { familyName: 'sm%' } }))).toBe(true);
    expect(matchesWhere(amy, exampleToWhere({ name: { familyName: '%MIT%', givenName: 'Amy' } }))).toBe(true);
    expect(matchesWhere(amy, exampleToWhere({ name: { familyName: 'Smith', givenName: 'Eve' } }))).toBe(false);
    expect(matchesWhere(amy, exampleToWhere({ name: { '@type': 'Legal%' } }))).toBe(true);
    expect(matchesWhere(amy, exampleToWhere({ localId: '1_' }))).toBe(false);
    expect(() => exampleToWhere({ name: {} })).toThrow(BadRequestError);
  });

  test('order: by text, missing first when ascending, stable for ties', () => {
    const objects: GoessnerObject[] = [{ n: 'b' }, { n: 'a', m: '2' }, {}, { n: 'a', m: '1' }];
    const sorted = [...objects].sort((x, y) => compareByOrder(x, y, parseOrder('[n=ascending;m=descending]')));
    expect(sorted).toEqual([{}, { n: 'a', m: '2' }, { n: 'a', m: '1' }, { n: 'b' }]);
  });
});
