import request from 'supertest';
import type { ConsumerEntry, GoessnerObject, QueryRequest, ServiceDefinition } from 'sif3-direct';
import { WalkPositions } from '../../lib/endpoints/requests/walks';
import { basicAuth } from '../helpers/consumer-auth';
import type { TestHost } from '../helpers/host';
import { createTestHost, register } from '../helpers/host';
import { memoryService, student } from '../helpers/memory-service';

// Issue #11 item 2: cursor paging behind page numbers. A page that continues a walk (the page right
// after the last one served of the same query to the same consumer) hands the handler where the
// previous page ended (`after`) and the total it reported (`knownTotal`); any other page gets only
// its offset. Over real HTTP against a real SQLite file.

const rc = '/sif3/requests';
const grant = { defaultZone: { id: 'District', services: [{ name: 'xStudents', rights: ['QUERY' as const] }], properties: {} } };
const consumers: ConsumerEntry[] = [
  { applicationKey: 'Walker', secret: 'WalkerSecret', environment: grant },
  { applicationKey: 'Other', secret: 'OtherSecret', environment: grant },
];

const students = Array.from({ length: 23 }, (_, i) => student(i + 1, { name: { type: 'LegalName', familyName: ['Smith', 'Jones', 'Park'][i % 3]!, givenName: `G${i}` } }));
const idOf = (o: GoessnerObject) => o['@refId'] as string;

interface Seen {
  page: number;
  after: QueryRequest['after'];
  knownTotal: number | undefined;
}

/** The memory service, with every query it receives logged; `countOnce` omits totalCount whenever it was handed knownTotal. */
function loggedService(options: { seek?: boolean; countOnce?: boolean } = {}): { definition: ServiceDefinition; seen: Seen[]; objects: Map<string, GoessnerObject> } {
  const base = memoryService({ objectName: 'xStudent', objects: students, seek: options.seek });
  const seen: Seen[] = [];
  const query = base.definition.handlers!.query!;
  const definition: ServiceDefinition = {
    ...base.definition,
    handlers: {
      ...base.definition.handlers,
      query: async (ctx, q) => {
        seen.push({ page: q.page, after: q.after, knownTotal: q.knownTotal });
        const result = await query(ctx, q);
        return options.countOnce && q.knownTotal !== undefined ? { objects: result.objects } : result;
      },
    },
  };
  return { definition, seen, objects: base.objects };
}

let host: TestHost;
let now: number;
let auth: string;
let otherAuth: string;
let log: ReturnType<typeof loggedService>;

async function start(options: { seek?: boolean; countOnce?: boolean } = {}) {
  log = loggedService(options);
  now = Date.parse('2026-03-01T08:00:00Z');
  host = createTestHost({ services: { xStudents: log.definition }, consumers, paging: { snapshotTtlSeconds: 60 }, clock: () => new Date(now) });
  auth = basicAuth((await register(host, 'Walker', 'WalkerSecret')).sessionToken, 'WalkerSecret');
  otherAuth = basicAuth((await register(host, 'Other', 'OtherSecret')).sessionToken, 'OtherSecret');
}
afterEach(async () => host.close());

function page(n: number, query = '', who = auth, size = 5) {
  return request(host.app).get(`${rc}/xStudents?navigationPage=${n}&navigationPageSize=${size}${query}`).set('Authorization', who).set('Accept', 'application/json');
}
const idsOf = (res: request.Response): string[] => (res.status === 204 ? [] : (res.body.xStudents.xStudent as GoessnerObject[]).map(idOf));
const lastSeen = () => log.seen[log.seen.length - 1]!;

test('pages 2..n of a walk receive where the previous page ended; page 1 does not', async () => {
  await start();
  const served: string[][] = [];
  for (let n = 1; n <= 5; n++) served.push(idsOf(await page(n)));
  expect(served.flat()).toEqual(students.map(idOf));
  expect(log.seen.map((s) => s.page)).toEqual([1, 2, 3, 4, 5]);
  expect(log.seen[0]!.after).toBeUndefined();
  for (let n = 2; n <= 5; n++) {
    expect(log.seen[n - 1]!.after).toEqual({ id: served[n - 2]!.at(-1), orderValues: [] });
    expect(log.seen[n - 1]!.knownTotal).toBe(23);
  }
});

test('the position carries the values of the order terms on the last object, undefined when absent', async () => {
  await start();
  const order = encodeURIComponent('[name/familyName=descending;localId=ascending;name/middleName=ascending]');
  const first = await page(1, `&order=${order}`);
  const last = first.body.xStudents.xStudent.at(-1) as GoessnerObject;
  await page(2, `&order=${order}`);
  expect(lastSeen().after).toEqual({ id: idOf(last), orderValues: [(last.name as GoessnerObject).familyName, last.localId, undefined] });
});

test('a jump, a repeat, another page size or another where is served by offset alone; the page after a jump continues again', async () => {
  await start();
  await page(1);
  await page(2);
  await page(5);
  expect(lastSeen()).toEqual({ page: 5, after: undefined, knownTotal: undefined });
  await page(5);
  expect(lastSeen().after).toBeUndefined();
  const fifth = idsOf(await page(5));
  await page(6);
  expect(lastSeen().after).toEqual({ id: fifth.at(-1), orderValues: [] });
  await page(1, '', auth, 4);
  await page(2, '', auth, 4);
  expect(lastSeen().after?.id).toBe(students[3]!['@refId']);
  await page(3, `&where=${encodeURIComponent('[name/familyName="Smith"]')}`, auth, 4);
  expect(lastSeen().after).toBeUndefined();
});

test('one consumer never continues another consumer\'s walk', async () => {
  await start();
  await page(1);
  await page(2, '', otherAuth);
  expect(lastSeen()).toEqual({ page: 2, after: undefined, knownTotal: undefined });
});

test('a walk is forgotten after the snapshot time to live', async () => {
  await start();
  await page(1);
  now += 61_000;
  await page(2);
  expect(lastSeen().after).toBeUndefined();
  now += 30_000;
  await page(3);
  expect(lastSeen().after).toBeDefined();
});

test('a handler that counts once per walk: every page still carries navigationCount and navigationLastPage', async () => {
  await start({ countOnce: true });
  for (let n = 1; n <= 5; n++) {
    const res = await page(n);
    expect([n, res.headers.navigationcount, res.headers.navigationlastpage]).toEqual([n, '23', '5']);
  }
});

test('a handler that seeks serves exactly the pages an offset would, and new objects before the position shift nothing', async () => {
  await start({ seek: true, countOnce: true });
  const order = `&order=${encodeURIComponent('[name/familyName=ascending]')}`;
  const walked: string[] = [];
  for (let n = 1; n <= 5; n++) walked.push(...idsOf(await page(n, order)));
  const byName = [...students].sort((a, b) => ((a.name as GoessnerObject).familyName as string).localeCompare((b.name as GoessnerObject).familyName as string));
  expect(walked).toEqual(byName.map(idOf));
  // Mid-walk, an object that sorts before the position: seeking neither repeats nor skips.
  const firstTwo = [...idsOf(await page(1, order)), ...idsOf(await page(2, order))];
  const early = student(99, { name: { type: 'LegalName', familyName: 'Adams', givenName: 'A' } });
  log.objects.set(idOf(early), early);
  const rest: string[] = [];
  for (let n = 3; n <= 5; n++) rest.push(...idsOf(await page(n, order)));
  expect([...firstTwo, ...rest]).toEqual(byName.map(idOf));
});

test('the map of walks is bounded: the least recently used walk goes first', () => {
  const walks = new WalkPositions(2, 1000);
  const at = { id: 'x', orderValues: [] };
  walks.record('a', 1, at, 10, 0);
  walks.record('b', 1, at, 10, 0);
  expect(walks.continuing('a', 2, 1)).toEqual({ after: at, knownTotal: 10 });
  walks.record('a', 2, at, 10, 1); // a is now the most recent
  walks.record('c', 1, at, 10, 2);
  expect(walks.size).toBe(2);
  expect(walks.continuing('b', 2, 3)).toEqual({});
  expect(walks.continuing('a', 3, 3)).toEqual({ after: at, knownTotal: 10 });
  expect(walks.continuing('c', 2, 3)).toEqual({ after: at, knownTotal: 10 });
});
