import autocannon from 'autocannon';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuMicros } from '../lib/proc';
import type { ServerProcess } from '../lib/servers';
import { killAll, register, running, spawnServer } from '../lib/servers';
import { sign } from '../lib/sign';

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

interface Server extends ServerProcess {
  dir: string;
  token: string;
  studentId: string;
  /** Every student's refId, in order, for DELETE; each run takes them from `nextDoomed` on. */
  doomed: string[];
  nextDoomed: number;
}

async function start(name: string, tree: string): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'sif3-cpu-'));
  const server = await spawnServer(name, [join(tree, 'bench', 'server.ts'), 'sif', dir, String(STUDENTS)], tree);
  const { base } = server;
  const token = await register(base, 'DemoApp', 'DemoSecret', `cpu-${name}`);
  const page = await fetch(`${base}/sif3/requests/xStudents.json?navigationPageSize=1&navigationPage=700`, { headers: sign(token, 'DemoSecret') });
  const studentId = ((await page.json()) as { xStudents: { xStudent: { '@refId': string }[] } }).xStudents.xStudent[0]!['@refId'];
  const sis = new Database(join(dir, 'sis.db'), { readonly: true });
  const doomed = sis.prepare('SELECT ref_id FROM students ORDER BY rowid').pluck().all() as string[];
  sis.close();
  return { ...server, dir, token, studentId, doomed, nextDoomed: 1000 };
}

async function stop(server: Server): Promise<void> {
  server.child.removeAllListeners('exit');
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
  running.delete(server.child);
  rmSync(server.dir, { recursive: true, force: true });
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
  const cpu0 = cpuMicros(server.pid);
  const result = await autocannon(options(DURATION));
  const cpu1 = cpuMicros(server.pid);
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
  killAll();
  process.exit(1);
});
