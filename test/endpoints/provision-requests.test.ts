import request from 'supertest';
import type { ConsumerEntry, ProvisionDecision, ProvisionRequestInfo, SifProviderOptions } from 'sif3-direct';
import { parseXml } from '../../lib/payload/xml';
import { basicAuth } from '../helpers/consumer-auth';
import type { Registered, TestHost } from '../helpers/host';
import { INFRA_NS, hostPerTest, register } from '../helpers/host';
import { NA_NS, memoryService } from '../helpers/memory-service';
import { SessionCache } from '../../lib/auth/session-cache';
import { environment } from '../store/contract';

// Provision requests (Infrastructure Services §6): a consumer asks for more rights, the host
// decides (at once, in part, or later through the provider object), and what is approved is in
// the environment at once. Over real HTTP against a mounted router and a SQLite file.

const newHost = hostPerTest();

const CONSUMERS: ConsumerEntry[] = [
  {
    applicationKey: 'DemoApp',
    secret: 'DemoSecret',
    environment: {
      defaultZone: { id: 'District', services: [{ name: 'xStudents', rights: ['QUERY'] }] },
      zones: [{ id: 'Elementary' }],
    },
  },
  { applicationKey: 'Other', secret: 'OtherSecret', environment: { defaultZone: { id: 'District' } } },
];

function host(options: Partial<SifProviderOptions> = {}): TestHost {
  const students = memoryService({ objectName: 'xStudent' });
  const schools = memoryService({ objectName: 'xSchool', namespace: NA_NS, omit: ['create', 'update', 'delete'] });
  return newHost({ services: { xStudents: students.definition, xSchools: schools.definition }, consumers: CONSUMERS, ...options });
}

/** A provisionRequest payload asking for `rights` on each `[zone, service, context?]`. */
function ask(items: [string, string, string[], string?][], wrapped = true): string {
  const zones = [...new Set(items.map(([zone]) => zone))].map((zone) => {
    const services = items
      .filter(([z]) => z === zone)
      .map(([, name, rights, contextId]) =>
        `<service type="OBJECT" name="${name}"${contextId ? ` contextId="${contextId}"` : ''}><rights>${rights.map((r) => `<right type="${r}">REQUESTED</right>`).join('')}</rights></service>`,
      )
      .join('');
    return `<provisionedZone id="${zone}"><services>${services}</services></provisionedZone>`;
  });
  const body = wrapped ? `<provisionedZones>${zones.join('')}</provisionedZones>` : zones.join('');
  return `<provisionRequest xmlns="${INFRA_NS}">${body}</provisionRequest>`;
}

const post = (h: TestHost, me: Registered, body: string, path = '/sif3/provisionRequests/provisionRequest') =>
  request(h.app).post(path).set('Authorization', basicAuth(me.sessionToken, 'DemoSecret')).type('xml').send(body);
const get = (h: TestHost, me: Registered, path: string, secret = 'DemoSecret') =>
  request(h.app).get(path).set('Authorization', basicAuth(me.sessionToken, secret));

/** The rights of a provisionRequest answer: `zone/service/context/RIGHT` → value. */
function rightsOf(xml: string): Record<string, string> {
  const out: Record<string, string> = {};
  const doc = parseXml(xml).value as Record<string, any>;
  for (const zone of [doc.provisionedZones.provisionedZone].flat()) {
    for (const service of [zone.services.service].flat()) {
      for (const right of [service.rights.right].flat()) out[`${zone['@id']}/${service['@name']}/${service['@contextId']}/${right['@type']}`] = right['#text'];
    }
  }
  return out;
}

/** The rights the environment grants now, as `zone/service/context/RIGHT` → value. */
async function environmentRights(h: TestHost, me: Registered): Promise<Record<string, string>> {
  const res = await request(h.app).get(`/sif3/environments/${me.id}`).set('Authorization', basicAuth(me.sessionToken, 'DemoSecret')).set('Accept', 'application/json');
  const out: Record<string, string> = {};
  for (const zone of res.body.environment.provisionedZones.provisionedZone) {
    for (const service of zone.services?.service ?? []) {
      for (const right of service.rights.right) out[`${zone['@id']}/${service['@name']}/${service['@contextId']}/${right['@type']}`] = right['#text'];
    }
  }
  return out;
}

describe('provisionRequests (Infrastructure Services §6)', () => {
  test('the environment lists the provisionRequests service; without a decide option a request is rejected and nothing changes', async () => {
    const h = host();
    const me = await register(h);
    const services = (me.body.infrastructureServices as { infrastructureService: { '@name': string; '#text': string }[] }).infrastructureService;
    expect(services.find((s) => s['@name'] === 'provisionRequests')?.['#text']).toMatch(/\/sif3\/provisionRequests$/);
    const before = await environmentRights(h, me);
    const res = await post(h, me, ask([['District', 'xStudents', ['CREATE']]]));
    expect(res.status).toBe(201);
    const doc = parseXml(res.text);
    expect(doc.namespace).toBe(INFRA_NS);
    expect(doc.value['@completionStatus']).toBe('REJECTED');
    expect(res.headers.location).toMatch(new RegExp(`/sif3/provisionRequests/${String(doc.value['@id'])}$`));
    expect(rightsOf(res.text)).toEqual({ 'District/xStudents/DEFAULT/CREATE': 'REJECTED' });
    // §6.1: a refusal is merged too, without taking anything away.
    expect(await environmentRights(h, me)).toEqual({ ...before, 'District/xStudents/DEFAULT/CREATE': 'REJECTED' });
  });

  test('approved at once: the rights are in the environment and usable on the next request, with the same session', async () => {
    const decided: ProvisionRequestInfo[] = [];
    const h = host({ provisionRequests: { decide: (info) => (decided.push(info), 'approve') } });
    const me = await register(h);
    const auth = basicAuth(me.sessionToken, 'DemoSecret');
    expect((await request(h.app).get('/sif3/requests/xSchools;zoneId=Elementary').set('Authorization', auth)).status).toBe(404);
    const res = await post(h, me, ask([['Elementary', 'xSchools', ['QUERY']], ['District', 'xStudents', ['CREATE', 'DELETE']]], false));
    expect(res.status).toBe(201);
    expect(parseXml(res.text).value['@completionStatus']).toBe('ACCEPTED');
    expect(decided).toHaveLength(1);
    expect(decided[0]).toMatchObject({
      environmentId: me.id,
      consumer: { applicationKey: 'DemoApp' },
      requested: [
        { zoneId: 'Elementary', serviceName: 'xSchools', serviceType: 'OBJECT', contextId: 'DEFAULT', rights: ['QUERY'] },
        { zoneId: 'District', serviceName: 'xStudents', serviceType: 'OBJECT', contextId: 'DEFAULT', rights: ['CREATE', 'DELETE'] },
      ],
    });
    expect(await environmentRights(h, me)).toMatchObject({
      'Elementary/xSchools/DEFAULT/QUERY': 'APPROVED',
      'District/xStudents/DEFAULT/QUERY': 'APPROVED',
      'District/xStudents/DEFAULT/CREATE': 'APPROVED',
      'District/xStudents/DEFAULT/DELETE': 'APPROVED',
    });
    expect((await request(h.app).get('/sif3/requests/xSchools;zoneId=Elementary').set('Authorization', auth)).status).toBe(204);
  });

  test('what the provider cannot grant is refused without asking the host; what is granted already is approved', async () => {
    const decided: ProvisionRequestInfo[] = [];
    const h = host({ provisionRequests: { decide: (info) => (decided.push(info), 'approve') } });
    const me = await register(h);
    const res = await post(h, me, ask([
      ['Nowhere', 'xStudents', ['QUERY']], // a zone the environment does not have
      ['environment-global', 'alerts', ['UPDATE']], // utilities' rights are fixed
      ['District', 'xTeachers', ['QUERY']], // not offered
      ['District', 'xSchools', ['UPDATE', 'QUERY']], // no update handler; QUERY is open
      ['District', 'xStudents', ['QUERY', 'SUBSCRIBE']], // granted already; no queues
    ]));
    expect(res.status).toBe(201);
    expect(parseXml(res.text).value['@completionStatus']).toBe('MIXED');
    expect(rightsOf(res.text)).toEqual({
      'Nowhere/xStudents/DEFAULT/QUERY': 'REJECTED',
      'environment-global/alerts/DEFAULT/UPDATE': 'REJECTED',
      'District/xTeachers/DEFAULT/QUERY': 'REJECTED',
      'District/xSchools/DEFAULT/QUERY': 'APPROVED',
      'District/xSchools/DEFAULT/UPDATE': 'REJECTED',
      'District/xStudents/DEFAULT/QUERY': 'APPROVED',
      'District/xStudents/DEFAULT/SUBSCRIBE': 'REJECTED',
    });
    expect(decided.map((d) => d.requested)).toEqual([[{ zoneId: 'District', serviceName: 'xSchools', serviceType: 'OBJECT', contextId: 'DEFAULT', rights: ['QUERY'] }]]);
  });

  test('approved in part: the rights listed, the rest rejected (MIXED), in another context too', async () => {
    const h = host({
      provisionRequests: { decide: () => ({ approve: [{ zoneId: 'District', serviceName: 'xStudents', contextId: 'Archive', rights: ['QUERY'] }] }) },
    });
    const me = await register(h);
    const res = await post(h, me, ask([['District', 'xStudents', ['QUERY', 'UPDATE'], 'Archive']]));
    expect(parseXml(res.text).value['@completionStatus']).toBe('MIXED');
    expect(rightsOf(res.text)).toEqual({ 'District/xStudents/Archive/QUERY': 'APPROVED', 'District/xStudents/Archive/UPDATE': 'REJECTED' });
    const auth = basicAuth(me.sessionToken, 'DemoSecret');
    expect((await request(h.app).get('/sif3/requests/xStudents;contextId=Archive').set('Authorization', auth)).status).toBe(204);
  });

  test('pending: read answers 202 with the rights REQUESTED; an operator decides through the provider object; then 200', async () => {
    const h = host({ provisionRequests: { decide: () => 'pending' } });
    const me = await register(h);
    const created = await post(h, me, ask([['Elementary', 'xSchools', ['QUERY']]]));
    expect(created.status).toBe(201);
    const id = String(parseXml(created.text).value['@id']);
    expect(parseXml(created.text).value['@completionStatus']).toBeUndefined();
    const waiting = await get(h, me, `/sif3/provisionRequests/${id}`);
    expect(waiting.status).toBe(202);
    expect(rightsOf(waiting.text)).toEqual({ 'Elementary/xSchools/DEFAULT/QUERY': 'REQUESTED' });
    const auth = basicAuth(me.sessionToken, 'DemoSecret');
    expect((await request(h.app).get('/sif3/requests/xSchools;zoneId=Elementary').set('Authorization', auth)).status).toBe(404);

    const heard: unknown[] = [];
    h.provider.events.on('provisionRequest.decided', (e) => heard.push(e));
    const pending = await h.provider.provisionRequests.pending();
    expect(pending).toEqual([
      {
        id,
        environmentId: me.id,
        createdAt: expect.any(String),
        requested: [{ zoneId: 'Elementary', serviceName: 'xSchools', serviceType: 'OBJECT', contextId: 'DEFAULT', rights: ['QUERY'] }],
        consumer: { applicationKey: 'DemoApp', instanceId: undefined, userToken: undefined, solutionId: undefined, consumerName: 'DemoApp' },
      },
    ]);
    expect(await h.provider.provisionRequests.decide(id, 'pending')).toBe(true);
    expect(await h.provider.provisionRequests.decide(id, 'approve')).toBe(true);
    expect(await h.provider.provisionRequests.decide(id, 'reject')).toBe(false);
    expect(heard).toEqual([{ id, environmentId: me.id, completionStatus: 'ACCEPTED' }]);
    expect(await h.provider.provisionRequests.pending()).toEqual([]);

    const done = await get(h, me, `/sif3/provisionRequests/${id}`);
    expect(done.status).toBe(200);
    expect(parseXml(done.text).value['@completionStatus']).toBe('ACCEPTED');
    // The session the consumer already holds sees the new right at once.
    expect((await request(h.app).get('/sif3/requests/xSchools;zoneId=Elementary').set('Authorization', auth)).status).toBe(204);
    await expect(h.provider.provisionRequests.decide(id, 'yes' as unknown as ProvisionDecision)).rejects.toThrow(TypeError);
  });

  test('query lists only the caller’s own requests, paged; delete removes one (its rights stay); another’s is a 404', async () => {
    const h = host({ provisionRequests: { decide: () => 'approve' } });
    const me = await register(h);
    const other = await register(h, 'Other', 'OtherSecret');
    expect((await get(h, me, '/sif3/provisionRequests')).status).toBe(204);
    const ids: string[] = [];
    for (const zone of ['District', 'Elementary']) {
      ids.push(String(parseXml((await post(h, me, ask([[zone, 'xSchools', ['QUERY']]]), '/sif3/provisionRequests')).text).value['@id']));
    }
    const mine = await get(h, me, '/sif3/provisionRequests').set('Accept', 'application/json');
    expect(mine.status).toBe(200);
    expect(mine.body.provisionRequests.provisionRequest.map((r: { '@id': string }) => r['@id'])).toEqual(ids);
    const second = await get(h, me, '/sif3/provisionRequests').set('navigationPage', '2').set('navigationPageSize', '1');
    expect(second.headers.navigationcount).toBe('2');
    expect(second.text).toContain(ids[1]);
    expect((await get(h, other, '/sif3/provisionRequests', 'OtherSecret')).status).toBe(204);
    expect((await get(h, other, `/sif3/provisionRequests/${ids[0]}`, 'OtherSecret')).status).toBe(404);
    expect((await request(h.app).delete(`/sif3/provisionRequests/${ids[0]}`).set('Authorization', basicAuth(other.sessionToken, 'OtherSecret'))).status).toBe(404);
    expect((await request(h.app).delete(`/sif3/provisionRequests/${ids[0]}`).set('Authorization', basicAuth(me.sessionToken, 'DemoSecret'))).status).toBe(204);
    expect((await get(h, me, `/sif3/provisionRequests/${ids[0]}`)).status).toBe(404);
    expect(await environmentRights(h, me)).toMatchObject({ 'District/xSchools/DEFAULT/QUERY': 'APPROVED' });
    const put = await request(h.app).put(`/sif3/provisionRequests/${ids[1]}`).set('Authorization', basicAuth(me.sessionToken, 'DemoSecret'));
    expect(put.status).toBe(405);
    expect(parseXml(put.text).value.message).toMatch(/cannot be changed/);
    expect((await request(h.app).get('/sif3/provisionRequests')).status).toBe(401);
  });

  test('JSON in, JSON out', async () => {
    const h = host({ provisionRequests: { decide: () => 'approve' } });
    const me = await register(h);
    const res = await request(h.app)
      .post('/sif3/provisionRequests')
      .set('Authorization', basicAuth(me.sessionToken, 'DemoSecret'))
      .set('Accept', 'application/json')
      .type('json')
      .send({ provisionRequest: { provisionedZones: { provisionedZone: { '@id': 'District', services: { service: { '@name': 'xSchools', rights: { right: { '@type': 'QUERY', '#text': 'REQUESTED' } } } } } } } });
    expect(res.status).toBe(201);
    expect(res.body.provisionRequest).toEqual({
      '@id': expect.any(String),
      '@completionStatus': 'ACCEPTED',
      provisionedZones: {
        provisionedZone: [{ '@id': 'District', services: { service: [{ '@type': 'OBJECT', '@name': 'xSchools', '@contextId': 'DEFAULT', rights: { right: [{ '@type': 'QUERY', '#text': 'APPROVED' }] } }] } }],
      },
    });
  });

  test.each([
    ['a wrong root', `<environment xmlns="${INFRA_NS}"/>`, /Expected a provisionRequest/],
    ['no payload', '', /needs a provisionRequest/],
    ['no services', `<provisionRequest xmlns="${INFRA_NS}"><provisionedZones><provisionedZone id="District"/></provisionedZones></provisionRequest>`, /at least one service/],
    ['a zone without id', `<provisionRequest xmlns="${INFRA_NS}"><provisionedZone><services><service name="x"><rights><right type="QUERY"/></rights></service></services></provisionedZone></provisionRequest>`, /@id is mandatory/],
    ['a right without type', `<provisionRequest xmlns="${INFRA_NS}"><provisionedZone id="District"><services><service name="xSchools"><rights><right>REQUESTED</right></rights></service></services></provisionedZone></provisionRequest>`, /@type/],
    ['an unknown right', `<provisionRequest xmlns="${INFRA_NS}"><provisionedZone id="District"><services><service name="xSchools"><rights><right type="FLY"/></rights></service></services></provisionedZone></provisionRequest>`, /@type/],
    ['an unknown service type', `<provisionRequest xmlns="${INFRA_NS}"><provisionedZone id="District"><services><service type="THING" name="xSchools"><rights><right type="QUERY"/></rights></service></services></provisionedZone></provisionRequest>`, /@type must be one of/],
    ['an unknown element', `<provisionRequest xmlns="${INFRA_NS}"><queues/></provisionRequest>`, /queues is not a provisionRequest element/],
  ])('%s → 400 naming the problem; the host is not asked and nothing is stored', async (_why, body, message) => {
    let asked = 0;
    const h = host({ provisionRequests: { decide: () => (asked++, 'approve') } });
    const me = await register(h);
    const res = await post(h, me, body);
    expect(res.status).toBe(400);
    expect(String(parseXml(res.text).value.message)).toMatch(message);
    expect(asked).toBe(0);
    expect(await h.provider.store.countProvisionRequests({ environmentId: me.id })).toBe(0);
  });

  test('a decide that throws is a 500 and stores nothing; one past the limit is a 409 naming it', async () => {
    const failing = host({ provisionRequests: { decide: () => { throw new Error('directory down'); } } });
    const me = await register(failing);
    expect((await post(failing, me, ask([['District', 'xSchools', ['QUERY']]]))).status).toBe(500);
    expect(await failing.provider.store.countProvisionRequests({})).toBe(0);

    const limited = host({ limits: { provisionRequestsPerEnvironment: 1 } });
    const you = await register(limited);
    expect((await post(limited, you, ask([['District', 'xSchools', ['QUERY']]]))).status).toBe(201);
    const refused = await post(limited, you, ask([['District', 'xSchools', ['QUERY']]]));
    expect(refused.status).toBe(409);
    expect(String(parseXml(refused.text).value.description)).toMatch(/limits\.provisionRequestsPerEnvironment/);
  });

  test('start-up refuses a provisionRequests option that is not an object with a decide function', () => {
    expect(() => host({ provisionRequests: { decide: 'yes' } as never })).toThrow(/provisionRequests\.decide must be a function/);
    expect(() => host({ provisionRequests: { approveAll: true } as never })).toThrow(/provisionRequests\.approveAll is not a known option/);
  });
});

describe('the session cache and a decision made while a session is read', () => {
  test('a lookup begun before an eviction is not cached: the old rights are never served from memory', () => {
    const cache = new SessionCache(100);
    const before = environment();
    const lookedUpAt = cache.evictionCount;
    // …the store read is under way when the decision evicts the environment…
    cache.evictEnvironment(before.id, false);
    cache.set('hash', before, lookedUpAt);
    expect(cache.get('hash')).toBeUndefined();
    // A lookup begun after it is cached as usual.
    cache.set('hash', before, cache.evictionCount);
    expect(cache.get('hash')).toBe(before);
  });
});
