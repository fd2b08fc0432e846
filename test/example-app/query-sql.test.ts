import fc from 'fast-check';
import type { GoessnerObject, OrderTerm, WhereNode } from 'sif3-direct';
import { compareByOrder, matchesWhere, parseOrder, parseWhere, valuesAt } from 'sif3-direct';
import { startExample } from '../helpers/example';
import type { PagedQuery } from '../../example-app/handlers/document-table';
import { queryDocuments } from '../../example-app/handlers/document-table';
import { STUDENTS_SHAPE } from '../../example-app/handlers/students';
import { whereToSql } from '../../example-app/query/sql';
import { BadRequestError } from '../../lib/errors';
import { likeArb, orderArb, whereArb } from '../helpers/query-arbitraries';

// The example SIS pushes where/order down to SQL, on indexed columns for some paths (@refId,
// localId, names, enrollment/schoolRefId) and on the JSON document for the rest. Its answers must
// be exactly the reference evaluator's, on the real example data, for random queries; a walk that
// seeks past the previous page's last object must give exactly the pages OFFSET gives; and no value
// ever reaches SQL text.

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
  const result = queryDocuments(example.sis, STUDENTS_SHAPE, undefined, { page: 1, pageSize: 10_000, offset: 0, ...(where ? { where } : {}), ...(order ? { order } : {}) });
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

test('property: no value ever reaches the SQL text, and every placeholder is bound (JSON paths and indexed columns)', () => {
  const replaceValues = (node: WhereNode): WhereNode =>
    node.kind === 'condition' ? { ...node, value: node.valueType === 'number' ? '0' : 'X' } : { ...node, children: node.children.map(replaceValues) };
  fc.assert(
    fc.property(whereArb, (where) => {
      for (const columns of [undefined, STUDENTS_SHAPE.columns]) {
        const real = whereToSql(where, 't.doc', ARRAYS, columns);
        const blank = whereToSql(replaceValues(where), 't.doc', ARRAYS, columns);
        expect(real.sql).toBe(blank.sql);
        expect(real.params.length).toBe((real.sql.match(/\?/g) ?? []).length);
      }
    }),
    { numRuns: 300 },
  );
});

test('the indexed paths are served by indexes, not by scanning the documents', () => {
  const plan = (whereText: string) => {
    const where = whereToSql(parseWhere(whereText), 't.doc', ARRAYS, STUDENTS_SHAPE.columns);
    return (example.sis.prepare(`EXPLAIN QUERY PLAN SELECT t.doc FROM students AS t WHERE ${where.sql} ORDER BY t.rowid LIMIT 10`).all(...where.params) as { detail: string }[])
      .map((r) => r.detail)
      .join('; ');
  };
  const refId = String(students[1234]!['@refId']);
  expect(plan(`[@refId="${refId}"]`)).toMatch(/USING INDEX sqlite_autoindex_students_1/);
  expect(plan('[localId="100100"]')).toMatch(/USING INDEX students_by_doc_local_id/);
  expect(plan('[name/familyName="Smith"]')).toMatch(/USING INDEX students_by_doc_family_name/);
  expect(plan('[name/givenName="Amy"]')).toMatch(/USING INDEX students_by_doc_given_name/);
  expect(plan(`[enrollment/schoolRefId="${String((students[0]!.enrollment as GoessnerObject).schoolRefId)}"]`)).toMatch(/USING INDEX students_by_school/);
  expect(viaSql(parseWhere(`[@refId="${refId}"]`), undefined)).toEqual([refId]);
});

/** The cursor the library hands over for a page that continues a walk: the last object and its order values. */
function cursorOf(object: GoessnerObject, order: readonly OrderTerm[] | undefined) {
  return { id: String(object['@refId']), orderValues: (order ?? []).map((term) => valuesAt(object, term.path)[0]) };
}

/** Every page of a query, walked by OFFSET or by seeking past each page's last object. */
function walk(where: WhereNode | undefined, order: readonly OrderTerm[] | undefined, pageSize: number, seek: boolean): string[][] {
  const pages: string[][] = [];
  let previous: GoessnerObject | undefined;
  let knownTotal: number | undefined;
  for (let page = 1; ; page++) {
    const query: PagedQuery = {
      page,
      pageSize,
      // Seeking, the offset is withheld (0): a page right only by falling back to OFFSET would fail.
      offset: seek ? 0 : (page - 1) * pageSize,
      ...(where ? { where } : {}),
      ...(order ? { order } : {}),
      ...(seek && previous ? { after: cursorOf(previous, order), knownTotal: knownTotal! } : {}),
    };
    const result = queryDocuments(example.sis, STUDENTS_SHAPE, undefined, query);
    knownTotal ??= result.totalCount;
    expect(result.totalCount).toBe(knownTotal);
    if (result.objects.length === 0) break;
    pages.push(result.objects.map((o) => String(o['@refId'])));
    previous = result.objects.at(-1);
    if (result.objects.length < pageSize) break;
  }
  return pages;
}

test('property: a walk that seeks past each page\'s last object gives exactly the pages OFFSET gives', () => {
  fc.assert(
    fc.property(fc.option(whereArb, { nil: undefined }), fc.option(orderArb, { nil: undefined }), fc.constantFrom(1, 50, 333, 999), (where, order, pageSize) => {
      const expected = viaEvaluator(where, order);
      // One object a page over 2,000 students is 2,000 queries of each walk: only for small answers.
      fc.pre(pageSize > 1 || expected.length <= 60);
      const byOffset = walk(where, order, pageSize, false);
      const bySeek = walk(where, order, pageSize, true);
      expect(bySeek).toEqual(byOffset);
      expect(bySeek.flat()).toEqual(expected);
    }),
    { numRuns: 40 },
  );
});

test('a cursor is followed when it is current, and OFFSET is used when it is stale or unknown', () => {
  const order = parseOrder('[name/familyName=descending;localId=ascending]');
  const all = viaEvaluator(undefined, order);
  const byId = new Map(students.map((s) => [String(s['@refId']), s]));
  const at = (i: number) => byId.get(all[i]!)!;
  const page = (after: PagedQuery['after'], offset: number) =>
    queryDocuments(example.sis, STUDENTS_SHAPE, undefined, { page: 2, pageSize: 5, offset, order, ...(after ? { after } : {}) }).objects.map((o) => String(o['@refId']));
  // The offset is deliberately wrong: a followed cursor is what puts the page after object 99.
  expect(page(cursorOf(at(99), order), 0)).toEqual(all.slice(100, 105));
  // A cursor whose order values no longer match its object, or whose object is gone: OFFSET.
  expect(page({ id: all[99]!, orderValues: ['Zzz', '1'] }, 10)).toEqual(all.slice(10, 15));
  expect(page({ id: 'no-such-student', orderValues: cursorOf(at(99), order).orderValues }, 10)).toEqual(all.slice(10, 15));
  expect(page({ id: all[99]!, orderValues: [] }, 10)).toEqual(all.slice(10, 15));
});

test('a page anywhere in the whole table (found through the narrow row index) is the OFFSET page', () => {
  const all = viaEvaluator(undefined, undefined);
  for (const offset of [0, 1, 999, 1995, 1999, 2000, 5000]) {
    const result = queryDocuments(example.sis, STUDENTS_SHAPE, undefined, { page: 1, pageSize: 10, offset });
    expect(result.objects.map((o) => String(o['@refId']))).toEqual(all.slice(offset, offset + 10));
    expect(result.totalCount).toBe(2000);
  }
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
