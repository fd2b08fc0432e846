import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';

// `npm run bench`: the example SIS (sif3-direct) and a bare Express baseline on a copy of the same
// SIS database, each in its own process, driven over loopback by autocannon in this one; then the
// memory high-water of one consumer paging through a large district. `--students N` sets the size
// of that district (default 100,000); `--duration S` the seconds per scenario (default 5).
// Writes bench/RESULTS.md.

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DURATION = arg('duration', 5);
const LARGE = arg('students', 100_000);
const CONNECTIONS = 10;
const root = join(__dirname, '..');
const NOTES_MARKER = '<!-- notes: kept across runs -->';

interface Server {
  child: ChildProcess;
  base: string;
}

const running = new Set<ChildProcess>();

function start(kind: 'sif' | 'baseline', dataDir: string, students = 2000): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'server.ts'), kind, dataDir, String(students)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const m = /listening (\d+)/.exec(chunk.toString());
      if (m) resolve({ child, base: `http://127.0.0.1:${m[1]}` });
    });
    child.on('exit', (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
}

async function stop(server: Server): Promise<void> {
  server.child.removeAllListeners('exit');
  server.child.kill('SIGKILL');
  await new Promise((resolve) => server.child.once('exit', resolve));
}

/** Peak resident memory of a process, in MiB (Linux). */
function highWaterMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function drive(url: string, options: Partial<autocannon.Options> = {}): Promise<Figures> {
  // A short untimed run first, so that both servers are measured warm (JIT, caches, connections).
  await autocannon({ url, connections: CONNECTIONS, duration: 2, ...options });
  const result = await autocannon({ url, connections: CONNECTIONS, duration: DURATION, ...options });
  const bad = result.non2xx + result.errors + result.timeouts;
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: bad };
}

function hmac(user: string, secret: string): Record<string, string> {
  const timestamp = new Date().toISOString(); // valid for the whole run (15-minute window)
  const hash = createHmac('sha256', secret).update(`${user}:${timestamp}`).digest('base64');
  return { Authorization: `SIF_HMACSHA256 ${Buffer.from(`${user}:${hash}`).toString('base64')}`, timestamp };
}

async function main(): Promise<void> {
  const sifDir = mkdtempSync(join(tmpdir(), 'sif3-bench-'));
  const baseDir = mkdtempSync(join(tmpdir(), 'sif3-bench-base-'));
  const rows: string[] = [];
  const queueRows: string[] = [];
  try {
    const sif = await start('sif', sifDir);
    // A consistent copy of the seeded SIS (the live file's newest pages may still be in its WAL).
    const source = new Database(join(sifDir, 'sis.db'), { readonly: true });
    await source.backup(join(baseDir, 'sis.db'));
    source.close();
    const baseline = await start('baseline', baseDir);

    const reg = await fetch(`${sif.base}/sif3/environments/environment`, { method: 'POST', headers: { ...hmac('DemoApp', 'DemoSecret'), Accept: 'application/json' } });
    const token = ((await reg.json()) as any).environment.sessionToken as string;
    const auth = hmac(token, 'DemoSecret');
    const id = (((await (await fetch(`${sif.base}/sif3/requests/xStudents.json?navigationPageSize=1&navigationPage=700`, { headers: auth })).json()) as any).xStudents.xStudent[0]['@refId']) as string;
    const xml = '<xStudent xmlns="http://www.sifassociation.org/datamodel/na/3.6"><name><type>LegalName</type><familyName>Bench</familyName><givenName>Mark</givenName></name></xStudent>';

    const scenarios: [string, () => Promise<Figures>, (() => Promise<Figures>) | undefined, number | undefined][] = [
      ['a. GET one xStudent, HMAC, JSON', () => drive(`${sif.base}/sif3/requests/xStudents/${id}`, { headers: { ...auth, Accept: 'application/json' } }), () => drive(`${baseline.base}/students/${id}`), 0.8],
      ['a. GET one xStudent, HMAC, XML', () => drive(`${sif.base}/sif3/requests/xStudents/${id}`, { headers: auth }), () => drive(`${baseline.base}/students/${id}`), 0.7],
      ['b. GET a page of 100, JSON', () => drive(`${sif.base}/sif3/requests/xStudents?navigationPage=3&navigationPageSize=100`, { headers: { ...auth, Accept: 'application/json' } }), () => drive(`${baseline.base}/students?page=3&size=100`), 0.5],
      ['b. GET a page of 100, XML', () => drive(`${sif.base}/sif3/requests/xStudents?navigationPage=3&navigationPageSize=100`, { headers: auth }), () => drive(`${baseline.base}/students?page=3&size=100`), 0.5],
      ['c. POST one xStudent, XML', () => drive(`${sif.base}/sif3/requests/xStudents/xStudent`, { method: 'POST', body: xml, headers: { ...auth, 'Content-Type': 'application/xml' } }), () => drive(`${baseline.base}/students`, { method: 'POST', body: xml, headers: { 'Content-Type': 'application/xml' } }), undefined],
    ];
    for (const [name, ours, base, target] of scenarios) {
      const o = await ours();
      const b = base ? await base() : undefined;
      const ratio = b ? o.rps / b.rps : undefined;
      const verdict = target === undefined || ratio === undefined ? '' : ratio >= target ? `meets ≥ ${target}` : `misses ≥ ${target}`;
      rows.push(`| ${name} | ${o.rps.toFixed(0)} | ${o.p50} / ${o.p99} | ${b ? b.rps.toFixed(0) : '-'} | ${b ? `${b.p50} / ${b.p99}` : '-'} | ${ratio ? ratio.toFixed(2) : '-'} | ${verdict} | ${o.errors + (b?.errors ?? 0)} |`);
      console.log(rows[rows.length - 1]);
    }
    // d. Environment creation: each request a new consumer instance (absolute figure).
    let n = 0;
    const env = await drive(`${sif.base}/sif3/environments/environment`, {
      method: 'POST',
      setupClient: (client) => {
        client.setHeaders({ ...hmac('DemoApp', 'DemoSecret'), instanceId: `bench-${process.pid}-${n++}` });
      },
      requests: [{ method: 'POST', setupRequest: (req) => ({ ...req, headers: { ...req.headers, instanceId: `bench-${n++}` } }) }],
    });
    rows.push(`| d. environment create (new consumer each time) | ${env.rps.toFixed(0)} | ${env.p50} / ${env.p99} | - | - | - | absolute | ${env.errors} |`);
    console.log(rows[rows.length - 1]);
    queueRows.push(...(await queueScenarios(sif.base, auth, xml)));
    await stop(sif);
    await stop(baseline);
  } finally {
    rmSync(sifDir, { recursive: true, force: true });
    rmSync(baseDir, { recursive: true, force: true });
  }

  const memory: string[] = [];
  for (const students of [Math.round(LARGE / 10), LARGE]) {
    const dir = mkdtempSync(join(tmpdir(), 'sif3-bench-mem-'));
    try {
      const t0 = Date.now();
      const sif = await start('sif', dir, students);
      const seeded = (Date.now() - t0) / 1000;
      const reg = await fetch(`${sif.base}/sif3/environments/environment`, { method: 'POST', headers: { ...hmac('DemoApp', 'DemoSecret'), Accept: 'application/json' } });
      const auth = hmac(((await reg.json()) as any).environment.sessionToken, 'DemoSecret');
      const before = highWaterMiB(sif.child.pid!);
      let seen = 0;
      const t1 = Date.now();
      for (let page = 1; ; page++) {
        const res = await fetch(`${sif.base}/sif3/requests/xStudents?navigationPage=${page}&navigationPageSize=1000`, { headers: { ...auth, Accept: 'application/json' } });
        if (res.status === 204) break;
        seen += (((await res.json()) as any).xStudents.xStudent as unknown[]).length;
      }
      const walk = (Date.now() - t1) / 1000;
      const after = highWaterMiB(sif.child.pid!);
      memory.push(`| ${students.toLocaleString('en')} | ${seen.toLocaleString('en')} | ${before.toFixed(0)} | ${after.toFixed(0)} | ${seeded.toFixed(1)} | ${walk.toFixed(1)} |`);
      console.log(memory[memory.length - 1]);
      await stop(sif);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  const report = `# Benchmark results

Produced by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB,
Node ${process.version}. Each server runs in its own process; autocannon drives it over loopback
with ${CONNECTIONS} connections for ${DURATION} s per scenario, in this same run. The baseline is a bare
Express app (\`bench/baseline.ts\`) doing the same SQLite work with \`JSON.stringify\` and no
authentication. Latencies in ms. Figures vary from machine to machine; the ratios are what to compare.

| scenario | ours req/s | ours p50 / p99 | baseline req/s | baseline p50 / p99 | ours / baseline | target | non-2xx + errors |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

## Events and queues (ours against ours: the cost of the asynchronous side)

| scenario | req/s | p50 / p99 | compared with | ratio | non-2xx + errors |
|---|---|---|---|---|---|
${queueRows.join('\n')}

## Memory while one consumer pages through the district (page size 1,000)

| students | objects paged | RSS high-water before (MiB) | RSS high-water after (MiB) | seeding (s) | walk (s) |
|---|---|---|---|---|---|
${memory.join('\n')}
`;
  // Hand-written analysis below the notes marker survives a new run.
  const file = join(__dirname, 'RESULTS.md');
  let notes = '';
  try {
    const previous = readFileSync(file, 'utf8');
    const at = previous.indexOf(NOTES_MARKER);
    if (at >= 0) notes = `\n${previous.slice(at)}`;
  } catch {
    // first run
  }
  writeFileSync(file, report + notes);
  console.log('\nwrote bench/RESULTS.md');
}

/**
 * e. The POST of scenario c again with five subscribed queues (every create fans out to five event
 * messages), against the same POST before anyone subscribed; f. get-next-and-pop on one connection,
 * draining one of those queues, each poll popping the message before.
 */
async function queueScenarios(base: string, auth: Record<string, string>, xml: string): Promise<string[]> {
  const post = () => drive(`${base}/sif3/requests/xStudents/xStudent`, { method: 'POST', body: xml, headers: { ...auth, 'Content-Type': 'application/xml' } });
  const without = await post();
  let queueUri = '';
  let syncAuth: Record<string, string> = {};
  for (let i = 0; i < 5; i++) {
    const reg = await fetch(`${base}/sif3/environments/environment`, { method: 'POST', headers: { ...hmac('SyncApp', 'SyncSecret'), Accept: 'application/json', instanceId: `bench-sync-${i}` } });
    syncAuth = hmac(((await reg.json()) as any).environment.sessionToken, 'SyncSecret');
    const headers = { ...syncAuth, Accept: 'application/json', 'Content-Type': 'application/json' };
    const queue = ((await (await fetch(`${base}/sif3/queues/queue`, { method: 'POST', headers, body: '{"queue":{}}' })).json()) as any).queue;
    queueUri = queue.queueUri;
    const subscription = { subscription: { serviceType: 'OBJECT', serviceName: 'xStudents', queueId: queue['@id'] } };
    await fetch(`${base}/sif3/subscriptions`, { method: 'POST', headers, body: JSON.stringify(subscription) });
  }
  const withEvents = await post();
  let previous: string | undefined;
  const pop = await drive(queueUri, {
    connections: 1,
    headers: { ...syncAuth, Accept: 'application/json' },
    requests: [
      {
        setupRequest: (req) => ({ ...req, path: previous ? `${new URL(queueUri).pathname};deleteMessageId=${previous}` : new URL(queueUri).pathname }),
        onResponse: (_status, _body, _context, headers) => {
          previous = (headers as Record<string, string> | undefined)?.messageid;
        },
      },
    ],
  });
  return [
    `| e. POST one xStudent, XML, 5 subscribed queues | ${withEvents.rps.toFixed(0)} | ${withEvents.p50} / ${withEvents.p99} | the same POST, no subscribers: ${without.rps.toFixed(0)} req/s | ${(withEvents.rps / without.rps).toFixed(2)} | ${withEvents.errors + without.errors} |`,
    `| f. get-next-and-pop, one connection | ${pop.rps.toFixed(0)} | ${pop.p50} / ${pop.p99} | absolute | - | ${pop.errors} |`,
  ];
}

main().catch((err) => {
  console.error(err);
  for (const child of running) child.kill('SIGKILL');
  process.exit(1);
});
