import request from 'supertest';
import type { QueryRequest, ServiceDefinition } from 'sif3-direct';
import { SifConfigError, createSifProvider } from 'sif3-direct';
import { parseXml } from '../../lib/payload/xml';
import { basicAuth } from '../helpers/consumer-auth';
import { hostPerTest, register } from '../helpers/host';
import { memoryService, student } from '../helpers/memory-service';

// Bulk queries (Base Architecture §5.4.1): a query that names no paging answers every matching
// object in one message, or 413 when that is too large; never a silent first page (issue #13).

const host = hostPerTest();
const rc = '/sif3/requests';

/** A host with `count` students, a memory service that records every page asked of it. */
async function seeded(count: number, options: { limits?: Record<string, number>; paging?: Record<string, number>; totals?: boolean; seek?: boolean } = {}) {
  const students = memoryService({ objectName: 'xStudent', seek: options.seek });
  for (let i = 1; i <= count; i++) students.objects.set(String(student(i)['@refId']), student(i));
  const asked: QueryRequest[] = [];
  const query = students.definition.handlers!.query!;
  const definition: ServiceDefinition = {
    ...students.definition,
    handlers: {
      ...students.definition.handlers,
      query: async (ctx, q) => {
        asked.push(q);
        const result = await query(ctx, q);
        return options.totals === false ? { objects: result.objects } : result;
      },
    },
  };
  const h = host({ services: { xStudents: definition }, ...(options.limits ? { limits: options.limits } : {}), ...(options.paging ? { paging: options.paging } : {}) });
  const auth = basicAuth((await register(h)).sessionToken, 'DemoSecret');
  return { h, auth, asked, objects: students.objects };
}

describe('bulk queries (Base Architecture §5.4.1 Bulk)', () => {
  test('every object of a query without paging, walked in pages of paging.maxPageSize, each told where the last ended', async () => {
    const { h, auth, asked } = await seeded(250, { paging: { maxPageSize: 100 }, seek: true });
    const res = await request(h.app).get(`${rc}/xStudents`).set('Authorization', auth).set('Accept', 'application/json');
    expect(res.status).toBe(200);
    expect(res.body.xStudents.xStudent).toHaveLength(250);
    expect(res.headers).toMatchObject({ navigationpage: '1', navigationpagesize: '250', navigationcount: '250', navigationlastpage: '1' });
    expect(asked.map((q) => [q.page, q.pageSize, q.offset])).toEqual([[1, 100, 0], [2, 100, 100], [3, 100, 200]]);
    expect(asked[1]!.after?.id).toBe(String(student(100)['@refId']));
    expect(asked[2]!.knownTotal).toBe(250);
  });

  test('with where and order: all that match, in order', async () => {
    const { h, auth } = await seeded(300, { paging: { maxPageSize: 50 } });
    const where = encodeURIComponent('[localId>"1100"]');
    const order = encodeURIComponent('[localId=descending]');
    const res = await request(h.app).get(`${rc}/xStudents?where=${where}&order=${order}`).set('Authorization', auth).set('Accept', 'application/json');
    expect(res.status).toBe(200);
    const ids = res.body.xStudents.xStudent.map((s: { localId: string }) => Number(s.localId));
    expect(ids).toEqual(Array.from({ length: 200 }, (_, i) => 1300 - i));
  });

  test('more matching objects than limits.maxBulkQueryObjects → 413 telling to page, from the first page\'s count alone', async () => {
    const { h, auth, asked } = await seeded(250, { limits: { maxBulkQueryObjects: 100 } });
    const res = await request(h.app).get(`${rc}/xStudents`).set('Authorization', auth);
    expect(res.status).toBe(413);
    const error = parseXml(res.text).value;
    expect(error.code).toBe('413');
    expect(String(error.message)).toMatch(/250 objects.*at most 100/);
    expect(String(error.description)).toMatch(/navigationPageSize.*limits\.maxBulkQueryObjects/);
    expect(asked).toHaveLength(1);
  });

  test('a handler that reports no totalCount: objects are counted, and one past the limit is a 413', async () => {
    const fits = await seeded(100, { limits: { maxBulkQueryObjects: 100 }, totals: false, paging: { maxPageSize: 40 } });
    const ok = await request(fits.h.app).get(`${rc}/xStudents`).set('Authorization', fits.auth).set('Accept', 'application/json');
    expect([ok.status, ok.body.xStudents.xStudent.length, ok.headers.navigationcount]).toEqual([200, 100, '100']);
    const over = await seeded(101, { limits: { maxBulkQueryObjects: 100 }, totals: false, paging: { maxPageSize: 40 } });
    const res = await request(over.h.app).get(`${rc}/xStudents`).set('Authorization', over.auth);
    expect(res.status).toBe(413);
    expect(String(parseXml(res.text).value.message)).toMatch(/more than 100/);
  });

  test('the limit is checked with a page one larger than it: a limit below the page size costs one page', async () => {
    const { h, auth, asked } = await seeded(30, { limits: { maxBulkQueryObjects: 10 }, totals: false });
    expect((await request(h.app).get(`${rc}/xStudents`).set('Authorization', auth)).status).toBe(413);
    expect(asked.map((q) => q.pageSize)).toEqual([11]);
  });

  test('nothing matches → 204 with navigationCount 0', async () => {
    const { h, auth } = await seeded(0);
    const res = await request(h.app).get(`${rc}/xStudents`).set('Authorization', auth);
    expect(res.status).toBe(204);
    expect(res.headers.navigationcount).toBe('0');
  });

  test('query by example is bulk too (service paths: query.test.ts)', async () => {
    const { h, auth } = await seeded(150, { paging: { maxPageSize: 100 } });
    const qbe = await request(h.app).post(`${rc}/xStudents`).set('Authorization', auth).set('methodOverride', 'GET').set('Accept', 'application/json')
      .type('json').send({ xStudent: { name: { familyName: 'Family%' } } });
    expect([qbe.status, qbe.body.xStudents?.xStudent.length]).toEqual([200, 150]);
  });

  test('HEAD without paging: the bulk answer\'s counts from one page, never a 413 (it carries no objects)', async () => {
    const { h, auth, asked } = await seeded(250, { limits: { maxBulkQueryObjects: 100 } });
    const res = await request(h.app).head(`${rc}/xStudents`).set('Authorization', auth);
    expect(res.status).toBe(200);
    expect(res.headers).toMatchObject({ navigationcount: '250', navigationlastpage: '1' });
    expect(res.headers.changessincemarker).toBeDefined();
    expect(asked).toHaveLength(1);
  });

  test('naming a page size, a page or a navigationId makes it a paged query', async () => {
    const { h, auth } = await seeded(250);
    const sized = await request(h.app).get(`${rc}/xStudents`).set('Authorization', auth).set('navigationPageSize', '30').set('Accept', 'application/json');
    expect([sized.body.xStudents.xStudent.length, sized.headers.navigationlastpage]).toEqual([30, '9']);
    const paged = await request(h.app).get(`${rc}/xStudents?navigationPage=1`).set('Authorization', auth).set('Accept', 'application/json');
    expect([paged.body.xStudents.xStudent.length, paged.headers.navigationlastpage]).toEqual([100, '3']);
  });
});

describe('limits.maxBulkQueryObjects', () => {
  test.each([0, -1, 1.5, '100'])('%p is refused at start-up with an error naming the option', (value) => {
    const options = { database: ':memory:', consumers: [], services: {}, limits: { maxBulkQueryObjects: value as number } };
    expect(() => createSifProvider(options)).toThrow(SifConfigError);
    expect(() => createSifProvider(options)).toThrow(/limits\.maxBulkQueryObjects/);
  });
});
