import type { FetchLike, SifObject } from 'sif3-direct/client';
import { SifClient, SifClientError } from 'sif3-direct/client';
import { runCli } from '../../lib/client/cli/main';
import type { RunningProvider } from './provider';
import { DEMO, STUDENT_REPEATABLE, collect, newStudent, startProvider } from './provider';

// The client and the sif3 command line speaking PESC JSON (`json: 'pesc'`, `--json pesc`; SIF 3.3
// Version Indication & Negotiation §3.2.1) to the example SIS over real HTTP: what goes on the wire
// is PESC with its profiles, and what the client hands out is what a Goessner client gets.

const INF = 'urn:sif:inf/global/3.3+pesc';
const DATA = 'urn:sif:data/na/3.6+pesc';

interface Exchange {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string | undefined;
  status: number;
  responseProfile: string | null;
  responseText: string;
}

/** fetch that records every exchange (the body read from a clone, so the client still reads its own). */
function recording(): { fetch: FetchLike; exchanges: Exchange[] } {
  const exchanges: Exchange[] = [];
  const fetchFn: FetchLike = async (url, init) => {
    const response = await fetch(url, init);
    exchanges.push({
      method: init?.method ?? 'GET', url, headers: { ...(init?.headers as Record<string, string>) }, body: init?.body as string | undefined,
      status: response.status, responseProfile: response.headers.get('content-profile'), responseText: await response.clone().text(),
    });
    return response;
  };
  return { fetch: fetchFn, exchanges };
}

let provider: RunningProvider;
beforeAll(async () => {
  provider = await startProvider();
});
afterAll(() => provider.close());

describe("SifClient with json: 'pesc'", () => {
  let pesc: SifClient;
  let goessner: SifClient;
  const wire = recording();

  beforeAll(async () => {
    pesc = await SifClient.connect({ url: provider.url, ...DEMO, json: 'pesc', fetch: wire.fetch, instanceId: 'client-pesc' });
    goessner = await SifClient.connect({ url: provider.url, ...DEMO, format: 'json', instanceId: 'client-goessner' });
  });
  afterAll(async () => {
    await pesc.close();
    await goessner.close();
  });

  test('registers in PESC: Content-Profile and Accept-Profile +pesc, the answer PESC, the environment read as usual', () => {
    const register = wire.exchanges[0]!;
    expect(register).toMatchObject({ method: 'POST', status: 201, responseProfile: INF });
    expect(register.headers).toMatchObject({ 'Content-Type': 'application/json', 'Content-Profile': INF, 'Accept-Profile': INF });
    expect(register.body).not.toContain('"@');
    expect(register.responseText).not.toContain('"@');
    expect(pesc.environment.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(pesc.environment.defaultZoneId).toBe('District');
  });

  test('queries and reads: the data profile asked for first, PESC answers, the same objects as in Goessner', async () => {
    const mark = wire.exchanges.length;
    const options = { repeatable: STUDENT_REPEATABLE };
    const ours = await collect(pesc.service('xStudents', options).query({ pageSize: 20 }));
    const theirs = await collect(goessner.service('xStudents', options).query({ pageSize: 20 }));
    expect(ours).toEqual(theirs);
    expect(ours[0]!['@refId']).toMatch(/^[0-9a-f-]{36}$/);
    const page = wire.exchanges.slice(mark).find((e) => e.url.includes('/requests/xStudents'))!;
    expect(page.headers['Accept-Profile']).toBe(`${DATA},${INF}`);
    expect(page.responseProfile).toBe(DATA);
    expect(page.responseText).not.toContain('"@refId"');
    expect(await pesc.service('xStudents', options).read(ours[0]!['@refId'] as string)).toEqual(ours[0]);
  });

  test('create, update, delete and createMany in PESC; an error body read from PESC (code as text)', async () => {
    const students = pesc.service('xStudents', { repeatable: STUDENT_REPEATABLE });
    const mark = wire.exchanges.length;
    const created = await students.create(newStudent('Pesc'));
    const sent = wire.exchanges.slice(mark).find((e) => e.method === 'POST')!;
    expect(sent.headers['Content-Profile']).toBe(DATA);
    const id = created['@refId'] as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await students.update(id, { localId: 'P-1' })).toBe(true);
    expect((await goessner.service('xStudents').read(id))?.localId).toBe('P-1');
    const many = await students.createMany([newStudent('PescA'), newStudent('PescB')]);
    expect(many.map((r) => [r.status, r.ok])).toEqual([[201, true], [201, true]]);
    expect(many.every((r) => /^[0-9a-f-]{36}$/.test(r.id ?? ''))).toBe(true);
    await students.delete(id);
    expect(await students.update(id, { localId: 'x' })).toBe(false);
    expect(await students.read(id)).toBeNull();
    const failed = await pesc.service('xStudents').create({ name: 'not a name' } as SifObject).then(() => undefined, (e: unknown) => e);
    expect(failed).toBeInstanceOf(SifClientError);
    expect((failed as SifClientError).error?.code).toEqual(expect.stringMatching(/^4\d\d$/));
  });

  test('events taken from a queue in PESC carry objects read with the service\'s shape', async () => {
    const students = pesc.service('xStudents', { repeatable: STUDENT_REPEATABLE });
    const queue = await pesc.createQueue({ polling: 'IMMEDIATE' });
    await pesc.subscribe({ queueId: queue.id, serviceName: 'xStudents' });
    const created = await goessner.service('xStudents').create(newStudent('Evented'));
    const controller = new AbortController();
    for await (const m of pesc.queue(queue).messages({ signal: controller.signal })) {
      if (m.messageType !== 'EVENT') continue;
      expect(m.objects.map((o) => o['@refId'])).toContain(created['@refId']);
      controller.abort();
      break;
    }
    await students.delete(created['@refId'] as string);
  });

  test("json: 'pesc' with format 'xml' is refused at connect", async () => {
    await expect(SifClient.connect({ url: provider.url, ...DEMO, json: 'pesc', format: 'xml' })).rejects.toThrow(/needs format 'json'/);
  });
});

describe('sif3 --json pesc', () => {
  async function cli(args: string[], env: Record<string, string> = {}) {
    let stdout = '';
    let stderr = '';
    const status = await runCli(args, {
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
      env: { SIF_URL: provider.url, SIF_APPLICATION_KEY: DEMO.applicationKey, SIF_SECRET: DEMO.secret, SIF_INSTANCE_ID: 'cli-pesc', ...env },
      signal: new AbortController().signal,
    });
    return { status, stdout, stderr };
  }

  test('get and query print the same objects as with Goessner JSON', async () => {
    const goessner = await cli(['query', 'xStudents', '--page-size', '20'], { SIF_FORMAT: 'json' });
    const pesc = await cli(['query', 'xStudents', '--page-size', '20', '--json', 'pesc']);
    expect([pesc.status, pesc.stderr]).toEqual([0, '']);
    expect(pesc.stdout).toBe(goessner.stdout);
    expect(pesc.stdout.split('\n').filter((l) => l !== '').length).toBeGreaterThan(20);
    const first = JSON.parse(pesc.stdout.split('\n')[0]!) as SifObject;
    const got = await cli(['get', 'xStudents', first['@refId'] as string], { SIF_JSON: 'pesc' });
    expect(JSON.parse(got.stdout)).toEqual(first);
  });

  test('an unknown notation, or PESC with XML, is a usage error (exit 2)', async () => {
    expect((await cli(['register', '--json', 'yaml'])).status).toBe(2);
    const both = await cli(['register', '--json', 'pesc', '--format', 'xml']);
    expect([both.status, both.stderr]).toEqual([2, expect.stringContaining('--json pesc')]);
  });
});
