import request from 'supertest';
import { fixture } from '../../fixtures';
import type { InfrastructureVersion } from '../../lib/protocol/enums';
import { basicAuth } from '../helpers/consumer-auth';
import type { TestHost } from '../helpers/host';
import { createTestHost, register } from '../helpers/host';
import { SCHEMAS_DIR, schemaSkipReason, xsdErrors } from '../helpers/xsd';
import { NA_NS, student } from '../helpers/memory-service';
import { toXml } from '../../lib/payload/xml';
import { QUEUE_TEST_CONSUMERS, session } from '../helpers/queues';

// Every infrastructure payload the provider emits, validated against the official XSDs of the
// version it speaks. The schemas come from SIF_SCHEMAS_DIR; without them this suite says it skipped.

const skip = schemaSkipReason();
if (skip && process.env.SIF_REQUIRE_SCHEMAS) {
  throw new Error(`official-schema validation is required here (SIF_REQUIRE_SCHEMAS) but cannot run: ${skip}`);
}
if (skip) {
  console.warn(`SKIPPED official-schema validation: ${skip}`);
}
const describeWithSchemas = skip ? describe.skip : describe;

describe.each(['3.2.1', '3.3'] as InfrastructureVersion[])('payloads of a %s provider', (version) => {
  describeWithSchemas(`validate against ${SCHEMAS_DIR ?? '(no schema dir)'}`, () => {
    let host: TestHost;
    const documents: [string, string][] = [];

    beforeAll(async () => {
      host = createTestHost({ infrastructureVersion: version, queues: true, consumers: QUEUE_TEST_CONSUMERS });
      const app = host.app;
      const created = await request(app)
        .post('/sif3/environments/environment')
        .set('Authorization', basicAuth('DemoApp', 'DemoSecret'))
        .type('application/xml')
        .send(fixture('payloads', 'environment-request.xml'));
      documents.push(['environment (201, every optional element)', created.text]);
      const conflict = await request(app).post('/sif3/environments/environment').set('Authorization', basicAuth('DemoApp', 'DemoSecret')).type('xml').send(fixture('payloads', 'environment-request.xml'));
      documents.push(['environment (409)', conflict.text]);
      const minimal = await register(host, 'Kiosk', 'KioskSecret', 'kiosk-1');
      const auth = basicAuth(minimal.sessionToken, 'KioskSecret');
      documents.push(['environment (GET, minimal template)', (await request(app).get(`/sif3/environments/${minimal.id}`).set('Authorization', auth)).text]);
      const alert = await request(app).post('/sif3/requests/alerts/alert').set('Authorization', auth).type('xml').send(fixture('payloads', 'alert.xml'));
      documents.push(['alert', alert.text]);
      documents.push(['alerts', (await request(app).get('/sif3/requests/alerts').set('Authorization', auth)).text]);
      documents.push(['error 400', (await request(app).post('/sif3/requests/alerts/alert').set('Authorization', auth).type('xml').send('<x')).text]);
      documents.push(['error 401', (await request(app).get('/sif3/requests/alerts')).text]);
      documents.push(['error 404', (await request(app).get('/sif3/environments/nowhere/else')).text]);
      documents.push(['error 405', (await request(app).put('/sif3/requests/alerts')).text]);
      documents.push(['error 415', (await request(app).post('/sif3/requests/alerts/alert').set('Authorization', auth).type('text/plain').send('x')).text]);

      // Object services: the infrastructure responses, each with a success and an embedded error.
      const demo = await register(host, 'DemoApp', 'DemoSecret', 'schema-run');
      const da = basicAuth(demo.sessionToken, 'DemoSecret');
      const students = `<xStudents xmlns="${NA_NS}">${[1, 1].map((i) => toXml('xStudent', student(i)).replace(/^<\?xml[^>]*>/, '')).join('')}<xStudent><localId>no-advisory-id</localId></xStudent></xStudents>`;
      const createResponse = await request(app).post('/sif3/requests/xStudents').set('Authorization', da).set('mustUseAdvisory', 'true').type('xml').send(students);
      documents.push(['createResponse', createResponse.text]);
      const updates = `<xStudents xmlns="${NA_NS}"><xStudent refId="${String(student(1)['@refId'])}"><localId>9</localId></xStudent><xStudent refId="${String(student(2)['@refId'])}"/></xStudents>`;
      documents.push(['updateResponse', (await request(app).put('/sif3/requests/xStudents').set('Authorization', da).type('xml').send(updates)).text]);
      const deletes = `<deleteRequest xmlns="http://www.sifassociation.org/infrastructure/${version}"><deletes><delete id="${String(student(1)['@refId'])}"/><delete id="nope"/></deletes></deleteRequest>`;
      documents.push(['deleteResponse', (await request(app).put('/sif3/requests/xStudents').set('Authorization', da).set('methodOverride', 'DELETE').type('xml').send(deletes)).text]);
      documents.push(['error 403', (await request(app).post('/sif3/requests/xStudents;zoneId=Elementary').set('Authorization', da).type('xml').send(students)).text]);
      documents.push(['error 413', (await request(app).get('/sif3/requests/xStudents?navigationPageSize=5000').set('Authorization', da)).text]);

      // Queues and subscriptions, with an environment that lists them and grants SUBSCRIBE.
      const sub = await session(host, 'Subscriber', 'SubscriberSecret');
      documents.push(['environment (queues on, SUBSCRIBE right)', (await request(app).get(`/sif3/environments/${sub.id}`).set('Authorization', sub.auth)).text]);
      const ns = `http://www.sifassociation.org/infrastructure/${version}`;
      const queue = await request(app).post('/sif3/queues').set('Authorization', sub.auth).type('xml')
        .send(`<queue xmlns="${ns}"><polling>LONG</polling><name>Schema run</name><idleTimeout>5</idleTimeout><maxConcurrentConnections>2</maxConcurrentConnections></queue>`);
      documents.push(['queue', queue.text]);
      const queueId = /<queue[^>]* id="([^"]+)"/.exec(queue.text)![1]!;
      documents.push(['queues', (await request(app).get('/sif3/queues').set('Authorization', sub.auth)).text]);
      const subscriptionXml = `<subscription xmlns="${ns}"><zoneId>District</zoneId><contextId>DEFAULT</contextId><serviceType>OBJECT</serviceType><serviceName>xStudents</serviceName><queueId>${queueId}</queueId></subscription>`;
      const subscription = await request(app).post('/sif3/subscriptions').set('Authorization', sub.auth).type('xml').send(subscriptionXml);
      documents.push(['subscription', subscription.text]);
      documents.push(['subscriptions', (await request(app).get('/sif3/subscriptions').set('Authorization', sub.auth)).text]);
      documents.push(['error 409', (await request(app).post('/sif3/subscriptions').set('Authorization', sub.auth).type('xml').send(subscriptionXml)).text]);
      expect(documents.every(([, xml]) => xml.startsWith('<?xml'))).toBe(true);
    });
    afterAll(async () => {
      await host.close();
    });

    test('every document is valid', () => {
      const failures = documents.map(([name, xml]) => [name, xsdErrors(xml, version)]).filter(([, err]) => err);
      expect(failures).toEqual([]);
    });

    test('each document is what its name says, embedded errors included', () => {
      for (const [name, xml] of documents) {
        const root = name.startsWith('error') ? 'error' : name.split(' ')[0];
        expect([name, xml.match(/^<\?xml[^>]*\?><(\w+)/)?.[1]]).toEqual([name, root]);
        if (name.startsWith('error')) expect(xml).toContain(`<code>${name.split(' ')[1]}</code>`);
      }
      const byName = Object.fromEntries(documents);
      for (const name of ['createResponse', 'updateResponse', 'deleteResponse']) {
        expect(byName[name]).toMatch(/statusCode="20[01]"/);
        expect(byName[name]).toMatch(/statusCode="4\d\d"><error id=/);
      }
    });

    test('the validator does reject an invalid document', () => {
      const [, env] = documents[0]!;
      const broken = env.replace(/<fingerprint>.*?<\/fingerprint>(<sessionToken>.*?<\/sessionToken>)/, '$1<fingerprint>x</fingerprint>');
      expect(broken).not.toBe(env);
      expect(xsdErrors(broken, version)).toBeDefined();
    });
  });
});
