import { createHash } from 'node:crypto';
import request from 'supertest';
import type { SqliteExampleApp as ExampleApp } from '../../example-app/app';
import { startExample } from '../helpers/example';
import { parseXml } from '../../lib/payload/xml';
import { basicAuth, hmacHeaders } from '../helpers/consumer-auth';

let example: ReturnType<typeof startExample>;

beforeAll(() => {
  example = startExample();
});
afterAll(async () => {
  await example.close();
});

function tableDigest(app: ExampleApp): string {
  const rows = app.sis.prepare('SELECT ref_id, local_id, family_name, given_name, doc FROM students ORDER BY seq').all();
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex');
}

describe('Springfield example SIS', () => {
  test('seeds 3 schools, 2,000 students and 60 rosters, deterministically', async () => {
    const landing = await request(example.app).get('/');
    expect(landing.body.data).toEqual({ schools: 3, students: 2000, rosters: 60 });

    const other = startExample();
    expect(tableDigest(other)).toBe(tableDigest(example));
    await other.close();
  });

  test('students are xPress Roster shaped with v4 refIds; every roster member exists', () => {
    const row = example.sis.prepare('SELECT doc FROM students LIMIT 1').get() as { doc: string };
    const student = JSON.parse(row.doc);
    expect(student['@refId']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(student).toMatchObject({ name: { type: 'LegalName' }, enrollment: { membershipType: 'Home' } });
    const orphans = example.sis
      .prepare('SELECT count(*) AS n FROM roster_students rs LEFT JOIN students s ON s.ref_id = rs.student_ref_id WHERE s.ref_id IS NULL')
      .get() as { n: number };
    expect(orphans.n).toBe(0);
  });

  test('DemoApp registers with Basic, gets 409 with the same token, and sees all rights on the three services', async () => {
    const created = await request(example.app)
      .post('/sif3/environments/environment')
      .set('Authorization', basicAuth('DemoApp', 'DemoSecret'))
      .set('instanceId', 'basic-run');
    expect(created.status).toBe(201);
    const env = parseXml(created.text).value;
    const again = await request(example.app)
      .post('/sif3/environments/environment')
      .set('Authorization', basicAuth('DemoApp', 'DemoSecret'))
      .set('instanceId', 'basic-run');
    expect(again.status).toBe(409);
    expect(parseXml(again.text).value.sessionToken).toBe(env.sessionToken);

    const zones = (env.provisionedZones as { provisionedZone: { '@id': string; services?: { service: { '@name': string; rights: { right: { '@type': string; '#text': string }[] } }[] } }[] }).provisionedZone;
    const district = zones.find((z) => z['@id'] === 'District')!;
    expect((env.defaultZone as { '@id': string })['@id']).toBe('District');
    expect(district.services!.service.map((s) => s['@name'])).toEqual(['xSchools', 'xStudents', 'xRosters', 'xSchools/{}/xStudents', 'xRosters/{}/xStudents', 'RolloverStudents', 'StudentsByGrade', 'xStaffs']);
    for (const service of district.services!.service.slice(3, 5)) {
      expect(service).toMatchObject({ '@type': 'SERVICEPATH', rights: { right: { '@type': 'QUERY', '#text': 'APPROVED' } } });
    }
    const byName = (name: string) => district.services!.service.find((s) => s['@name'] === name);
    expect(byName('RolloverStudents')).toMatchObject({ '@type': 'FUNCTIONAL' });
    expect(byName('StudentsByGrade')).toMatchObject({ '@type': 'XQUERYTEMPLATE', rights: { right: { '@type': 'QUERY', '#text': 'APPROVED' } } });
    for (const service of district.services!.service.slice(0, 3)) {
      expect(service.rights.right.map((r) => `${r['@type']}=${r['#text']}`)).toEqual(['QUERY=APPROVED', 'CREATE=APPROVED', 'UPDATE=APPROVED', 'DELETE=APPROVED', 'SUBSCRIBE=APPROVED']);
    }
  });

  test('DemoApp with SIF_HMACSHA256: register, read, report an alert, delete, then 401', async () => {
    const created = await request(example.app)
      .post('/sif3/environments/environment')
      .set(hmacHeaders('DemoApp', 'DemoSecret'))
      .set('instanceId', 'hmac-run')
      .set('Accept', 'application/json');
    expect(created.status).toBe(201);
    const { '@id': id, sessionToken } = created.body.environment;
    const read = await request(example.app).get(`/sif3/environments/${id}`).set(hmacHeaders(sessionToken, 'DemoSecret'));
    expect(read.status).toBe(200);
    const alert = await request(example.app)
      .post('/sif3/requests/alerts/alert')
      .set(hmacHeaders(sessionToken, 'DemoSecret'))
      .type('application/json')
      .send({ alert: { reporter: 'DemoApp', exchange: 'OTHER', level: 'INFO', description: 'hello from the test' } });
    expect(alert.status).toBe(201);
    const deleted = await request(example.app).delete(`/sif3/environments/${id}`).set(hmacHeaders(sessionToken, 'DemoSecret'));
    expect(deleted.status).toBe(204);
    const after = await request(example.app).get(`/sif3/environments/${id}`).set(hmacHeaders(sessionToken, 'DemoSecret'));
    expect(after.status).toBe(401);
  });

  test('ReadOnlyApp is approved to query only', async () => {
    const created = await request(example.app)
      .post('/sif3/environments/environment')
      .set('Authorization', basicAuth('ReadOnlyApp', 'ReadOnlySecret'))
      .set('Accept', 'application/json');
    expect(created.status).toBe(201);
    const district = created.body.environment.provisionedZones.provisionedZone.find((z: { '@id': string }) => z['@id'] === 'District');
    for (const service of district.services.service.filter((s: { '@type': string }) => s['@type'] === 'OBJECT')) {
      expect(service.rights.right).toEqual([
        { '@type': 'QUERY', '#text': 'APPROVED' },
        { '@type': 'CREATE', '#text': 'REJECTED' },
        { '@type': 'UPDATE', '#text': 'REJECTED' },
        { '@type': 'DELETE', '#text': 'REJECTED' },
      ]);
    }
  });
});
