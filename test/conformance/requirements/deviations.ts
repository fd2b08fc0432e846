import assert from 'node:assert/strict';
import { listen, startExample } from '../../helpers/example';
import { basicAuth } from '../../helpers/consumer-auth';
import type { Exchange, Harness } from '../harness';
import { BA, IS, NA, US, demoAuth, drainQueue, freshInstances, queue } from './common';
import type { Requirement } from './types';

// The deviations an audit of the specification against the running example found (issue #13):
// bulk and delayed paged queries, the strict request fields, the environment create headers, the
// alerts' scope, and partial updates in the example SIS.

const fresh = freshInstances('audit-dev');
const studentCount = (h: Harness) => h.sis.prepare('SELECT count(*) FROM students').pluck().get() as number;
const errorOf = (res: Exchange) => ({ code: /<code>(\d+)<\/code>/.exec(res.text)?.[1], text: res.text });

/** The requirements of issue #13, in the order they run. */
export const DEVIATION_REQUIREMENTS: Requirement[] = [
  // Paging (Base Architecture §5.4.1)
  {
    id: 'BULK-001', source: `${BA} §5.4.1 (Bulk)`, level: 'MUST', text: 'A query that names no paging answers every object in one response, never a silent first page',
    async check({ h, demo }) {
      const res = await h.call('/requests/xStudents', { headers: { Accept: 'application/json' }, auth: demoAuth(demo) });
      assert.equal(res.status, 200);
      const total = studentCount(h);
      assert.ok(total > 100, 'the audit needs more students than a default page');
      assert.equal(res.json.xStudents.xStudent.length, total);
      assert.equal(res.headers.get('navigationCount'), String(total));
      assert.equal(res.headers.get('navigationLastPage'), '1');
    },
  },
  {
    id: 'BULK-002', source: `${BA} §5.4.1 (Bulk)`, level: 'MUST', text: 'A bulk query larger than the provider supports in one message answers 413, with an error that says to page',
    async check() {
      // A provider configured to answer at most 20 objects without paging, in front of 30 students.
      const small = startExample({ seed: { students: 30 }, provider: { limits: { maxBulkQueryObjects: 20 } } });
      const server = await listen(small.app);
      try {
        const env = await fetch(`${server.base}/sif3/environments/environment`, { method: 'POST', headers: { Authorization: basicAuth('DemoApp', 'DemoSecret'), Accept: 'application/json' } });
        const token = ((await env.json()) as { environment: { sessionToken: string } }).environment.sessionToken;
        const auth = { Authorization: basicAuth(token, 'DemoSecret') };
        const res = await fetch(`${server.base}/sif3/requests/xStudents`, { headers: auth });
        const text = await res.text();
        assert.equal(res.status, 413);
        assert.match(text, /<code>413<\/code>/);
        assert.match(text, /navigationPageSize/);
        assert.equal((await fetch(`${server.base}/sif3/requests/xStudents?navigationPageSize=20`, { headers: auth })).status, 200);
      } finally {
        await server.close();
        await small.close();
      }
    },
  },
  {
    id: 'BULK-003', source: `${BA} §5.4.1 (Paged Batch)`, level: 'MUST', text: 'A delayed paged query is a paged batch: every page from the one it names to the last arrives in the queue, with one requestId',
    async check({ h }) {
      const s = await h.register('DemoApp', 'DemoSecret', fresh());
      const q = await queue(h, s);
      const total = studentCount(h);
      const last = Math.ceil(total / 100);
      const accepted = await h.call('/requests/xStudents?navigationPage=2&navigationPageSize=100', { headers: { requestType: 'DELAYED', queueId: q.id, requestId: 'batch', Accept: 'application/json' }, auth: demoAuth(s) });
      assert.equal(accepted.status, 202);
      const pages = await drainQueue(h, s, q.messages, last - 1);
      assert.equal(pages.length, last - 1, `expected ${last - 1} queued answers`);
      assert.deepEqual(pages.map((p) => p.headers.get('navigationPage')), Array.from({ length: last - 1 }, (_, i) => String(i + 2)));
      assert.ok(pages.every((p) => p.headers.get('requestId') === 'batch'));
      assert.equal(new Set(pages.flatMap((p) => p.json.xStudents.xStudent.map((x: { '@refId': string }) => x['@refId']))).size, total - 100);
    },
  },
  {
    id: 'BULK-004', source: `${BA} §5.4.1 (Bulk)`, level: 'MUST', text: 'A delayed query that names no paging is a bulk query: one queued response with every object',
    async check({ h }) {
      const s = await h.register('DemoApp', 'DemoSecret', fresh());
      const q = await queue(h, s);
      const accepted = await h.call('/requests/xStudents', { headers: { requestType: 'DELAYED', queueId: q.id, requestId: 'bulk', Accept: 'application/json' }, auth: demoAuth(s) });
      assert.equal(accepted.status, 202);
      const answers = await drainQueue(h, s, q.messages, 1);
      assert.equal(answers.length, 1, 'expected 1 queued answer');
      const [answer] = answers;
      assert.equal(answer!.headers.get('requestId'), 'bulk');
      assert.equal(answer!.json.xStudents.xStudent.length, studentCount(h));
      const after = await h.call(q.messages + `;deleteMessageId=${answer!.headers.get('messageId')}`, { auth: demoAuth(s) });
      assert.equal(after.status, 204, 'one message, not one per page');
    },
  },
  {
    id: 'BULK-005', source: `${BA} §5.10.1`, level: 'MUST', text: 'A changes since request that names no paging answers all the changes in one response, with the new marker',
    async check({ h, demo }) {
      const marker = (await h.call('/requests/xStudents', { method: 'HEAD', auth: demoAuth(demo) })).headers.get('changesSinceMarker')!;
      const ids = h.sis.prepare('SELECT ref_id FROM students ORDER BY seq LIMIT 120').pluck().all() as string[];
      for (const id of ids) {
        const res = await h.call(`/requests/xStudents/${id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, auth: demoAuth(demo), body: JSON.stringify({ xStudent: { localId: `chg-${id.slice(0, 8)}` } }) });
        assert.equal(res.status, 204, res.text);
      }
      const res = await h.call(`/requests/xStudents?changesSinceMarker=${encodeURIComponent(marker)}`, { headers: { Accept: 'application/json' }, auth: demoAuth(demo) });
      assert.equal(res.status, 200);
      const changed = new Set(res.json.xStudents.xStudent.map((x: { '@refId': string }) => x['@refId']));
      assert.ok(ids.every((id) => changed.has(id)), 'every change, not a first page of them');
      assert.equal(res.headers.get('navigationLastPage'), '1');
      assert.ok(res.headers.get('changesSinceMarker'));
    },
  },
  // The enumerated request fields (Base Architecture §4.3.2) and infrastructure requests (Infrastructure Services §2.2)
  {
    id: 'HDR-001', source: `${BA} §4.3.2 (requestType)`, level: 'MUST', text: 'A requestType other than IMMEDIATE or DELAYED is refused with 400',
    async check({ h, demo }) {
      const res = await h.call('/requests/xStudents', { headers: { requestType: 'LATER' }, auth: demoAuth(demo) });
      assert.equal(res.status, 400);
      assert.equal(errorOf(res).code, '400');
    },
  },
  {
    id: 'HDR-002', source: `${IS} §2.2`, level: 'MUST', text: 'A DELAYED request to an infrastructure service is refused with 400, not answered as immediate; nothing is created',
    async check({ h }) {
      const s = await h.register('DemoApp', 'DemoSecret', fresh());
      const delayed = { requestType: 'DELAYED', queueId: 'q', requestId: 'r', 'Content-Type': 'application/json', Accept: 'application/json' };
      assert.equal((await h.call('/queues', { method: 'POST', headers: delayed, auth: demoAuth(s), body: '{"queue":{}}' })).status, 400);
      assert.equal((await h.call('/queues', { auth: demoAuth(s) })).status, 204);
      assert.equal((await h.call('/subscriptions', { headers: delayed, auth: demoAuth(s) })).status, 400);
      assert.equal((await h.call(`/environments/${s.id}`, { headers: delayed, auth: demoAuth(s) })).status, 400);
    },
  },
  {
    id: 'HDR-003', source: `${BA} §4.3.2 (queryIntention)`, level: 'MUST', text: 'A queryIntention other than ALL, ONE-OFF or NO-CACHING is refused with 400',
    async check({ h, demo }) {
      assert.equal((await h.call('/requests/xStudents?navigationPageSize=5', { headers: { queryIntention: 'EVERYTHING' }, auth: demoAuth(demo) })).status, 400);
      assert.equal((await h.call('/requests/xStudents?navigationPageSize=5', { headers: { queryIntention: 'NO-CACHING' }, auth: demoAuth(demo) })).status, 200);
    },
  },
  {
    id: 'HDR-004', source: `${BA} §4.3.2 (mustUseAdvisory)`, level: 'MUST', text: 'A mustUseAdvisory other than true or false is refused with 400; nothing is created',
    async check({ h, demo }) {
      const refId = '0b6f2c84-0d0e-4a8e-9a51-4c4d0a1e7f01';
      const res = await h.call('/requests/xStudents/xStudent', {
        method: 'POST', headers: { 'Content-Type': 'application/xml', mustUseAdvisory: 'yes' }, auth: demoAuth(demo),
        body: `<xStudent xmlns="${NA}" refId="${refId}"><localId>hdr-004</localId><name type="LegalName"><familyName>Advisory</familyName><givenName>Yes</givenName></name></xStudent>`,
      });
      assert.equal(res.status, 400);
      assert.equal((await h.call(`/requests/xStudents/${refId}`, { auth: demoAuth(demo) })).status, 404);
    },
  },
  {
    id: 'HDR-005', source: `${BA} §4.3.2 (serviceType), §5.1`, level: 'MUST', text: 'A serviceType outside the enumeration or not the type of the service addressed is refused with 400; answers carry the type of the service that answered',
    async check({ h, demo }) {
      const plain = await h.call('/requests/xStudents?navigationPageSize=1', { auth: demoAuth(demo) });
      assert.equal(plain.headers.get('serviceType'), 'OBJECT');
      assert.equal((await h.call('/requests/alerts', { auth: demoAuth(demo) })).headers.get('serviceType'), 'UTILITY');
      for (const serviceType of ['NONSENSE', 'UTILITY']) {
        const res = await h.call('/requests/xStudents?navigationPageSize=1', { headers: { serviceType }, auth: demoAuth(demo) });
        assert.equal(res.status, 400);
        assert.equal(res.headers.get('serviceType'), null, 'a wrong serviceType is never echoed');
      }
    },
  },
  {
    id: 'HDR-006', source: `${BA} §4.3.2 (environmentURI, fingerprint)`, level: 'MUST', text: 'The environment create answers (201 and 409) carry the environmentURI and fingerprint headers',
    async check({ h }) {
      const instanceId = fresh();
      const created = await h.call('/environments/environment', { method: 'POST', headers: { instanceId, Accept: 'application/json' }, auth: { user: 'DemoApp', secret: 'DemoSecret' } });
      assert.equal(created.status, 201);
      const env = created.json.environment;
      const again = await h.call('/environments/environment', { method: 'POST', headers: { instanceId }, auth: { user: 'DemoApp', secret: 'DemoSecret' } });
      assert.equal(again.status, 409);
      for (const res of [created, again]) {
        assert.equal(res.headers.get('fingerprint'), env.fingerprint);
        assert.equal(res.headers.get('environmentURI'), `${h.base}/environments/${env['@id']}`);
      }
    },
  },
  // Alerts (Utility Services §7.1)
  {
    id: 'UTIL-001', source: `${US} §7.1`, level: 'MUST', text: "An alert query returns the alerts created by the same application, from any of its environments, and no other application's",
    async check({ h, readOnly }) {
      const first = await h.register('DemoApp', 'DemoSecret', fresh());
      const second = await h.register('DemoApp', 'DemoSecret', fresh());
      const created = await h.call('/requests/alerts/alert', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, auth: demoAuth(first), body: '{"alert":{"reporter":"UTIL-001","exchange":"OTHER","level":"INFO"}}' });
      assert.equal(created.status, 201);
      const id = created.json.alert['@id'];
      assert.equal((await h.call(`/requests/alerts/${id}`, { auth: demoAuth(second) })).status, 200);
      const listed = [];
      for (let page = 1; ; page++) {
        const res = await h.call(`/requests/alerts.json?navigationPage=${page}&navigationPageSize=100`, { auth: demoAuth(second) });
        if (res.status === 204) break;
        listed.push(...[res.json.alerts.alert].flat().map((a: { '@id': string }) => a['@id']));
      }
      assert.ok(listed.includes(id));
      assert.equal((await h.call(`/requests/alerts/${id}`, { auth: demoAuth(readOnly) })).status, 404);
    },
  },
  {
    id: 'UTIL-002', source: `${US} §7.1`, level: 'MUST', text: 'Alerts offer no dynamic query: a where clause is refused with 400, never ignored',
    async check({ h, demo }) {
      const res = await h.call(`/requests/alerts?where=${encodeURIComponent('[level="ERROR"]')}`, { auth: demoAuth(demo) });
      assert.equal(res.status, 400);
    },
  },
  {
    id: 'UTIL-003', source: `${US} §7.1; ${IS} §2.2 (note 4)`, level: 'MUST', text: 'Alerts live in the environment-global zone: a ;zoneId= naming another zone is not found (404), never ignored',
    async check({ h, demo }) {
      assert.equal((await h.call('/requests/alerts;zoneId=District', { auth: demoAuth(demo) })).status, 404);
      assert.notEqual((await h.call('/requests/alerts;zoneId=environment-global', { auth: demoAuth(demo) })).status, 404);
    },
  },
  // Updates (Base Architecture §5.13)
  {
    id: 'UPD-001', source: `${BA} §5.13`, level: 'MUST', text: 'An update that carries only the elements being changed, mandatory ones omitted, is applied and leaves the others as they were',
    async check({ h, demo }) {
      const created = await h.call('/requests/xStudents/xStudent', {
        method: 'POST', headers: { 'Content-Type': 'application/xml', Accept: 'application/json' }, auth: demoAuth(demo),
        body: `<xStudent xmlns="${NA}"><localId>upd-001-${fresh()}</localId><name><type>LegalName</type><familyName>Before</familyName><givenName>Kept</givenName></name></xStudent>`,
      });
      assert.equal(created.status, 201);
      const refId = created.json.xStudent['@refId'];
      const updated = await h.call(`/requests/xStudents/${refId}`, {
        method: 'PUT', headers: { 'Content-Type': 'application/xml' }, auth: demoAuth(demo),
        body: `<xStudent xmlns="${NA}"><name><familyName>After</familyName></name></xStudent>`,
      });
      assert.equal(updated.status, 204, updated.text);
      const read = await h.call(`/requests/xStudents/${refId}`, { headers: { Accept: 'application/json' }, auth: demoAuth(demo) });
      assert.equal(read.json.xStudent.name.familyName, 'After');
      assert.equal(read.json.xStudent.name.givenName, 'Kept');
      assert.equal(read.json.xStudent.name.type, 'LegalName');
    },
  },
];
