import assert from 'node:assert/strict';
import type { Harness, Session } from '../harness';
import { BA, IS, NA, US, demoAuth, freshInstances } from './common';
import type { Requirement } from './types';

// Provision requests (Infrastructure Services §6), the zones and providers registries (Utility
// Services §2, §3) and named queries (Base Architecture §5.6.2, Utility Services §6), against the
// example SIS: it registers the StudentsByGrade named query and approves QUERY-only provision
// requests at once, leaving any other for an administrator.

const fresh = freshInstances('audit-utilities');
const readOnly = (h: Harness) => h.register('ReadOnlyApp', 'ReadOnlySecret', fresh());
const highSchool = (h: Harness) => h.sis.prepare("SELECT ref_id FROM schools WHERE local_id = 'SHS'").pluck().get() as string;

/** A provisionRequest payload (XML, in the provider's namespace) asking `rights` on one service in District. */
function ask(h: Harness, type: string, name: string, rights: string[]): string {
  const list = rights.map((r) => `<right type="${r}">REQUESTED</right>`).join('');
  return `<provisionRequest xmlns="http://www.sifassociation.org/infrastructure/${h.version}"><provisionedZones><provisionedZone id="District"><services><service type="${type}" name="${name}" contextId="DEFAULT"><rights>${list}</rights></service></services></provisionedZone></provisionedZones></provisionRequest>`;
}

function post(h: Harness, s: Session, body: string) {
  return h.call('/provisionRequests', { method: 'POST', headers: { 'Content-Type': 'application/xml' }, auth: demoAuth(s), body });
}

const idOf = (xml: string) => /<provisionRequest[^>]* id="([^"]+)"/.exec(xml)?.[1] ?? '';

/** The requirements of provision requests, the registries and named queries, in the order they run. */
export const UTILITY_REQUIREMENTS: Requirement[] = [
  {
    id: 'PRV-001', source: `${IS} §6, Appendix D.7`, level: 'MUST', text: 'The environment lists the provisionRequests infrastructure service by its absolute URL',
    async check({ demo }) {
      const services = [demo.environment.infrastructureServices.infrastructureService].flat();
      const url = services.find((s: any) => s['@name'] === 'provisionRequests')?.['#text'];
      assert.match(String(url), /^https?:\/\/.+\/provisionRequests$/);
    },
  },
  {
    id: 'PRV-002', source: `${IS} §6.1, §6.2.1`, level: 'MUST', text: 'Creating a provisionRequest answers 201 with its id, and once decided its completionStatus and each right ACCEPTED as APPROVED or REJECTED',
    async check({ h }) {
      const s = await readOnly(h);
      const res = await post(h, s, ask(h, 'XQUERYTEMPLATE', 'StudentsByGrade', ['QUERY']));
      assert.equal(res.status, 201);
      assert.match(res.text, /<provisionRequest [^>]*completionStatus="ACCEPTED"/);
      assert.match(res.text, /<right type="QUERY">APPROVED<\/right>/);
      assert.match(String(res.headers.get('location')), new RegExp(`/provisionRequests/${idOf(res.text)}$`));
    },
  },
  {
    id: 'PRV-003', source: `${IS} §6 (merged into the environment)`, level: 'MUST', text: 'Approved rights are in the environment at once, and usable with the same session',
    async check({ h }) {
      const s = await readOnly(h);
      // A school and grade that have students now (other requirements, e.g. a rollover, move them on).
      const [school, grade] = h.sis
        .prepare("SELECT school_ref_id, json_extract(doc, '$.enrollment.gradeLevel') FROM students WHERE school_ref_id IS NOT NULL AND json_extract(doc, '$.enrollment.gradeLevel') IS NOT NULL LIMIT 1")
        .raw()
        .get() as [string, string];
      const run = `/requests/StudentsByGrade?schoolRefId=${school}&gradeLevel=${grade}`;
      assert.equal((await h.call(run, { auth: demoAuth(s) })).status, 404);
      await post(h, s, ask(h, 'XQUERYTEMPLATE', 'StudentsByGrade', ['QUERY']));
      const env = await h.call(`/environments/${s.id}`, { headers: { Accept: 'application/json' }, auth: demoAuth(s) });
      const district = env.json.environment.provisionedZones.provisionedZone.find((z: any) => z['@id'] === 'District');
      const granted = district.services.service.find((x: any) => x['@name'] === 'StudentsByGrade');
      assert.deepEqual(granted.rights.right, [{ '@type': 'QUERY', '#text': 'APPROVED' }]);
      assert.equal((await h.call(run, { auth: demoAuth(s) })).status, 200);
    },
  },
  {
    id: 'PRV-004', source: `${IS} §6.3`, level: 'MUST', text: 'A request left to an administrator reads 202 with its rights REQUESTED until decided, then 200 with its completionStatus',
    async check({ h }) {
      const s = await readOnly(h);
      const created = await post(h, s, ask(h, 'OBJECT', 'xRosters', ['UPDATE']));
      assert.equal(created.status, 201);
      const id = idOf(created.text);
      const waiting = await h.call(`/provisionRequests/${id}`, { auth: demoAuth(s) });
      assert.equal(waiting.status, 202);
      assert.doesNotMatch(waiting.text, /completionStatus/);
      assert.match(waiting.text, /<right type="UPDATE">REQUESTED<\/right>/);
      assert.equal(await h.provider.provisionRequests.decide(id, 'reject'), true);
      const done = await h.call(`/provisionRequests/${id}`, { auth: demoAuth(s) });
      assert.equal(done.status, 200);
      assert.match(done.text, /completionStatus="REJECTED"/);
    },
  },
  {
    id: 'PRV-005', source: `${IS} §6.2.2`, level: 'MUST', text: "A consumer queries, reads and deletes only its own provision requests (another's is 404)",
    async check({ h, demo }) {
      const s = await readOnly(h);
      const id = idOf((await post(h, s, ask(h, 'OBJECT', 'xSchools', ['QUERY']))).text);
      // JSON: the 3.2.1 schema declares no provisionRequests collection element.
      const mine = await h.call('/provisionRequests', { headers: { Accept: 'application/json' }, auth: demoAuth(s) });
      assert.deepEqual([mine.json.provisionRequests.provisionRequest].flat().map((r: any) => r['@id']), [id]);
      assert.equal((await h.call(`/provisionRequests/${id}`, { auth: demoAuth(demo) })).status, 404);
      assert.equal((await h.call(`/provisionRequests/${id}`, { method: 'DELETE', auth: demoAuth(demo) })).status, 404);
      assert.equal((await h.call(`/provisionRequests/${id}`, { method: 'DELETE', auth: demoAuth(s) })).status, 204);
      assert.equal((await h.call(`/provisionRequests/${id}`, { auth: demoAuth(s) })).status, 404);
    },
  },
  {
    id: 'PRV-006', source: `${IS} §6.1`, level: 'MUST', text: 'A provisionRequest whose right has no type, or that asks for nothing, is refused with 400',
    async check({ h }) {
      const s = await readOnly(h);
      assert.equal((await post(h, s, ask(h, 'OBJECT', 'xSchools', []))).status, 400);
      assert.equal((await post(h, s, ask(h, 'OBJECT', 'xSchools', ['QUERY']).replace(' type="QUERY"', ''))).status, 400);
    },
  },
  {
    id: 'REG-001', source: `${IS} Appendix D.8; ${US} §1.2.2`, level: 'MUST', text: 'The zones, providers and xQueryTemplates utilities are provisioned in environment-global with QUERY approved',
    async check({ demo }) {
      const global = demo.environment.provisionedZones.provisionedZone.find((z: any) => z['@id'] === 'environment-global');
      for (const name of ['zones', 'providers', 'xQueryTemplates']) {
        const service = global.services.service.find((x: any) => x['@name'] === name);
        assert.equal(service?.['@type'], 'UTILITY');
        assert.deepEqual(service.rights.right[0], { '@type': 'QUERY', '#text': 'APPROVED' });
      }
    },
  },
  {
    id: 'REG-002', source: `${US} §2.3, §2.4`, level: 'MUST', text: "The zones registry answers the zones of the consumer's environment, environment-global included",
    async check({ h, demo }) {
      const res = await h.call('/requests/zones', { auth: demoAuth(demo) });
      assert.equal(res.status, 200);
      assert.match(res.text, /<zones xmlns="http:\/\/www\.sifassociation\.org\/infrastructure\//);
      assert.deepEqual([...res.text.matchAll(/<zone id="([^"]+)"/g)].map((m) => m[1]), ['District', 'environment-global']);
      assert.equal((await h.call('/requests/zones/District', { auth: demoAuth(demo) })).status, 200);
    },
  },
  {
    id: 'REG-003', source: `${US} §3.1, §3.2`, level: 'MUST', text: 'The providers registry lists each service offered in the zone: type, name, context, zone, providerName and querySupport',
    async check({ h, demo }) {
      const res = await h.call('/requests/providers', { auth: demoAuth(demo) });
      assert.equal(res.status, 200);
      const entries = [...res.text.matchAll(/<serviceType>(\w+)<\/serviceType><serviceName>([^<]+)<\/serviceName><contextId>DEFAULT<\/contextId><zoneId>District<\/zoneId><providerName>SpringfieldSIS<\/providerName><querySupport>/g)];
      assert.deepEqual(entries.map((m) => `${m[1]} ${m[2]}`), [
        'OBJECT xSchools', 'OBJECT xStudents', 'OBJECT xRosters', 'OBJECT xStaffs', 'FUNCTIONAL RolloverStudents',
        'SERVICEPATH xSchools/{}/xStudents', 'SERVICEPATH xRosters/{}/xStudents', 'XQUERYTEMPLATE StudentsByGrade',
      ]);
      const id = /<provider id="([^"]+)"/.exec(res.text)![1]!;
      assert.equal((await h.call(`/requests/providers/${id}`, { auth: demoAuth(demo) })).status, 200);
    },
  },
  {
    id: 'REG-004', source: `${US} §1.2.2`, level: 'MUST', text: 'A registry query in a named zone is scoped to it; in environment-global it covers every zone, utilities included',
    async check({ h, demo }) {
      const zones = await h.call('/requests/zones;zoneId=District', { headers: { Accept: 'application/json' }, auth: demoAuth(demo) });
      assert.deepEqual([zones.json.zones.zone].flat().map((z: any) => z['@id']), ['District']);
      const all = await h.call('/requests/providers;zoneId=environment-global', { headers: { Accept: 'application/json' }, auth: demoAuth(demo) });
      const utilities = all.json.providers.provider.filter((p: any) => p.zoneId === 'environment-global').map((p: any) => `${p.serviceType} ${p.serviceName}`);
      assert.deepEqual(utilities, ['UTILITY alerts', 'UTILITY zones', 'UTILITY providers', 'UTILITY xQueryTemplates']);
      assert.equal((await h.call('/requests/providers;zoneId=Nowhere', { auth: demoAuth(demo) })).status, 404);
    },
  },
  {
    id: 'REG-005', source: `${US} §2.3, §3.1, §6.3`, level: 'MUST', text: 'The registries are read-only for a Direct consumer: change requests answer 405',
    async check({ h, demo }) {
      for (const [method, path] of [['POST', '/requests/zones'], ['PUT', '/requests/providers'], ['DELETE', '/requests/zones/District'], ['POST', '/requests/xQueryTemplates']]) {
        assert.equal((await h.call(path!, { method, auth: demoAuth(demo) })).status, 405, `${method} ${path}`);
      }
    },
  },
  {
    id: 'XQ-001', source: `${US} §6.3, §6.4`, level: 'MUST', text: 'The xQueryTemplates registry lists each named query with its id, type, status, parameters and returnType',
    async check({ h, demo }) {
      const res = await h.call('/requests/xQueryTemplates', { auth: demoAuth(demo) });
      assert.equal(res.status, 200);
      assert.match(res.text, /<xquery id="StudentsByGrade"><type>SINGULAR<\/type><status>APPROVED<\/status>/);
      assert.match(res.text, new RegExp(`<returnType>${NA.replace(/\./g, '\\.')}:xStudents</returnType>`));
      assert.equal((await h.call('/requests/xQueryTemplates/StudentsByGrade', { auth: demoAuth(demo) })).status, 200);
    },
  },
  {
    id: 'XQ-002', source: `${BA} §5.6.2`, level: 'MUST', text: 'GET {requestsConnector}/{templateId} with its parameters answers the objects it selects, paged, with serviceType XQUERYTEMPLATE',
    async check({ h, demo }) {
      const school = highSchool(h);
      const expected = (h.sis.prepare('SELECT doc FROM students WHERE school_ref_id = ?').all(school) as { doc: string }[])
        .filter((r) => JSON.parse(r.doc).enrollment.gradeLevel === '10').length;
      const res = await h.call(`/requests/StudentsByGrade?schoolRefId=${school}&gradeLevel=10`, {
        headers: { Accept: 'application/json', serviceType: 'XQUERYTEMPLATE', navigationPageSize: '2' },
        auth: demoAuth(demo),
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('navigationCount'), String(expected));
      assert.equal(res.headers.get('serviceType'), 'XQUERYTEMPLATE');
      assert.ok(res.json.xStudents.xStudent.every((s: any) => s.enrollment.schoolRefId === school && s.enrollment.gradeLevel === '10'));
    },
  },
  {
    id: 'XQ-003', source: `${US} §6 (parameters), §6.2.4`, level: 'MUST', text: 'A named query with a missing or undeclared parameter is refused with 400 naming it',
    async check({ h, demo }) {
      const missing = await h.call('/requests/StudentsByGrade?gradeLevel=10', { headers: { Accept: 'application/json' }, auth: demoAuth(demo) });
      assert.equal(missing.status, 400);
      assert.match(missing.json.error.message, /schoolRefId/);
      const extra = await h.call(`/requests/StudentsByGrade?schoolRefId=${highSchool(h)}&gradeLevel=10&teacher=x`, { headers: { Accept: 'application/json' }, auth: demoAuth(demo) });
      assert.equal(extra.status, 400);
      assert.match(extra.json.error.message, /teacher/);
    },
  },
  {
    id: 'XQ-004', source: `${BA} §5.6.2; ${US} §6.1.2`, level: 'MUST', text: 'A named query needs QUERY on the template in the zone of the request',
    async check({ h, readOnly: s }) {
      assert.equal((await h.call(`/requests/StudentsByGrade?schoolRefId=${highSchool(h)}&gradeLevel=10`, { auth: demoAuth(s) })).status, 404);
    },
  },
];
