import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadFigures } from './lib/load';
import { measureLoad } from './lib/load';
import type { ServerProcess } from './lib/servers';
import { killAll, register, spawnServer, stopServer } from './lib/servers';
import { sign } from './lib/sign';

// `npx tsx bench/hardening-cost.ts`: what the checks of issue #10 cost on the hot path.
//
// 1. The build before the hardening work (a git worktree of a99f188 at BEFORE_TREE, default
//    /tmp/sif3-before, with node_modules linked in) against the build now, each the example SIS
//    started by its own tree's bench/server.ts in its own process, driven over loopback by
//    autocannon, interleaved before / now / before / now so that the spread between the two runs of
//    one build shows the noise of the machine. Every request carries a fresh SIF_HMACSHA256
//    signature (signed in autocannon's setupRequest), as a real consumer's would.
// 2. The cost of durability: POST one xStudent with the build now at `durability: 'full'` (the new
//    default, SQLite synchronous = FULL) against `'normal'` (what the build before always used),
//    each started by this script itself (`serve` mode below), since bench/server.ts is shared with
//    `npm run bench` and takes no durability.
//
// Reported per scenario: requests/s and server CPU time per request (user + system of the server
// process from /proc/<pid>/stat, read before and after the measured run, divided by the requests
// it answered). CPU per request is the steadier figure on a shared machine: a neighbour's load
// lowers throughput far more than it changes the work done per request.
// Options: --duration S (measured seconds per run, default 8), --warmup S (default 2).

const arg = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const DURATION = arg('duration', 8);
const WARMUP = arg('warmup', 2);
const CONNECTIONS = 10;
const NOW_TREE = join(__dirname, '..');
const BEFORE_TREE = process.env.BEFORE_TREE ?? '/tmp/sif3-before';
const NA = 'http://www.sifassociation.org/datamodel/na/3.6';
const XML = `<xStudent xmlns="${NA}"><name><type>LegalName</type><familyName>Bench</familyName><givenName>Mark</givenName></name></xStudent>`;

/**
 * Server mode: the example SIS of this tree with the given durability and otherwise the settings of
 * bench/server.ts (queues deep enough never to fill), so that it differs from it in durability only.
 */
async function serve(durability: 'full' | 'normal', dataDir: string): Promise<void> {
  // Imported here, not at the top: the driver process never needs the app.
  const { createApp } = await import('../example-app/app');
  const { app } = createApp({ dataDir, seed: { students: 2000 }, log: () => undefined, provider: { durability, queues: { maxMessagesPerQueue: 10_000_000 } } });
  const server = app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
  });
  process.on('SIGTERM', () => process.exit(0));
}

interface Server extends ServerProcess {
  dir: string;
  /** A session token of a DemoApp environment. */
  token: string;
  /** The refId of one seeded student. */
  studentId: string;
}

/** Starts a server process, registers a DemoApp environment and picks one seeded student. */
async function start(name: string, args: string[], cwd: string, dir: string): Promise<Server> {
  const server = await spawnServer(name, args, cwd);
  const token = await register(server.base, 'DemoApp', 'DemoSecret', `cost-${name}`);
  const page = await fetch(`${server.base}/sif3/requests/xStudents.json?navigationPageSize=1&navigationPage=700`, { headers: sign(token, 'DemoSecret') });
  const studentId = ((await page.json()) as { xStudents: { xStudent: { '@refId': string }[] } }).xStudents.xStudent[0]!['@refId'];
  return { ...server, dir, token, studentId };
}

async function stop(server: Server): Promise<void> {
  await stopServer(server);
  rmSync(server.dir, { recursive: true, force: true });
}

interface Scenario {
  name: string;
  method: 'GET' | 'POST';
  path: (s: Server) => string;
  headers: Record<string, string>;
  body?: string;
}

const SCENARIOS: Scenario[] = [
  { name: 'GET one xStudent, JSON', method: 'GET', path: (s) => `/sif3/requests/xStudents/${s.studentId}`, headers: { Accept: 'application/json' } },
  { name: 'GET one xStudent, XML', method: 'GET', path: (s) => `/sif3/requests/xStudents/${s.studentId}`, headers: {} },
  { name: 'GET a page of 100, XML', method: 'GET', path: () => '/sif3/requests/xStudents?navigationPage=3&navigationPageSize=100', headers: {} },
  { name: 'POST one xStudent, XML', method: 'POST', path: () => '/sif3/requests/xStudents/xStudent', headers: { 'Content-Type': 'application/xml' }, body: XML },
];

type Figures = LoadFigures;

/** One warm-up and one measured autocannon run; every request signed afresh. */
function measure(server: Server, scenario: Scenario): Promise<Figures> {
  return measureLoad(
    server.base,
    server.pid,
    { method: scenario.method, path: scenario.path(server), headers: scenario.headers, body: scenario.body, signAs: { user: server.token, secret: 'DemoSecret' } },
    { connections: CONNECTIONS, warmup: WARMUP, duration: DURATION },
  );
}

const fmt = (f: Figures) => `${f.rps.toFixed(0)} | ${f.cpuPerRequest.toFixed(0)}`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

async function main(): Promise<void> {
  const started = Date.now();
  const tempDir = () => mkdtempSync(join(tmpdir(), 'sif3-cost-'));
  console.log(`# Hardening cost: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, ${CONNECTIONS} connections, ${WARMUP} s warm-up + ${DURATION} s measured per run\n`);

  // 1. Before against now.
  const beforeDir = tempDir();
  const nowDir = tempDir();
  const before = await start('before', [join(BEFORE_TREE, 'bench', 'server.ts'), 'sif', beforeDir, '2000'], BEFORE_TREE, beforeDir);
  const now = await start('now', [join(NOW_TREE, 'bench', 'server.ts'), 'sif', nowDir, '2000'], NOW_TREE, nowDir);
  const rows: string[] = [];
  for (const scenario of SCENARIOS) {
    const runs: { before: Figures[]; now: Figures[] } = { before: [], now: [] };
    for (let round = 0; round < 2; round++) {
      runs.before.push(await measure(before, scenario));
      runs.now.push(await measure(now, scenario));
    }
    const cpuRatio = mean(runs.now.map((f) => f.cpuPerRequest)) / mean(runs.before.map((f) => f.cpuPerRequest));
    const rpsRatio = mean(runs.now.map((f) => f.rps)) / mean(runs.before.map((f) => f.rps));
    const bad = [...runs.before, ...runs.now].reduce((n, f) => n + f.bad, 0);
    rows.push(`| ${scenario.name} | ${fmt(runs.before[0]!)} | ${fmt(runs.now[0]!)} | ${fmt(runs.before[1]!)} | ${fmt(runs.now[1]!)} | ${rpsRatio.toFixed(2)} | ${cpuRatio.toFixed(2)} | ${bad} |`);
    console.log(rows[rows.length - 1]);
  }
  await stop(before);
  await stop(now);

  // 2. Durability: the build now, full against normal, interleaved.
  const fullDir = tempDir();
  const normalDir = tempDir();
  const full = await start('full', [__filename, 'serve', 'full', fullDir], NOW_TREE, fullDir);
  const normal = await start('normal', [__filename, 'serve', 'normal', normalDir], NOW_TREE, normalDir);
  const post = SCENARIOS[3]!;
  const d: { full: Figures[]; normal: Figures[] } = { full: [], normal: [] };
  for (let round = 0; round < 2; round++) {
    d.normal.push(await measure(normal, post));
    d.full.push(await measure(full, post));
  }
  const durabilityRow = `| POST one xStudent, XML | ${fmt(d.normal[0]!)} | ${fmt(d.full[0]!)} | ${fmt(d.normal[1]!)} | ${fmt(d.full[1]!)} | ${(mean(d.full.map((f) => f.rps)) / mean(d.normal.map((f) => f.rps))).toFixed(2)} | ${(mean(d.full.map((f) => f.cpuPerRequest)) / mean(d.normal.map((f) => f.cpuPerRequest))).toFixed(2)} | ${[...d.full, ...d.normal].reduce((n, f) => n + f.bad, 0)} |`;
  await stop(full);
  await stop(normal);

  console.log(`
## Before (a99f188) against now, interleaved; each cell: req/s | server CPU µs per request

| scenario | before #1 | now #1 | before #2 | now #2 | now / before req/s | now / before CPU per request | non-2xx + errors |
|---|---|---|---|---|---|---|---|
${rows.join('\n')}

## Durability, build now: synchronous NORMAL against FULL (the new default), interleaved

| scenario | normal #1 | full #1 | normal #2 | full #2 | full / normal req/s | full / normal CPU per request | non-2xx + errors |
|---|---|---|---|---|---|---|---|
${durabilityRow}

(${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
}

// Last, so that every declaration above is initialised before either mode runs.
if (process.argv[2] === 'serve') {
  void serve(process.argv[3] as 'full' | 'normal', process.argv[4]!);
} else {
  main().catch((err) => {
    console.error(err);
    killAll();
    process.exit(1);
  });
}
