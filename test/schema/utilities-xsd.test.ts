import request from 'supertest';
import type { ConsumerEntry } from 'sif3-direct';
import type { InfrastructureVersion } from '../../lib/protocol/enums';
import { basicAuth } from '../helpers/consumer-auth';
import type { TestHost } from '../helpers/host';
import { createTestHost, register } from '../helpers/host';
import { memoryService } from '../helpers/memory-service';
import { SCHEMAS_DIR, schemaSkipReason, xsdErrors } from '../helpers/xsd';

// The payloads of provision requests (Infrastructure Services §6) and of the registries (Utility
// Services §2, §3, §6), validated against the official XSDs of each version the provider speaks.

const skip = schemaSkipReason();
if (skip && process.env.SIF_REQUIRE_SCHEMAS) {
  throw new Error(`official-schema validation is required here (SIF_REQUIRE_SCHEMAS) but cannot run: ${skip}`);
}
const describeWithSchemas = skip ? describe.skip : describe;

const CONSUMERS: ConsumerEntry[] = [
  {
    applicationKey: 'DemoApp',
    secret: 'DemoSecret',
    environment: {
      defaultZone: { id: 'District', description: 'District', properties: { state: 'IL' }, services: [{ name: 'xStudents', rights: ['QUERY'] }] },
      zones: [{ id: 'Elementary', services: [{ name: 'StudentsByGrade', type: 'XQUERYTEMPLATE', rights: ['QUERY'] }] }],
    },
  },
];

describe.each(['3.2.1', '3.3'] as InfrastructureVersion[])('provision request and registry payloads of a %s provider', (version) => {
  describeWithSchemas(`validate against ${SCHEMAS_DIR ?? '(no schema dir)'}`, () => {
    let host: TestHost;
    const documents: [string, string][] = [];

    beforeAll(async () => {
      const students = memoryService({ objectName: 'xStudent' });
      host = createTestHost({
        infrastructureVersion: version,
        consumers: CONSUMERS,
        services: { xStudents: students.definition },
        xQueryTemplates: {
          StudentsByGrade: {
            service: 'xStudents',
            description: 'Students by grade',
            script: 'declare namespace dm = "http://www.sifassociation.org/datamodel/na/3.6"; /dm:xStudent[dm:gradeLevel = "{:grade:}"]',
            parameters: [{ name: 'grade', type: 'xs:token' }, { name: 'year', default: '2026', description: 'School year' }],
            handler: async () => ({ objects: [] }),
          },
        },
        provisionRequests: { decide: (info) => (info.requested.some((r) => r.zoneId === 'Elementary') ? 'pending' : { approve: [] }) },
      });
      const me = await register(host);
      const auth = basicAuth(me.sessionToken, 'DemoSecret');
      const ns = `http://www.sifassociation.org/infrastructure/${version}`;
      const ask = (zone: string) =>
        `<provisionRequest xmlns="${ns}"><provisionedZones><provisionedZone id="${zone}"><services><service type="OBJECT" name="xStudents" contextId="DEFAULT"><rights><right type="QUERY">REQUESTED</right><right type="CREATE">REQUESTED</right></rights></service></services></provisionedZone></provisionedZones></provisionRequest>`;
      const post = (zone: string) => request(host.app).post('/sif3/provisionRequests').set('Authorization', auth).type('xml').send(ask(zone));
      const get = async (path: string) => (await request(host.app).get(`/sif3/${path}`).set('Authorization', auth)).text;
      const decided = await post('District');
      documents.push(['provisionRequest (201, MIXED)', decided.text]);
      const pending = await post('Elementary');
      documents.push(['provisionRequest (201, pending)', pending.text]);
      const pendingId = /<provisionRequest[^>]* id="([^"]+)"/.exec(pending.text)![1]!;
      documents.push(['provisionRequest (202)', await get(`provisionRequests/${pendingId}`)]);
      const collection = await get('provisionRequests');
      if (version === '3.3') documents.push(['provisionRequests', collection]);
      // The 3.2.1 schema declares no provisionRequests element (3.3 added it, and it is the one
      // written): there each request in the collection is validated on its own.
      else for (const item of collection.match(/<provisionRequest [^]*?<\/provisionRequest>/g) ?? []) {
        documents.push(['provisionRequest (in the collection)', `<?xml version="1.0" encoding="UTF-8"?>${item.replace('<provisionRequest ', `<provisionRequest xmlns="${ns}" `)}`]);
      }
      documents.push(['environment (after a decision)', await get(`environments/${me.id}`)]);
      documents.push(['zones', await get('requests/zones')]);
      documents.push(['zone', await get('requests/zones/District')]);
      documents.push(['providers', await get('requests/providers;zoneId=environment-global')]);
      const providerId = /<provider[^>]* id="([^"]+)"/.exec(documents[documents.length - 1]![1])![1]!;
      documents.push(['provider', await get(`requests/providers/${providerId}`)]);
      documents.push(['xquerys', await get('requests/xQueryTemplates')]);
      documents.push(['xquery', await get('requests/xQueryTemplates/StudentsByGrade')]);
    });
    afterAll(async () => {
      await host.close();
    });

    test('every document is valid and is what its name says', () => {
      expect(documents).toHaveLength(version === '3.3' ? 11 : 12);
      for (const [name, xml] of documents) expect([name, xml.match(/^<\?xml[^>]*\?><(\w+)/)?.[1]]).toEqual([name, name.split(' ')[0]]);
      const failures = documents.map(([name, xml]) => [name, xsdErrors(xml, version)]).filter(([, err]) => err);
      expect(failures).toEqual([]);
    });
  });
});
