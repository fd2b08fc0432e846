import request from 'supertest';
import type { ConsumerEntry } from 'sif3-direct';
import { matchesWhere } from 'sif3-direct';
import { parseXml, toXml } from '../../lib/payload/xml';
import { basicAuth } from '../helpers/consumer-auth';
import type { TestHost } from '../helpers/host';
import { createTestHost, register } from '../helpers/host';
import { NA_NS, memoryService, student } from '../helpers/memory-service';

const rc = '/sif3/requests';
const SCHOOL_A = '00000000-0000-4000-8000-00000000000a';
const SCHOOL_B = '00000000-0000-4000-8000-00000000000b';

function studentsOf(n: number) {
  return Array.from({ length: n }, (_, i) =>
    student(i + 1, {
      name: { type: 'LegalName', familyName: ['Smith', 'Jones', 'Park'][i % 3]!, givenName: ['Amy', 'Eve', 'Zoe', 'Bo'][i % 4]! },
      enrollment: { schoolRefId: i % 2 === 0 ? SCHOOL_A : SCHOOL_B, gradeLevel: String(1 + (i % 12)).padStart(2, '0') },
    }),
  );
}

const consumers: ConsumerEntry[] = [
  {
    applicationKey: 'DemoApp',
    secret: 'DemoSecret',
    environment: {
      defaultZone: {
        id: 'District',
        services: [
          { name: 'xStudents', rights: ['QUERY', 'CREATE', 'UPDATE', 'DELETE'] },
          { name: 'xSchools/{}/xStudents', rights: ['QUERY'] },
        ],
      },
    },
  },
  { applicationKey: 'NoPaths', secret: 'NoPathsSecret', environment: { defaultZone: { id: 'District', services: [{ name: 'xStudents', rights: ['QUERY'] }] } } },
];

let host: TestHost;
let auth: string;
let students: ReturnType<typeof memoryService>;

beforeEach(async () => {
  students = memoryService({
    objectName: 'xStudent',
    objects: studentsOf(30),
    paths: {
      'xSchools/{}/xStudents': async (_ctx, [schoolRefId], query) => {
        const all = [...students.objects.values()].filter((s) => (s.enrollment as { schoolRefId: string }).schoolRefId === schoolRefId);
        const filtered = query.where ? all.filter((s) => matchesWhere(s, query.where!)) : all;
        return { objects: filtered.slice(query.offset, query.offset + query.pageSize), totalCount: filtered.length };
      },
    },
  });
  host = createTestHost({ services: { xStudents: students.definition, xSchools: {} }, consumers, changeLog: { maxEntries: 50 } });
  auth = basicAuth((await register(host)).sessionToken, 'DemoSecret');
});
afterEach(async () => {
  await host.close();
});

const get = (path: string) => request(host.app).get(`${rc}${path}`).set('Authorization', auth).set('Accept', 'application/json');
const names = (res: request.Response) =>
  (res.body.xStudents?.xStudent ?? []).map((s: { name: { familyName: string; givenName: string } }) => `${s.name.familyName} ${s.name.givenName}`);

describe('where and order', () => {
  test('filters with and/or groups, sorts, pages, and counts the filtered set', async () => {
    const where = encodeURIComponent('[(name/familyName="Smith") and (name/givenName="Amy" or name/givenName="Zoe")]');
    const order = encodeURIComponent('[name/givenName=descending;localId=ascending]');
    const res = await get(`/xStudents?where=${where}&order=${order}&navigationPageSize=3`);
    expect(res.status).toBe(200);
    expect(names(res)).toEqual(['Smith Zoe', 'Smith Zoe', 'Smith Amy']);
    expect(res.headers).toMatchObject({ navigationcount: '5', navigationlastpage: '2' });
    const page2 = await get(`/xStudents?where=${where}&order=${order}&navigationPageSize=3&navigationPage=2`);
    expect(names(page2)).toEqual(['Smith Amy', 'Smith Amy']);
  });

  test('an invalid or hostile where is a 400 naming the position', async () => {
    const res = await get(`/xStudents?where=${encodeURIComponent('[name/familyName="x" or 1=1; DROP TABLE students]')}`);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/^Invalid where clause at position \d+/);
  });
});

describe('query by example', () => {
  test.each(['xml', 'json'] as const)('POST + methodOverride: GET with a %s example, % wildcards, paging', async (format) => {
    const example = { name: { familyName: 'J%', givenName: '%e' } };
    const body = format === 'json' ? JSON.stringify({ xStudent: example }) : toXml('xStudent', example, NA_NS);
    const res = await request(host.app)
      .post(`${rc}/xStudents?navigationPageSize=2`)
      .set('Authorization', auth)
      .set('methodOverride', 'GET')
      .set('Accept', 'application/json')
      .type(format)
      .send(body);
    expect(res.status).toBe(200);
    expect(res.headers.responseaction).toBe('QUERY');
    expect(names(res)).toEqual(['Jones Eve', 'Jones Zoe']);
    expect(res.headers.navigationcount).toBe(String([...students.objects.values()].filter((s) => /^Jones (Eve|Zoe)$/.test(`${(s.name as any).familyName} ${(s.name as any).givenName}`)).length));
  });

  test('a service that cannot do it answers 400', async () => {
    const plain = memoryService({ objectName: 'xStudent', supports: {} });
    const h = createTestHost({ services: { xStudents: plain.definition } });
    const a = basicAuth((await register(h)).sessionToken, 'DemoSecret');
    const res = await request(h.app).post(`${rc}/xStudents`).set('Authorization', a).set('methodOverride', 'GET').type('json').send({ xStudent: { localId: '1' } });
    expect(res.status).toBe(400);
    expect(parseXml(res.text).value.message).toMatch(/does not support query by example/);
    await h.close();
  });
});

describe('service paths', () => {
  test('xSchools/{id}/xStudents returns exactly that school’s students, with where and paging', async () => {
    const res = await get(`/xSchools/${SCHOOL_A}/xStudents;zoneId=District?navigationPageSize=100`);
    expect(res.status).toBe(200);
    const refs = res.body.xStudents.xStudent.map((s: { enrollment: { schoolRefId: string } }) => s.enrollment.schoolRefId);
    expect(refs).toHaveLength(15);
    expect(new Set(refs)).toEqual(new Set([SCHOOL_A]));
    const where = encodeURIComponent('[name/familyName="Park"]');
    const filtered = await get(`/xSchools/${SCHOOL_B}/xStudents?where=${where}`);
    expect(names(filtered).every((n: string) => n.startsWith('Park'))).toBe(true);
    expect(filtered.headers.navigationcount).toBe('5');
  });

  test('a service path query without paging is a bulk query; its answer carries serviceType SERVICEPATH (Base Architecture §5.4.1, §5.5)', async () => {
    const res = await get(`/xSchools/${SCHOOL_A}/xStudents`);
    expect(res.status).toBe(200);
    expect(res.body.xStudents.xStudent).toHaveLength(15);
    expect(res.headers).toMatchObject({ navigationcount: '15', navigationlastpage: '1', servicetype: 'SERVICEPATH' });
    expect((await get(`/xSchools/${SCHOOL_A}/xStudents`).set('serviceType', 'OBJECT')).headers.servicetype).toBe('SERVICEPATH');
    expect((await get(`/xSchools/${SCHOOL_A}/xStudents`).set('serviceType', 'UTILITY')).status).toBe(400);
  });

  test('rights are checked on the SERVICEPATH service; unknown paths are 404; only queries are allowed', async () => {
    const other = basicAuth((await register(host, 'NoPaths', 'NoPathsSecret')).sessionToken, 'NoPathsSecret');
    expect((await request(host.app).get(`${rc}/xSchools/${SCHOOL_A}/xStudents`).set('Authorization', other)).status).toBe(404);
    expect((await get(`/xRosters/${SCHOOL_A}/xStudents`)).status).toBe(404);
    expect((await get(`/xSchools/${SCHOOL_A}/xStudents/${SCHOOL_B}`)).status).toBe(404);
    const post = await request(host.app).post(`${rc}/xSchools/${SCHOOL_A}/xStudents`).set('Authorization', auth).type('json').send({ xStudent: {} });
    expect(post.status).toBe(405);
  });
});

describe('HEAD and changes since', () => {
  const marker = async () => {
    const head = await request(host.app).head(`${rc}/xStudents`).set('Authorization', auth);
    expect(head.status).toBe(200);
    expect(head.headers.navigationcount).toBe(String(students.objects.size));
    // The headers its GET would carry, without the body (which is not even built).
    expect(head.headers['content-type']).toMatch(/^application\/xml/);
    expect(head.headers.responseaction).toBe('HEAD');
    expect(head.text ?? '').toBe('');
    return head.headers.changessincemarker as string;
  };
  const since = (m: string, extra = '') => get(`/xStudents?changesSinceMarker=${encodeURIComponent(m)}${extra}`);

  test('returns exactly the changes since the marker, each object once, deletions as ids, then 204', async () => {
    const m0 = await marker();
    expect(m0).toMatch(/^[0-9a-f]{16}\.\d+$/);
    expect((await since(m0)).status).toBe(204);

    const [first, second, third] = [...students.objects.keys()];
    await request(host.app).put(`${rc}/xStudents/${first}`).set('Authorization', auth).type('json').send({ xStudent: { localId: 'changed-once' } });
    await request(host.app).put(`${rc}/xStudents/${first}`).set('Authorization', auth).type('json').send({ xStudent: { localId: 'changed-twice' } });
    await request(host.app).delete(`${rc}/xStudents/${second}`).set('Authorization', auth);
    const created = await request(host.app).post(`${rc}/xStudents/xStudent`).set('Authorization', auth).type('json').send({ xStudent: { name: { familyName: 'New' } } });
    await host.provider.changed('xStudents', 'UPDATE', [students.objects.get(third!)!]);

    const res = await since(m0, '&where=%5BlocalId%3D%22ignored%22%5D');
    expect(res.status).toBe(200);
    const objects = res.body.xStudents.xStudent;
    expect(objects.map((o: { '@refId': string }) => o['@refId'])).toEqual([first, second, parseXml(created.text).value['@refId'], third]);
    expect(objects[0].localId).toBe('changed-twice');
    expect(objects[1]).toEqual({ '@refId': second });
    const m1 = res.headers.changessincemarker as string;
    expect(m1).not.toBe(m0);
    expect(res.headers.navigationcount).toBe('4');

    const nothing = await since(m1);
    expect(nothing.status).toBe(204);
    expect(nothing.headers.changessincemarker).toBe(m1);
  });

  // Issue #13: without paging, changes since were cut to the default page like any query.
  test('without paging the answer holds all changes (Base Architecture §5.10.1), or 413 past limits.maxBulkQueryObjects', async () => {
    const h = createTestHost({ paging: { defaultPageSize: 2 }, limits: { maxBulkQueryObjects: 4 } });
    const a = basicAuth((await register(h)).sessionToken, 'DemoSecret');
    const m0 = (await request(h.app).head(`${rc}/xStudents`).set('Authorization', a)).headers.changessincemarker as string;
    const create = (i: number) => request(h.app).post(`${rc}/xStudents/xStudent`).set('Authorization', a).type('json').send({ xStudent: { localId: String(i) } });
    for (let i = 0; i < 3; i++) await create(i);
    const all = await request(h.app).get(`${rc}/xStudents?changesSinceMarker=${encodeURIComponent(m0)}`).set('Authorization', a).set('Accept', 'application/json');
    expect(all.body.xStudents.xStudent.map((s: { localId: string }) => s.localId)).toEqual(['0', '1', '2']);
    expect(all.headers).toMatchObject({ navigationcount: '3', navigationlastpage: '1' });
    expect(all.headers.changessincemarker).toBeDefined();
    for (let i = 3; i < 5; i++) await create(i);
    const tooMany = await request(h.app).get(`${rc}/xStudents?changesSinceMarker=${encodeURIComponent(m0)}`).set('Authorization', a);
    expect(tooMany.status).toBe(413);
    expect(String(parseXml(tooMany.text).value.description)).toMatch(/navigationPageSize/);
    await h.close();
  });

  test('paging is pinned by navigationId: changes made meanwhile wait for the next call', async () => {
    const m0 = await marker();
    const ids = [...students.objects.keys()];
    for (const id of ids.slice(0, 5)) await host.provider.changed('xStudents', 'UPDATE', [students.objects.get(id)!]);
    const page1 = await since(m0, '&navigationPage=1&navigationPageSize=2');
    expect(page1.headers.navigationlastpage).toBe('3');
    const nav = page1.headers.navigationid as string;
    // Meanwhile the first object changes again: unpinned, it would move and shift the pages.
    await host.provider.changed('xStudents', 'UPDATE', [students.objects.get(ids[0]!)!]);
    const seen = [...page1.body.xStudents.xStudent];
    for (const page of [2, 3]) {
      const res = await get(`/xStudents?changesSinceMarker=${encodeURIComponent(m0)}&navigationPage=${page}&navigationPageSize=2`).set('navigationId', nav);
      expect(res.headers.changessincemarker).toBeUndefined();
      seen.push(...res.body.xStudents.xStudent);
    }
    expect(seen.map((o) => o['@refId'])).toEqual(ids.slice(0, 5));
    const next = await since(page1.headers.changessincemarker as string);
    expect(next.body.xStudents.xStudent.map((o: { '@refId': string }) => o['@refId'])).toEqual([ids[0]]);
  });

  test('markers that were never issued, or are too old, tell the consumer to resynchronise', async () => {
    const m0 = await marker();
    expect((await since('garbage')).status).toBe(400);
    expect((await since('0123456789abcdef.0')).status).toBe(409);
    expect((await since(m0.replace(/\d+$/, '999999'))).status).toBe(409);
    for (let i = 0; i < 60; i++) await host.provider.changed('xStudents', 'UPDATE', [[...students.objects.values()][0]!]);
    const stale = await since(m0);
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toMatch(/resynchronise/);
  });

  test('a service without change tracking answers changes since with 400 and HEAD without a marker', async () => {
    const untracked = memoryService({ objectName: 'xStudent' });
    untracked.definition.changeTracking = false;
    const h = createTestHost({ services: { xStudents: untracked.definition } });
    const a = basicAuth((await register(h)).sessionToken, 'DemoSecret');
    const head = await request(h.app).head(`${rc}/xStudents`).set('Authorization', a);
    expect(head.headers.changessincemarker).toBeUndefined();
    expect((await request(h.app).get(`${rc}/xStudents?changesSinceMarker=x`).set('Authorization', a)).status).toBe(400);
    await h.close();
  });
});

describe('consistent paging', () => {
  test('queryIntention ALL: a navigationId walk stays exact while objects are inserted and deleted between pages', async () => {
    const order = encodeURIComponent('[name/familyName=ascending]');
    const first = await get(`/xStudents?order=${order}&navigationPageSize=10`).set('queryIntention', 'ALL');
    expect(first.status).toBe(200);
    const nav = first.headers.navigationid as string;
    expect(nav).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.headers).toMatchObject({ navigationcount: '30', navigationlastpage: '3' });
    const seen: string[] = first.body.xStudents.xStudent.map((s: { '@refId': string }) => s['@refId']);
    const expected = [...students.objects.values()]
      .sort((a, b) => ((a.name as any).familyName < (b.name as any).familyName ? -1 : (a.name as any).familyName > (b.name as any).familyName ? 1 : 0))
      .map((s) => String(s['@refId']));

    // Meanwhile: new students that sort first, and a deletion of one not yet seen.
    for (let i = 0; i < 5; i++) {
      await request(host.app).post(`${rc}/xStudents/xStudent`).set('Authorization', auth).type('json').send({ xStudent: { name: { familyName: `Aaron${i}` } } });
    }
    const deleted = expected[25]!;
    await request(host.app).delete(`${rc}/xStudents/${deleted}`).set('Authorization', auth);

    for (const page of [2, 3]) {
      const res = await get(`/xStudents?navigationPage=${page}&navigationPageSize=10`).set('navigationId', nav);
      expect(res.headers.navigationid).toBe(nav);
      expect(res.headers.navigationcount).toBe('30');
      seen.push(...res.body.xStudents.xStudent.map((s: { '@refId': string }) => s['@refId']));
    }
    expect(seen).toEqual(expected.filter((id) => id !== deleted));
  });

  test('ONE-OFF keeps no state; an unknown or foreign navigationId is a 400', async () => {
    const oneOff = await get('/xStudents?navigationPageSize=10').set('queryIntention', 'ONE-OFF');
    expect(oneOff.headers.navigationid).toBeUndefined();
    // A bulk query (no paging named) is one answer: it needs no snapshot, even with ALL.
    expect((await get('/xStudents').set('queryIntention', 'ALL')).headers.navigationid).toBeUndefined();
    const nav = (await get('/xStudents?navigationPageSize=10').set('queryIntention', 'ALL')).headers.navigationid as string;
    expect((await get('/xStudents?navigationPage=2').set('navigationId', 'made-up')).status).toBe(400);
    const other = basicAuth((await register(host, 'NoPaths', 'NoPathsSecret')).sessionToken, 'NoPathsSecret');
    const foreign = await request(host.app).get(`${rc}/xStudents`).set('Authorization', other).set('navigationId', nav);
    expect(foreign.status).toBe(400);
  });
});
