import request from 'supertest';
import type { CompiledModel, GoessnerObject, ServiceDefinition } from 'sif3-direct';
import { dataModel } from 'sif3-direct';
import { createTestHost } from '../helpers/host';
import type { TestHost } from '../helpers/host';
import { NA_NS, memoryService } from '../helpers/memory-service';
import { QUEUE_TEST_CONSUMERS, createQueue, drain, session, subscribe } from '../helpers/queues';
import type { Session } from '../helpers/queues';

// `validateOutput` where objects leave other than in an immediate answer: the events of changes
// the host reports (Base Architecture §4.2.2, provider.changed) and the pages an asynchronous
// provider answers a delayed query with (SIF 3.5). 'log' warns and sends; 'refuse' sends nothing
// invalid: changed() throws before anything is logged or queued, and a delayed query ends with
// an ERROR 500 in the consumer's queue, as an immediate query would be answered 500.

const MINI: CompiledModel = {
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
    NameType: { elements: [{ name: 'type', type: 'NameCode' }, { name: 'familyName', type: '#string' }, { name: 'givenName', type: '#string' }] },
    OtherIdsType: { elements: [{ name: 'otherId', type: '#string', repeat: true }] },
  },
  scalars: { NameCode: { kind: 'string', enum: ['LegalName', 'Alias'] } },
};

const ID = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const VALID: GoessnerObject = { '@refId': ID(1), localId: '1', name: { familyName: 'Valid', type: 'LegalName' } };
const INVALID: GoessnerObject = { '@refId': ID(2), name: { type: 'Nick' }, grade: '7' };

describe.each(['log', 'refuse'] as const)("validateOutput '%s' on events and delayed answers", (mode) => {
  let host: TestHost;
  let demo: Session;
  let subscriber: Session;
  const warnings: unknown[][] = [];
  const refs: string[] = [];
  beforeEach(async () => {
    warnings.length = 0;
    refs.length = 0;
    const students = memoryService({ objectName: 'xStudent' });
    const service: ServiceDefinition = {
      ...students.definition,
      model: dataModel(MINI).object('xStudent'),
      validateOutput: mode,
      delayed: { query: async (_ctx, _query, { ref }) => void refs.push(ref) },
    };
    host = createTestHost({
      consumers: QUEUE_TEST_CONSUMERS,
      queues: true,
      services: { xStudents: service },
      logger: { warn: (...args: unknown[]) => void warnings.push(args), error: () => undefined },
    });
    demo = await session(host, 'DemoApp', 'DemoSecret');
    subscriber = await session(host, 'Subscriber', 'SubscriberSecret');
  });
  afterEach(() => host.close());

  test('Base Architecture §4.2.2: a change the host reports with an invalid object is warned about with its paths; sent as an event (log) or refused before anything is queued (refuse)', async () => {
    const q = await createQueue(host, subscriber);
    expect((await subscribe(host, subscriber, q.id)).status).toBe(201);
    const report = host.provider.changed('xStudents', 'CREATE', [INVALID]);
    if (mode === 'refuse') await expect(report).rejects.toThrow(/changed\(\): an invalid xStudent \(xpress-mini\): xStudent\/name\/type: "Nick" is not one of LegalName, Alias; xStudent\/grade is not an element of xStudentType/);
    else await report;
    expect(warnings).toEqual([[`sif3-direct: changed() reported an invalid xStudent (${ID(2)})`, expect.arrayContaining(['xStudent/grade is not an element of xStudentType'])]]);
    const events = await drain(host, subscriber, q.messages);
    expect(events.map((e) => [e.headers.messagetype, e.headers.eventaction, e.body.xStudents.xStudent[0]['@refId']])).toEqual(mode === 'log' ? [['EVENT', 'CREATE', ID(2)]] : []);

    // A valid object goes out in either mode; a PARTIAL update need not carry the mandatory name; a DELETE carries ids only.
    await host.provider.changed('xStudents', 'CREATE', [VALID]);
    await host.provider.changed('xStudents', 'UPDATE', [{ '@refId': ID(1), localId: '9' }]);
    await host.provider.changed('xStudents', 'DELETE', [{ '@refId': ID(1) }]);
    expect(warnings).toHaveLength(1);
    const more = await drain(host, subscriber, q.messages);
    expect(more.map((e) => [e.headers.eventaction, e.headers.replacement])).toEqual([['CREATE', 'FULL'], ['UPDATE', 'PARTIAL'], ['DELETE', undefined]]);
    // A FULL replacement is a whole object: without its mandatory name it is invalid.
    const full = host.provider.changed('xStudents', 'UPDATE', [{ '@refId': ID(1), localId: '9' }], { replacement: 'FULL' });
    if (mode === 'refuse') await expect(full).rejects.toThrow(/xStudent\/name is missing/);
    else await full;
    expect(warnings).toHaveLength(2);
  });

  test('SIF 3.5 asynchronous provider: a page with an invalid object is warned about; queued (log), or replaced by an ERROR 500 that ends the request (refuse)', async () => {
    const q = await createQueue(host, demo);
    const asked = await request(host.app)
      .get('/sif3/requests/xStudents')
      .set('Authorization', demo.auth)
      .set('requestType', 'DELAYED')
      .set('queueId', q.id)
      .set('requestId', 'q-1')
      .set('navigationPageSize', '2') // a paged batch: answered page by page (a bulk query is one part)
      .set('Accept', 'application/json');
    expect(asked.status).toBe(202);
    await host.provider.idle();
    expect(refs).toHaveLength(1);
    const ref = refs[0]!;
    expect(await host.provider.respond(ref, { objects: [VALID], totalCount: 3 })).toBe(true);
    expect(await host.provider.respond(ref, { objects: [{ ...VALID, '@refId': ID(3) }, INVALID], totalCount: 3 })).toBe(true);
    expect(warnings).toEqual([[`sif3-direct: the provider of xStudents answered with an invalid xStudent (${ID(2)})`, expect.arrayContaining(['xStudent/name/type: "Nick" is not one of LegalName, Alias'])]]);
    const answers = await drain(host, demo, q.messages);
    const summary = answers.map((m) => [m.headers.messagetype, m.headers.requestid, m.headers.navigationpage, m.body.error?.code ?? m.body.xStudents.xStudent.length]);
    if (mode === 'log') {
      expect(summary).toEqual([['RESPONSE', 'q-1', '1', 1], ['RESPONSE', 'q-1', '2', 2]]);
      expect(await host.provider.complete(ref)).toBe(true);
    } else {
      expect(summary).toEqual([['RESPONSE', 'q-1', '1', 1], ['ERROR', 'q-1', undefined, '500']]);
      expect(answers[1]!.body.error.message).toBe('The provider of xStudents answered with 1 invalid xStudent object(s)');
      // The request is over: later parts are refused.
      expect(await host.provider.complete(ref, { objects: [VALID] })).toBe(false);
    }
  });
});
