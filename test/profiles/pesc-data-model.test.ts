import request from 'supertest';
import type { GoessnerObject } from 'sif3-direct';
import { dataModel } from 'sif3-direct';
import { parseXml } from '../../lib/payload/xml';
import type { TestHost } from '../helpers/host';
import { createTestHost, register } from '../helpers/host';
import { haveSamples, sample } from '../helpers/samples';

// A service declared from the shipped AU 3.4.8 model, spoken to in PESC over HTTP (Version
// Indication & Negotiation §3.2.1; samples/pesc/README.md rule 7): the A4L framework's own PESC of
// SchoolInfo (JSON numbers, bean names such as `Aria`, `Sla`, `LeainfoRefId`, `SifrefObject`) is read
// as its XML is, the handler gets text, and the answer writes the model's numbers and booleans as
// JSON types again.

const DATA = 'urn:sif:data/au/3.4.6+pesc';
const INF = 'urn:sif:inf/global/3.3+pesc';
const describeIfSamples = haveSamples('pesc') ? describe : describe.skip;

/** 32 hex digits as a UUID. */
function uuids(text: string): string {
  return text.replace(/\b([0-9A-F]{8})([0-9A-F]{4})([0-9A-F]{4})([0-9A-F]{4})([0-9A-F]{12})\b/g, '$1-$2-$3-$4-$5');
}

describeIfSamples('a data-model service in PESC', () => {
  let host: TestHost;
  let auth: string;
  const received: GoessnerObject[] = [];
  const rows = new Map<string, GoessnerObject>();

  beforeAll(async () => {
    const au = dataModel('au-3.4.8');
    const handlers = {
      read: async (_ctx: unknown, refId: string) => rows.get(refId) ?? null,
      create: async (_ctx: unknown, object: GoessnerObject) => {
        received.push(object);
        rows.set(object['@RefId'] as string, object);
        return object;
      },
    };
    host = createTestHost({
      services: { SchoolInfos: au.service('SchoolInfo', { handlers, validate: true }) },
      consumers: [{ applicationKey: 'AuApp', secret: 'AuSecret', environment: { defaultZone: { id: 'Campus', services: [{ name: 'SchoolInfos', rights: ['QUERY', 'CREATE'] }] } } }],
    });
    auth = `Basic ${Buffer.from(`${(await register(host, 'AuApp', 'AuSecret')).sessionToken}:AuSecret`).toString('base64')}`;
  });
  afterAll(() => host.close());

  test('the framework\'s SchoolInfo PESC is created: the handler gets text, the answer has JSON numbers, and XML reads as the sample\'s XML', async () => {
    // The 3.4.6 sample's ids are 32 hex digits; AU 3.4.8 wants them as UUIDs.
    const golden = uuids(sample('pesc', 'SchoolInfo.pesc.json'));
    const created = await request(host.app).post('/sif3/requests/SchoolInfos/SchoolInfo').set('Authorization', auth)
      .set('Content-Type', 'application/json').set('Content-Profile', DATA).set('Accept', 'application/json').set('Accept-Profile', `${DATA},${INF}`)
      .send(golden);
    expect(created.status).toBe(201);
    expect(created.headers['content-profile']).toBe('urn:sif:data/au/3.4+pesc');
    // The handler's object: text only, XML names (bean names read back), the id and SIF_RefObject as attributes.
    const object = received[0]!;
    expect(object).toMatchObject({ '@RefId': 'D3E34B35-9D75-101A-8C3D-00AA001A1651', ARIA: '1', SLA: '205801452', LEAInfoRefId: '73648462-8886-24AA-5294-BC6380173276' });
    expect(object.OtherLEA).toEqual({ '#text': 'AA648462-8886-24AA-5294-BC638017320B', '@SIF_RefObject': 'LEAInfo' });
    expect(JSON.stringify(object)).not.toMatch(/:(?:-?\d|true|false)/);
    // The answer: the model's decimals as JSON numbers, the rest as the sample has them.
    const answer = created.body.SchoolInfo;
    expect(answer.ARIA).toBe(1);
    expect(answer.SchoolContactList.SchoolContact[0].ContactInfo.Address.GridLocation).toEqual({ Latitude: 23.9876, Longitude: -98.8765 });
    expect(answer.OtherLEA).toEqual({ value: 'AA648462-8886-24AA-5294-BC638017320B', SIF_RefObject: 'LEAInfo' });
    expect(answer.RefId).toBe('D3E34B35-9D75-101A-8C3D-00AA001A1651');
    // In XML it is the framework's XML (ARIA 1.0 read from the JSON number 1.0 as 1).
    const xml = await request(host.app).get(`/sif3/requests/SchoolInfos/${answer.RefId}`).set('Authorization', auth).set('Accept', 'application/xml');
    const expected = parseXml(uuids(sample('pesc', 'SchoolInfo.xml')).replace('<ARIA>1.0</ARIA>', '<ARIA>1</ARIA>')).value;
    expect(parseXml(xml.text).value).toEqual(expected);
  });

  test('a model boolean or integer sent as a JSON value of the wrong kind is refused by validation like its text would be', async () => {
    const bad = { SchoolInfo: { SchoolName: 'X', ARIA: true, RefId: 'D3E34B35-9D75-101A-8C3D-00AA001A1652' } };
    const res = await request(host.app).post('/sif3/requests/SchoolInfos/SchoolInfo').set('Authorization', auth)
      .set('Content-Type', 'application/json').set('Content-Profile', DATA).set('Accept', 'application/json').set('Accept-Profile', INF)
      .send(JSON.stringify(bad));
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain('ARIA');
  });
});
