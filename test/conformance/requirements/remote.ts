import assert from 'node:assert/strict';
import type { Harness, Session } from '../harness';
import { BA, demoAuth, drainQueue, queue } from './common';
import { fresh } from './core';
import type { Requirement } from './types';

// SIF 3.5 asynchronous providers in pull mode, against the example SIS, whose xStaffs service is
// provided remotely by StaffDirectory: the audit plays that provider by hand over HTTP. JSON is used
// for the 3.5 subscription payloads: the 3.2.1 and 3.3 schemas the audit validates XML against
// have no serviceSubType or messageType.

const O35 = 'Infrastructure Service Objects 3.5';
const SCOPE = 'SIF 3.5 scope, Asynchronous Providers';
const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' };

function subscribe(h: Harness, s: Session, subscription: Record<string, string>) {
  return h.call('/subscriptions', { method: 'POST', headers: JSON_HEADERS, auth: demoAuth(s), body: JSON.stringify({ subscription }) });
}

/** A fresh StaffDirectory environment subscribed to the xStaffs requests; `end` unsubscribes it, freeing the service for the next check. */
async function provider(h: Harness) {
  const p = await h.register('StaffDirectory', 'StaffSecret', fresh());
  const q = await queue(h, p);
  const res = await subscribe(h, p, { serviceType: 'OBJECT', serviceName: 'xStaffs', messageType: 'REQUEST', queueId: q.id });
  assert.equal(res.status, 201, res.text);
  const id = res.json.subscription['@id'];
  return { p, q, end: async () => assert.equal((await h.call(`/subscriptions/${id}`, { method: 'DELETE', auth: demoAuth(p) })).status, 204) };
}

/** The remote-provider requirements, in the order they run. */
export const REMOTE_REQUIREMENTS: Requirement[] = [
  {
    id: 'REM-001', source: `${O35} §3.5.6`, level: 'MUST', text: 'A subscription with serviceType SERVICE, serviceSubType adminDirective and messageType EVENT is accepted (201) and echoed in schema order',
    async check({ h, demo }) {
      const q = await queue(h, demo);
      const res = await subscribe(h, demo, { serviceType: 'SERVICE', serviceSubType: 'adminDirective', messageType: 'EVENT', serviceName: 'xStudents', queueId: q.id });
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(Object.keys(res.json.subscription), ['@id', 'zoneId', 'contextId', 'serviceType', 'serviceSubType', 'messageType', 'serviceName', 'queueId']);
      assert.deepEqual([res.json.subscription.serviceType, res.json.subscription.serviceSubType, res.json.subscription.messageType], ['SERVICE', 'adminDirective', 'EVENT']);
    },
  },
  {
    id: 'REM-002', source: `${SCOPE}; ${O35} §3.5.6 (messageType REQUEST); Infrastructure Services 3.2.1 §6 (PROVIDE)`, level: 'MUST',
    text: 'Only the application providing a service, with PROVIDE, may subscribe a queue to its requests; another is refused',
    async check({ h, demo }) {
      const q = await queue(h, demo);
      const refused = await subscribe(h, demo, { serviceType: 'OBJECT', serviceName: 'xStaffs', messageType: 'REQUEST', queueId: q.id });
      assert.equal(refused.status, 403, refused.text);
      const { end } = await provider(h);
      await end();
    },
  },
  {
    id: 'REM-003', source: `${BA} §4.2.1.2 (503); ${SCOPE}`, level: 'MUST', text: 'An IMMEDIATE request to a remotely provided service is refused with 503 telling the consumer to send it DELAYED',
    async check({ h, demo }) {
      const res = await h.call('/requests/xStaffs', { headers: { Accept: 'application/json' }, auth: demoAuth(demo) });
      assert.equal(res.status, 503);
      assert.match(res.json.error.message, /DELAYED/);
    },
  },
  {
    id: 'REM-004', source: `${SCOPE} (steps 6–10); ${BA} §4.2.1.2, §4.3.2 (relativeServicePath)`, level: 'MUST',
    text: 'A DELAYED query of a remotely provided service reaches the provider as a REQUEST message; each page it posts back reaches the consumer in order with the consumer’s requestId, responseAction and relativeServicePath',
    async check({ h }) {
      const { p, q: pq, end } = await provider(h);
      try {
        const c = await h.register('DemoApp', 'DemoSecret', fresh());
        const cq = await queue(h, c);
        const accepted = await h.call('/requests/xStaffs?navigationPageSize=1', { headers: { requestType: 'DELAYED', queueId: cq.id, requestId: 'audit-remote', Accept: 'application/json' }, auth: demoAuth(c) });
        assert.equal(accepted.status, 202);
        const [request] = await drainQueue(h, p, pq.messages, 1);
        assert.equal(request!.headers.get('messageType'), 'REQUEST');
        assert.equal(request!.headers.get('requestAction'), 'QUERY');
        assert.equal(request!.headers.get('serviceName'), 'xStaffs');
        const requestId = request!.headers.get('requestId')!;
        assert.notEqual(requestId, 'audit-remote');
        for (const [page, name] of [[1, 'Krabappel'], [2, 'Hoover']] as const) {
          const posted = await h.call('/requests/xStaffs', {
            method: 'POST', auth: demoAuth(p),
            headers: { ...JSON_HEADERS, messageType: 'RESPONSE', requestId, navigationPage: String(page), navigationLastPage: '2', navigationCount: '2' },
            body: JSON.stringify({ xStaffs: { xStaff: [{ '@refId': `5a1f0000-0000-4000-8000-00000000000${page}`, name: { familyName: name } }] } }),
          });
          assert.equal(posted.status, 202, posted.text);
        }
        const pages = await drainQueue(h, c, cq.messages, 2);
        assert.deepEqual(pages.map((m) => [m.headers.get('messageType'), m.headers.get('requestId'), m.headers.get('responseAction'), m.headers.get('navigationPage')]), [
          ['RESPONSE', 'audit-remote', 'QUERY', '1'],
          ['RESPONSE', 'audit-remote', 'QUERY', '2'],
        ]);
        assert.equal(pages[0]!.headers.get('relativeServicePath'), '/xStaffs?navigationPageSize=1');
        assert.deepEqual(pages.map((m) => m.json.xStaffs.xStaff[0]?.name?.familyName ?? m.json.xStaffs.xStaff.name.familyName), ['Krabappel', 'Hoover']);
      } finally {
        await end();
      }
    },
  },
  {
    id: 'REM-005', source: `${SCOPE}; notes/async-providers.md C2`, level: 'MUST', text: 'An answer from an environment the request was not routed to, or to an unknown requestId, is refused (404) and reaches no consumer',
    async check({ h }) {
      const { p, q: pq, end } = await provider(h);
      try {
        const c = await h.register('DemoApp', 'DemoSecret', fresh());
        const cq = await queue(h, c);
        await h.call('/requests/xStaffs', { headers: { requestType: 'DELAYED', queueId: cq.id, requestId: 'audit-foreign', Accept: 'application/json' }, auth: demoAuth(c) });
        const [request] = await drainQueue(h, p, pq.messages, 1);
        const other = await h.register('StaffDirectory', 'StaffSecret', fresh());
        const body = JSON.stringify({ xStaffs: { xStaff: [] } });
        for (const [who, requestId] of [[other, request!.headers.get('requestId')!], [p, '00000000-0000-4000-8000-000000000000']] as const) {
          const res = await h.call('/requests/xStaffs', { method: 'POST', auth: demoAuth(who), headers: { ...JSON_HEADERS, messageType: 'RESPONSE', requestId }, body });
          assert.equal(res.status, 404, res.text);
        }
        assert.equal((await h.call(cq.messages, { auth: demoAuth(c) })).status, 204);
      } finally {
        await end();
      }
    },
  },
  {
    id: 'REM-006', source: 'A4L wiki "IMMEDIATE/DELAYED Request/Response", Assumptions & Constraints (DELAYED for batch operations only); notes/async-providers.md B1', level: 'MUST',
    text: 'A DELAYED single-object create of a remotely provided service is refused with 400 at once, never accepted (202) to fail later in the queue',
    async check({ h }) {
      const c = await h.register('DemoApp', 'DemoSecret', fresh());
      const cq = await queue(h, c);
      const res = await h.call('/requests/xStaffs/xStaff', {
        method: 'POST', auth: demoAuth(c),
        headers: { ...JSON_HEADERS, requestType: 'DELAYED', queueId: cq.id, requestId: 'audit-single' },
        body: JSON.stringify({ xStaff: { '@refId': '5a1f0000-0000-4000-8000-0000000000aa', name: { familyName: 'Single' } } }),
      });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json.error.code, '400');
      assert.equal((await h.call(cq.messages, { auth: demoAuth(c) })).status, 204);
    },
  },
];
