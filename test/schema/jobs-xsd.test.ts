import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import request from 'supertest';
import type { InfrastructureVersion } from '../../lib/protocol/enums';
import { decodePayload } from '../../lib/payload/codec';
import { readJobCreate } from '../../lib/payload/job';
import type { TestHost } from '../helpers/host';
import { createTestHost } from '../helpers/host';
import { JOB_CONSUMERS, gradeExports, jobXml, newCalls } from '../helpers/jobs';
import { createQueue, session } from '../helpers/queues';
import { SCHEMAS_DIR, schemaSkipReason, xsdErrors } from '../helpers/xsd';

// Every job payload the provider writes (job, jobs, state, states, createResponse, deleteResponse,
// job events, the environment with its servicesConnector) validated against the official XSDs of
// the version it speaks; and the A4L framework's sample jobs read as consumers send them.

const skip = schemaSkipReason();
if (skip && process.env.SIF_REQUIRE_SCHEMAS) throw new Error(`official-schema validation is required here (SIF_REQUIRE_SCHEMAS) but cannot run: ${skip}`);
if (skip) console.warn(`SKIPPED official-schema validation of job payloads: ${skip}`);
const describeWithSchemas = skip ? describe.skip : describe;

describe.each(['3.2.1', '3.3'] as InfrastructureVersion[])('job payloads of a %s provider', (version) => {
  describeWithSchemas(`validate against ${SCHEMAS_DIR ?? '(no schema dir)'}`, () => {
    let host: TestHost;
    const documents: [string, string][] = [];

    beforeAll(async () => {
      host = createTestHost({
        infrastructureVersion: version,
        services: { GradeExports: gradeExports(newCalls(), () => host.provider) },
        consumers: JOB_CONSUMERS,
        queues: true,
      });
      const app = host.app;
      const who = await session(host, 'Exporter', 'ExporterSecret');
      const xml = (r: request.Test) => r.set('Authorization', who.auth).set('Accept', 'application/xml');
      documents.push(['environment', (await xml(request(app).get(`/sif3/environments/${who.id}`))).text]);
      const queue = await createQueue(host, who);
      await xml(request(app).post('/sif3/subscriptions').type('json')).send({ subscription: { serviceType: 'FUNCTIONAL', serviceName: 'GradeExports', queueId: queue.id } });
      const created = await xml(request(app).post('/sif3/services/GradeExports/GradeExport').type('xml')).send(jobXml('8dc59f05-4ed6-48e1-9985-f0ef27fed09d'));
      documents.push(['job (201, with initialization)', created.text]);
      const id = /id="([^"]+)"/.exec(created.text)![1]!;
      const state = await xml(request(app).post(`/sif3/services/GradeExports/${id}/select/states/state`).type('xml')).send(
        '<state xmlns="http://www.sifassociation.org/infrastructure/3.3"><type>INPROGRESS</type><description>selecting</description></state>',
      );
      // The consumer's description is kept (stateType has one in 3.2.1 and 3.3), last in schema order.
      expect(state.text).toMatch(/<\/lastModified><description>selecting<\/description><\/state>/);
      documents.push(['state (201, with the consumer\'s description)', state.text]);
      await host.provider.jobs.setPhaseState(id, 'export', 'COMPLETED', 'exported');
      documents.push(['job (read, states with descriptions)', (await xml(request(app).get(`/sif3/services/GradeExports/${id}`))).text]);
      const states = (await xml(request(app).get(`/sif3/services/GradeExports/${id}/select/states`))).text;
      expect(states).toContain('<description>selecting</description></state>');
      documents.push(['states', states]);
      documents.push(['jobs', (await xml(request(app).get('/sif3/services/GradeExports'))).text]);
      documents.push(['jobs (empty)', (await xml(request(app).get('/sif3/services/GradeExports;zoneId=Elementary'))).text]);
      documents.push([
        'createResponse',
        (await xml(request(app).post('/sif3/services/GradeExports').type('xml')).send(`<jobs xmlns="http://www.sifassociation.org/infrastructure/3.3">${jobXml().replace(/ xmlns="[^"]+"/, '')}</jobs>`)).text,
      ]);
      await host.provider.jobs.delete(id);
      documents.push(['deleteResponse', (await xml(request(app).put('/sif3/services/GradeExports').set('methodOverride', 'DELETE').type('xml')).send(
        `<deleteRequest xmlns="http://www.sifassociation.org/infrastructure/3.3"><deletes><delete id="${id}"/></deletes></deleteRequest>`,
      )).text]);
      documents.push(['error (404: a phase of a deleted job)', (await xml(request(app).get(`/sif3/services/GradeExports/${id}/nope`))).text]);
      for (let i = 0; i < 2; i++) {
        const message = await xml(request(app).get(`${queue.messages}`));
        documents.push([`job event ${String(message.headers.eventaction)}`, message.text]);
        await request(app).delete(`${queue.messages}/${String(message.headers.messageid)}`).set('Authorization', who.auth);
      }
    });
    afterAll(() => host.close());

    test('each document is valid: job (created, read), jobs (full, empty), state, states, createResponse, deleteResponse, error, the job events, the environment', () => {
      expect(documents.map(([name]) => name)).toEqual(expect.arrayContaining(['job event UPDATE', 'job event DELETE', 'states', 'jobs (empty)']));
      expect(documents).toHaveLength(12);
      const invalid = documents.flatMap(([name, xml]) => {
        const errors = xml.startsWith('<?xml') ? xsdErrors(xml, version) : 'not an XML document';
        return errors ? [{ name, errors }] : [];
      });
      expect(invalid).toEqual([]);
    });
  });
});

/** The A4L framework's sample jobs (`../shared/samples/jobs`), when present beside the repository. */
const SAMPLES = process.env.SIF_SAMPLES_DIR ? resolve(process.env.SIF_SAMPLES_DIR, 'jobs') : resolve(__dirname, '../../../shared/samples/jobs');
const describeWithSamples = existsSync(SAMPLES) ? describe : describe.skip;

describeWithSamples('the A4L framework\'s sample jobs, read as a consumer sends them (functional-services.md §5)', () => {
  test.each([
    ['rolloverStudentJob.xml', 'xml'],
    ['rolloverStudentJob-GOESSNER.json', 'json'],
    ['template/consumer/rolloverStudentJob.xml', 'xml'],
  ] as const)('%s: the initialization is kept as an opaque payload without xsi:type or stray whitespace', (file, format) => {
    const request = readJobCreate(decodePayload(readFileSync(join(SAMPLES, file)), format));
    expect(request.initialization?.payload).toEqual({
      property: expect.arrayContaining([{ '@name': 'year', '#text': expect.any(String) }]),
    });
  });
});
