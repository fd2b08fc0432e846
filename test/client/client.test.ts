import type { AuthMethod, Format, SifObject } from 'sif3-direct/client';
import { SifClient, SifClientError } from 'sif3-direct/client';
import type { RunningProvider } from './provider';
import { DEMO, STUDENT_REPEATABLE, collect, newStudent, startProvider } from './provider';

// The client against the example SIS over real HTTP, in both formats and both authentication methods.
const combinations: Array<[AuthMethod, Format]> = [
  ['Basic', 'xml'],
  ['Basic', 'json'],
  ['SIF_HMACSHA256', 'xml'],
  ['SIF_HMACSHA256', 'json'],
];

describe.each(combinations)('SifClient with %s and %s', (authMethod, format) => {
  let provider: RunningProvider;
  let client: SifClient;
  const connect = (extra: Partial<Parameters<typeof SifClient.connect>[0]> = {}) =>
    SifClient.connect({ url: provider.url, ...DEMO, authMethod, format, instanceId: `client-${authMethod}-${format}`, ...extra });

  beforeAll(async () => {
    provider = await startProvider();
    client = await connect();
  });
  afterAll(async () => {
    await client.close();
    await provider.close();
  });

  test('registers an environment, and a second connect reuses it (409 with the environment)', async () => {
    expect(client.environment.sessionToken).toEqual(expect.any(String));
    expect(client.environment.defaultZoneId).toBe('District');
    expect(client.environment.authenticationMethod).toBe(authMethod);
    const again = await connect();
    expect(again.environment.id).toBe(client.environment.id);
    expect(again.environment.sessionToken).toBe(client.environment.sessionToken);
  });

  test('reads one object, and null for an id with none', async () => {
    const [first] = await collect(client.service('xStudents').query({ pageSize: 1 }));
    const id = first!['@refId'] as string;
    const read = await client.service('xStudents').read(id);
    expect(read).toEqual(first);
    expect(await client.service('xStudents').read('no-such-student')).toBeNull();
  });

  test('queries every object page by page, with where and order', async () => {
    const students = client.service('xStudents');
    const all = await collect(students.query({ pageSize: 7 }));
    expect(all).toHaveLength((await students.head()).navigationCount!);
    expect(all.length).toBeGreaterThan(7);
    expect(new Set(all.map((s) => s['@refId'])).size).toBe(all.length);
    const family = (all[0]!.name as SifObject).familyName as string;
    const smiths = await collect(students.query({ where: `[name/familyName="${family}"]`, order: '[name/givenName=descending]', pageSize: 2 }));
    expect(smiths.length).toBeGreaterThan(0);
    expect(smiths.every((s) => (s.name as SifObject).familyName === family)).toBe(true);
    const given = smiths.map((s) => (s.name as SifObject).givenName as string);
    expect(given).toEqual([...given].sort().reverse());
  });

  test('pages carry their paging headers; past the last page is an empty page (204)', async () => {
    const pages = await collect(client.service('xStudents').pages({ pageSize: 20 }));
    const count = pages[0]!.navigationCount!;
    expect(pages.map((p) => p.navigationPage)).toEqual(Array.from({ length: Math.ceil(count / 20) }, (_, i) => i + 1));
    expect(pages.every((p) => p.navigationLastPage === Math.ceil(count / 20))).toBe(true);
    expect(pages.reduce((n, p) => n + p.objects.length, 0)).toBe(count);
    const past = await collect(client.service('xStudents').pages({ pageSize: 20, page: 99 }));
    expect(past).toHaveLength(1);
    expect(past[0]!.objects).toEqual([]);
    const none = await collect(client.service('xStudents').pages({ where: '[name/familyName="Nobody-at-all"]' }));
    expect(none.map((p) => p.objects.length)).toEqual([0]);
  });

  test('a pinned walk (queryIntention ALL) returns a navigationId and is served whole', async () => {
    const pages = await collect(client.service('xStudents').pages({ pageSize: 10, intention: 'ALL' }));
    expect(pages[0]!.navigationId).toEqual(expect.any(String));
    expect(pages.reduce((n, p) => n + p.objects.length, 0)).toBe(pages[0]!.navigationCount);
  });

  test('creates, updates and deletes one object', async () => {
    const students = client.service('xStudents');
    const created = await students.create(newStudent('Created'));
    const id = created['@refId'] as string;
    expect(id).toEqual(expect.any(String));
    expect(await students.update(id, { name: { type: 'LegalName', familyName: 'Updated', givenName: 'Test' } })).toBe(true);
    expect(((await students.read(id))!.name as SifObject).familyName).toBe('Updated');
    expect(await students.delete(id)).toBe(true);
    expect(await students.read(id)).toBeNull();
    expect(await students.delete(id)).toBe(false);
    expect(await students.update(id, { localId: 'x' })).toBe(false);
  });

  test('batch create, update and delete give one result per object', async () => {
    const students = client.service('xStudents');
    const created = await students.createMany([newStudent('BatchA'), { name: { familyName: 'no given name' } }, newStudent('BatchB')]);
    expect(created.map((r) => r.status)).toEqual([201, 400, 201]);
    expect(created[1]!.error?.message).toEqual(expect.stringContaining('givenName'));
    const ids = [created[0]!.id!, created[2]!.id!];
    const updated = await students.updateMany([
      { id: ids[0]!, partial: { localId: 'batch-a' } },
      { id: 'missing', partial: { localId: 'x' } },
      { id: ids[1]!, partial: { localId: 'batch-b' } },
    ]);
    expect(updated.map((r) => [r.id, r.status])).toEqual([[ids[0], 200], ['missing', 404], [ids[1], 200]]);
    expect((await students.read(ids[1]!))!.localId).toBe('batch-b');
    const deleted = await students.deleteMany([ids[0]!, 'missing', ids[1]!]);
    expect(deleted.map((r) => [r.id, r.ok])).toEqual([[ids[0], true], ['missing', false], [ids[1], true]]);
    expect(await students.read(ids[0]!)).toBeNull();
  });

  test('query by example', async () => {
    const students = client.service('xStudents');
    await students.create(newStudent('Examplesson', 'Ann'));
    const found = await collect(students.queryByExample({ name: { familyName: 'examples%' } }));
    expect(found.map((s) => (s.name as SifObject).givenName)).toEqual(['Ann']);
  });

  test('service paths: one school\'s students', async () => {
    const [school] = await collect(client.service('xSchools').query({ pageSize: 1 }));
    const schoolId = school!['@refId'] as string;
    const viaPath = await collect(client.service('xSchools').path(schoolId, 'xStudents').query({ pageSize: 25 }));
    const viaName = await collect(client.service(`xSchools/${schoolId}/xStudents`).query({ pageSize: 25 }));
    expect(viaPath.length).toBeGreaterThan(0);
    expect(viaPath).toEqual(viaName);
    expect(viaPath.every((s) => (s.enrollment as SifObject).schoolRefId === schoolId)).toBe(true);
  });

  test('repeatable elements are arrays whatever the wire carried', async () => {
    const students = client.service('xStudents', { repeatable: STUDENT_REPEATABLE });
    const created = await students.create({ ...newStudent('Repeat'), otherIds: { otherId: { type: 'State', id: '77' } } });
    const read = await students.read(created['@refId'] as string);
    expect((read!.otherIds as SifObject).otherId).toEqual([{ type: 'State', id: '77' }]);
  });

  test('errors are SifClientErrors with the status and the SIF error object', async () => {
    const readOnly = await SifClient.connect({ url: provider.url, applicationKey: 'ReadOnlyApp', secret: 'ReadOnlySecret', authMethod, format });
    try {
      const error = await readOnly.service('xStudents').create(newStudent('Nope')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SifClientError);
      expect((error as SifClientError).status).toBe(403);
      expect((error as SifClientError).error?.code).toBe('403');
      const bad = await client.service('xStudents').query({ where: '[name/familyName=]' })[Symbol.asyncIterator]().next().catch((e: unknown) => e);
      expect((bad as SifClientError).status).toBe(400);
    } finally {
      await readOnly.close();
    }
    const wrong = await SifClient.connect({ url: provider.url, applicationKey: 'DemoApp', secret: 'wrong', authMethod, format }).catch((e: unknown) => e);
    expect((wrong as SifClientError).status).toBe(401);
    const nowhere = await SifClient.connect({ url: 'http://127.0.0.1:1/sif3', ...DEMO, authMethod, format }).catch((e: unknown) => e);
    expect((nowhere as SifClientError).status).toBe(0);
  });

  test('a lost session (environment deleted elsewhere) is re-registered once and the request retried', async () => {
    const a = await connect({ instanceId: `lost-${format}` });
    const b = await connect({ instanceId: `lost-${format}` });
    expect(b.environment.id).toBe(a.environment.id);
    await b.close();
    const before = a.environment.id;
    const [one] = await collect(a.service('xStudents').query({ pageSize: 1 }));
    expect(one).toBeDefined();
    expect(a.environment.id).not.toBe(before);
    await a.close();
  });

  test('every request is signed afresh (a new timestamp each time)', async () => {
    const seen: string[] = [];
    const spy = await connect({
      instanceId: `spy-${format}`,
      fetch: (url, init) => {
        seen.push(new Headers(init?.headers).get('timestamp') ?? '');
        return fetch(url, init);
      },
    });
    await spy.service('xStudents').read('x');
    await spy.service('xStudents').read('y');
    await spy.close();
    expect(seen.length).toBe(4);
    expect(seen.every((t) => !Number.isNaN(Date.parse(t)))).toBe(true);
    // Not one signature made at connect and replayed: the four requests are not all of one instant.
    expect(new Set(seen).size).toBeGreaterThan(1);
  });
});
