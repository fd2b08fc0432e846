import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { QueueMessage } from 'sif3-direct/client';
import { SifClient } from 'sif3-direct/client';
import type { ServerProcess } from '../helpers/server-process';
import { startServer } from '../helpers/server-process';

// `npm run remote-provider` end to end over real HTTP: the example SIS in one process, the staff
// directory (a SIF 3.5 asynchronous provider in pull mode, which opens no port) in another, and
// consumers of xStaffs with the client. Issue #17, seed "Asynchronous Providers (modern Pull Mode)".

const root = join(__dirname, '..', '..');

interface RemoteProviderProcess {
  child: ChildProcess;
  exited: Promise<number | string | null>;
  output: () => string;
}

/** Starts the staff directory against `url`; resolves once it says it is providing, rejects if it exits first. */
function startRemoteProvider(url: string, dataDir: string, env: Record<string, string> = {}): Promise<RemoteProviderProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'example-app', 'remote-provider', 'main.ts')], {
    cwd: root,
    env: { ...process.env, SIF_URL: url, DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal)));
  const running = { child, exited, output: () => out };
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (/providing xStaffs/.test(out)) {
        clearInterval(timer);
        resolve(running);
      }
    }, 20);
    void exited.then((code) => {
      clearInterval(timer);
      reject(Object.assign(new Error(`remote provider exited (${code}): ${out}`), { running }));
    });
  });
}

/**
 * The messages answering `requestId` in a consumer's queue until `until` says the answer is complete
 * (or 30 s pass). Others are passed over (a message taken by an earlier loop comes again until popped).
 */
async function collect(
  client: SifClient,
  queueId: string,
  requestId: string,
  until: (messages: QueueMessage[]) => boolean,
  each?: (m: QueueMessage, all: QueueMessage[]) => Promise<void>,
): Promise<QueueMessage[]> {
  const messages: QueueMessage[] = [];
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 30_000);
  try {
    for await (const m of client.queue(queueId).messages({ signal: controller.signal })) {
      if (m.requestId !== requestId) continue;
      messages.push(m);
      await each?.(m, messages);
      if (until(messages)) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return messages;
}

const lastPageArrived = (messages: QueueMessage[]) => messages.some((m) => m.messageType === 'ERROR' || (m.page.navigationLastPage !== undefined && m.page.navigationPage >= m.page.navigationLastPage));

describe('the example remote provider (npm run remote-provider)', () => {
  let sisDir: string;
  let staffDir: string;
  let sis: ServerProcess;
  let url: string;
  const providers: RemoteProviderProcess[] = [];
  beforeAll(async () => {
    sisDir = mkdtempSync(join(tmpdir(), 'sif3-remote-sis-'));
    staffDir = mkdtempSync(join(tmpdir(), 'sif3-remote-staff-'));
    sis = await startServer(sisDir, 20);
    url = `${sis.base}/sif3`;
  }, 45_000);
  afterEach(async () => {
    for (const p of providers.splice(0)) {
      p.child.kill('SIGKILL');
      await p.exited;
    }
  });
  afterAll(async () => {
    sis.child.kill('SIGKILL');
    await sis.exited;
    rmSync(sisDir, { recursive: true, force: true });
    rmSync(staffDir, { recursive: true, force: true });
  });

  test('a DELAYED query (JSON) and a DELAYED multi-object create (XML) are answered through the SIS by the provider that pulls them', async () => {
    providers.push(await startRemoteProvider(url, staffDir, { SIF_FORMAT: 'xml' }));
    const json = await SifClient.connect({ url, applicationKey: 'DemoApp', secret: 'DemoSecret', format: 'json', instanceId: 'remote-json' });
    const staff = json.service('xStaffs');
    await expect(staff.pages({ pageSize: 10 })[Symbol.asyncIterator]().next()).rejects.toMatchObject({ status: 503 });
    const queue = await json.createQueue({ polling: 'LONG', idleTimeout: 5 });
    const { requestId } = await staff.query({ pageSize: 15 }, { delayed: { queueId: queue.id } });
    const pages = await collect(json, queue.id, requestId, lastPageArrived);
    expect(pages.map((m) => [m.messageType, m.requestId, m.responseAction, m.page.navigationPage, m.page.navigationLastPage, m.page.navigationCount])).toEqual([
      ['RESPONSE', requestId, 'QUERY', 1, 3, 40],
      ['RESPONSE', requestId, 'QUERY', 2, 3, 40],
      ['RESPONSE', requestId, 'QUERY', 3, 3, 40],
    ]);
    const ids = pages.flatMap((m) => m.objects.map((o) => o['@refId']));
    expect(new Set(ids).size).toBe(40);
    expect(Object.keys(pages[0]!.objects[0]!)).toEqual(['@refId', 'name', 'localId', 'email']);
    expect(pages[0]!.objects[0]!.email).toEqual({ emailType: 'Organizational', emailAddress: expect.stringMatching(/@springfield\.example\.org$/) });

    const xml = await SifClient.connect({ url, applicationKey: 'DemoApp', secret: 'DemoSecret', format: 'xml', instanceId: 'remote-xml' });
    const xmlQueue = await xml.createQueue({ polling: 'LONG', idleTimeout: 5 });
    const { requestId: createId } = await xml.service('xStaffs').createMany(
      [{ '@refId': '5a1f0000-0000-4000-8000-00000000abcd', name: { type: 'LegalName', familyName: 'Hoover', givenName: 'Ms' } }, { '@refId': '5a1f0000-0000-4000-8000-000000000000', name: { familyName: 'Twice' } }],
      { delayed: { queueId: xmlQueue.id } },
    );
    const [reply] = await collect(xml, xmlQueue.id, createId, (m) => m.length > 0);
    expect([reply!.messageType, reply!.requestId, reply!.responseAction]).toEqual(['RESPONSE', createId, 'CREATE']);
    expect(reply!.results.map((r) => [r.id, r.status])).toEqual([['5a1f0000-0000-4000-8000-00000000abcd', 201], [undefined, 409]]);
    // The new staff member is in the provider's own data: a filtered query finds it.
    const { requestId: queryId } = await xml.service('xStaffs').query({ where: '[name/givenName="Ms"]' }, { delayed: { queueId: xmlQueue.id } });
    const [found] = await collect(xml, xmlQueue.id, queryId, lastPageArrived);
    expect(found!.objects.map((o) => o['@refId'])).toEqual(['5a1f0000-0000-4000-8000-00000000abcd']);
  }, 90_000);

  test('killed mid-answer and restarted, the provider finishes the answer: every page once, in order', async () => {
    const slow = await startRemoteProvider(url, staffDir, { STAFF_PAGE_DELAY_MS: '300', SIF_FORMAT: 'json' });
    providers.push(slow);
    const client = await SifClient.connect({ url, applicationKey: 'DemoApp', secret: 'DemoSecret', format: 'json', instanceId: 'remote-restart' });
    const queue = await client.createQueue({ polling: 'LONG', idleTimeout: 5 });
    const { requestId } = await client.service('xStaffs').query({ pageSize: 5 }, { delayed: { queueId: queue.id } });
    let restarted = false;
    const pages = await collect(client, queue.id, requestId, lastPageArrived, async (_m, all) => {
      if (all.length === 2 && !restarted) {
        restarted = true;
        slow.child.kill('SIGKILL');
        await slow.exited;
        providers.push(await startRemoteProvider(url, staffDir, { SIF_FORMAT: 'json' }));
      }
    });
    expect(restarted).toBe(true);
    const total = pages[0]!.page.navigationCount!;
    const last = Math.ceil(total / 5);
    expect(pages.map((m) => [m.requestId, m.page.navigationPage])).toEqual(Array.from({ length: last }, (_, i) => [requestId, i + 1]));
    expect(new Set(pages.flatMap((m) => m.objects.map((o) => o['@refId']))).size).toBe(total);
  }, 90_000);

  test('an application the SIS did not declare as the provider is refused and cannot take requests', async () => {
    const rogueDir = mkdtempSync(join(tmpdir(), 'sif3-rogue-'));
    try {
      // SyncApp is a consumer of the district, not granted xStaffs: its subscription is refused.
      await expect(startRemoteProvider(url, rogueDir, { SIF_APPLICATION_KEY: 'SyncApp', SIF_SECRET: 'SyncSecret' })).rejects.toThrow(/exited \(1\)[\s\S]*404 No service xStaffs/);
    } finally {
      rmSync(rogueDir, { recursive: true, force: true });
    }
  }, 45_000);
});
