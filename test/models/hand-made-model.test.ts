import request from 'supertest';
import type { CompiledModel, GoessnerObject, ServiceDefinition } from 'sif3-direct';
import { dataModel } from 'sif3-direct';
import { createTestHost } from '../helpers/host';
import type { TestHost } from '../helpers/host';
import { NA_NS, memoryService } from '../helpers/memory-service';
import { QUEUE_TEST_CONSUMERS, createQueue, drain, session } from '../helpers/queues';
import type { Session } from '../helpers/queues';

// A small hand-made model (no XSD at hand) on a hand-written service: `model` and `validate` on a
// plain ServiceDefinition, including an asynchronous provider that takes a whole delayed request.

const XPRESS_MINI: CompiledModel = {
  format: 'sif3-direct-model/1',
  name: 'xpress-mini',
  namespace: NA_NS,
  objects: { xStudent: { plural: 'xStudents', idAttribute: 'refId', type: 'xStudentType' } },
  types: {
    xStudentType: {
      attributes: [{ name: 'refId', type: '#string' }],
      elements: [
        { name: 'name', type: 'NameType', required: true },
        { name: 'localId', type: '#string' },
        { name: 'otherIds', type: 'OtherIdsType' },
      ],
    },
    NameType: { elements: [{ name: 'type', type: 'NameCode', required: true }, { name: 'familyName', type: '#string' }, { name: 'givenName', type: '#string' }] },
    OtherIdsType: { elements: [{ name: 'otherId', type: 'OtherIdType', repeat: true }] },
    OtherIdType: { elements: [{ name: 'type', type: '#string' }, { name: 'id', type: '#string' }] },
  },
  scalars: { NameCode: { kind: 'string', enum: ['LegalName', 'Alias'] } },
};

describe('a hand-made model on a hand-written service', () => {
  let host: TestHost;
  let who: Session;
  const taken: GoessnerObject[][] = [];
  beforeAll(async () => {
    const students = memoryService({ objectName: 'xStudent' });
    const service: ServiceDefinition = {
      ...students.definition,
      model: dataModel(XPRESS_MINI).object('xStudent'),
      validate: true,
      delayed: { createMany: async (_ctx, objects) => void taken.push(objects) },
    };
    host = createTestHost({ consumers: QUEUE_TEST_CONSUMERS, queues: true, services: { xStudents: service } });
    who = await session(host, 'DemoApp', 'DemoSecret');
  });
  afterAll(() => host.close());

  test('repeats from the model, output in its order, 400 naming the paths', async () => {
    const created = await request(host.app)
      .post('/sif3/requests/xStudents/xStudent')
      .set('Authorization', who.auth)
      .type('json')
      .set('Accept', 'application/json')
      .send({ xStudent: { otherIds: { otherId: { type: 'State', id: '9' } }, localId: '1', name: { givenName: 'A', familyName: 'B', type: 'LegalName' } } });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body.xStudent)).toEqual(['@refId', 'name', 'localId', 'otherIds']);
    expect(Object.keys(created.body.xStudent.name)).toEqual(['type', 'familyName', 'givenName']);
    expect(created.body.xStudent.otherIds.otherId).toEqual([{ type: 'State', id: '9' }]);
    const bad = await request(host.app).post('/sif3/requests/xStudents/xStudent').set('Authorization', who.auth).type('json').set('Accept', 'application/json').send({ xStudent: { name: { type: 'Nick' }, grade: '7' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('xStudent/name/type: "Nick" is not one of LegalName, Alias');
    expect(bad.body.error.message).toContain('xStudent/grade is not an element of xStudentType');
  });

  test('SIF 3.5 asynchronous provider: an invalid object refuses the whole delayed request with a 400 before any 202, unseen by the handler; a valid one is taken', async () => {
    const q = await createQueue(host, who);
    const send = (objects: GoessnerObject[], id: string) =>
      request(host.app).post('/sif3/requests/xStudents').set('Authorization', who.auth).set('requestType', 'DELAYED').set('queueId', q.id).set('requestId', id).type('json').set('Accept', 'application/json').send({ xStudents: { xStudent: objects } });
    const bad = await send([{ name: { type: 'LegalName' } }, { localId: '2' }], 'bad');
    expect([bad.status, bad.body.error.code]).toEqual([400, '400']);
    expect(bad.body.error.message).toContain('xStudent number 2 is not valid (xpress-mini): xStudent/name is missing');
    await host.provider.idle();
    expect(await drain(host, who, q.messages)).toEqual([]);
    expect(taken).toEqual([]);
    expect((await send([{ name: { type: 'LegalName' } }], 'good')).status).toBe(202);
    await host.provider.idle();
    expect(taken).toEqual([[{ name: { type: 'LegalName' } }]]);
  });

  test('a model that is not one is refused by name at start-up', () => {
    expect(() => dataModel({ ...XPRESS_MINI, format: 'other' } as unknown as CompiledModel)).toThrow(/the data model is not a usable data model: format must be "sif3-direct-model\/1"/);
    expect(() => dataModel({ ...XPRESS_MINI, objects: { x: { plural: 'xs', idAttribute: 'refId', type: 'Missing' } } })).toThrow(/objects\.x needs plural, idAttribute and a type defined in types/);
    expect(() => dataModel('./no/such/model')).toThrow(/Cannot read the data model \.\/no\/such\/model/);
  });
});
