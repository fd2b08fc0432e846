import request from 'supertest';
import { fixture } from '../../fixtures';
import { parseXml } from '../../lib/payload/xml';
import { basicAuth } from '../helpers/consumer-auth';
import type { Registered, TestHost } from '../helpers/host';
import { INFRA_NS, createTestHost, register } from '../helpers/host';

let host: TestHost;
let me: Registered;
let auth: string;

beforeEach(async () => {
  host = createTestHost();
  me = await register(host);
  auth = basicAuth(me.sessionToken, 'DemoSecret');
});
afterEach(async () => {
  await host.close();
});

const post = (body: string, type = 'application/xml') =>
  request(host.app).post('/sif3/requests/alerts/alert').set('Authorization', auth).type(type).send(body);

describe('alerts utility', () => {
  test('POST alerts/alert (XML) → 201 with the assigned id, in schema order; the host hears of it', async () => {
    const heard: unknown[] = [];
    host.provider.events.on('alert.created', (e) => heard.push(e));
    const res = await post(fixture('payloads', 'alert.xml'));
    expect(res.status).toBe(201);
    expect(res.headers.responseaction).toBe('CREATE');
    expect(res.headers.relativeservicepath).toBe('/alerts/alert');
    const alert = parseXml(res.text);
    expect(alert.namespace).toBe(INFRA_NS);
    expect(alert.value['@id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.keys(alert.value).filter((k) => k !== '@id')).toEqual([
      'reporter', 'cause', 'exchange', 'level', 'description', 'body', 'error', 'xpath', 'category', 'code',
    ]);
    expect(alert.value.body).toBe('<xStudent refId="x"><birthDate>10/06/1998</birthDate></xStudent>');
    expect(res.headers.location).toMatch(new RegExp(`/sif3/requests/alerts/${alert.value['@id']}$`));
    expect(heard).toEqual([{ environmentId: me.id, applicationKey: 'DemoApp', alert: alert.value }]);
  });

  test('POST alerts/alert (JSON, numbers as numbers) → 201 in JSON', async () => {
    const res = await post(fixture('payloads', 'alert.json'), 'application/json').set('Accept', 'application/json');
    expect(res.status).toBe(201);
    expect(res.body.alert).toMatchObject({ reporter: 'SpringfieldGradebook', exchange: 'RESPONSE', level: 'WARNING', code: '503' });
  });

  test.each([
    ['no reporter', `<alert xmlns="${INFRA_NS}"><exchange>REQUEST</exchange><level>ERROR</level></alert>`, /reporter/],
    ['a level outside the enumeration', `<alert xmlns="${INFRA_NS}"><reporter>r</reporter><exchange>REQUEST</exchange><level>PANIC</level></alert>`, /level/],
    ['an exchange outside the enumeration', `<alert xmlns="${INFRA_NS}"><reporter>r</reporter><exchange>X</exchange><level>INFO</level></alert>`, /exchange/],
    ['an unknown element', `<alert xmlns="${INFRA_NS}"><reporter>r</reporter><exchange>OTHER</exchange><level>INFO</level><x>1</x></alert>`, /x/],
    ['a code that is not a number', `<alert xmlns="${INFRA_NS}"><reporter>r</reporter><exchange>OTHER</exchange><level>INFO</level><code>abc</code></alert>`, /code/],
    ['unescaped XML in body', `<alert xmlns="${INFRA_NS}"><reporter>r</reporter><exchange>OTHER</exchange><level>INFO</level><body><a/></body></alert>`, /body/],
    ['the 3.3-only level EVENT on a 3.2.1 provider', `<alert xmlns="${INFRA_NS}"><reporter>r</reporter><exchange>EVENT</exchange><level>EVENT</level></alert>`, /level/],
    ['a wrong root', `<environment xmlns="${INFRA_NS}"/>`, /Expected an alert/],
    ['no payload', '', /needs an alert/],
  ])('%s → 400 naming the problem; nothing stored', async (_why, body, message) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    const error = parseXml(res.text).value;
    expect(error.code).toBe('400');
    expect(String(error.message)).toMatch(message);
    expect(await host.provider.store.countAlerts(me.id)).toBe(0);
  });

  test('a 3.3 provider accepts level EVENT', async () => {
    const h33 = createTestHost({ infrastructureVersion: '3.3' });
    const env = await register(h33);
    const res = await request(h33.app)
      .post('/sif3/requests/alerts/alert')
      .set('Authorization', basicAuth(env.sessionToken, 'DemoSecret'))
      .type('application/json')
      .send({ alert: { reporter: 'r', exchange: 'EVENT', level: 'EVENT' } });
    expect(res.status).toBe(201);
    await h33.close();
  });

  test('GET alerts returns only the caller’s own alerts, paged, oldest first; 204 past the end', async () => {
    const other = await register(host, 'Kiosk', 'KioskSecret', 'kiosk-1');
    await request(host.app)
      .post('/sif3/requests/alerts/alert')
      .set('Authorization', basicAuth(other.sessionToken, 'KioskSecret'))
      .type('application/json')
      .send({ alert: { reporter: 'kiosk', exchange: 'OTHER', level: 'INFO' } });
    for (let i = 0; i < 3; i++) {
      expect((await post(`<alert><reporter>me${i}</reporter><exchange>OTHER</exchange><level>INFO</level></alert>`)).status).toBe(201);
    }
    const page1 = await request(host.app)
      .get('/sif3/requests/alerts?navigationPage=1&navigationPageSize=2')
      .set('Authorization', auth)
      .set('Accept', 'application/json');
    expect(page1.status).toBe(200);
    expect(page1.body.alerts.alert.map((a: { reporter: string }) => a.reporter)).toEqual(['me0', 'me1']);
    expect(page1.headers).toMatchObject({ navigationpage: '1', navigationpagesize: '2', navigationcount: '3', navigationlastpage: '2' });

    const page2 = await request(host.app)
      .get('/sif3/requests/alerts')
      .set('Authorization', auth)
      .set('navigationPage', '2')
      .set('navigationPageSize', '2');
    expect(page2.status).toBe(200);
    const xml = parseXml(page2.text);
    expect(xml.root).toBe('alerts');
    expect((xml.value.alert as { reporter: string }).reporter).toBe('me2');

    const past = await request(host.app).get('/sif3/requests/alerts?navigationPage=3&navigationPageSize=2').set('Authorization', auth);
    expect(past.status).toBe(204);
    expect(past.headers.navigationcount).toBe('3');
  });

  test('GET alerts/{id}: own alert 200, another consumer’s 404', async () => {
    const created = parseXml((await post(fixture('payloads', 'alert.xml'))).text).value;
    const id = String(created['@id']);
    // `me` registered with Basic: its session keeps that method (issue #10 item 5).
    const mine = await request(host.app).get(`/sif3/requests/alerts/${id}`).set('Authorization', basicAuth(me.sessionToken, 'DemoSecret'));
    expect(mine.status).toBe(200);
    expect(parseXml(mine.text).value).toEqual(created);

    const other = await register(host, 'Kiosk', 'KioskSecret', 'kiosk-2');
    const theirs = await request(host.app).get(`/sif3/requests/alerts/${id}`).set('Authorization', basicAuth(other.sessionToken, 'KioskSecret'));
    expect(theirs.status).toBe(404);
  });

  // Issue #13: alerts were scoped per environment. Utility Services §7.1: a query "returns only
  // Alert objects created [by] the same application", whichever of its environments created them.
  test('another environment of the same application sees its alerts (Utility Services §7.1); another application does not', async () => {
    const created = parseXml((await post(fixture('payloads', 'alert.xml'))).text).value;
    const twin = basicAuth((await register(host, 'DemoApp', 'DemoSecret', 'second-instance')).sessionToken, 'DemoSecret');
    const listed = await request(host.app).get('/sif3/requests/alerts').set('Authorization', twin).set('Accept', 'application/json');
    expect(listed.status).toBe(200);
    expect(listed.body.alerts.alert.map((a: { '@id': string }) => a['@id'])).toEqual([created['@id']]);
    expect((await request(host.app).get(`/sif3/requests/alerts/${String(created['@id'])}`).set('Authorization', twin)).status).toBe(200);
    const kiosk = basicAuth((await register(host, 'Kiosk', 'KioskSecret', 'kiosk-1')).sessionToken, 'KioskSecret');
    expect((await request(host.app).get('/sif3/requests/alerts').set('Authorization', kiosk)).status).toBe(204);
  });

  test('an alert query without paging is a bulk query: every alert (page 1 of 1), or 413 past limits.maxBulkQueryObjects (Base Architecture §5.4.1)', async () => {
    const h = createTestHost({ limits: { maxBulkQueryObjects: 3 }, paging: { defaultPageSize: 2 } });
    const env = basicAuth((await register(h)).sessionToken, 'DemoSecret');
    const report = (i: number) => request(h.app).post('/sif3/requests/alerts/alert').set('Authorization', env).type('json').send({ alert: { reporter: `r${i}`, exchange: 'OTHER', level: 'INFO' } });
    for (let i = 0; i < 3; i++) expect((await report(i)).status).toBe(201);
    const all = await request(h.app).get('/sif3/requests/alerts').set('Authorization', env).set('Accept', 'application/json');
    expect(all.body.alerts.alert.map((a: { reporter: string }) => a.reporter)).toEqual(['r0', 'r1', 'r2']);
    expect(all.headers).toMatchObject({ navigationcount: '3', navigationlastpage: '1' });
    await report(3);
    const tooMany = await request(h.app).get('/sif3/requests/alerts').set('Authorization', env);
    expect(tooMany.status).toBe(413);
    expect(String(parseXml(tooMany.text).value.description)).toMatch(/navigationPageSize/);
    expect((await request(h.app).get('/sif3/requests/alerts?navigationPage=2').set('Authorization', env).set('Accept', 'application/json')).body.alerts.alert).toHaveLength(2);
    await h.close();
  });

  test('no dynamic query: where or order → 400 (Utility Services §7.1), never an unfiltered answer', async () => {
    await post(fixture('payloads', 'alert.xml'));
    for (const query of [`where=${encodeURIComponent('[level="ERROR"]')}`, `order=${encodeURIComponent('[level=ascending]')}`]) {
      const res = await request(host.app).get(`/sif3/requests/alerts?${query}`).set('Authorization', auth);
      expect(res.status).toBe(400);
      expect(String(parseXml(res.text).value.message)).toMatch(/no dynamic query/);
    }
  });

  test('alerts live in the environment-global zone: ;zoneId= naming another zone → 404, naming it → as usual', async () => {
    await post(fixture('payloads', 'alert.xml'));
    const elsewhere = await request(host.app).get('/sif3/requests/alerts;zoneId=District').set('Authorization', auth);
    expect(elsewhere.status).toBe(404);
    expect(String(parseXml(elsewhere.text).value.message)).toMatch(/No service alerts in zone District/);
    const create = await request(host.app).post('/sif3/requests/alerts/alert;zoneId=District').set('Authorization', auth).type('xml').send(fixture('payloads', 'alert.xml'));
    expect(create.status).toBe(404);
    expect(await host.provider.store.countAlerts(me.id)).toBe(1);
    expect((await request(host.app).get('/sif3/requests/alerts').set('Authorization', auth).set('zoneId', 'Elementary')).status).toBe(404);
    expect((await request(host.app).get('/sif3/requests/alerts;zoneId=environment-global;contextId=DEFAULT').set('Authorization', auth)).status).toBe(200);
    expect((await request(host.app).get('/sif3/requests/alerts;contextId=Other').set('Authorization', auth)).status).toBe(404);
  });

  test.each([
    ['put', '/sif3/requests/alerts/x', 'cannot be updated'],
    ['delete', '/sif3/requests/alerts/x', 'cannot be deleted'],
    ['put', '/sif3/requests/alerts', 'cannot be updated'],
    ['delete', '/sif3/requests/alerts', 'cannot be deleted'],
    ['post', '/sif3/requests/alerts', 'one at a time'],
  ] as const)('%s %s → 405 SIF error', async (method, path, message) => {
    const res = await request(host.app)[method](path).set('Authorization', auth);
    expect(res.status).toBe(405);
    expect(String(parseXml(res.text).value.message)).toContain(message);
  });

  test('a delayed alert request is a 400 like every requests-connector call while there are no queues', async () => {
    expect((await request(host.app).get('/sif3/requests/alerts').set('Authorization', auth).set('requestType', 'DELAYED')).status).toBe(400);
  });

  test('alerts need a session: 401 without one', async () => {
    expect((await request(host.app).get('/sif3/requests/alerts')).status).toBe(401);
    expect((await request(host.app).get('/sif3/requests/alerts').set('Authorization', basicAuth('DemoApp', 'DemoSecret'))).status).toBe(401);
  });

  test('deleting the environment deletes its alerts', async () => {
    await post(fixture('payloads', 'alert.xml'));
    expect(await host.provider.store.countAlerts(me.id)).toBe(1);
    await request(host.app).delete(`/sif3/environments/${me.id}`).set('Authorization', auth);
    expect(await host.provider.store.countAlerts(me.id)).toBe(0);
  });
});
