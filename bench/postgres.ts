import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { openApp } from '../example-app/app';
import { NA_NAMESPACE } from '../example-app/handlers/common';
import { freshDataDir, makeSisTemplate, removeDir } from './lib/fixtures';
import type { SisTemplate } from './lib/fixtures';
import type { LoadFigures, LoadRequest } from './lib/load';
import { measureLoad } from './lib/load';
import type { ThrowawayPostgres } from './lib/postgres';
import { postgresCpuMicros, startThrowawayPostgres } from './lib/postgres';
import type { ServerProcess } from './lib/servers';
import { killAll, register, spawnServer, stopServer } from './lib/servers';

// Issue #12 item 6: the example SIS on PostgreSQL beside the same SIS on SQLite.
//
//   npx tsx bench/postgres.ts [--database-url postgres://…] [--duration S] [--rounds N] [--warmup S]
//
// Without --database-url a throwaway PostgreSQL cluster is started as .ci/run starts CI's (initdb in
// a temporary folder, pg_ctl as `nobody` on a free loopback port, a non-superuser role owning its
// database), but with fsync ON (and full_page_writes, synchronous_commit at their defaults): this
// measures durable behaviour. It is stopped and removed at exit. With --database-url (loopback only)
// the role needs CREATE on its database: every run gets a schema of its own, dropped afterwards.
//
// Each run: a fresh server process (`--serve` below, i.e. `openApp` of example-app/app.ts, what
// example-app/server.ts runs) on a freshly seeded 10,000-student district — on PostgreSQL seeded by
// the server into a new schema, on SQLite a copy of a template seeded once (same PRNG seed, so both
// hold the very same district), SQLite at the default durability ('full'). Then autocannon from this
// process, 10 connections, a warm-up and a measured run, every SIF request signed afresh. Server CPU
// per request from /proc: the Node process, and on PostgreSQL also the PostgreSQL server's processes.
// Writes the table to stdout and into bench/RESULTS.md's notes (its own section, replaced on re-runs).

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};
const SECRET = 'DemoSecret';
const SERVE_URL_ENV = 'SIF_BENCH_PG_URL';
const STUDENTS = 10_000;
const CONNECTIONS = 10;
const HEADING = '## PostgreSQL beside SQLite (issue #12)';
const NOTES_MARKER = '<!-- notes: kept across runs -->';

// ---------------------------------------------------------------------------------------------
// Server mode: `bench/postgres.ts --serve <dataDir> <students>`, the database URL (if any) in the
// environment (never on the command line, where `ps` shows it).

async function serve(): Promise<void> {
  const i = process.argv.indexOf('--serve');
  const dataDir = process.argv[i + 1]!;
  const students = Number(process.argv[i + 2]);
  const databaseUrl = process.env[SERVE_URL_ENV] || undefined;
  const example = await openApp({ dataDir, databaseUrl, seed: { students }, log: () => undefined });
  const server = example.app.listen(0, '127.0.0.1', () => {
    const address = server.address();
    console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
  });
  process.on('SIGTERM', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------------
// The driver

type Backend = 'PostgreSQL' | 'SQLite';

interface Scenario {
  name: string;
  request: (t: SisTemplate, token: string) => LoadRequest;
}

const signed = (token: string) => ({ user: token, secret: SECRET });
const oneXml = (t: SisTemplate) =>
  `<xStudent xmlns="${NA_NAMESPACE}"><name><type>LegalName</type><familyName>Bench</familyName><givenName>Mark0</givenName></name><enrollment><schoolRefId>${t.schoolRefId}</schoolRefId></enrollment></xStudent>`;
const SCENARIOS: Scenario[] = [
  {
    name: 'GET one xStudent by id, JSON',
    request: (t, token) => ({ method: 'GET', path: `/sif3/requests/xStudents/${t.ids[700]}`, headers: { Accept: 'application/json' }, signAs: signed(token) }),
  },
  {
    name: 'GET a page of 100, XML',
    request: (_t, token) => ({ method: 'GET', path: '/sif3/requests/xStudents?navigationPage=3&navigationPageSize=100', signAs: signed(token) }),
  },
  {
    name: 'POST one xStudent, XML',
    request: (t, token) => ({ method: 'POST', path: '/sif3/requests/xStudents/xStudent', headers: { 'Content-Type': 'application/xml' }, body: oneXml(t), signAs: signed(token) }),
  },
];

interface Run extends LoadFigures {
  /** PostgreSQL server CPU per request, µs (PostgreSQL runs whose server is visible in /proc). */
  pgCpuPerRequest?: number;
  startSeconds: number;
}

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const cell = (xs: number[]) => (xs.length > 1 ? `${f0(mean(xs))} (${f0(Math.min(...xs))}–${f0(Math.max(...xs))})` : f0(xs[0] ?? NaN));
const badCell = (runs: Run[]) => {
  const n = runs.reduce((sum, r) => sum + r.bad, 0);
  const seen: Record<string, number> = {};
  for (const r of runs) for (const [s, c] of Object.entries(r.statuses)) seen[s] = (seen[s] ?? 0) + c;
  const detail = Object.entries(seen).map(([s, c]) => `${s}×${c}`).join(' ');
  return detail ? `${n} (${detail})` : String(n);
};

async function main(): Promise<void> {
  const DURATION = Number(arg('duration', '5'));
  const WARMUP = Number(arg('warmup', '2'));
  const ROUNDS = Math.max(1, Math.min(10, Math.floor(Number(arg('rounds', '2')))));
  if (!(DURATION > 0 && DURATION <= 120) || !(WARMUP >= 0 && WARMUP <= 60)) throw new Error('--duration must be in (0, 120] and --warmup in [0, 60] seconds');
  const given = arg('database-url', '');
  const started = Date.now();
  const root = join(__dirname, '..');
  const work = mkdtempSync(join(tmpdir(), 'sif3-bench-pgsq-'));
  const log = (line: string) => console.log(line);

  // Everything is bounded: each server start (300 s), each load run (warm-up + duration), and the
  // whole bench by this watchdog (runs × (start + load + margin)).
  const budgetMs = (SCENARIOS.length * 2 * ROUNDS * (WARMUP + DURATION + 90) + 300) * 1000;
  let cluster: ThrowawayPostgres | undefined;
  const cleanup = () => {
    killAll();
    cluster?.stop();
    removeDir(work);
  };
  const watchdog = setTimeout(() => {
    console.error(`bench/postgres.ts: over its ${budgetMs / 1000} s budget, stopping`);
    cleanup();
    process.exit(1);
  }, budgetMs);
  watchdog.unref();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      cleanup();
      process.exit(130);
    });
  }

  try {
    let baseUrl: string;
    let pgPid: number | undefined;
    let where: string;
    const fsyncNote = given ? 'a server given with --database-url (its settings as they are)' : 'fsync ON';
    if (given) {
      const u = new URL(given);
      if (!['127.0.0.1', 'localhost'].includes(u.hostname)) throw new Error('--database-url must point at 127.0.0.1 (this bench talks to loopback only)');
      baseUrl = given;
      where = `PostgreSQL given with --database-url (${u.hostname}:${u.port || 5432}/${u.pathname.slice(1)})`;
    } else {
      const settings = ['fsync=on', 'synchronous_commit=on', 'full_page_writes=on', 'max_connections=100'];
      cluster = await startThrowawayPostgres({ role: 'sif_bench', settings });
      baseUrl = cluster.url;
      pgPid = cluster.pid;
      where = `a throwaway PostgreSQL ${cluster.version} cluster (initdb as in .ci/run, run by \`nobody\` on 127.0.0.1:${cluster.port}, role \`sif_bench\` owning its database, not a superuser; ${settings.join(', ')}; the rest at its defaults)`;
    }
    log(`# PostgreSQL beside SQLite: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`);
    log(`PostgreSQL: ${where}`);
    log(given ? 'PostgreSQL durability: whatever the given server is set to' : 'PostgreSQL durability: fsync ON (unlike .ci/run, which turns it off): every commit waits for its WAL flush, as in production');
    log('SQLite: durability \'full\' (the default: synchronous = FULL in WAL mode)');

    const t0 = Date.now();
    const template = makeSisTemplate(work, STUDENTS);
    log(`seeded the SQLite template of ${STUDENTS} students in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    // One schema per PostgreSQL run, made and dropped by the database's owner role.
    let schemaCount = 0;
    const admin = async <T>(fn: (c: Client) => Promise<T>): Promise<T> => {
      const c = new Client({ connectionString: baseUrl, connectionTimeoutMillis: 10_000, statement_timeout: 60_000 });
      await c.connect();
      try {
        return await fn(c);
      } finally {
        await c.end();
      }
    };
    const withSearchPath = (url: string, schema: string) => {
      const u = new URL(url);
      u.searchParams.set('options', `-csearch_path=${schema}`);
      return u.toString();
    };

    const pgCpu = () => postgresCpuMicros(pgPid);
    if (!pgCpu()) log('(no PostgreSQL process visible in /proc: its CPU is not measured)');

    async function oneRun(backend: Backend, scenario: Scenario): Promise<Run> {
      let dir = mkdtempSync(join(work, 'run-'));
      let schema: string | undefined;
      let server: ServerProcess | undefined;
      const startedAt = Date.now();
      try {
        if (backend === 'PostgreSQL') {
          schema = `bench_run_${process.pid}_${++schemaCount}`;
          await admin((c) => c.query(`CREATE SCHEMA ${schema}`));
          process.env[SERVE_URL_ENV] = withSearchPath(baseUrl, schema);
          try {
            server = await spawnServer(`PostgreSQL ${schema}`, [__filename, '--serve', dir, String(STUDENTS)], root, 300_000);
          } finally {
            delete process.env[SERVE_URL_ENV];
          }
          // The district is the same as the template's (same PRNG seed): check the id the GET uses.
          const n = await admin((c) => c.query(`SELECT count(*)::int AS n FROM ${schema}.students WHERE ref_id = $1`, [template.ids[700]]));
          if (n.rows[0].n !== 1) throw new Error('the PostgreSQL district differs from the SQLite template');
        } else {
          removeDir(dir);
          dir = freshDataDir(work, template);
          server = await spawnServer('SQLite', [__filename, '--serve', dir, String(STUDENTS)], root, 300_000);
        }
        const startSeconds = (Date.now() - startedAt) / 1000;
        const token = await register(server.base, 'DemoApp', SECRET, `bench-${Date.now()}`);
        const request = scenario.request(template, token);
        // The warm-up as a run of its own, so that the PostgreSQL server's CPU is read around the
        // measured run only (measureLoad reads the Node server's the same way).
        if (WARMUP > 0) await measureLoad(server.base, server.pid, request, { connections: CONNECTIONS, warmup: 0, duration: WARMUP });
        const pg0 = backend === 'PostgreSQL' ? pgCpu() : undefined;
        const figures = await measureLoad(server.base, server.pid, request, { connections: CONNECTIONS, warmup: 0, duration: DURATION });
        const pg1 = backend === 'PostgreSQL' ? pgCpu() : undefined;
        const run: Run = { ...figures, startSeconds };
        if (pg0 && pg1) run.pgCpuPerRequest = (pg1.micros - pg0.micros) / Math.max(1, figures.requests);
        log(
          `  ${backend.padEnd(10)} ${scenario.name}: ${f0(run.rps)} req/s, ${f0(run.cpuPerRequest)} µs Node CPU/req` +
            `${run.pgCpuPerRequest !== undefined ? ` + ${f0(run.pgCpuPerRequest)} µs PostgreSQL CPU/req` : ''}, p50/p99 ${run.p50}/${run.p99} ms, ${run.bad} bad (server up in ${startSeconds.toFixed(1)} s)`,
        );
        return run;
      } finally {
        if (server) await stopServer(server);
        removeDir(dir);
        if (schema) await admin((c) => c.query(`DROP SCHEMA ${schema} CASCADE`));
      }
    }

    const results = new Map<string, Run[]>();
    const key = (b: Backend, s: Scenario) => `${b}|${s.name}`;
    for (let round = 0; round < ROUNDS; round++) {
      log(`round ${round + 1} of ${ROUNDS}`);
      // Interleaved, and the order turned each round, so that neither database always goes first.
      const order: Backend[] = round % 2 === 0 ? ['PostgreSQL', 'SQLite'] : ['SQLite', 'PostgreSQL'];
      for (const scenario of SCENARIOS) {
        for (const backend of order) {
          const runs = results.get(key(backend, scenario)) ?? [];
          runs.push(await oneRun(backend, scenario));
          results.set(key(backend, scenario), runs);
        }
      }
    }

    // ------------------------------------------------------------------------------------------
    // The table
    const rows: string[] = [];
    const summary: { name: string; rps: number; total: number; sqRps: number; sqCpu: number; pgRuns: Run[]; sqRuns: Run[] }[] = [];
    for (const scenario of SCENARIOS) {
      const pg = results.get(key('PostgreSQL', scenario))!;
      const sq = results.get(key('SQLite', scenario))!;
      const pgDb = pg.filter((r) => r.pgCpuPerRequest !== undefined).map((r) => r.pgCpuPerRequest!);
      const pgTotal = pg.map((r) => r.cpuPerRequest + (r.pgCpuPerRequest ?? NaN));
      const lat = (runs: Run[]) => `${f0(mean(runs.map((r) => r.p50)))} / ${f0(mean(runs.map((r) => r.p99)))}`;
      for (const [backend, runs] of [['PostgreSQL', pg], ['SQLite', sq]] as const) {
        const isPg = backend === 'PostgreSQL';
        rows.push(
          `| ${scenario.name} | ${backend} | ${cell(runs.map((r) => r.rps))} | ${lat(runs)} | ${cell(runs.map((r) => r.cpuPerRequest))} | ${isPg ? (pgDb.length ? cell(pgDb) : 'n/a') : '-'} | ${isPg ? (pgDb.length ? cell(pgTotal) : 'n/a') : cell(runs.map((r) => r.cpuPerRequest))} | ${badCell(runs)} |`,
        );
      }
      summary.push({ name: scenario.name, rps: mean(pg.map((r) => r.rps)), total: mean(pgTotal), sqRps: mean(sq.map((r) => r.rps)), sqCpu: mean(sq.map((r) => r.cpuPerRequest)), pgRuns: pg, sqRuns: sq });
    }
    const table = [
      '| scenario | database | req/s | p50 / p99 ms | Node server CPU µs/req | PostgreSQL server CPU µs/req | total server CPU µs/req | non-2xx + errors |',
      '|---|---|---|---|---|---|---|---|',
      ...rows,
    ].join('\n');
    log('');
    log(table);

    const ratios = summary.map(
      (s) => `${s.name}: PostgreSQL ÷ SQLite req/s ${f2(s.rps / s.sqRps)}, total server CPU per request ${Number.isFinite(s.total) ? f2(s.total / s.sqCpu) : 'n/a'}`,
    );
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    const command = ['npx tsx bench/postgres.ts', ...process.argv.slice(2).map((a, i, all) => (all[i - 1] === '--database-url' ? '<url>' : a))].join(' ');
    const section = `${HEADING}

Produced by \`${command}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC in ${minutes} min:
${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${process.platform}; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}.

How: the example SIS (\`openApp\` of example-app/app.ts, queues on, the documented defaults) in its own
process for every run, on a freshly seeded district of ${STUDENTS.toLocaleString('en')} students: on PostgreSQL
seeded by the server into a new schema (SIS data and protocol state both in it; dropped after the run),
on SQLite a copy of a template seeded once with the same PRNG seed (the same district), SQLite at its
default durability 'full'. PostgreSQL: ${where}; ${fsyncNote}. autocannon in the
driving process, ${CONNECTIONS} connections, ${WARMUP} s warm-up then ${DURATION} s measured, ${ROUNDS} round(s), the two
databases interleaved scenario by scenario (the order turned each round); every SIF request signed
afresh (SIF_HMACSHA256). **Node server CPU** is the SIS process's user + system time per request
(\`/proc/<pid>/stat\`); **PostgreSQL server CPU** is that of the postmaster and its children over the
same measured run (utime + stime of each live process, plus the postmaster's cutime + cstime for
backends that exited), per request; **total** is their sum (on SQLite the Node figure is all of it).
All of it — client, SIS and PostgreSQL — shares the machine's ${cpus().length} cores. Cells "mean (min–max over rounds)".

${table}

Ratios (means): ${ratios.join('; ')}.
`;
    writeSection(join(__dirname, 'RESULTS.md'), section);
    log(`\n${ratios.join('\n')}`);
    log(`\nappended "${HEADING.slice(3)}" to bench/RESULTS.md's notes (${minutes} min)`);
  } finally {
    clearTimeout(watchdog);
    cleanup();
  }
}

/**
 * Puts `section` at the end of the notes (below the marker), replacing an earlier section of this
 * bench (from its heading to the next `## ` heading or the end); nothing above the marker changes.
 */
function writeSection(file: string, section: string): void {
  const text = readFileSync(file, 'utf8');
  const marker = text.indexOf(NOTES_MARKER);
  if (marker < 0) throw new Error(`${file} has no "${NOTES_MARKER}" marker`);
  let notes = text.slice(marker);
  const at = notes.indexOf(`${HEADING}\n`);
  if (at >= 0) {
    const next = notes.indexOf('\n## ', at + HEADING.length);
    notes = notes.slice(0, at) + (next >= 0 ? notes.slice(next + 1) : '');
  }
  writeFileSync(file, `${text.slice(0, marker)}${notes.replace(/\n*$/, '\n')}\n${section}`);
}

if (process.argv.includes('--serve')) {
  serve().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
