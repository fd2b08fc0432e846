import request from 'supertest';
import type { ConsumerEntry, GoessnerObject, SifProviderOptions, XQueryHandler } from 'sif3-direct';
import { parseXml } from '../../lib/payload/xml';
import { basicAuth } from '../helpers/consumer-auth';
import type { Registered, TestHost } from '../helpers/host';
import { INFRA_NS, hostPerTest, register } from '../helpers/host';
import { NA_NS, memoryService, student } from '../helpers/memory-service';

// The read-only registries (Utility Services §2 zones, §3 providers, §6 xQueryTemplates) and named
// queries (Base Architecture §5.6.2), over real HTTP against a mounted router and a SQLite file.

const newHost = hostPerTest();

const CONSUMERS: ConsumerEntry[] = [
  {
    applicationKey: 'DemoApp',
    secret: 'DemoSecret',
    environment: {
      defaultZone: {
        id: 'District',
        description: 'Springfield School District',
        properties: { state: 'IL' },
        services: [
          { name: 'xStudents', rights: ['QUERY'] },
          { name: 'StudentsByGrade', type: 'XQUERYTEMPLATE', rights: ['QUERY'] },
        ],
      },
      zones: [{ id: 'Elementary', services: [{ name: 'xStudents', contextId: 'Archive', rights: ['QUERY'] }] }],
    },
  },
  {
    applicationKey: 'Other',
    secret: 'OtherSecret',
    environment: { defaultZone: { id: 'District', services: [{ name: 'StudentsByGrade', rights: { QUERY: 'REJECTED' } }] } },
  },
];

interface Call {
  parameters: Readonly<Record<string, string>>;
  page: { page: number; pageSize: number; offset: number };
  zoneId: string;
}

function host(options: Partial<SifProviderOptions> = {}): { h: TestHost; calls: Call[] } {
  const objects = Array.from({ length: 5 }, (_, i) => ({ ...student(i + 1), gradeLevel: i < 3 ? '09' : '10' }) as GoessnerObject);
  const students = memoryService({ objectName: 'xStudent', objects, supports: { where: true } });
  const calls: Call[] = [];
  const handler: XQueryHandler = async (ctx, parameters, page) => {
    calls.push({ parameters, page, zoneId: ctx.zoneId });
    const all = objects.filter((o) => o.gradeLevel === parameters.grade);
    return { objects: all.slice(page.offset, page.offset + page.pageSize), totalCount: all.length };
  };
  const h = newHost({
    services: {
      xStudents: students.definition,
      xSchools: { ...memoryService({ objectName: 'xSchool', namespace: NA_NS, omit: ['create', 'update', 'delete', 'read'] }).definition, paths: {} },
    },
    xQueryTemplates: {
      StudentsByGrade: {
        service: 'xStudents',
        description: 'The students in one grade',
        parameters: [{ name: 'grade', type: 'xs:token', description: 'e.g. 09' }, { name: 'schoolYear', required: false }, { name: 'status', default: 'active' }],
        handler,
      },
    },
    consumers: CONSUMERS,
    providerName: 'SpringfieldSIS',
    ...options,
  });
  return { h, calls };
}

const get = (h: TestHost, me: Registered, path: string, secret = 'DemoSecret') =>
  request(h.app).get(`/sif3/requests/${path}`).set('Authorization', basicAuth(me.sessionToken, secret));
const json = (h: TestHost, me: Registered, path: string) => get(h, me, path).set('Accept', 'application/json');

describe('zones registry (Utility Services §2)', () => {
  test('lists the environment’s zones, environment-global included, in the infrastructure namespace; one zone when the request names it', async () => {
    const { h } = host();
    const me = await register(h);
    const all = await get(h, me, 'zones');
    expect(all.status).toBe(200);
    const doc = parseXml(all.text);
    expect(doc.root).toBe('zones');
    expect(doc.namespace).toBe(INFRA_NS);
    const zones = (await json(h, me, 'zones')).body.zones.zone;
    expect(zones).toEqual([
      { '@id': 'District', description: 'Springfield School District', properties: { property: [{ '@name': 'state', '#text': 'IL' }] } },
      { '@id': 'Elementary' },
      { '@id': 'environment-global', description: 'Utility services of this environment' },
    ]);
    expect((await json(h, me, 'zones;zoneId=Elementary')).body.zones.zone).toEqual([{ '@id': 'Elementary' }]);
    expect((await json(h, me, 'zones;zoneId=environment-global')).body.zones.zone).toHaveLength(3);
    expect((await get(h, me, 'zones;zoneId=Nowhere')).status).toBe(404);
    expect((await json(h, me, 'zones/District')).body.zone['@id']).toBe('District');
    expect((await get(h, me, 'zones/Nowhere')).status).toBe(404);
  });

  test('is read-only (405) and paged only when asked', async () => {
    const { h } = host();
    const me = await register(h);
    const auth = basicAuth(me.sessionToken, 'DemoSecret');
    for (const [method, path] of [['post', 'zones'], ['put', 'zones'], ['delete', 'zones/District'], ['put', 'providers'], ['post', 'xQueryTemplates']] as const) {
      expect((await request(h.app)[method](`/sif3/requests/${path}`).set('Authorization', auth)).status).toBe(405);
    }
    const page = await get(h, me, 'zones').set('navigationPage', '2').set('navigationPageSize', '2');
    expect(page.headers).toMatchObject({ navigationpage: '2', navigationpagesize: '1', navigationcount: '3', navigationlastpage: '2' });
    expect((await get(h, me, 'zones').set('navigationPage', '3').set('navigationPageSize', '2')).status).toBe(204);
  });

  test('the environment grants QUERY on the registries in environment-global; nothing else', async () => {
    const { h } = host();
    const me = await register(h);
    const global = (me.body.provisionedZones as { provisionedZone: { '@id': string; services: { service: Record<string, any>[] } }[] }).provisionedZone.find(
      (z) => z['@id'] === 'environment-global',
    )!;
    const rights = Object.fromEntries(global.services.service.map((s) => [s['@name'], s.rights.right.map((r: Record<string, string>) => `${r['@type']}=${r['#text']}`).join(' ')]));
    expect(rights).toEqual({
      alerts: 'QUERY=APPROVED CREATE=APPROVED UPDATE=UNSUPPORTED DELETE=UNSUPPORTED',
      zones: 'QUERY=APPROVED CREATE=UNSUPPORTED UPDATE=UNSUPPORTED DELETE=UNSUPPORTED',
      providers: 'QUERY=APPROVED CREATE=UNSUPPORTED UPDATE=UNSUPPORTED DELETE=UNSUPPORTED',
      xQueryTemplates: 'QUERY=APPROVED CREATE=UNSUPPORTED UPDATE=UNSUPPORTED DELETE=UNSUPPORTED',
    });
  });
});

describe('providers registry (Utility Services §3)', () => {
  test('the default zone’s services by default, every kind from the service registry, with query support and stable ids', async () => {
    const { h } = host();
    const me = await register(h);
    const res = await json(h, me, 'providers');
    expect(res.status).toBe(200);
    const entries = res.body.providers.provider as Record<string, any>[];
    expect(entries.map((p) => `${p.zoneId} ${p.serviceType} ${p.serviceName} ${p.contextId}`)).toEqual([
      'District OBJECT xStudents DEFAULT',
      'District OBJECT xSchools DEFAULT',
      'District XQUERYTEMPLATE StudentsByGrade DEFAULT',
    ]);
    expect(entries[0]).toEqual({
      '@id': expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      serviceType: 'OBJECT',
      serviceName: 'xStudents',
      contextId: 'DEFAULT',
      zoneId: 'District',
      providerName: 'SpringfieldSIS',
      querySupport: { dynamicQuery: 'true', queryByExample: 'false', changesSinceMarker: 'true', paged: 'true', maxPageSize: '1000' },
      mimeTypes: { mediaType: ['application/xml', 'application/json'] },
    });
    expect((await json(h, me, 'providers')).body.providers.provider.map((p: { '@id': string }) => p['@id'])).toEqual(entries.map((p) => p['@id']));
    const one = await json(h, me, `providers/${String(entries[2]!['@id'])}`);
    expect(one.body.provider).toEqual(entries[2]);
    expect((await get(h, me, 'providers/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  test('a named zone’s services, in each context it is granted in; environment-global lists every zone and the utilities', async () => {
    const { h } = host();
    const me = await register(h);
    const elementary = (await json(h, me, 'providers;zoneId=Elementary')).body.providers.provider as Record<string, string>[];
    expect(elementary.map((p) => `${p.serviceName} ${p.contextId}`)).toEqual(['xStudents DEFAULT', 'xStudents Archive', 'xSchools DEFAULT', 'StudentsByGrade DEFAULT']);
    const all = (await json(h, me, 'providers;zoneId=environment-global')).body.providers.provider as Record<string, any>[];
    expect(all.filter((p) => p.zoneId === 'environment-global').map((p) => `${p.serviceType} ${p.serviceName}`)).toEqual([
      'UTILITY alerts', 'UTILITY zones', 'UTILITY providers', 'UTILITY xQueryTemplates',
    ]);
    expect(all.filter((p) => p.zoneId === 'environment-global')[1]!.querySupport).toEqual({
      dynamicQuery: 'false', queryByExample: 'false', changesSinceMarker: 'false', paged: 'false',
    });
    expect(new Set(all.map((p) => p.zoneId))).toEqual(new Set(['District', 'Elementary', 'environment-global']));
    expect((await get(h, me, 'providers;zoneId=Nowhere')).status).toBe(404);
  });
});

describe('named queries (Base Architecture §5.6.2, Utility Services §6)', () => {
  test('the xQueryTemplates registry lists the templates the host registered', async () => {
    const { h } = host();
    const me = await register(h);
    const res = await json(h, me, 'xQueryTemplates');
    expect(res.body.xquerys.xquery).toEqual([
      {
        '@id': 'StudentsByGrade',
        type: 'SINGULAR',
        status: 'APPROVED',
        description: 'The students in one grade',
        script: '',
        parameters: {
          parameter: [
            { name: 'grade', type: 'xs:token', description: 'e.g. 09', required: 'true' },
            { name: 'schoolYear', required: 'false' },
            { name: 'status', default: 'active', required: 'false' },
          ],
        },
        returnType: `${NA_NS}:xStudents`,
      },
    ]);
    expect((await json(h, me, 'xQueryTemplates/StudentsByGrade')).body.xquery['@id']).toBe('StudentsByGrade');
    expect((await get(h, me, 'xQueryTemplates/Nope')).status).toBe(404);
  });

  test('GET {rc}/{templateId}?params runs it, paged, as the service’s collection; the handler gets the parameters and the page', async () => {
    const { h, calls } = host();
    const me = await register(h);
    const first = await get(h, me, 'StudentsByGrade?grade=09').set('serviceType', 'XQUERYTEMPLATE').set('navigationPageSize', '2');
    expect(first.status).toBe(200);
    const doc = parseXml(first.text);
    expect(doc.root).toBe('xStudents');
    expect(doc.namespace).toBe(NA_NS);
    expect([doc.value.xStudent].flat()).toHaveLength(2);
    expect(first.headers).toMatchObject({ navigationpage: '1', navigationcount: '3', navigationlastpage: '2', servicetype: 'XQUERYTEMPLATE', responseaction: 'QUERY' });
    expect(calls[0]).toEqual({ parameters: { grade: '09', status: 'active' }, page: { page: 1, pageSize: 2, offset: 0 }, zoneId: 'District' });
    const second = await json(h, me, 'StudentsByGrade?grade=09&schoolYear=2026&navigationPage=2&navigationPageSize=2');
    expect(second.body.xStudents.xStudent).toHaveLength(1);
    expect(calls[1]!.parameters).toEqual({ grade: '09', schoolYear: '2026', status: 'active' });
    expect((await get(h, me, 'StudentsByGrade?grade=09&navigationPage=3&navigationPageSize=2')).status).toBe(204);
    expect((await request(h.app).head('/sif3/requests/StudentsByGrade?grade=10').set('Authorization', basicAuth(me.sessionToken, 'DemoSecret'))).headers.navigationcount).toBe('2');
  });

  test.each([
    ['a missing parameter', 'StudentsByGrade', /needs the parameter grade/],
    ['an undeclared parameter', 'StudentsByGrade?grade=09&school=x', /has no parameter "school"/],
    ['a where clause', 'StudentsByGrade?grade=09&where=x', /has no parameter "where"/],
    ['a repeated parameter', 'StudentsByGrade?grade=09&grade=10', /more than once/],
    ['a value that is not alphanumeric', `StudentsByGrade?grade=${encodeURIComponent('09" or "1')}`, /letters, digits/],
  ])('%s → 400 naming it; the handler is not called', async (_why, path, message) => {
    const { h, calls } = host();
    const me = await register(h);
    const res = await get(h, me, path);
    expect(res.status).toBe(400);
    expect(String(parseXml(res.text).value.message)).toMatch(message);
    expect(calls).toHaveLength(0);
  });

  test('rights: QUERY on the template in the zone of the request (404 where it is not provisioned, 403 where it is refused); GET only', async () => {
    const { h, calls } = host();
    const me = await register(h);
    expect((await get(h, me, 'StudentsByGrade;zoneId=Elementary?grade=09')).status).toBe(404);
    const other = await register(h, 'Other', 'OtherSecret');
    expect((await get(h, other, 'StudentsByGrade?grade=09', 'OtherSecret')).status).toBe(403);
    const post = await request(h.app).post('/sif3/requests/StudentsByGrade').set('Authorization', basicAuth(me.sessionToken, 'DemoSecret'));
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    expect((await get(h, me, 'StudentsByGrade?grade=09').set('serviceType', 'OBJECT')).status).toBe(400);
    expect((await get(h, me, 'StudentsByGrade/x?grade=09')).status).toBe(404);
    expect(calls).toHaveLength(0);
    expect((await request(h.app).get('/sif3/requests/StudentsByGrade?grade=09')).status).toBe(401);
  });

  test('start-up refuses a template that shadows a service, returns no known service, or declares a bad parameter', () => {
    const handler: XQueryHandler = async () => ({ objects: [] });
    const base = { service: 'xStudents', handler };
    expect(() => host({ xQueryTemplates: { xStudents: base } })).toThrow(/xQueryTemplates\.xStudents is the name of a service/);
    expect(() => host({ xQueryTemplates: { zones: base } })).toThrow(/xQueryTemplates\.zones is the name of a service or utility/);
    expect(() => host({ xQueryTemplates: { Q: { ...base, service: 'xTeachers' } } })).toThrow(/xQueryTemplates\.Q\.service names service "xTeachers"/);
    expect(() => host({ xQueryTemplates: { Q: { ...base, parameters: [{ name: 'navigationPage' }] } } })).toThrow(/parameters\[0\]\.name "navigationPage" is a query parameter of the protocol/);
    expect(() => host({ xQueryTemplates: { Q: { ...base, handler: 'x' as never } } })).toThrow(/xQueryTemplates\.Q\.handler must be a function/);
    expect(() => host({ consumers: [{ applicationKey: 'A', secret: 's', environment: { defaultZone: { id: 'Z', services: [{ name: 'StudentsByGrade', rights: ['CREATE'] }] } } }] })).toThrow(
      /rights\.CREATE is APPROVED, but CREATE cannot be served: a named query/,
    );
  });
});
