import fc from 'fast-check';
import type { GoessnerObject, WhereNode } from 'sif3-direct';
import { compareByOrder, matchesWhere, parseWhere } from 'sif3-direct';
import { startExample } from '../helpers/example';
import { queryDocuments } from '../../example-app/handlers/document-table';
import { whereToSql } from '../../example-app/query/sql';
import { BadRequestError } from '../../lib/errors';
import { likeArb, orderArb, whereArb } from '../helpers/query-arbitraries';

// The example SIS pushes where/order down to SQL. Its answers must be exactly the reference
// evaluator's, on the real example data, for random queries; and no value ever reaches SQL text.

let example: ReturnType<typeof startExample>;
let students: GoessnerObject[];
const ARRAYS = new Set(['otherIds/otherId', 'otherNames/name', 'otherPhoneNumbers/phoneNumber', 'otherEmails/email', 'demographics/races/race', 'studentContacts/contactPersonRefId', 'languages/language']);

beforeAll(() => {
  example = startExample();
  students = (example.sis.prepare('SELECT doc FROM students ORDER BY seq').pluck().all() as string[]).map((d) => JSON.parse(d));
});
afterAll(async () => {
  await example.close();
});

function viaSql(where: WhereNode | undefined, order: Parameters<typeof compareByOrder>[2] | undefined): string[] {
  const result = queryDocuments(example.sis, 'students', ARRAYS, undefined, { page: 1, pageSize: 10_000, offset: 0, ...(where ? { where } : {}), ...(order ? { order } : {}) });
  expect(result.totalCount).toBe(result.objects.length);
  return result.objects.map((o) => String(o['@refId']));
}

function viaEvaluator(where: WhereNode | undefined, order: Parameters<typeof compareByOrder>[2] | undefined): string[] {
  let objects = where ? students.filter((s) => matchesWhere(s, where)) : [...students];
  if (order) objects = objects.sort((a, b) => compareByOrder(a, b, order));
  return objects.map((o) => String(o['@refId']));
}

test('the data has what the queries look at', () => {
  expect(students).toHaveLength(2000);
  expect(viaSql(parseWhere('[otherIds/otherId/type="State"]'), undefined)).toHaveLength(2000);
  expect(viaSql(parseWhere('[name/familyName="Smith"]'), undefined).length).toBeGreaterThan(10);
});

test('property: random where clauses select exactly what the evaluator selects', () => {
  fc.assert(
    fc.property(whereArb, (where) => {
      expect(viaSql(where, undefined)).toEqual(viaEvaluator(where, undefined));
    }),
    { numRuns: 150 },
  );
});

test('property: random queries by example (like, %, a literal _) select what the evaluator selects', () => {
  fc.assert(
    fc.property(likeArb, (where) => {
      expect(viaSql(where, undefined)).toEqual(viaEvaluator(where, undefined));
    }),
    { numRuns: 100 },
  );
});

test('property: random where + order give the same objects in the same order', () => {
  fc.assert(
    fc.property(fc.option(whereArb, { nil: undefined }), orderArb, (where, order) => {
      expect(viaSql(where, order)).toEqual(viaEvaluator(where, order));
    }),
    { numRuns: 100 },
  );
});

test('property: no value ever reaches the SQL text, and every placeholder is bound', () => {
  const replaceValues = (node: WhereNode): WhereNode =>
    node.kind === 'condition' ? { ...node, value: node.valueType === 'number' ? '0' : 'X' } : { ...node, children: node.children.map(replaceValues) };
  fc.assert(
    fc.property(whereArb, (where) => {
      const real = whereToSql(where, 't.doc', ARRAYS);
      const blank = whereToSql(replaceValues(where), 't.doc', ARRAYS);
      expect(real.sql).toBe(blank.sql);
      expect(real.params.length).toBe((real.sql.match(/\?/g) ?? []).length);
    }),
    { numRuns: 300 },
  );
});

test('property: random text as a where clause is a 400 or a valid tree, never anything else', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 100 }), (text) => {
      let tree: WhereNode | undefined;
      try {
        tree = parseWhere(text);
      } catch (err) {
        expect(err).toBeInstanceOf(BadRequestError);
        return;
      }
      expect(() => viaSql(tree, undefined)).not.toThrow();
    }),
    { numRuns: 1000 },
  );
});
