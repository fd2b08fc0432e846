import type { Format, SifObject } from 'sif3-direct/client';
import { SifClient } from 'sif3-direct/client';
import type { RunningProvider } from './provider';
import { DEMO, collect, newStudent, startProvider } from './provider';

/** A consumer's copy of a service, kept by `sync`. */
function mirror() {
  const copy = new Map<string, SifObject>();
  const resets: string[] = [];
  return {
    copy,
    resets,
    onReset: (reason: string) => {
      resets.push(reason);
      copy.clear();
    },
    onObject: (object: SifObject, change: { id: string | undefined; deleted: boolean }) => {
      if (change.deleted) copy.delete(change.id!);
      else copy.set(change.id!, object);
    },
  };
}

async function everything(client: SifClient): Promise<Map<string, SifObject>> {
  const all = await collect(client.service('xStudents').query({ pageSize: 50 }));
  return new Map(all.map((s) => [s['@refId'] as string, s]));
}

describe.each<Format>(['xml', 'json'])('changes since and sync (%s)', (format) => {
  let provider: RunningProvider;
  let client: SifClient;

  beforeAll(async () => {
    provider = await startProvider({ seed: { students: 120, rostersPerSchool: 1, rosterSize: 5 } });
    client = await SifClient.connect({ url: provider.url, ...DEMO, format, authMethod: 'SIF_HMACSHA256' });
  });
  afterAll(async () => {
    await client.close();
    await provider.close();
  });

  test('a first sync walks everything; the next fetches only the changes, deletions included', async () => {
    const students = client.service('xStudents');
    const m = mirror();
    const pages: string[] = [];
    const first = await students.sync({ ...m, pageSize: 25, onPage: (page, { phase }) => void pages.push(`${phase} ${page.navigationPage}`) });
    expect(first).toMatchObject({ full: true, resynchronised: false, objects: 120, deleted: 0 });
    expect(first.marker).toEqual(expect.any(String));
    expect(m.resets).toEqual(['initial']);
    // Then the changes made during the walk: none here, one empty page (204).
    expect(pages).toEqual(['full 1', 'full 2', 'full 3', 'full 4', 'full 5', 'changes 1']);
    expect(m.copy).toEqual(await everything(client));

    const created = await students.create(newStudent('Synced'));
    const [victim, changed] = [...m.copy.keys()];
    await students.delete(victim!);
    await students.update(changed!, { localId: 'changed-by-test' });

    const received: string[] = [];
    const second = await students.sync({
      ...m,
      marker: first.marker,
      onObject: (o, c) => {
        received.push(`${c.deleted ? 'deleted' : 'changed'} ${c.id}`);
        m.onObject(o, c);
      },
    });
    expect(second).toMatchObject({ full: false, resynchronised: false, objects: 3, deleted: 1 });
    expect(received.sort()).toEqual([`changed ${changed}`, `changed ${created['@refId']}`, `deleted ${victim}`].sort());
    expect(second.marker).not.toBe(first.marker);
    expect(m.copy).toEqual(await everything(client));

    const third = await students.sync({ ...m, marker: second.marker });
    expect(third).toMatchObject({ full: false, objects: 0, marker: second.marker });
  });

  test('changesSince pages split changed objects from deleted ids', async () => {
    const students = client.service('xStudents');
    const marker = (await students.head()).changesSinceMarker!;
    const a = await students.create(newStudent('ChangeA'));
    const b = await students.create(newStudent('ChangeB'));
    await students.delete(b['@refId'] as string);
    const pages = await collect(students.changesSince(marker, { pageSize: 1 }));
    expect(pages.map((p) => p.navigationPage)).toEqual([1, 2]);
    expect(pages[0]!.changesSinceMarker).toEqual(expect.any(String));
    expect(pages.flatMap((p) => p.changed.map((o) => o['@refId']))).toEqual([a['@refId']]);
    expect(pages.flatMap((p) => p.deleted)).toEqual([b['@refId']]);
  });
});

describe('resynchronisation', () => {
  let provider: RunningProvider;
  let client: SifClient;

  beforeAll(async () => {
    // A change log of 5 entries: a marker older than that is answered 409.
    provider = await startProvider({ seed: { students: 30, rostersPerSchool: 1, rosterSize: 5 }, provider: { changeLog: { maxEntries: 5 } } });
    client = await SifClient.connect({ url: provider.url, ...DEMO, format: 'json' });
  });
  afterAll(async () => {
    await client.close();
    await provider.close();
  });

  test('a pruned marker (409) makes sync walk everything again and say so', async () => {
    const students = client.service('xStudents');
    const m = mirror();
    const first = await students.sync(m);
    for (let i = 0; i < 8; i++) await students.create(newStudent(`Prune${i}`));
    const again = await students.sync({ ...m, marker: first.marker });
    expect(again).toMatchObject({ full: true, resynchronised: true });
    expect(again.cause?.status).toBe(409);
    expect(m.resets).toEqual(['initial', 'resynchronise']);
    expect(m.copy).toEqual(await everything(client));
    expect((await students.sync({ ...m, marker: again.marker })).resynchronised).toBe(false);
  });
});
