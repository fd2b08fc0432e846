import { parseXml } from '../../lib/payload/xml';
import { basicAuth } from '../helpers/consumer-auth';
import { listen, startExample } from '../helpers/example';

// The example SIS over real HTTP (a listening socket, fetch): a consumer discovers zones and
// providers, asks for rights with a provision request, and runs the StudentsByGrade named query.

let example: ReturnType<typeof startExample>;
let server: Awaited<ReturnType<typeof listen>>;

beforeAll(async () => {
  example = startExample({ seed: { students: 300 } });
  server = await listen(example.app);
});
afterAll(async () => {
  await server.close();
  await example.close();
});

let registrations = 0;

/** A JSON answer's body, untyped as the wire is. */
async function body(res: Response | Promise<Response>): Promise<any> {
  return (await res).json();
}

async function registerAs(applicationKey: string, secret: string): Promise<(path: string, init?: RequestInit) => Promise<Response>> {
  registrations++;
  const created = await fetch(`${server.base}/sif3/environments/environment`, {
    method: 'POST',
    headers: { Authorization: basicAuth(applicationKey, secret), instanceId: `utilities-run-${registrations}` },
  });
  expect(created.status).toBe(201);
  const token = String(parseXml(await created.text()).value.sessionToken);
  return (path, init = {}) =>
    fetch(`${server.base}/sif3/${path}`, { ...init, headers: { Authorization: basicAuth(token, secret), Accept: 'application/json', ...init.headers } });
}

/** The refId of the high school and how many of its students are in grade 09, from the SIS itself. */
function highSchoolGrade09(): { schoolRefId: string; count: number } {
  const school = example.sis.prepare("SELECT ref_id FROM schools WHERE local_id = 'SHS'").get() as { ref_id: string };
  const students = example.sis.prepare('SELECT doc FROM students WHERE school_ref_id = ?').all(school.ref_id) as { doc: string }[];
  return { schoolRefId: school.ref_id, count: students.filter((s) => JSON.parse(s.doc).enrollment.gradeLevel === '09').length };
}

test('zones and providers: a consumer discovers what the district serves', async () => {
  const sif = await registerAs('ReadOnlyApp', 'ReadOnlySecret');
  const zones = await body(sif('requests/zones'));
  expect(zones.zones.zone.map((z: { '@id': string }) => z['@id'])).toEqual(['District', 'environment-global']);
  const providers = await body(sif('requests/providers'));
  const names = providers.providers.provider.map((p: { serviceType: string; serviceName: string }) => `${p.serviceType} ${p.serviceName}`);
  expect(names).toEqual([
    'OBJECT xSchools', 'OBJECT xStudents', 'OBJECT xRosters', 'OBJECT xStaffs', 'FUNCTIONAL RolloverStudents',
    'SERVICEPATH xSchools/{}/xStudents', 'SERVICEPATH xRosters/{}/xStudents', 'XQUERYTEMPLATE StudentsByGrade',
  ]);
  expect(providers.providers.provider[0]).toMatchObject({ zoneId: 'District', providerName: 'SpringfieldSIS', querySupport: { dynamicQuery: 'true', paged: 'true' } });
  const templates = await body(sif('requests/xQueryTemplates'));
  expect(templates.xquerys.xquery[0].parameters.parameter.map((p: { name: string }) => p.name)).toEqual(['schoolRefId', 'gradeLevel']);
});

test('DemoApp runs StudentsByGrade: the students of one school in one grade, paged', async () => {
  const sif = await registerAs('DemoApp', 'DemoSecret');
  const { schoolRefId, count } = highSchoolGrade09();
  expect(count).toBeGreaterThan(3);
  const seen: string[] = [];
  for (let page = 1; ; page++) {
    const res = await sif(`requests/StudentsByGrade?schoolRefId=${schoolRefId}&gradeLevel=09`, {
      headers: { serviceType: 'XQUERYTEMPLATE', navigationPage: String(page), navigationPageSize: '3' },
    });
    if (res.status === 204) break;
    expect(res.status).toBe(200);
    expect(res.headers.get('navigationCount')).toBe(String(count));
    for (const student of (await body(res)).xStudents.xStudent) {
      expect(student.enrollment).toMatchObject({ schoolRefId, gradeLevel: '09' });
      seen.push(student['@refId']);
    }
  }
  expect(new Set(seen).size).toBe(count);
  const missing = await sif('requests/StudentsByGrade?gradeLevel=09');
  expect(missing.status).toBe(400);
  expect((await body(missing)).error.message).toMatch(/schoolRefId/);
});

test('ReadOnlyApp asks for rights: QUERY on the named query is approved at once, UPDATE waits for an administrator', async () => {
  const sif = await registerAs('ReadOnlyApp', 'ReadOnlySecret');
  const { schoolRefId } = highSchoolGrade09();
  const run = () => sif(`requests/StudentsByGrade?schoolRefId=${schoolRefId}&gradeLevel=10`);
  expect((await run()).status).toBe(404);
  const ask = (service: string, type: string, right: string) =>
    sif('provisionRequests', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ provisionRequest: { provisionedZones: { provisionedZone: [{ '@id': 'District', services: { service: [{ '@type': type, '@name': service, '@contextId': 'DEFAULT', rights: { right: [{ '@type': right, '#text': 'REQUESTED' }] } }] } }] } } }),
    });
  const granted = await ask('StudentsByGrade', 'XQUERYTEMPLATE', 'QUERY');
  expect(granted.status).toBe(201);
  expect((await body(granted)).provisionRequest['@completionStatus']).toBe('ACCEPTED');
  expect((await run()).status).toBe(200);

  const waiting = await ask('xStudents', 'OBJECT', 'UPDATE');
  const id = (await body(waiting)).provisionRequest['@id'];
  expect((await sif(`provisionRequests/${id}`)).status).toBe(202);
  const [pending] = await example.provider.provisionRequests.pending();
  expect(pending).toMatchObject({ id, consumer: { applicationKey: 'ReadOnlyApp' }, requested: [{ serviceName: 'xStudents', rights: ['UPDATE'] }] });
  expect(await example.provider.provisionRequests.decide(id, 'approve')).toBe(true);
  const done = await sif(`provisionRequests/${id}`);
  expect(done.status).toBe(200);
  expect((await body(done)).provisionRequest['@completionStatus']).toBe('ACCEPTED');
  const student = (await body(sif('requests/xStudents', { headers: { navigationPageSize: '1' } }))).xStudents.xStudent[0];
  const update = await sif(`requests/xStudents/${student['@refId']}`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ xStudent: { '@refId': student['@refId'], localId: student.localId } }),
  });
  expect(update.status).toBe(204);
  expect((await sif(`provisionRequests/${id}`, { method: 'DELETE' })).status).toBe(204);
});
