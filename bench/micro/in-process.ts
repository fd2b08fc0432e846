import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { RequestListener } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Duplex } from 'node:stream';
import { Session } from 'node:inspector';
import { sign } from '../lib/sign';

// `npx tsx bench/micro/in-process.ts <sif|baseline> <json|xml|delete> [--tree .] [--n 5000]
//  [--warmup 3000] [--students 2000] [--callgrind] [--profile FILE]`: the one-object GET
// (`/sif3/requests/xStudents/{id}` for sif, `/students/{id}` for the baseline), or with `delete` a
// DELETE of a different student each request (the district is seeded with at least enough of them;
// 204 expected), run N times through Node's HTTP server and the Express app in this one process,
// over in-memory sockets: no kernel, no load generator, no other process on the machine's two
// cores, so that the figures compare trees and changes far more steadily than a loopback run does.
// Every SIF request carries its own SIF_HMACSHA256 signature, all made before the measured phase so
// that the client's HMAC is not counted.
//
// Prints CPU µs per request (process.cpuUsage over the measured phase). With `--callgrind`, run it
// as `valgrind --tool=callgrind --instr-atstart=no node --import tsx bench/micro/in-process.ts …
// --callgrind`: instrumentation is switched on (callgrind_control -i on) after the warm-up and the
// counters dumped after the N requests, so that the dump's `Ir` total divided by N is the
// instructions per request of the server and of this small client (the same client for both kinds).
// With `--profile FILE`, a V8 CPU profile of the measured phase only (not start-up, seeding or the
// warm-up, which a whole-process `--cpu-prof` would mix in) is written to FILE (.cpuprofile).

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const [kind = 'sif', format = 'json'] = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
const TREE = resolve(arg('tree', join(__dirname, '..', '..')));
const N = Number(arg('n', '5000'));
const WARMUP = Number(arg('warmup', '3000'));
const CONNECTIONS = 10;
const CALLGRIND = process.argv.includes('--callgrind');
const PROFILE = arg('profile', '');

/** One end of an in-memory connection: what is written to it is read at its peer. */
class MemorySocket extends Duplex {
  peer!: MemorySocket;
  remoteAddress = '127.0.0.1';
  remotePort = 40000;
  encrypted = false;
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.peer.push(chunk);
    done();
  }
  override _writev(chunks: { chunk: Buffer }[], done: (err?: Error | null) => void): void {
    for (const { chunk } of chunks) this.peer.push(chunk);
    done();
  }
  override _final(done: () => void): void {
    this.peer.push(null);
    done();
  }
  setTimeout(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setKeepAlive(): this {
    return this;
  }
}

/** A keep-alive client connection that sends one request at a time and reads whole responses. */
class Client {
  private readonly socket: MemorySocket;
  private buffer: Buffer = Buffer.alloc(0);
  private waiting: ((r: { status: number; body: string }) => void) | undefined;

  constructor(server: ReturnType<typeof createServer>) {
    const a = new MemorySocket();
    const b = new MemorySocket();
    a.peer = b;
    b.peer = a;
    this.socket = a;
    server.emit('connection', b);
    a.on('data', (chunk: Buffer) => this.onData(chunk));
  }

  send(raw: string): Promise<{ status: number; body: string }> {
    return new Promise((done) => {
      this.waiting = done;
      this.socket.write(raw);
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0) return;
    const head = this.buffer.subarray(0, end).toString('latin1');
    const m = /\r\ncontent-length: *(\d+)/i.exec(head);
    const length = m ? Number(m[1]) : 0;
    if (this.buffer.length < end + 4 + length) return;
    const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
    this.buffer = this.buffer.subarray(end + 4 + length);
    const done = this.waiting!;
    this.waiting = undefined;
    done({ status: Number(head.slice(9, 12)), body });
  }
}

/** SIF_HMACSHA256 headers signed now, as raw header lines. */
function signedLines(user: string, secret: string): string {
  return Object.entries(sign(user, secret))
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
}

function request(method: string, path: string, headers: string): string {
  return `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:3000\r\n${headers}\r\n`;
}

/** Runs `requests` over the clients, each client taking the next as soon as its previous answer is in. */
async function drive(clients: Client[], requests: string[], ok: number): Promise<number> {
  let next = 0;
  let bad = 0;
  await Promise.all(
    clients.map(async (client) => {
      while (next < requests.length) {
        const r = await client.send(requests[next++]!);
        if (r.status !== ok) bad++;
      }
    }),
  );
  return bad;
}

/** One inspector command, as a promise. */
function post(session: Session, method: string, params?: object): Promise<unknown> {
  return new Promise((done, fail) => session.post(method, params, (err, result) => (err ? fail(err) : done(result))));
}

function callgrindControl(...args: string[]): Promise<void> {
  return new Promise((done, fail) => {
    const child = spawn('callgrind_control', [...args, String(process.pid)], { stdio: 'ignore' });
    child.once('exit', (code) => (code === 0 ? done() : fail(new Error(`callgrind_control ${args.join(' ')} exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sif3-inproc-'));
  // Both kinds read the same seeded SIS database, made by the example app of this tree.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createApp } = require(join(TREE, 'example-app', 'app')) as typeof import('../../example-app/app');
  const deleting = format === 'delete';
  const students = Math.max(Number(arg('students', '2000')), deleting ? WARMUP + N + 100 : 0);
  const example = createApp({ dataDir: dir, seed: { students }, log: () => undefined, provider: { queues: { maxMessagesPerQueue: 10_000_000 } } });
  const studentId = (example.sis.prepare('SELECT ref_id FROM students ORDER BY rowid LIMIT 1 OFFSET 700').pluck().get() as string);
  // For DELETE: every student once, in order; the warm-up takes the first ones.
  const doomed = deleting ? (example.sis.prepare('SELECT ref_id FROM students ORDER BY rowid').pluck().all() as string[]) : [];
  let nextDoomed = 0;
  const target = (): string => (deleting ? doomed[nextDoomed++]! : studentId);
  const method = deleting ? 'DELETE' : 'GET';
  const ok = deleting ? 204 : 200;
  let listener: RequestListener;
  if (kind === 'baseline') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createBaseline } = require(join(TREE, 'bench', 'baseline')) as typeof import('../baseline');
    listener = createBaseline(join(dir, 'sis.db')) as unknown as RequestListener;
  } else {
    listener = example.app as unknown as RequestListener;
  }
  const server = createServer(listener);
  const clients = Array.from({ length: CONNECTIONS }, () => new Client(server));
  const accept = format === 'json' ? 'Accept: application/json\r\n' : '';
  let make: () => string;
  if (kind === 'baseline') {
    make = () => request(method, `/students/${target()}`, accept);
  } else {
    const reg = await clients[0]!.send(request('POST', '/sif3/environments/environment', `${signedLines('DemoApp', 'DemoSecret')}Accept: application/json\r\ninstanceId: inproc\r\nContent-Length: 0\r\n`));
    if (reg.status !== 201) throw new Error(`registration answered ${reg.status}: ${reg.body}`);
    const token = (JSON.parse(reg.body) as { environment: { sessionToken: string } }).environment.sessionToken;
    make = () => request(method, `/sif3/requests/xStudents/${target()}`, `${accept}${signedLines(token, 'DemoSecret')}`);
  }
  const warm = Array.from({ length: WARMUP }, make);
  const measured = Array.from({ length: N }, make);
  let bad = await drive(clients, warm, ok);
  // A full collection now (with --expose-gc), so that the measured phase does not inherit one
  // owed by the start-up and warm-up: one falling inside it would cost more than all its requests.
  (globalThis as { gc?: () => void }).gc?.();
  if (CALLGRIND) await callgrindControl('-i', 'on');
  const inspector = PROFILE ? new Session() : undefined;
  if (inspector) {
    inspector.connect();
    await post(inspector, 'Profiler.enable');
    await post(inspector, 'Profiler.setSamplingInterval', { interval: 100 });
    await post(inspector, 'Profiler.start');
  }
  const cpu0 = process.cpuUsage();
  bad += await drive(clients, measured, ok);
  const cpu = process.cpuUsage(cpu0);
  if (inspector) {
    const { profile } = (await post(inspector, 'Profiler.stop')) as { profile: unknown };
    writeFileSync(PROFILE, JSON.stringify(profile));
    inspector.disconnect();
  }
  if (CALLGRIND) {
    await callgrindControl('-d');
    await callgrindControl('-i', 'off');
  }
  console.log(`${kind} ${format}: ${N} requests, ${((cpu.user + cpu.system) / N).toFixed(1)} µs CPU per request, ${bad} not ${ok}`);
  await example.close();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
