import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { gzipSync } from 'node:zlib';

// `npx tsx bench/hostile.ts`: the probes of GitHub issue #10 at the DEFAULT limits, against the
// example SIS (example-app/server.ts) in its own process on a fresh data folder. Each probe runs with
// a "canary": another consumer, in a worker thread of its own (so that building a 9 MB body here
// never delays it), sending one small GET every 50 ms and recording how long each took. Reported
// per probe: the statuses seen, the worst canary latency during the probe (the issue's "no single
// request holding up the others for more than a second"), the server's RSS (VmRSS) before and after
// and its high-water mark (VmHWM), and the size of the state file (sif-state.db + -wal) before and
// after. The test of the same probes at small limits is test/robustness/hostile-probes.test.ts.
// Every probe is bounded in count, and every request in time (REQUEST_TIMEOUT_MS).

const NA = 'http://www.sifassociation.org/datamodel/na/3.6';
const INFRA = 'http://www.sifassociation.org/infrastructure/3.2.1';
const REQUEST_TIMEOUT_MS = 120_000;
const INJECTED = 'enrollment/><enrollment><schoolRefId>attacker</schoolRefId></enrollment><x';
const root = join(__dirname, '..');

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

interface Session {
  id: string;
  auth: string;
}

const basic = (user: string, secret: string) => `Basic ${Buffer.from(`${user}:${secret}`).toString('base64')}`;

let base = '';
let child: ChildProcess | undefined;
let dataDir = '';
const serverErrors: string[] = [];

/** One request; a network failure or timeout is reported as status 0 with the reason as text. */
async function call(method: string, path: string, options: { auth?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number } = {}): Promise<Answer> {
  try {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(options.auth ? { Authorization: options.auth } : {}), ...options.headers },
      body: options.body,
      signal: AbortSignal.timeout(options.timeoutMs ?? REQUEST_TIMEOUT_MS),
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  } catch (err) {
    return { status: 0, headers: new Headers(), text: String(err) };
  }
}

async function register(applicationKey: string, secret: string, instanceId: string): Promise<Session> {
  const res = await call('POST', '/sif3/environments/environment', { auth: basic(applicationKey, secret), headers: { Accept: 'application/json', instanceId } });
  if (res.status !== 201) throw new Error(`registration ${applicationKey}/${instanceId}: ${res.status} ${res.text.slice(0, 200)}`);
  const env = JSON.parse(res.text).environment;
  return { id: env['@id'], auth: basic(env.sessionToken, secret) };
}

/** Runs `count` calls with at most `parallel` in flight. */
async function flood(count: number, parallel: number, one: (i: number) => Promise<Answer>): Promise<Answer[]> {
  const out: Answer[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(parallel, count) }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await one(i);
      }
    }),
  );
  return out;
}

/** VmRSS and VmHWM of the server, in MiB. */
function memory(): { rss: number; hwm: number } {
  const status = readFileSync(`/proc/${child!.pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

/** Size of the state file and its WAL, in MiB. */
function stateMiB(): number {
  const size = (file: string) => {
    try {
      return statSync(join(dataDir, file)).size;
    } catch {
      return 0;
    }
  };
  return (size('sif-state.db') + size('sif-state.db-wal')) / 2 ** 20;
}

// The canary runs in a worker thread: plain JavaScript, its own event loop and its own connection.
const CANARY = `
const { parentPort, workerData } = require('node:worker_threads');
let running = true;
let latencies = [];
parentPort.on('message', (m) => {
  if (m === 'reset') latencies = [];
  if (m === 'report') parentPort.postMessage({ max: latencies.length ? Math.max(...latencies) : NaN, n: latencies.length, bad: latencies.bad || 0 });
  if (m === 'stop') running = false;
});
(async () => {
  while (running) {
    const t0 = performance.now();
    try {
      const res = await fetch(workerData.url, { headers: { Authorization: workerData.auth, Accept: 'application/json' }, signal: AbortSignal.timeout(30000) });
      await res.arrayBuffer();
      if (res.status !== 200) latencies.bad = (latencies.bad || 0) + 1;
    } catch { latencies.bad = (latencies.bad || 0) + 1; }
    const took = performance.now() - t0;
    latencies.push(took);
    await new Promise((r) => setTimeout(r, Math.max(0, 50 - took)));
  }
  process.exit(0);
})();
`;

interface Canary {
  reset(): void;
  report(): Promise<{ max: number; n: number; bad: number }>;
  stop(): void;
}

function startCanary(url: string, auth: string): Canary {
  const worker = new Worker(CANARY, { eval: true, workerData: { url, auth } });
  return {
    reset: () => worker.postMessage('reset'),
    report: () =>
      new Promise((resolve) => {
        worker.once('message', resolve);
        worker.postMessage('report');
      }),
    stop: () => worker.postMessage('stop'),
  };
}

interface ProbeResult {
  statuses: Record<string, number>;
  note?: string;
}

const rows: string[] = [];

/** Runs one probe with the canary watching; prints and keeps its row. */
async function probe(name: string, canary: Canary, run: () => Promise<ProbeResult>): Promise<void> {
  const mem0 = memory();
  const file0 = stateMiB();
  canary.reset();
  const t0 = Date.now();
  let result: ProbeResult;
  try {
    result = await run();
  } catch (err) {
    result = { statuses: {}, note: `probe failed: ${String(err).slice(0, 200)}` };
  }
  const seconds = (Date.now() - t0) / 1000;
  const c = await canary.report();
  const mem1 = memory();
  const file1 = stateMiB();
  const statuses = Object.entries(result.statuses).sort().map(([s, n]) => `${s}×${n}`).join(' ');
  const row = `| ${name} | ${statuses} | ${seconds.toFixed(1)} | ${c.n ? c.max.toFixed(0) : '-'} (${c.n}${c.bad ? `, ${c.bad} failed` : ''}) | ${mem0.rss.toFixed(0)} → ${mem1.rss.toFixed(0)} | ${mem1.hwm.toFixed(0)} | ${file0.toFixed(1)} → ${file1.toFixed(1)} | ${result.note ?? ''} |`;
  rows.push(row);
  console.log(row);
}

function tally(answers: Answer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of answers) {
    // Status 0: no HTTP answer at all (connection reset, timeout); the reason is worth a column.
    const key = a.status === 0 ? `0 (${a.text.replace(/\|/g, '/').slice(0, 80)})` : String(a.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * Sends the same request again and again, one after another, for at least `ms` (at most `max`
 * times): a one-request probe lasts long enough for the canary (every 50 ms) to run beside it.
 */
async function repeatFor(ms: number, max: number, one: () => Promise<Answer>): Promise<Answer[]> {
  const answers: Answer[] = [];
  const until = Date.now() + ms;
  while (answers.length < max && (answers.length === 0 || Date.now() < until)) answers.push(await one());
  return answers;
}

async function startServer(): Promise<void> {
  dataDir = mkdtempSync(join(tmpdir(), 'sif3-hostile-'));
  // example-app/server.ts as `npm start` runs it: the default limits, queues on; PORT=0 picks a free port.
  child = spawn(process.execPath, ['--import', 'tsx', join(root, 'example-app', 'server.ts')], {
    cwd: root,
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The provider logs unexpected failures (bare 500s) and refusals at error level to stderr.
  child.stderr!.on('data', (chunk: Buffer) => serverErrors.push(...chunk.toString().split('\n').filter((l) => /error/i.test(l))));
  base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the example SIS did not start within 60 s')), 60_000);
    child!.stdout!.on('data', (chunk: Buffer) => {
      const m = /listening on (http:\/\/[^ ]+) /.exec(chunk.toString());
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child!.once('exit', (code) => reject(new Error(`the example SIS exited with ${code}`)));
  });
}

async function main(): Promise<void> {
  await startServer();
  const state = new Database(join(dataDir, 'sif-state.db'), { readonly: true, fileMustExist: true });
  const canarySession = await register('SyncApp', 'SyncSecret', 'canary');
  // Every session a probe needs, registered before the environment probes use up the quota.
  const demo = await register('DemoApp', 'DemoSecret', 'main');
  const delayed = await register('DemoApp', 'DemoSecret', 'delayed');
  const polls = await register('DemoApp', 'DemoSecret', 'polls');
  const readOnly = await register('ReadOnlyApp', 'ReadOnlySecret', 'ro');
  const firstPage = JSON.parse((await call('GET', '/sif3/requests/xStudents?navigationPageSize=1', { auth: demo.auth, headers: { Accept: 'application/json' } })).text);
  const studentId = firstPage.xStudents.xStudent[0]['@refId'] as string;
  const canary = startCanary(`${base}/sif3/requests/xStudents/${studentId}`, canarySession.auth);
  await new Promise((r) => setTimeout(r, 500)); // the canary's first requests warm its connection

  console.log('| probe | statuses | s | worst canary ms (samples) | RSS MiB before → after | VmHWM MiB | state MiB before → after | notes |');
  console.log('|---|---|---|---|---|---|---|---|');

  await probe('300 environments, 9 MB consumerName each (XML / JSON alternately)', canary, async () => {
    const name = 'n'.repeat(9 * 1024 * 1024);
    const xml = `<environment xmlns="${INFRA}"><consumerName>${name}</consumerName></environment>`;
    const json = JSON.stringify({ environment: { consumerName: name } });
    const answers = await flood(300, 4, (i) =>
      call('POST', '/sif3/environments/environment', { auth: basic('DemoApp', 'DemoSecret'), headers: { 'Content-Type': i % 2 ? 'application/json' : 'application/xml', instanceId: `huge-${i}` }, body: i % 2 ? json : xml }),
    );
    return { statuses: tally(answers) };
  });

  await probe('1,100 environments of one application key (small)', canary, async () => {
    const answers = await flood(1100, 10, (i) => call('POST', '/sif3/environments/environment', { auth: basic('DemoApp', 'DemoSecret'), headers: { instanceId: `many-${i}` } }));
    const n = state.prepare("SELECT count(*) FROM environments WHERE application_key = 'DemoApp'").pluck().get();
    return { statuses: tally(answers), note: `DemoApp environments stored: ${n}` };
  });

  await probe('50 alerts of 1 MB (read-only consumer; body field)', canary, async () => {
    const body = JSON.stringify({ alert: { reporter: 'Hostile', exchange: 'OTHER', level: 'INFO', description: 'big', body: 'b'.repeat(1024 * 1024 - 100) } });
    const answers = await flood(50, 5, () => call('POST', '/sif3/requests/alerts/alert', { auth: readOnly.auth, headers: { 'Content-Type': 'application/json' }, body }));
    return { statuses: tally(answers) };
  });

  await probe('1,100 small alerts (read-only consumer)', canary, async () => {
    const body = JSON.stringify({ alert: { reporter: 'Hostile', exchange: 'OTHER', level: 'INFO', description: 'small' } });
    const answers = await flood(1100, 10, () => call('POST', '/sif3/requests/alerts/alert', { auth: readOnly.auth, headers: { 'Content-Type': 'application/json' }, body }));
    const n = state.prepare('SELECT count(*) FROM alerts WHERE environment_id = ?').pluck().get(readOnly.id);
    return { statuses: tally(answers), note: `alerts stored: ${n}` };
  });

  await probe('500 queryIntention ALL queries (2,000 students)', canary, async () => {
    const answers = await flood(500, 10, () => call('GET', '/sif3/requests/xStudents?navigationPageSize=1', { auth: demo.auth, headers: { queryIntention: 'ALL' } }));
    const snapshots = state.prepare('SELECT count(*) FROM snapshots').pluck().get();
    const chunks = state.prepare('SELECT count(*) FROM snapshot_chunks').pluck().get();
    return { statuses: tally(answers), note: `snapshots stored: ${snapshots} (${chunks} chunks)` };
  });

  await probe('20 parallel DELAYED queries, page size 1', canary, async () => {
    const q = JSON.parse((await call('POST', '/sif3/queues/queue', { auth: delayed.auth, headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: '{"queue":{}}' })).text).queue;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call('GET', '/sif3/requests/xStudents', { auth: delayed.auth, headers: { requestType: 'DELAYED', queueId: q['@id'], requestId: `r${i}`, navigationPageSize: '1' } })),
    );
    // Watch the queue's depth in the state file for 15 s (sampled every 100 ms), without polling it.
    const depth = state.prepare('SELECT count(*) FROM queue_messages WHERE queue_id = ?').pluck();
    let deepest = 0;
    for (let i = 0; i < 150; i++) {
      deepest = Math.max(deepest, depth.get(q['@id']) as number);
      await new Promise((r) => setTimeout(r, 100));
    }
    const errors = state.prepare("SELECT count(*) FROM queue_messages WHERE queue_id = ? AND headers LIKE '%\"messagetype\":\"ERROR\"%'").pluck().get(q['@id']);
    return { statuses: tally(answers), note: `deepest queue seen: ${deepest} messages (cap 10,000); ERROR messages queued: ${errors}` };
  });

  await probe('1,000 LONG polls on a queue with maxConcurrentConnections 1', canary, async () => {
    const q = JSON.parse((await call('POST', '/sif3/queues/queue', { auth: polls.auth, headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, body: '{"queue":{"polling":"LONG","idleTimeout":60,"maxConcurrentConnections":1}}' })).text).queue;
    let answered = 0;
    const all = Array.from({ length: 1000 }, () => call('GET', `/sif3/queues/${q['@id']}/messages`, { auth: polls.auth, timeoutMs: 90_000 }).then((a) => (answered++, a)));
    // Until all but one are answered (each superseded by the next), at most 60 s; then end the last.
    for (let i = 0; i < 600 && answered < 999; i++) await new Promise((r) => setTimeout(r, 100));
    const heldAtEnd = 1000 - answered;
    await call('DELETE', `/sif3/queues/${q['@id']}`, { auth: polls.auth });
    return { statuses: tally(await Promise.all(all)), note: `polls still held before the queue was deleted: ${heldAtEnd}` };
  });

  await probe('XML injection: JSON element and attribute keys (create, bulk create, update), then read back as XML', canary, async () => {
    const answers: Answer[] = [];
    for (const key of [INJECTED, '@x="1" evil="2']) {
      const student = { name: { type: 'LegalName', familyName: 'Injected', givenName: 'Eve' }, [key]: 'x' };
      answers.push(await call('POST', '/sif3/requests/xStudents/xStudent', { auth: demo.auth, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ xStudent: student }) }));
      answers.push(await call('POST', '/sif3/requests/xStudents', { auth: demo.auth, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ xStudents: { xStudent: [student] } }) }));
      answers.push(await call('PUT', `/sif3/requests/xStudents/${studentId}`, { auth: demo.auth, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ xStudent: { name: { [key]: 'x' } } }) }));
    }
    let injected = answers.filter((a) => a.text.includes('<schoolRefId>attacker') || a.text.includes(' evil="2')).length;
    for (let page = 1; page <= 21; page++) {
      const res = await call('GET', `/sif3/requests/xStudents?navigationPageSize=100&navigationPage=${page}`, { auth: demo.auth });
      if (res.status !== 200) break;
      if (res.text.includes('<schoolRefId>attacker') || res.text.includes(' evil="2')) injected++;
    }
    return { statuses: tally(answers), note: `answers or pages read back holding injected XML: ${injected}` };
  });

  const siblings = `<xStudent xmlns="${NA}">${'<ab>1</ab>'.repeat(900_000)}</xStudent>`;
  await probe('one 8.9 MB body of 900k sibling elements (XML)', canary, async () => ({
    statuses: tally(await repeatFor(2000, 10, () => call('POST', '/sif3/requests/xStudents/xStudent', { auth: demo.auth, headers: { 'Content-Type': 'application/xml' }, body: siblings }))),
  }));
  const siblingsGz = gzipSync(siblings);
  await probe(`the same, gzip-compressed (${(siblingsGz.length / 1024).toFixed(0)} KB on the wire)`, canary, async () => ({
    statuses: tally(await repeatFor(2000, 10, () => call('POST', '/sif3/requests/xStudents/xStudent', { auth: demo.auth, headers: { 'Content-Type': 'application/xml', 'Content-Encoding': 'gzip' }, body: siblingsGz }))),
  }));
  const bomb = gzipSync(`<xStudent xmlns="${NA}">${' '.repeat(256 * 1024 * 1024)}</xStudent>`);
  await probe(`gzip bomb: 256 MB decoded (${(bomb.length / 1024).toFixed(0)} KB on the wire)`, canary, async () => ({
    statuses: tally(await repeatFor(2000, 10, () => call('POST', '/sif3/requests/xStudents/xStudent', { auth: demo.auth, headers: { 'Content-Type': 'application/xml', 'Content-Encoding': 'gzip' }, body: bomb }))),
  }));

  await probe('deleteRequest of 200k ids (none of them exist)', canary, async () => {
    const ids = Array.from({ length: 200_000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    const body = `<deleteRequest xmlns="${INFRA}"><deletes>${ids.map((id) => `<delete id="${id}"/>`).join('')}</deletes></deleteRequest>`;
    return { statuses: tally(await repeatFor(2000, 5, () => call('PUT', '/sif3/requests/xStudents', { auth: demo.auth, headers: { 'Content-Type': 'application/xml', methodOverride: 'DELETE' }, body }))) };
  });

  await probe('query by example, 30 wildcards in 3 fields (repeated for 1 s); where with 150 conditions', canary, async () => {
    const wild = `${'%a'.repeat(30)}%b`;
    const qbe = await call('POST', '/sif3/requests/xStudents', { auth: demo.auth, headers: { 'Content-Type': 'application/json', methodOverride: 'GET' }, body: JSON.stringify({ xStudent: { localId: wild, name: { familyName: wild, givenName: wild } } }) });
    const where = `[${Array.from({ length: 150 }, (_, i) => `localId="${i}"`).join(' or ')}]`;
    const many = await call('GET', `/sif3/requests/xStudents?where=${encodeURIComponent(where)}`, { auth: demo.auth });
    const again = await repeatFor(1000, 200, () => call('POST', '/sif3/requests/xStudents', { auth: demo.auth, headers: { 'Content-Type': 'application/json', methodOverride: 'GET' }, body: JSON.stringify({ xStudent: { localId: wild, name: { familyName: wild, givenName: wild } } }) }));
    return { statuses: tally([qbe, many, ...again]) };
  });

  canary.stop();
  state.close();
  const quotaLines = serverErrors.filter((l) => l.includes('QuotaExceededError')).length;
  console.log(`\nlines logged at error level by the server: ${serverErrors.length} (${quotaLines} of them quota refusals)`);
  for (const line of serverErrors.filter((l) => !l.includes('QuotaExceededError')).slice(0, 10)) console.log(`  ${line.slice(0, 300)}`);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => {
    child?.kill('SIGKILL');
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    // Worker threads and kept-alive sockets would hold the process open.
    setTimeout(() => process.exit(), 500).unref();
  });
