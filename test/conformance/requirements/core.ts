import assert from 'node:assert/strict';
import { basicAuth, hmacAuth } from '../../helpers/consumer-auth';
import type { Harness, Session } from '../harness';
import { BA, IS, NA, US, demoAuth, drainQueue, freshInstances, queue } from './common';
import type { Requirement } from './types';

const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const ORDER = ['fingerprint', 'sessionToken', 'solutionId', 'defaultZone', 'authenticationMethod', 'instanceId', 'userToken', 'consumerName', 'applicationInfo', 'infrastructureServices', 'provisionedZones'];

export const fresh = freshInstances('audit');
const firstStudent = (h: Harness) => h.sis.prepare('SELECT ref_id FROM students ORDER BY seq LIMIT 1').pluck().get() as string;

/** The core requirements (authentication, environments, requests connector, queues…), in the order they run. */
export const CORE_REQUIREMENTS: Requirement[] = [
  // Authentication
  {
    id: 'AUTH-001', source: `${IS} §4.1.4`, level: 'MUST', text: 'Basic authentication with applicationKey and secret registers a consumer (201)',
    async check({ h }) {
      const res = await h.call('/environments/environment', { method: 'POST', headers: { instanceId: fresh() }, auth: { user: 'DemoApp', secret: 'DemoSecret' } });
      assert.equal(res.status, 201);
    },
  },
  {
    id: 'AUTH-002', source: `${IS} §4.1.5`, level: 'MUST', text: 'SIF_HMACSHA256 with the timestamp header registers a consumer (201)',
    async check({ h }) {
      const res = await h.call('/environments/environment', { method: 'POST', headers: { instanceId: fresh() }, auth: { user: 'DemoApp', secret: 'DemoSecret', method: 'hmac' } });
      assert.equal(res.status, 201);
    },
  },
  {
    id: 'AUTH-003', source: `${BA} §4.3.2 (timestamp)`, level: 'MUST', text: 'The HMAC timestamp may be given as a query parameter',
    async check({ h }) {
      const res = await h.call('/environments/environment', { method: 'POST', headers: { instanceId: fresh() }, auth: { user: 'DemoApp', secret: 'DemoSecret', method: 'hmac', timestampIn: 'query' } });
      assert.equal(res.status, 201);
    },
  },
  {
    id: 'AUTH-004', source: `${IS} §4.1.2`, level: 'MUST', text: 'The authentication method name is case-insensitive',
    async check({ h }) {
      const res = await h.call('/environments/environment', {
        method: 'POST',
        headers: { instanceId: fresh(), Authorization: basicAuth('DemoApp', 'DemoSecret').replace('Basic', 'basic') },
      });
      assert.equal(res.status, 201);
    },
  },
  {
    id: 'AUTH-005', source: `${IS} §4.1.4`, level: 'MUST', text: 'A wrong secret or an unknown application key is refused with 401',
    async check({ h }) {
      for (const auth of [{ user: 'DemoApp', secret: 'wrong' }, { user: 'Nobody', secret: 'DemoSecret' }]) {
        const res = await h.call('/environments/environment', { method: 'POST', auth });
        assert.equal(res.status, 401);
      }
    },
  },
  {
    id: 'AUTH-006', source: `${IS} §4.1.5`, level: 'MUST', text: 'SIF_HMACSHA256 without a timestamp, or with a stale one, is refused with 401',
    async check({ h }) {
      const stale = new Date(Date.now() - 3600_000).toISOString();
      const authorization = hmacAuth('DemoApp', 'DemoSecret', stale);
      const missing = await h.call('/environments/environment', { method: 'POST', headers: { Authorization: authorization } });
      assert.equal(missing.status, 401);
      const old = await h.call('/environments/environment', { method: 'POST', headers: { Authorization: authorization, timestamp: stale } });
      assert.equal(old.status, 401);
    },
  },
  {
    id: 'AUTH-007', source: `${IS} §4.2.1`, level: 'MUST', text: 'Later requests authenticate with the session token as the user, by Basic and by HMAC',
    async check({ h, demo }) {
      assert.equal((await h.call(`/environments/${demo.id}`, { auth: demoAuth(demo) })).status, 200);
      // HMAC on the session of an environment that agreed SIF_HMACSHA256 (a session keeps the method it agreed).
      const created = await h.call('/environments/environment', { method: 'POST', headers: { instanceId: fresh(), Accept: 'application/json' }, auth: { user: 'DemoApp', secret: 'DemoSecret', method: 'hmac' } });
      const env = created.json.environment;
      assert.equal((await h.call(`/environments/${env['@id']}`, { auth: { user: env.sessionToken, secret: 'DemoSecret', method: 'hmac' } })).status, 200);
      assert.equal((await h.call(`/environments/${demo.id}`, { auth: { user: 'DemoApp', secret: 'DemoSecret' } })).status, 401);
    },
  },

  // Environments
  {
    id: 'ENV-001', source: `${IS} §4.3.2, §5.2`, level: 'MUST', text: 'The created environment has a v4 UUID id, type DIRECT and every element a consumer needs',
    async check({ demo }) {
      const env = demo.environment;
      assert.match(env['@id'], UUID4);
      assert.equal(env['@type'], 'DIRECT');
      for (const name of ['fingerprint', 'sessionToken', 'defaultZone', 'authenticationMethod', 'consumerName', 'applicationInfo', 'infrastructureServices', 'provisionedZones']) {
        assert.ok(env[name] !== undefined, `${name} is missing`);
      }
    },
  },
  {
    id: 'ENV-002', source: `${IS} environment.xsd; interop.md §2`, level: 'MUST', text: 'Environment elements are in schema order, in the infrastructure namespace',
    async check({ h, demo }) {
      const res = await h.call(`/environments/${demo.id}`, { auth: demoAuth(demo) });
      assert.match(res.text, new RegExp(`^<\\?xml[^>]*\\?><environment xmlns="http://www\\.sifassociation\\.org/infrastructure/${h.version.replace(/\./g, '\\.')}"`));
      const seen = [...res.text.matchAll(/<(\w+)[ >/]/g)].map((m) => m[1]!).filter((n) => ORDER.includes(n));
      const firsts = seen.filter((n, i) => seen.indexOf(n) === i);
      assert.deepEqual(firsts, ORDER.filter((n) => firsts.includes(n)));
    },
  },
  {
    id: 'ENV-003', source: 'interop.md §2', level: 'MUST', text: 'The default zone is one of the provisioned zones; service types are present; granted rights read APPROVED',
    async check({ demo }) {
      const zones = [demo.environment.provisionedZones.provisionedZone].flat();
      assert.ok(zones.some((z: any) => z['@id'] === demo.environment.defaultZone['@id']));
      const services = zones.flatMap((z: any) => [z.services?.service ?? []].flat());
      assert.ok(services.every((s: any) => ['OBJECT', 'SERVICEPATH', 'UTILITY', 'FUNCTIONAL', 'XQUERYTEMPLATE'].includes(s['@type'])));
      const students = services.find((s: any) => s['@name'] === 'xStudents');
      assert.deepEqual([students.rights.right].flat().map((r: any) => r['#text']), ['APPROVED', 'APPROVED', 'APPROVED', 'APPROVED', 'APPROVED']);
    },
  },
  {
    id: 'ENV-004', source: `${IS} §5.2.3`, level: 'MUST', text: 'Infrastructure service URLs are absolute, named from the enumeration, and the environment URL ends in /environments/{id}',
    async check({ h, demo }) {
      const services = [demo.environment.infrastructureServices.infrastructureService].flat();
      const allowed = ['environment', 'provisionRequests', 'requestsConnector', 'eventsConnector', 'queues', 'subscriptions', 'servicesConnector'];
      assert.ok(services.every((s: any) => allowed.includes(s['@name']) && /^https?:\/\//.test(s['#text'])));
      const env = services.find((s: any) => s['@name'] === 'environment');
      assert.equal(env['#text'], `${h.base}/environments/${demo.id}`);
      assert.ok(services.some((s: any) => s['@name'] === 'requestsConnector'));
    },
  },
  {
    id: 'ENV-005', source: `${BA} §4.5.2 (409); interop.md §2`, level: 'MUST', text: 'Registering the same consumer again answers 409 with the existing environment and session token',
    async check({ h }) {
      const instanceId = fresh();
      const first = await h.register('DemoApp', 'DemoSecret', instanceId);
      const again = await h.call('/environments/environment', { method: 'POST', headers: { Accept: 'application/json', instanceId }, auth: { user: 'DemoApp', secret: 'DemoSecret' } });
      assert.equal(again.status, 409);
      assert.equal(again.json.environment['@id'], first.id);
      assert.equal(again.json.environment.sessionToken, first.token);
    },
  },
  {
    id: 'ENV-006', source: `${IS} §4.3`, level: 'MUST', text: "Another consumer's environment is not found (404)",
    async check({ h, demo, readOnly }) {
      assert.equal((await h.call(`/environments/${demo.id}`, { auth: demoAuth(readOnly) })).status, 404);
    },
  },
  {
    id: 'ENV-007', source: `${IS} §5.3`, level: 'MUST', text: 'Deleting the environment answers 204 and invalidates its session token',
    async check({ h }) {
      const s = await h.register('DemoApp', 'DemoSecret', fresh());
      assert.equal((await h.call(`/environments/${s.id}`, { method: 'DELETE', auth: demoAuth(s) })).status, 204);
      assert.equal((await h.call(`/environments/${s.id}`, { auth: demoAuth(s) })).status, 401);
    },
  },
  {
    id: 'ENV-008', source: `${IS} §4.3.1 (note)`, level: 'MUST', text: 'An environment can be created without a payload, from headers',
    async check({ h }) {
      const res = await h.call('/environments/environment', { method: 'POST', headers: { Accept: 'application/json', instanceId: fresh(), solutionId: 'audit' }, auth: { user: 'DemoApp', secret: 'DemoSecret' } });
      assert.equal(res.status, 201);
      assert.equal(res.json.environment.solutionId, 'audit');
    },
  },
  {
    id: 'ENV-009', source: `${BA} §4.3.2 (Accept)`, level: 'SHOULD', text: 'JSON (Goessner notation) is answered when the consumer accepts application/json',
    async check({ h, demo }) {
      const res = await h.call(`/environments/${demo.id}`, { headers: { Accept: 'application/json' }, auth: demoAuth(demo) });
      assert.equal(res.json.environment['@id'], demo.id);
      assert.ok(Array.isArray(res.json.environment.infrastructureServices.infrastructureService));
    },
  },

  // Requests connector
  {
    id: 'RC-001', source: `${BA} §5.4`, level: 'MUST', text: 'A query answers a page of the collection with paging headers',
    async check({ h, demo }) {
      const res = await h.call('/requests/xStudents?navigationPage=1&navigationPageSize=10', { auth: demoAuth(demo) });
      assert.equal(res.status, 200);
      assert.match(res.text, new RegExp(`<xStudents xmlns="${NA}"`));
      assert.equal(res.headers.get('navigationPage'), '1');
      assert.equal(res.headers.get('navigationCount'), String(h.sis.prepare('SELECT count(*) FROM students').pluck().get()));
    },
  },
  {
    id: 'RC-002', source: `${BA} §5.4.1 (By Id)`, level: 'MUST', text: 'A query by id answers the object, or 404',
    async check({ h, demo }) {
      const id = firstStudent(h);
      const res = await h.call(`/requests/xStudents/${id}`, { headers: { Accept: 'application/json' }, auth: demoAuth(demo) });
      assert.equal(res.json.xStudent['@refId'], id);
      assert.equal((await h.call('/requests/xStudents/00000000-0000-4000-8000-000000000000', { auth: demoAuth(demo) })).status, 404);
    },
  },
  {
    id: 'RC-003', source: `${BA} §5.12`, level: 'MUST', text: 'A single create answers 201 with the created object',
    async check({ h, demo }) {
      const res = await h.call('/requests/xStudents/xStudent', {
        method: 'POST', headers: { 'Content-Type': 'application/xml' }, auth: demoAuth(demo),
        body: `<xStudent xmlns="${NA}"><name><type>LegalName</type><familyName>Audit</familyName><givenName>One</givenName></name></xStudent>`,
      });
      assert.equal(res.status, 201);
      assert.match(res.text, /<xStudent xmlns="[^"]+" refId="[0-9a-f-]{36}"/);
    },
  },
  {
    id: 'RC-004', source: `${BA} §5.11.1, §5.12`, level: 'MUST', text: 'A multi-object create answers 200 with a createResponse, one status per object',
    async check({ h, demo }) {
      const one = (g: string) => `<xStudent><name><type>LegalName</type><familyName>Audit</familyName><givenName>${g}</givenName></name></xStudent>`;
      const res = await h.call('/requests/xStudents', { method: 'POST', headers: { 'Content-Type': 'application/xml' }, auth: demoAuth(demo), body: `<xStudents xmlns="${NA}">${one('A')}${one('B')}</xStudents>` });
      assert.equal(res.status, 200);
      assert.equal([...res.text.matchAll(/<create [^>]*statusCode="201"/g)].length, 2);
    },
  },
  {
    id: 'RC-005', source: `${BA} §5.13`, level: 'MUST', text: 'A single update answers 204; a multi-object update 200 with an updateResponse',
    async check({ h, demo }) {
      const id = firstStudent(h);
      const single = await h.call(`/requests/xStudents/${id}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, auth: demoAuth(demo), body: JSON.stringify({ xStudent: { localId: 'audit-1' } }) });
      assert.equal(single.status, 204);
      const multi = await h.call('/requests/xStudents', {
        method: 'PUT', headers: { 'Content-Type': 'application/xml' }, auth: demoAuth(demo),
        body: `<xStudents xmlns="${NA}"><xStudent refId="${id}"><localId>audit-2</localId></xStudent><xStudent refId="00000000-0000-4000-8000-000000000000"><localId>x</localId></xStudent></xStudents>`,
      });
      assert.equal(multi.status, 200);
      assert.match(multi.text, new RegExp(`<update id="${id}" statusCode="200"/><update id="00000000-0000-4000-8000-000000000000" statusCode="404"><error`));
    },
  },
  {
    id: 'RC-006', source: `${BA} §5.14`, level: 'MUST', text: 'A single delete answers 204; PUT with methodOverride DELETE and a deleteRequest answers a deleteResponse',
    async check({ h, demo }) {
      const ids = h.sis.prepare('SELECT ref_id FROM students ORDER BY seq DESC LIMIT 2').pluck().all() as string[];
      assert.equal((await h.call(`/requests/xStudents/${ids[0]}`, { method: 'DELETE', auth: demoAuth(demo) })).status, 204);
      const res = await h.call('/requests/xStudents', {
        method: 'PUT', auth: demoAuth(demo), headers: { methodOverride: 'DELETE', 'Content-Type': 'application/xml' },
        body: `<deleteRequest xmlns="http://www.sifassociation.org/infrastructure/${h.version}"><deletes><delete id="${ids[1]}"/></deletes></deleteRequest>`,
      });
      assert.equal(res.status, 200);
      assert.match(res.text, new RegExp(`<delete id="${ids[1]}" statusCode="200"/>`));
    },
  },
  {
    id: 'RC-007', source: `${BA} §4.3.2; interop.md §3`, level: 'MUST', text: 'Answers carry timestamp, messageId, messageType, responseAction, environmentURI, fingerprint, and echo requestId',
    async check({ h, demo }) {
      const res = await h.call('/requests/xStudents?navigationPageSize=1', { headers: { requestId: 'audit-42' }, auth: demoAuth(demo) });
      for (const name of ['timestamp', 'messageId', 'messageType', 'responseAction', 'environmentURI', 'fingerprint']) assert.ok(res.headers.get(name), `${name} is missing`);
      assert.equal(res.headers.get('requestId'), 'audit-42');
      assert.equal(res.headers.get('responseAction'), 'QUERY');
      assert.match(res.headers.get('messageId')!, UUID4);
    },
  },
  {
    id: 'RC-008', source: `${BA} §4.5.2 (403)`, level: 'MUST', text: 'An operation the consumer has no right for is refused with 403',
    async check({ h, readOnly }) {
      const res = await h.call('/requests/xStudents/xStudent', { method: 'POST', headers: { 'Content-Type': 'application/json' }, auth: demoAuth(readOnly), body: '{"xStudent":{"name":{"familyName":"X","givenName":"Y"}}}' });
      assert.equal(res.status, 403);
    },
  },
  {
    id: 'RC-009', source: `${BA} §4.3.3`, level: 'MUST', text: 'Zone and context are taken from matrix parameters; an unknown zone is 404',
    async check({ h, demo }) {
      assert.equal((await h.call('/requests/xStudents;zoneId=District;contextId=DEFAULT?navigationPageSize=1', { auth: demoAuth(demo) })).status, 200);
      assert.equal((await h.call('/requests/xStudents;zoneId=Elsewhere', { auth: demoAuth(demo) })).status, 404);
    },
  },
  {
    id: 'RC-010', source: `${BA} §4.3.2 (Accept, content-Type)`, level: 'MUST', text: 'The .json suffix and Accept choose the format; XML is the default',
    async check({ h, demo }) {
      assert.match((await h.call('/requests/xStudents.json?navigationPageSize=1', { auth: demoAuth(demo) })).headers.get('content-type')!, /json/);
      assert.match((await h.call('/requests/xStudents?navigationPageSize=1', { auth: demoAuth(demo) })).headers.get('content-type')!, /xml/);
      assert.match((await h.call('/requests/xStudents.json?navigationPageSize=1', { headers: { Accept: 'application/xml' }, auth: demoAuth(demo) })).headers.get('content-type')!, /xml/);
    },
  },
  {
    id: 'RC-011', source: `${BA} §4.5.2`, level: 'MUST', text: 'Malformed XML is 400, an unsupported media type 415, DELETE on a collection 405',
    async check({ h, demo }) {
      assert.equal((await h.call('/requests/xStudents/xStudent', { method: 'POST', headers: { 'Content-Type': 'application/xml' }, auth: demoAuth(demo), body: '<xStudent><name>' })).status, 400);
      assert.equal((await h.call('/requests/xStudents/xStudent', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, auth: demoAuth(demo), body: 'x' })).status, 415);
      assert.equal((await h.call('/requests/xStudents', { method: 'DELETE', auth: demoAuth(demo) })).status, 405);
    },
  },
  {
    id: 'ERR-001', source: `${BA} §4.5.1`, level: 'MUST', text: 'Errors are SIF error objects whose code equals the HTTP status, with messageType ERROR',
    async check({ h }) {
      const res = await h.call('/requests/xStudents');
      assert.equal(res.status, 401);
      assert.equal(res.headers.get('messageType'), 'ERROR');
      assert.match(res.text, /<error xmlns="http:\/\/www\.sifassociation\.org\/infrastructure\/[^"]+" id="[0-9a-f-]{36}"><code>401<\/code><scope>[^<]+<\/scope><message>/);
    },
  },

  // Paging
  {
    id: 'PAGE-001', source: `${BA} §4.3.2 (navigation*)`, level: 'MUST', text: 'Pages are 1-based and report navigationCount and navigationLastPage; past the last page is 204',
    async check({ h, demo }) {
      const count = Number(h.sis.prepare('SELECT count(*) FROM students').pluck().get());
      const last = Math.ceil(count / 100);
      const res = await h.call(`/requests/xStudents?navigationPage=${last}&navigationPageSize=100`, { auth: demoAuth(demo) });
      assert.equal(res.headers.get('navigationLastPage'), String(last));
      const past = await h.call(`/requests/xStudents?navigationPage=${last + 1}&navigationPageSize=100`, { auth: demoAuth(demo) });
      assert.equal(past.status, 204);
      assert.equal(past.headers.get('navigationCount'), String(count));
    },
  },
  {
    id: 'PAGE-002', source: `${BA} §4.3.2 (navigationPageSize)`, level: 'MUST', text: 'A page size above the maximum is 413',
    async check({ h, demo }) {
      assert.equal((await h.call('/requests/xStudents?navigationPageSize=100000', { auth: demoAuth(demo) })).status, 413);
    },
  },
  {
    id: 'PAGE-003', source: 'interop.md §3 (paging)', level: 'MUST', text: 'A page of 0 or a non-number is 400',
    async check({ h, demo }) {
      assert.equal((await h.call('/requests/xStudents?navigationPage=0', { auth: demoAuth(demo) })).status, 400);
      assert.equal((await h.call('/requests/xStudents?navigationPage=two', { auth: demoAuth(demo) })).status, 400);
    },
  },
  {
    id: 'PAGE-004', source: `${BA} §4.3.2 (note)`, level: 'MUST', text: 'A header wins over the query parameter of the same name',
    async check({ h, demo }) {
      const res = await h.call('/requests/xStudents.json?navigationPageSize=2', { headers: { navigationPageSize: '3' }, auth: demoAuth(demo) });
      assert.equal(res.json.xStudents.xStudent.length, 3);
    },
  },
  {
    id: 'PAGE-005', source: `${BA} §5.4.2 (queryIntention)`, level: 'SHOULD', text: 'queryIntention ALL returns a navigationId that serves the following pages',
    async check({ h, demo }) {
      const first = await h.call('/requests/xStudents?navigationPageSize=5', { headers: { queryIntention: 'ALL' }, auth: demoAuth(demo) });
      const nav = first.headers.get('navigationId');
      assert.ok(nav);
      const second = await h.call('/requests/xStudents?navigationPage=2&navigationPageSize=5', { headers: { navigationId: nav! }, auth: demoAuth(demo) });
      assert.equal(second.status, 200);
      assert.equal(second.headers.get('navigationId'), nav);
    },
  },

  // Queries
  {
    id: 'QRY-001', source: `${BA} §5.7`, level: 'SHOULD', text: 'A where clause selects the matching objects',
    async check({ h, demo }) {
      const family = h.sis.prepare('SELECT family_name FROM students LIMIT 1').pluck().get() as string;
      const expected = h.sis.prepare('SELECT count(*) FROM students WHERE family_name = ?').pluck().get(family);
      const res = await h.call(`/requests/xStudents.json?navigationPageSize=1000&where=${encodeURIComponent(`[name/familyName="${family}"]`)}`, { auth: demoAuth(demo) });
      assert.equal(res.headers.get('navigationCount'), String(expected));
      assert.ok(res.json.xStudents.xStudent.every((s: any) => s.name.familyName === family));
    },
  },
  {
    id: 'QRY-002', source: `${BA} §5.4 (400)`, level: 'MUST', text: 'A query the provider cannot understand is 400',
    async check({ h, demo }) {
      assert.equal((await h.call(`/requests/xStudents?where=${encodeURIComponent('[name/familyName="a" or 1=1 --]')}`, { auth: demoAuth(demo) })).status, 400);
    },
  },
  {
    id: 'QRY-003', source: `${BA} §5.8`, level: 'SHOULD', text: 'An order clause sorts the results',
    async check({ h, demo }) {
      const res = await h.call(`/requests/xStudents.json?navigationPageSize=50&order=${encodeURIComponent('[name/familyName=descending]')}`, { auth: demoAuth(demo) });
      const names = res.json.xStudents.xStudent.map((s: any) => s.name.familyName);
      assert.deepEqual(names, [...names].sort().reverse());
    },
  },
  {
    id: 'QRY-004', source: `${BA} §5.9`, level: 'SHOULD', text: 'Query by example (POST with methodOverride GET) selects with % wildcards',
    async check({ h, demo }) {
      const res = await h.call('/requests/xStudents?navigationPageSize=1000', {
        method: 'POST', headers: { methodOverride: 'GET', 'Content-Type': 'application/json', Accept: 'application/json' }, auth: demoAuth(demo),
        body: JSON.stringify({ xStudent: { name: { familyName: 'S%' } } }),
      });
      assert.equal(res.status, 200);
      assert.ok(res.json.xStudents.xStudent.every((s: any) => /^s/i.test(s.name.familyName)));
    },
  },
  {
    id: 'QRY-005', source: `${BA} §5.5`, level: 'SHOULD', text: 'A service path answers the objects related to the parent',
    async check({ h, demo }) {
      const school = h.sis.prepare('SELECT ref_id FROM schools LIMIT 1').pluck().get() as string;
      const expected = h.sis.prepare('SELECT count(*) FROM students WHERE school_ref_id = ?').pluck().get(school);
      const res = await h.call(`/requests/xSchools/${school}/xStudents?navigationPageSize=1`, { auth: demoAuth(demo) });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('navigationCount'), String(expected));
    },
  },

  // HEAD and changes since
  {
    id: 'CHG-001', source: `${BA} §5.10.1, §5.15`, level: 'SHOULD', text: 'HEAD answers the headers of a query, with a changesSinceMarker, and no body',
    async check({ h, demo }) {
      const res = await h.call('/requests/xStudents', { method: 'HEAD', auth: demoAuth(demo) });
      assert.equal(res.status, 200);
      assert.equal(res.text, '');
      assert.ok(res.headers.get('changesSinceMarker'));
      assert.ok(res.headers.get('navigationCount'));
    },
  },
  {
    id: 'CHG-002', source: `${BA} §5.10.1, §5.10.2`, level: 'SHOULD', text: 'Changes since a marker answer the changed objects (deleted ones as ids) and a new marker; then 204',
    async check({ h, demo }) {
      const marker = (await h.call('/requests/xStudents', { method: 'HEAD', auth: demoAuth(demo) })).headers.get('changesSinceMarker')!;
      const ids = h.sis.prepare('SELECT ref_id FROM students ORDER BY seq LIMIT 2 OFFSET 5').pluck().all() as string[];
      await h.call(`/requests/xStudents/${ids[0]}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, auth: demoAuth(demo), body: '{"xStudent":{"localId":"chg"}}' });
      await h.call(`/requests/xStudents/${ids[1]}`, { method: 'DELETE', auth: demoAuth(demo) });
      const res = await h.call(`/requests/xStudents.json?changesSinceMarker=${encodeURIComponent(marker)}`, { auth: demoAuth(demo) });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json.xStudents.xStudent.map((s: any) => [s['@refId'], s.localId]), [[ids[0], 'chg'], [ids[1], undefined]]);
      const next = res.headers.get('changesSinceMarker')!;
      assert.notEqual(next, marker);
      assert.equal((await h.call(`/requests/xStudents?changesSinceMarker=${encodeURIComponent(next)}`, { auth: demoAuth(demo) })).status, 204);
    },
  },
  {
    id: 'CHG-003', source: `${BA} §5.10`, level: 'MUST', text: 'A marker the provider never issued is refused (4xx)',
    async check({ h, demo }) {
      const res = await h.call('/requests/xStudents?changesSinceMarker=bogus', { auth: demoAuth(demo) });
      assert.ok(res.status >= 400 && res.status < 500);
    },
  },

  // Alerts
  {
    id: 'ALR-001', source: `${US} §7.1, §7.3`, level: 'MUST', text: 'A consumer creates one alert and gets it back with an id (201)',
    async check({ h, demo }) {
      const res = await h.call('/requests/alerts/alert', {
        method: 'POST', headers: { 'Content-Type': 'application/xml' }, auth: demoAuth(demo),
        body: `<alert xmlns="http://www.sifassociation.org/infrastructure/${h.version}"><reporter>Audit</reporter><exchange>REQUEST</exchange><level>ERROR</level><description>audit</description><code>400</code></alert>`,
      });
      assert.equal(res.status, 201);
      assert.match(res.text, /<alert xmlns="[^"]+" id="[0-9a-f-]{36}"><reporter>Audit<\/reporter>/);
    },
  },
  {
    id: 'ALR-002', source: `${US} §7.1`, level: 'MUST', text: "A consumer's alert query returns only its own alerts",
    async check({ h, demo, readOnly }) {
      await h.call('/requests/alerts/alert', { method: 'POST', headers: { 'Content-Type': 'application/json' }, auth: demoAuth(readOnly), body: '{"alert":{"reporter":"ReadOnly","exchange":"OTHER","level":"INFO"}}' });
      const res = await h.call('/requests/alerts.json', { auth: demoAuth(demo) });
      assert.ok([res.json.alerts.alert].flat().every((a: any) => a.reporter === 'Audit'));
      const xml = await h.call('/requests/alerts', { auth: demoAuth(demo) });
      assert.doesNotMatch(xml.text, /ReadOnly/);
    },
  },
  {
    id: 'ALR-003', source: `${US} §7.3`, level: 'MUST', text: 'An alert without reporter, or with a level outside the enumeration, is 400',
    async check({ h, demo }) {
      for (const body of ['{"alert":{"exchange":"OTHER","level":"INFO"}}', '{"alert":{"reporter":"A","exchange":"OTHER","level":"LOUD"}}']) {
        assert.equal((await h.call('/requests/alerts/alert', { method: 'POST', headers: { 'Content-Type': 'application/json' }, auth: demoAuth(demo), body })).status, 400);
      }
    },
  },
  {
    id: 'ALR-004', source: `${US} §7.1 (prohibited)`, level: 'MUST', text: 'Alerts cannot be updated or deleted',
    async check({ h, demo }) {
      assert.equal((await h.call('/requests/alerts/x', { method: 'DELETE', auth: demoAuth(demo) })).status, 405);
      assert.equal((await h.call('/requests/alerts/x', { method: 'PUT', auth: demoAuth(demo) })).status, 405);
    },
  },

  // Queues, subscriptions, events, delayed requests (Infrastructure Services §8–10, Base Architecture §4.2)
  {
    id: 'QUE-001', source: `${IS} §3.2.1, §9`, level: 'MUST', text: 'With queues on, the environment lists the queues and subscriptions services',
    async check({ h, demo }) {
      const names = demo.environment.infrastructureServices.infrastructureService.map((s: any) => s['@name']);
      assert.deepEqual(names.slice(0, 5), ['environment', 'requestsConnector', 'provisionRequests', 'queues', 'subscriptions']);
    },
  },
  {
    id: 'QUE-002', source: `${IS} §9.1, §9.2`, level: 'MUST', text: 'A queue is created (201) with the elements the provider fills: id, ownerId, queueUri, idleTimeout, minWaitTime, maxConcurrentConnections, times and messageCount',
    async check({ h }) {
      const s = await h.register('DemoApp', 'DemoSecret', fresh());
      const res = await h.call('/queues/queue', {
        method: 'POST', headers: { 'Content-Type': 'application/xml' }, auth: demoAuth(s),
        body: `<queue xmlns="http://www.sifassociation.org/infrastructure/${h.version}"><polling>LONG</polling><name>audit</name><idleTimeout>10</idleTimeout></queue>`,
      });
      assert.equal(res.status, 201);
      const id = /<queue[^>]* id="([^"]+)"/.exec(res.text)?.[1] ?? '';
      assert.match(id, UUID4);
      assert.match(res.text, new RegExp(`<polling>LONG</polling><ownerId>${s.id}</ownerId><name>audit</name><queueUri>${h.base}/queues/${id}/messages</queueUri><idleTimeout>10</idleTimeout><minWaitTime>0</minWaitTime><maxConcurrentConnections>1</maxConcurrentConnections><created>[^<]+</created><lastAccessed>[^<]+</lastAccessed><lastModified>[^<]+</lastModified><messageCount>0</messageCount></queue>$`));
    },
  },
  {
    id: 'QUE-003', source: `${IS} §9.1`, level: 'MUST', text: "A consumer's queue query lists only its own queues; another consumer's queue is not found (404)",
    async check({ h, readOnly }) {
      const s = await h.register('DemoApp', 'DemoSecret', fresh());
      const q = await queue(h, s);
      const mine = await h.call('/queues', { headers: { Accept: 'application/json' }, auth: demoAuth(s) });
      assert.deepEqual([mine.json.queues.queue].flat().map((x: any) => x['@id']), [q.id]);
      assert.equal((await h.call(`/queues/${q.id}`, { auth: demoAuth(readOnly) })).status, 404);
      assert.equal((await h.call(q.messages, { auth: demoAuth(readOnly) })).status, 404);
      assert.equal((await h.call(`/queues/${q.id}`, { method: 'DELETE', auth: demoAuth(readOnly) })).status, 404);
    },
  },
  {
    id: 'QUE-004', source: `${IS} §9.3.1`, level: 'MUST', text: 'Polling an empty IMMEDIATE queue answers 204',
    async check({ h }) {
      const s = await h.register('DemoApp', 'DemoSecret', fresh());
      const q = await queue(h, s);
      assert.equal((await h.call(q.messages, { auth: demoAuth(s) })).status, 204);
    },
  },
  {
    id: 'QUE-005', source: `${IS} §9.3.1`, level: 'MUST', text: 'Get next returns the oldest message with its messageId until it is deleted; deleteMessageId pops it; an id not outstanding is 404',
    async check({ h }) {
      const { s, q } = await subscribed(h);
      await createStudents(h, s, 2);
      const first = await h.call(q.messages, { auth: demoAuth(s) });
      assert.equal(first.status, 200);
      const id = first.headers.get('messageId')!;
      assert.match(id, UUID4);
      assert.equal((await h.call(q.messages, { auth: demoAuth(s) })).headers.get('messageId'), id);
      const second = await h.call(`${q.messages};deleteMessageId=${id}`, { auth: demoAuth(s) });
      assert.equal(second.status, 200);
      assert.notEqual(second.headers.get('messageId'), id);
      assert.equal((await h.call(`${q.messages};deleteMessageId=${id}`, { auth: demoAuth(s) })).status, 404);
    },
  },
  {
    id: 'QUE-006', source: `${IS} §9.3.2`, level: 'SHOULD', text: 'A LONG poll is held until a message arrives, then answered at once',
    async check({ h }) {
      const { s, q } = await subscribed(h, { polling: 'LONG', idleTimeout: 10 });
      const started = Date.now();
      const pending = h.call(q.messages, { auth: demoAuth(s) });
      await new Promise((r) => setTimeout(r, 200));
      await createStudents(h, s, 1);
      const res = await pending;
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('eventAction'), 'CREATE');
      const took = Date.now() - started;
      assert.ok(took >= 200 && took < 5000, `answered after ${took} ms`);
    },
  },
  {
    id: 'QUE-007', source: `${IS} §9.3.3`, level: 'SHOULD', text: 'A queue with several connections needs a connectionId (else Not Found) and keeps one message per connection',
    async check({ h }) {
      const { s, q } = await subscribed(h, { maxConcurrentConnections: 2 });
      await createStudents(h, s, 2);
      assert.equal((await h.call(q.messages, { auth: demoAuth(s) })).status, 404);
      const c0 = await h.call(q.messages, { headers: { connectionId: '0' }, auth: demoAuth(s) });
      const c1 = await h.call(q.messages, { headers: { connectionId: '1' }, auth: demoAuth(s) });
      assert.deepEqual([c0.headers.get('connectionId'), c1.headers.get('connectionId')], ['0', '1']);
      assert.notEqual(c0.headers.get('messageId'), c1.headers.get('messageId'));
    },
  },
  {
    id: 'QUE-008', source: `${IS} §9.3.4`, level: 'MUST', text: 'A wake-up queue (ownerUri) the provider does not offer is refused with 405',
    async check({ h, demo }) {
      const res = await h.call('/queues', { method: 'POST', headers: { 'Content-Type': 'application/json' }, auth: demoAuth(demo), body: '{"queue":{"ownerUri":"https://consumer.example/wake"}}' });
      assert.equal(res.status, 405);
    },
  },
  {
    id: 'QUE-009', source: `${IS} §9.1`, level: 'MUST', text: 'Deleting a queue (204) removes it and its subscriptions',
    async check({ h }) {
      const { s, q, subscriptionId } = await subscribed(h);
      assert.equal((await h.call(`/queues/${q.id}`, { method: 'DELETE', auth: demoAuth(s) })).status, 204);
      assert.equal((await h.call(`/queues/${q.id}`, { auth: demoAuth(s) })).status, 404);
      assert.equal((await h.call(`/subscriptions/${subscriptionId}`, { auth: demoAuth(s) })).status, 404);
    },
  },
  {
    id: 'SUB-001', source: `${IS} §10.1, §10.2`, level: 'MUST', text: 'A subscription with SUBSCRIBE approved is created (201) with zone, context, service type and name, queue',
    async check({ h }) {
      const s = await h.register('DemoApp', 'DemoSecret', fresh());
      const q = await queue(h, s);
      const res = await h.call('/subscriptions/subscription', {
        method: 'POST', headers: { 'Content-Type': 'application/xml' }, auth: demoAuth(s),
        body: `<subscription xmlns="http://www.sifassociation.org/infrastructure/${h.version}"><zoneId>District</zoneId><contextId>DEFAULT</contextId><serviceType>OBJECT</serviceType><serviceName>xStudents</serviceName><queueId>${q.id}</queueId></subscription>`,
      });
      assert.equal(res.status, 201);
      assert.match(res.text, new RegExp(`<subscription[^>]* id="[0-9a-f-]{36}"><zoneId>District</zoneId><contextId>DEFAULT</contextId><serviceType>OBJECT</serviceType><serviceName>xStudents</serviceName><queueId>${q.id}</queueId></subscription>$`));
      assert.equal((await h.call('/subscriptions', { auth: demoAuth(s) })).status, 200);
    },
  },
  {
    id: 'SUB-002', source: `${IS} §10.1`, level: 'MUST', text: 'Subscribing without the SUBSCRIBE right approved is refused (403)',
    async check({ h }) {
      const s = await h.register('ReadOnlyApp', 'ReadOnlySecret', fresh());
      const q = await queue(h, s);
      assert.equal((await subscribe(h, s, q.id)).status, 403);
    },
  },
  {
    id: 'SUB-003', source: `${IS} §10.1`, level: 'MUST', text: 'Subscribing twice to the same events fails (409)',
    async check({ h }) {
      const { s, q } = await subscribed(h);
      assert.equal((await subscribe(h, s, q.id)).status, 409);
    },
  },
  {
    id: 'EVT-001', source: `${BA} §4.2.2, ${IS} §8.3`, level: 'MUST', text: 'A change arrives in each subscribed queue as an EVENT with eventAction, serviceName, zoneId and contextId headers and the collection as payload',
    async check({ h }) {
      const { s, q } = await subscribed(h);
      const [refId] = await createStudents(h, s, 1);
      const res = await h.call(q.messages, { headers: { Accept: 'application/json' }, auth: demoAuth(s) });
      assert.equal(res.status, 200);
      for (const [name, value] of Object.entries({ messageType: 'EVENT', eventAction: 'CREATE', serviceName: 'xStudents', zoneId: 'District', contextId: 'DEFAULT' })) {
        assert.equal(res.headers.get(name), value, name);
      }
      assert.equal(res.json.xStudents.xStudent[0]['@refId'], refId);
    },
  },
  {
    id: 'EVT-002', source: `${BA} §4.2.2`, level: 'MUST', text: 'Update and delete events follow in order; a delete carries the ids only',
    async check({ h }) {
      const { s, q } = await subscribed(h);
      const [refId] = await createStudents(h, s, 1);
      await h.call(`/requests/xStudents/${refId}`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, auth: demoAuth(s), body: '{"xStudent":{"localId":"A-1"}}' });
      await h.call(`/requests/xStudents/${refId}`, { method: 'DELETE', auth: demoAuth(s) });
      const events = await drainQueue(h, s, q.messages);
      assert.deepEqual(events.map((e) => e.headers.get('eventAction')), ['CREATE', 'UPDATE', 'DELETE']);
      assert.deepEqual(events[2]!.json.xStudents.xStudent, [{ '@refId': refId }]);
    },
  },
  {
    id: 'DLY-001', source: `${BA} §4.2.1.2`, level: 'MUST', text: 'A DELAYED request with a queueId is accepted (202); its response arrives in the queue with requestId, responseAction and relativeServicePath',
    async check({ h }) {
      const s = await h.register('DemoApp', 'DemoSecret', fresh());
      const q = await queue(h, s);
      const refId = firstStudent(h);
      const accepted = await h.call(`/requests/xStudents/${refId}`, { headers: { requestType: 'DELAYED', queueId: q.id, requestId: 'audit-1', Accept: 'application/json' }, auth: demoAuth(s) });
      assert.equal(accepted.status, 202);
      const [answer] = await drainQueue(h, s, q.messages, 1);
      assert.equal(answer!.headers.get('requestId'), 'audit-1');
      assert.equal(answer!.headers.get('responseAction'), 'QUERY');
      assert.equal(answer!.headers.get('relativeServicePath'), `/xStudents/${refId}`);
      assert.equal(answer!.json.xStudent['@refId'], refId);
    },
  },
  {
    id: 'DLY-002', source: `${BA} §4.2.1.2, §5.4`, level: 'SHOULD', text: 'A delayed paged query puts every page into the queue',
    async check({ h }) {
      const s = await h.register('DemoApp', 'DemoSecret', fresh());
      const q = await queue(h, s);
      const total = h.sis.prepare('SELECT count(*) FROM students').pluck().get() as number;
      await h.call('/requests/xStudents?navigationPageSize=100', { headers: { requestType: 'DELAYED', queueId: q.id, requestId: 'pages', Accept: 'application/json' }, auth: demoAuth(s) });
      const pages = await drainQueue(h, s, q.messages, Math.ceil(total / 100));
      assert.deepEqual(pages.map((p) => p.headers.get('navigationPage')), Array.from({ length: Math.ceil(total / 100) }, (_, i) => String(i + 1)));
      assert.equal(new Set(pages.flatMap((p) => p.json.xStudents.xStudent.map((x: any) => x['@refId']))).size, total);
    },
  },
  {
    id: 'DLY-003', source: `${BA} §4.3.2 (queueId)`, level: 'MUST', text: 'A DELAYED request without a queueId of the consumer is refused (400/404), not accepted',
    async check({ h, demo, readOnly }) {
      assert.equal((await h.call('/requests/xStudents', { headers: { requestType: 'DELAYED', requestId: 'x' }, auth: demoAuth(demo) })).status, 400);
      const theirs = await queue(h, readOnly);
      assert.equal((await h.call('/requests/xStudents', { headers: { requestType: 'DELAYED', requestId: 'x', queueId: theirs.id }, auth: demoAuth(demo) })).status, 404);
    },
  },
];

function subscribe(h: Harness, s: Session, queueId: string) {
  return h.call('/subscriptions', {
    method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, auth: demoAuth(s),
    body: JSON.stringify({ subscription: { zoneId: 'District', contextId: 'DEFAULT', serviceType: 'OBJECT', serviceName: 'xStudents', queueId } }),
  });
}

/** A fresh DemoApp environment with a queue subscribed to xStudents. */
async function subscribed(h: Harness, options: Record<string, unknown> = {}) {
  const s = await h.register('DemoApp', 'DemoSecret', fresh());
  const q = await queue(h, s, options);
  const res = await subscribe(h, s, q.id);
  assert.equal(res.status, 201, res.text);
  return { s, q, subscriptionId: res.json.subscription['@id'] as string };
}

async function createStudents(h: Harness, s: Session, n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await h.call('/requests/xStudents/xStudent', {
      method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, auth: demoAuth(s),
      body: JSON.stringify({ xStudent: { name: { type: 'LegalName', familyName: 'Audit', givenName: `E${i}` } } }),
    });
    assert.equal(res.status, 201);
    ids.push(res.json.xStudent['@refId']);
  }
  return ids;
}
