import assert from 'node:assert/strict';
import type { Session } from '../harness';
import { demoAuth, freshInstances, queue } from './common';
import type { Requirement } from './types';

// SIF 3.3 content profiles (Infrastructure 3.3, Version Indication & Negotiation §3) and PESC JSON,
// as the A4L Java framework sends and reads them (../shared/samples/pesc/README.md).

const VIN = 'Version Indication & Negotiation 3.3';
const PESC = 'samples/pesc/README.md';
const INF33 = 'urn:sif:inf/global/3.3+pesc';
const DATA = 'urn:sif:data/na/3.6+pesc';
const JSON_TYPE = 'application/json; charset=UTF-8';

const fresh = freshInstances('audit-profiles');

/** The content-profile requirements, in the order they run. */
export const PROFILE_REQUIREMENTS: Requirement[] = [
  {
    id: 'PROF-001', source: `${VIN} §3.1, §3.2.1`, level: 'MUST', text: 'Every answer with a body names its profile in Content-Profile: no suffix for XML, +goessner for Goessner JSON',
    async check({ h, demo }) {
      const xml = await h.call(`/environments/${demo.id}`, { headers: { Accept: 'application/xml' }, auth: demoAuth(demo) });
      assert.equal(xml.headers.get('content-profile'), `urn:sif:inf/global/${h.version}`);
      const json = await h.call(`/environments/${demo.id}`, { headers: { Accept: 'application/json' }, auth: demoAuth(demo) });
      assert.equal(json.headers.get('content-profile'), `urn:sif:inf/global/${h.version}+goessner`);
      const error = await h.call('/queues/no-such-queue', { headers: { Accept: 'application/json' }, auth: demoAuth(demo) });
      assert.equal(error.headers.get('content-profile'), `urn:sif:inf/global/${h.version}+goessner`);
    },
  },
  {
    id: 'PROF-002', source: `${VIN} §3.2.1; ${PESC} (wire-register-pesc.txt)`, level: 'MUST', text: 'A PESC environment request (Content-Profile +pesc) registers; the answer is PESC with Content-Profile urn:sif:inf/global/3.3+pesc',
    async check({ h }) {
      const body = { environment: { solutionId: 'test', authenticationMethod: 'Basic', consumerName: 'PESC consumer', instanceId: fresh(), applicationInfo: { applicationKey: 'DemoApp', supportedInfrastructureVersion: '3.3', transport: 'REST' } } };
      const res = await h.call('/environments/environment', {
        method: 'POST', body: JSON.stringify(body), auth: { user: 'DemoApp', secret: 'DemoSecret' },
        headers: { 'content-type': JSON_TYPE, accept: JSON_TYPE, 'content-profile': INF33, 'accept-profile': INF33 },
      });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('content-profile'), INF33);
      const env = res.json.environment;
      assert.match(env.id, /^[0-9a-f-]{36}$/);
      assert.equal(env.consumerName, 'PESC consumer');
      assert.ok(Array.isArray(env.infrastructureServices.infrastructureService), 'repeats are arrays');
      assert.ok(!res.text.includes('"@'), 'attributes are plain keys');
      const gone = await h.call(`/environments/${env.id}`, { method: 'DELETE', auth: { user: env.sessionToken, secret: 'DemoSecret' }, headers: { 'accept-profile': INF33 } });
      assert.equal(gone.status, 204);
    },
  },
  {
    id: 'PROF-003', source: `${VIN} §3.2.1; ${PESC}`, level: 'MUST', text: 'Data objects are answered and read in PESC with the service\'s data profile; errors of a data request in the infrastructure profile',
    async check({ h, demo }) {
      const headers = { 'content-type': JSON_TYPE, accept: JSON_TYPE, 'accept-profile': `${DATA},${INF33}` };
      const page = await h.call('/requests/xStudents?navigationPage=1&navigationPageSize=2', { headers, auth: demoAuth(demo) });
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('content-profile'), DATA);
      const [first] = page.json.xStudents.xStudent;
      assert.ok(first.refId, 'the id attribute is a plain key');
      const { refId: _id, ...fields } = first;
      const created = await h.call('/requests/xStudents/xStudent', {
        method: 'POST', auth: demoAuth(demo), headers: { ...headers, 'content-profile': DATA },
        body: JSON.stringify({ xStudent: { ...fields, localId: `PESC-${fresh()}`.slice(0, 40) } }),
      });
      assert.equal(created.status, 201);
      assert.equal(created.headers.get('content-profile'), DATA);
      const missing = await h.call('/requests/xStudents/00000000-0000-4000-8000-000000000000', { headers, auth: demoAuth(demo) });
      assert.equal(missing.status, 404);
      assert.equal(missing.headers.get('content-profile'), INF33);
      assert.equal(missing.json.error.code, 404);
    },
  },
  {
    id: 'PROF-004', source: `${VIN} §3.2 (Accept-Profile)`, level: 'MUST', text: 'Among several Accept-Profile entries the highest quality value wins',
    async check({ h, demo }) {
      const res = await h.call(`/environments/${demo.id}`, {
        auth: demoAuth(demo),
        headers: { accept: JSON_TYPE, 'accept-profile': 'urn:sif:inf/global/3.3+goessner;q=0.3,urn:sif:inf/global/3.2.1+pesc;q=0.8,urn:sif:inf/global/3.3+pesc;q=0.5' },
      });
      assert.equal(res.headers.get('content-profile'), 'urn:sif:inf/global/3.2.1+pesc');
      assert.equal(res.json.environment.id, demo.id);
    },
  },
  {
    id: 'PROF-005', source: `${VIN} §3.1; interop.md §4`, level: 'MUST', text: 'Asked for infrastructure 3.3 or 3.2.1, the XML answer is in that version\'s namespace (and validates against its XSD)',
    async check({ h, demo }) {
      for (const version of ['3.2.1', '3.3']) {
        const res = await h.call(`/environments/${demo.id}`, { auth: demoAuth(demo), headers: { accept: 'application/xml', 'accept-profile': `urn:sif:inf/global/${version}` } });
        assert.equal(res.headers.get('content-profile'), `urn:sif:inf/global/${version}`);
        assert.ok(res.text.includes(`xmlns="http://www.sifassociation.org/infrastructure/${version}"`), `namespace ${version}`);
        const error = await h.call('/queues/no-such-queue', { auth: demoAuth(demo), headers: { accept: 'application/xml', 'accept-profile': `urn:sif:inf/global/${version}` } });
        assert.ok(error.text.includes(`infrastructure/${version}"`));
      }
    },
  },
  {
    id: 'PROF-006', source: `${VIN} §3.2.1.1 (HTTP status codes)`, level: 'MUST', text: 'An Accept-Profile that cannot be answered is a 406, an unsupported Content-Profile a 415, each with a SIF error',
    async check({ h, demo }) {
      const refused = await h.call(`/environments/${demo.id}`, { auth: demoAuth(demo), headers: { accept: 'application/xml', 'accept-profile': 'urn:sif:inf/global/3.9' } });
      assert.equal(refused.status, 406);
      assert.match(refused.text, /<error [^>]*><code>406<\/code>/);
      const unreadable = await h.call('/queues', {
        method: 'POST', auth: demoAuth(demo), body: '{"queue":{"name":"q"}}',
        headers: { 'content-type': JSON_TYPE, accept: JSON_TYPE, 'content-profile': 'urn:sif:inf/global/3.3+yaml' },
      });
      assert.equal(unreadable.status, 415);
      assert.equal(unreadable.json.error.code, '415');
    },
  },
  {
    id: 'PROF-007', source: `${VIN} §3.2.1; Base Architecture §5.16`, level: 'MUST', text: 'Functional services speak PESC: a job sent in PESC is created; job, jobs and states answer in PESC (ids plain keys, phases and states arrays, phase required a JSON boolean)',
    async check({ h, demo }) {
      const headers = { 'content-type': JSON_TYPE, accept: JSON_TYPE, 'accept-profile': INF33, 'content-profile': INF33 };
      const job = { job: { name: 'rolloverStudent', initialization: { phaseName: 'oldYearEnrolment', payload: { property: [{ value: '2099', name: 'schoolYear' }] } } } };
      const created = await h.call('/services/RolloverStudents/RolloverStudent', { method: 'POST', auth: demoAuth(demo), headers, body: JSON.stringify(job) });
      assert.equal(created.status, 201);
      assert.equal(created.headers.get('content-profile'), INF33);
      const id = created.json.job.id;
      assert.match(id, /^[0-9a-f-]{36}$/);
      try {
        for (const [path, root] of [[`/${id}`, 'job'], ['', 'jobs'], [`/${id}/oldYearEnrolment/states`, 'states']] as const) {
          const res = await h.call(`/services/RolloverStudents${path}`, { auth: demoAuth(demo), headers: { accept: JSON_TYPE, 'accept-profile': INF33 } });
          assert.equal(res.status, 200, `${root}: ${res.status}`);
          assert.equal(res.headers.get('content-profile'), INF33);
          assert.ok(!res.text.includes('"@'), `${root}: attributes are plain keys`);
          assert.ok(res.json[root], root);
        }
        const read = (await h.call(`/services/RolloverStudents/${id}`, { auth: demoAuth(demo), headers: { accept: JSON_TYPE, 'accept-profile': INF33 } })).json.job;
        assert.ok(Array.isArray(read.phases.phase) && Array.isArray(read.phases.phase[0].states.state), 'phases and states are arrays');
        assert.equal(typeof read.phases.phase[0].required, 'boolean');
        assert.deepEqual(read.initialization.payload.property, [{ value: '2099', name: 'schoolYear' }]);
      } finally {
        await h.call(`/services/RolloverStudents/${id}`, { method: 'DELETE', auth: demoAuth(demo) });
      }
    },
  },
  {
    id: 'PROF-008', source: `${VIN} §3.2.1; Utility Services §2, §3, §6`, level: 'MUST', text: 'The zones, providers and xQueryTemplates registries answer in PESC: entries arrays, ids plain keys, querySupport flags JSON booleans',
    async check({ h, demo }) {
      const get = (path: string) => h.call(`/requests/${path}`, { auth: demoAuth(demo), headers: { accept: JSON_TYPE, 'accept-profile': INF33 } });
      const zones = await get('zones');
      assert.equal(zones.headers.get('content-profile'), INF33);
      assert.ok(zones.json.zones.zone.some((z: { id: string }) => z.id === 'environment-global'));
      const providers = await get('providers');
      assert.equal(providers.headers.get('content-profile'), INF33);
      const provider = providers.json.providers.provider[0];
      assert.match(provider.id, /^[0-9a-f-]{36}$/);
      assert.equal(typeof provider.querySupport.paged, 'boolean');
      const one = await get(`providers/${provider.id}`);
      assert.equal(one.json.provider.id, provider.id);
      const xquerys = await get('xQueryTemplates');
      assert.equal(xquerys.headers.get('content-profile'), INF33);
      assert.ok(Array.isArray(xquerys.json.xquerys.xquery) && Array.isArray(xquerys.json.xquerys.xquery[0].parameters.parameter));
    },
  },
  {
    id: 'PROF-009', source: `${VIN} §3.2.1; Base Architecture §5.6.2`, level: 'MUST', text: 'A named query\'s page answers in the data profile of its service, in PESC when asked',
    async check({ h, demo }) {
      const headers = { accept: JSON_TYPE, 'accept-profile': `${DATA},${INF33}` };
      // A school and grade that have a student: the first student's.
      const first = await h.call('/requests/xStudents?navigationPage=1&navigationPageSize=1', { auth: demoAuth(demo), headers });
      const { schoolRefId, gradeLevel } = first.json.xStudents.xStudent[0].enrollment;
      const page = await h.call(`/requests/StudentsByGrade?schoolRefId=${schoolRefId}&gradeLevel=${gradeLevel}`, { auth: demoAuth(demo), headers });
      assert.equal(page.status, 200);
      assert.equal(page.headers.get('content-profile'), DATA);
      assert.ok(!page.text.includes('"@'), 'attributes are plain keys');
      const students = page.json.xStudents.xStudent;
      assert.ok(Array.isArray(students) && students.length > 0, 'the objects are an array');
      assert.match(students[0].refId, /^[0-9a-f-]{36}$/);
    },
  },
  {
    id: 'PROF-010', source: `${VIN} §3.2.1; Infrastructure Services §6`, level: 'MUST', text: 'A provision request sent in PESC is read (zone ids, service and right attributes) and answered in PESC',
    async check({ h, demo }) {
      const body = { provisionRequest: { provisionedZones: { provisionedZone: [{ services: { service: [{ rights: { right: [{ value: 'REQUESTED', type: 'QUERY' }] }, type: 'OBJECT', name: 'xSchools', contextId: 'DEFAULT' }] }, id: 'District' }] } } };
      const res = await h.call('/provisionRequests/provisionRequest', {
        method: 'POST', auth: demoAuth(demo), body: JSON.stringify(body),
        headers: { 'content-type': JSON_TYPE, accept: JSON_TYPE, 'content-profile': INF33, 'accept-profile': INF33 },
      });
      assert.equal(res.status, 201);
      assert.equal(res.headers.get('content-profile'), INF33);
      const zone = res.json.provisionRequest.provisionedZones.provisionedZone[0];
      assert.equal(zone.id, 'District');
      const service = zone.services.service[0];
      assert.deepEqual([service.type, service.name, service.rights.right[0].type], ['OBJECT', 'xSchools', 'QUERY']);
      assert.equal(service.rights.right[0].value, 'APPROVED', 'a right the environment has already is approved');
    },
  },
  {
    id: 'PROF-011', source: `${VIN} §3.2.1; Infrastructure Services §9.3`, level: 'MUST', text: 'A queued message is written in the profile of the poll that takes it: an event in PESC with the data profile, the same message in XML',
    async check({ h }) {
      const s = await h.register('DemoApp', 'DemoSecret', fresh());
      const q = await queue(h, s);
      const subscribed = await h.call('/subscriptions', {
        method: 'POST', auth: demoAuth(s), headers: { 'content-type': JSON_TYPE, accept: JSON_TYPE },
        body: JSON.stringify({ subscription: { zoneId: 'District', contextId: 'DEFAULT', serviceType: 'OBJECT', serviceName: 'xStudents', queueId: q.id } }),
      });
      assert.equal(subscribed.status, 201);
      const created = await h.call('/requests/xStudents/xStudent', {
        method: 'POST', auth: demoAuth(s), headers: { 'content-type': JSON_TYPE, accept: JSON_TYPE },
        body: JSON.stringify({ xStudent: { name: { type: 'LegalName', familyName: 'Profiled', givenName: 'Eve' } } }),
      });
      assert.equal(created.status, 201);
      const refId = created.json.xStudent['@refId'];
      const pesc = await h.call(q.messages, { auth: demoAuth(s), headers: { accept: JSON_TYPE, 'accept-profile': `${DATA},${INF33}` } });
      assert.equal(pesc.status, 200);
      assert.equal(pesc.headers.get('messageType'), 'EVENT');
      assert.equal(pesc.headers.get('content-profile'), DATA);
      assert.deepEqual(pesc.json.xStudents.xStudent.map((x: { refId: string }) => x.refId), [refId]);
      const xml = await h.call(q.messages, { auth: demoAuth(s), headers: { accept: 'application/xml' } });
      assert.equal(xml.headers.get('messageId'), pesc.headers.get('messageId'), 'the same message, not yet popped');
      assert.match(xml.text, new RegExp(`<xStudent refId="${refId}">`));
    },
  },
];
