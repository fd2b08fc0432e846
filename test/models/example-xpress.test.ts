import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { GoessnerObject } from 'sif3-direct';
import { SifClient } from 'sif3-direct/client';
import type { Provision } from 'sif3-direct/client';
import { XPRESS, xpressArrays } from '../../example-app/handlers/xpress';
import type { XpressObject } from '../../example-app/handlers/xpress';
import type { StaffDirectory } from '../../example-app/remote-provider/staff';
import { openStaffDirectory } from '../../example-app/remote-provider/staff';
import { asArray, isElement } from '../../lib/payload/goessner';
import { parseXml } from '../../lib/payload/xml';
import { basicAuth } from '../helpers/consumer-auth';
import type { RunningProvider } from '../client/provider';
import { startProvider } from '../client/provider';

// Every XML document the example SIS sends for its NA xPress services (query pages, reads, service
// paths, create answers, events to subscribers, and the staff directory's answers to delayed
// queries relayed through the SIS) holds objects that its hand-made xPress model accepts, with every
// element in the model's (xPress) order. No NA xPress XSD is among the shared schemas, so the model
// is the reference here (the AU model's answers are checked with xmllint in au-service.test.ts).

const model = XPRESS.compiled;
const NS = XPRESS.namespace;

/** Where an element's children leave the model's order, e.g. `xStudent/enrollment: gradeLevel before homeRoomNumber`. */
function orderProblems(value: GoessnerObject, typeName: string, path: string): string[] {
  const elements = model.types[typeName]?.elements ?? [];
  const rank = new Map(elements.map((e, i) => [e.name, i]));
  const problems: string[] = [];
  let last = -1;
  let lastName = '';
  for (const key of Object.keys(value)) {
    if (key.startsWith('@') || key === '#text') continue;
    const r = rank.get(key) ?? Infinity;
    if (r < last) problems.push(`${path}: ${lastName} before ${key}`);
    last = r;
    lastName = key;
    const type = elements.find((e) => e.name === key)?.type;
    for (const item of asArray(value[key])) if (type && isElement(item)) problems.push(...orderProblems(item, type, `${path}/${key}`));
  }
  return problems;
}

/** The objects of an XML document (a collection `plural`, or one object), each checked against the model: `[]` when all are valid and in order. */
function xmlProblems(xml: string, objectName: XpressObject): string[] {
  const parsed = parseXml(xml);
  const binding = XPRESS.object(objectName);
  expect(parsed.namespace).toBe(NS);
  const objects = parsed.root === objectName ? [parsed.value] : asArray(parsed.value[objectName]).filter(isElement);
  expect([objectName, binding.pluralName]).toContain(parsed.root);
  return objects.flatMap((o) => [...binding.check(o, 'full'), ...orderProblems(o, model.objects[objectName]!.type, objectName)]);
}

describe('the example SIS answers in the xPress shapes of its hand-made model', () => {
  let sis: RunningProvider;
  let dir: string;
  let staff: StaffDirectory;
  let provision: Provision;
  let auth: string;
  const xml = (path: string) => request(sis.example.app).get(`/sif3/requests/${path}`).set('Authorization', auth).set('Accept', 'application/xml');

  beforeAll(async () => {
    sis = await startProvider({ seed: { students: 40, rostersPerSchool: 2, rosterSize: 6 } });
    dir = mkdtempSync(join(tmpdir(), 'sif3-xpress-staff-'));
    staff = openStaffDirectory(join(dir, 'staff.db'), { seed: 12 });
    const directory = await SifClient.connect({ url: sis.url, applicationKey: 'StaffDirectory', secret: 'StaffSecret', authMethod: 'SIF_HMACSHA256', instanceId: 'xpress-staff' });
    provision = await directory.provide('xStaffs', staff.handlers, { repeatable: xpressArrays('xStaff') });
    const env = await request(sis.example.app).post('/sif3/environments/environment').set('Authorization', basicAuth('DemoApp', 'DemoSecret')).set('Accept', 'application/json');
    expect(env.status).toBe(201);
    auth = basicAuth(env.body.environment.sessionToken, 'DemoSecret');
  }, 30_000);
  afterAll(async () => {
    await provision.stop();
    staff.close();
    await sis.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the model is the one the services are declared from, and the SQL layer reads its list paths from it', () => {
    expect(NS).toBe('http://www.sifassociation.org/datamodel/na/3.6');
    expect(XPRESS.objectNames).toEqual(['xStudent', 'xSchool', 'xRoster', 'xStaff']);
    expect(xpressArrays('xStudent')).toEqual([
      'otherNames/name', 'otherIds/otherId', 'otherPhoneNumbers/phoneNumber', 'otherEmails/email',
      'demographics/races/race', 'studentContacts/contactPersonRefId', 'languages/language',
    ]);
    expect(xpressArrays('xSchool')).toEqual(['otherIds/otherId', 'gradeLevels/gradeLevel', 'otherPhoneNumbers/phoneNumber']);
    expect(xpressArrays('xRoster')).toEqual(['meetingTimes/meetingTime', 'students/studentReference', 'otherStaffs/otherStaff']);
  });

  test.each([['xSchools', 'xSchool'], ['xStudents', 'xStudent'], ['xRosters', 'xRoster']] as const)(
    'Base Architecture §5.4: every page of %s, and a read of each kind, validates against the model in xPress order',
    async (plural, objectName) => {
      let checked = 0;
      for (let page = 1; ; page++) {
        const res = await xml(`${plural}?navigationPage=${page}&navigationPageSize=25`);
        if (res.status === 204) break;
        expect(res.status).toBe(200);
        expect(xmlProblems(res.text, objectName)).toEqual([]);
        checked += asArray(parseXml(res.text).value[objectName]).length;
        if (Number(res.headers.navigationlastpage) <= page) break;
      }
      expect(checked).toBeGreaterThan(0);
      const first = await xml(`${plural}?navigationPage=1&navigationPageSize=1`);
      const id = (asArray(parseXml(first.text).value[objectName])[0] as GoessnerObject)['@refId'] as string;
      const read = await xml(`${plural}/${id}`);
      expect(read.status).toBe(200);
      expect(xmlProblems(read.text, objectName)).toEqual([]);
    },
  );

  test('Base Architecture §5.5, §5.6, §4.2.2: a service path, a create answer given elements out of order, and the event a subscriber gets all follow the model', async () => {
    const schools = parseXml((await xml('xSchools')).text).value;
    const school = asArray(schools.xSchool)[0] as GoessnerObject;
    const viaPath = await xml(`xSchools/${school['@refId'] as string}/xStudents?navigationPageSize=100`);
    expect(viaPath.status).toBe(200);
    expect(xmlProblems(viaPath.text, 'xStudent')).toEqual([]);

    const queue = await request(sis.example.app).post('/sif3/queues/queue').set('Authorization', auth).set('Accept', 'application/json').type('json').send({ queue: {} });
    expect(queue.status).toBe(201);
    const sub = await request(sis.example.app).post('/sif3/subscriptions/subscription').set('Authorization', auth).set('Accept', 'application/json').type('json')
      .send({ subscription: { serviceType: 'OBJECT', serviceName: 'xStudents', queueId: queue.body.queue['@id'] } });
    expect(sub.status).toBe(201);

    // Sent in no particular order, one race as a single element: answered in xPress order, the race a list.
    const body = `<xStudent xmlns="${NS}"><enrollment><gradeLevel>09</gradeLevel><entryDate>2025-08-24</entryDate><schoolRefId>${school['@refId'] as string}</schoolRefId><leaRefId>${school.leaRefId as string}</leaRefId></enrollment>`
      + `<demographics><sex>Female</sex><races><race><race>White</race></race></races></demographics><localId>X-1</localId><name><givenName>Lisa</givenName><familyName>Simpson</familyName><type>LegalName</type></name></xStudent>`;
    const created = await request(sis.example.app).post('/sif3/requests/xStudents/xStudent').set('Authorization', auth).set('Content-Type', 'application/xml').set('Accept', 'application/xml').send(body);
    expect(created.status).toBe(201);
    expect(xmlProblems(created.text, 'xStudent')).toEqual([]);
    expect(created.text).toMatch(/<name><type>LegalName<\/type><familyName>Simpson<\/familyName><givenName>Lisa<\/givenName><\/name><localId>X-1<\/localId><demographics><races><race><race>White<\/race><\/race><\/races><sex>Female<\/sex><\/demographics><enrollment><leaRefId>/);

    const messages = new URL(queue.body.queue.queueUri).pathname;
    const event = await request(sis.example.app).get(messages).set('Authorization', auth).set('Accept', 'application/xml');
    expect(event.status).toBe(200);
    expect(event.headers.messagetype).toBe('EVENT');
    expect(xmlProblems(event.text, 'xStudent')).toEqual([]);
  });

  test('SIF 3.5 asynchronous provider: the staff directory\'s pages of xStaffs reach the consumer in xPress order (name before localId)', async () => {
    const queue = await request(sis.example.app).post('/sif3/queues/queue').set('Authorization', auth).set('Accept', 'application/json').type('json').send({ queue: {} });
    const messages = new URL(queue.body.queue.queueUri).pathname;
    const asked = await request(sis.example.app).get('/sif3/requests/xStaffs').set('Authorization', auth).set('Accept', 'application/xml')
      .set('requestType', 'DELAYED').set('requestId', 'staff-1').set('queueId', queue.body.queue['@id']).set('navigationPageSize', '5');
    expect(asked.status).toBe(202);
    const pages: string[] = [];
    let previous: string | undefined;
    for (let tries = 0; tries < 100 && pages.length < 3; tries++) {
      const res = await request(sis.example.app).get(previous ? `${messages};deleteMessageId=${previous}` : messages).set('Authorization', auth).set('Accept', 'application/xml');
      previous = undefined;
      if (res.status === 200) {
        expect(res.headers.messagetype).toBe('RESPONSE');
        pages.push(res.text);
        previous = res.headers.messageid;
      } else await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(pages).toHaveLength(3); // 12 staff members, 5 a page
    for (const page of pages) expect(xmlProblems(page, 'xStaff')).toEqual([]);
    expect(pages[0]).toMatch(/<xStaff refId="[^"]+"><name><type>LegalName<\/type><familyName>[^<]+<\/familyName><givenName>[^<]+<\/givenName><\/name><localId>S1000<\/localId><email><emailType>Organizational<\/emailType>/);
  }, 30_000);
});
