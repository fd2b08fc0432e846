import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

// `npx tsx bench/micro/cpu-per-request.ts [--trees before=/tmp/sif3-before,now=.] [--only GET]
//  [--rounds 2] [--duration 8] [--warmup 2] [--students 2000]`: server CPU time per request of the hot-path
// scenarios, for one or more source trees (each the example SIS started by that tree's
// bench/server.ts in its own process), interleaved tree by tree and round by round so that the
// spread between rounds of one tree shows the noise of the machine.
//
// Every request carries a fresh SIF_HMACSHA256 signature (signed in autocannon's setupRequest), as a
// real consumer's would. CPU per request = user + system time of the server process from
// /proc/<pid>/stat across the measured run, divided by the requests answered: on a shared machine
// that figure moves far less than requests per second.

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const DURATION = Number(arg('duration', '8'));
const WARMUP = Number(arg('warmup', '2'));
const ROUNDS = Number(arg('rounds', '2'));
const ONLY = arg('only', '');
// The DELETE scenario takes a different student each request: seed enough for every run of it.
const STUDENTS = Number(arg('students', '2000'));
const CONNECTIONS = 10;
const TREES = arg('trees', `now=${join(__dirname, '..', '..')}`)
  .split(',')
  .map((t) => t.split('=') as [string, string]);
const TICKS_PER_SECOND = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;

interface Server {
  name: string;
  child: ChildProcess;
  base: string;
  dir: string;
  token: string;
  studentId: string;
  /** Every student's refId, in order, for DELETE; each run takes them from `nextDoomed` on. */
  doomed: string[];
  nextDoomed: number;
}

const running = new Set<ChildProcess>();

async function start(name: string, tree: string): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'sif3-cpu-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(tree, 'bench', 'server.ts'), 'sif', dir, String(STUDENTS)], { cwd: tree, stdio: ['ignore', 'pipe', 'inherit'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 60 s`)), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      const m = /listening (\d+)/.exec(chunk.toString());
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}`);
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}`)));
  });
  const reg = await fetch(`${base}/sif3/environments/environment`, { method: 'POST', headers: { ...sign('DemoApp', 'DemoSecret'), Accept: 'application/json', instanceId: `cpu-${name}` } });
  if (reg.status !== 201) throw new Error(`${name}: registration answered ${reg.status}`);
  const token = ((await reg.json()) as { environment: { sessionToken: string } }).environment.sessionToken;
  const page = await fetch(`${base}/sif3/requests/xStudents.json?navigationPageSize=1&navigationPage=700`, { headers: sign(token, 'DemoSecret') });
  const studentId = ((await page.json()) as { xStudents: { xStudent: { '@refId': string }[] } }).xStudents.xStudent[0]!['@refId'];
  const sis = new Database(join(dir, 'sis.db'), { readonly: true });
  const doomed = sis.prepare('SELECT ref_id FROM students ORDER BY rowid').pluck().all() as string[];
  sis.close();
  return { name, child, base, dir, token, studentId, doomed, nextDoomed: 1000 };
}

async function stop(server: Server): Promise<void> {
  server.child.removeAllListeners('exit');
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
  rmSync(server.dir, { recursive: true, force: true });
}

function sign(user: string, secret: string): Record<string, string> {
  const timestamp = new Date().toISOString();
  const hash = createHmac('sha256', secret).update(`${user}:${timestamp}`).digest('base64');
  return { Authorization: `SIF_HMACSHA256 ${Buffer.from(`${user}:${hash}`).toString('base64')}`, timestamp };
}

function cpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND) * 1e6;
}

interface Scenario {
  name: string;
  path: (s: Server) => string;
  headers: Record<string, string>;
  /** GET unless said; a DELETE asks `path` again for every request. */
  method?: 'DELETE';
}

const ALL_SCENARIOS: Scenario[] = [
  { name: 'GET one xStudent, JSON', path: (s) => `/sif3/requests/xStudents/${s.studentId}`, headers: { Accept: 'application/json' } },
  { name: 'GET one xStudent, XML', path: (s) => `/sif3/requests/xStudents/${s.studentId}`, headers: {} },
  { name: 'GET a page of 100, XML', path: () => '/sif3/requests/xStudents?navigationPage=3&navigationPageSize=100', headers: {} },
  { name: 'GET a page of 100, JSON', path: () => '/sif3/requests/xStudents?navigationPage=3&navigationPageSize=100', headers: { Accept: 'application/json' } },
  {
    name: 'DELETE one xStudent (a different one each time)',
    method: 'DELETE',
    path: (s) => {
      if (s.nextDoomed >= s.doomed.length) throw new Error('out of students to delete: raise --students');
      return `/sif3/requests/xStudents/${s.doomed[s.nextDoomed++]!}`;
    },
    headers: {},
  },
  { name: 'GET a page of 100, XML, gzip', path: () => '/sif3/requests/xStudents?navigationPage=3&navigationPageSize=100', headers: { 'Accept-Encoding': 'gzip' } },
];
const SCENARIOS = ALL_SCENARIOS.filter((s) => s.name.includes(ONLY));

interface Figures {
  rps: number;
  cpu: number;
  bad: number;
}

async function measure(server: Server, scenario: Scenario): Promise<Figures> {
  const options = (duration: number): autocannon.Options => ({
    url: server.base,
    connections: CONNECTIONS,
    duration,
    requests: [
      {
        method: scenario.method ?? 'GET',
        path: scenario.path(server),
        setupRequest: (req) => ({
          ...req,
          ...(scenario.method === 'DELETE' ? { path: scenario.path(server) } : {}),
          headers: { ...req.headers, ...scenario.headers, ...sign(server.token, 'DemoSecret') },
        }),
      },
    ],
  });
  await autocannon(options(WARMUP));
  const pid = server.child.pid!;
  const cpu0 = cpuMicros(pid);
  const result = await autocannon(options(DURATION));
  const cpu1 = cpuMicros(pid);
  return { rps: result.requests.average, cpu: (cpu1 - cpu0) / Math.max(1, result.requests.total), bad: result.non2xx + result.errors + result.timeouts };
}

async function main(): Promise<void> {
  console.log(`# CPU per request: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, ${CONNECTIONS} connections, ${WARMUP} s + ${DURATION} s per run, ${ROUNDS} rounds`);
  const servers: Server[] = [];
  for (const [name, tree] of TREES) servers.push(await start(name, tree));
  console.log(`\n| scenario | ${servers.map((s) => `${s.name}: req/s, CPU µs/request (per round)`).join(' | ')} | non-2xx |`);
  console.log(`|---|${servers.map(() => '---|').join('')}---|`);
  for (const scenario of SCENARIOS) {
    const runs = new Map<string, Figures[]>(servers.map((s) => [s.name, []]));
    for (let round = 0; round < ROUNDS; round++) for (const s of servers) runs.get(s.name)!.push(await measure(s, scenario));
    const cells = servers.map((s) => runs.get(s.name)!.map((f) => `${f.rps.toFixed(0)} / ${f.cpu.toFixed(0)}`).join(', '));
    const bad = [...runs.values()].flat().reduce((n, f) => n + f.bad, 0);
    console.log(`| ${scenario.name} | ${cells.join(' | ')} | ${bad} |`);
  }
  for (const s of servers) await stop(s);
}

main().catch((err) => {
  console.error(err);
  for (const child of running) child.kill('SIGKILL');
  process.exit(1);
});
