import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { basicAuth as basic } from '../helpers/consumer-auth';
import { startServer } from '../helpers/server-process';

// Crash safety: SIGKILL the example SIS in the middle of a burst of environment and object
// creates, restart it on the same DATA_DIR, and check that the databases open cleanly and that every
// request that was answered with success is there.

jest.setTimeout(90_000);

test('every acknowledged write survives a SIGKILL in the middle of a burst', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sif3-crash-'));
  try {
    const first = await startServer(dataDir);
    const reg = await fetch(`${first.base}/sif3/environments/environment`, { method: 'POST', headers: { Authorization: basic('DemoApp', 'DemoSecret'), Accept: 'application/json' } });
    const session = ((await reg.json()) as any).environment;
    const auth = basic(session.sessionToken, 'DemoSecret');

    const environments: { id: string; token: string }[] = [];
    const students: string[] = [];
    let killed = false;
    const burst: Promise<void>[] = [];
    for (let i = 0; i < 600; i++) {
      burst.push(
        (async () => {
          try {
            if (i % 4 === 0) {
              const res = await fetch(`${first.base}/sif3/environments/environment`, {
                method: 'POST',
                headers: { Authorization: basic('DemoApp', 'DemoSecret'), Accept: 'application/json', instanceId: `crash-${i}` },
              });
              if (res.status === 201) {
                const env = ((await res.json()) as any).environment;
                environments.push({ id: env['@id'], token: env.sessionToken });
              }
            } else {
              const res = await fetch(`${first.base}/sif3/requests/xStudents/xStudent`, {
                method: 'POST',
                headers: { Authorization: auth, 'Content-Type': 'application/json', Accept: 'application/json' },
                body: JSON.stringify({ xStudent: { name: { type: 'LegalName', familyName: 'Crash', givenName: `N${i}` } } }),
              });
              if (res.status === 201) students.push(((await res.json()) as any).xStudent["@refId"]);
            }
          } catch {
            // In flight when the process died: never acknowledged, so nothing is promised.
          }
          if (!killed && environments.length >= 5 && students.length >= 40) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        })(),
      );
    }
    await Promise.all(burst);
    const killedMidBurst = killed;
    if (!killed) first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    expect(environments.length).toBeGreaterThanOrEqual(5);
    expect(students.length).toBeGreaterThanOrEqual(40);
    // Killed in the middle: some requests were never answered.
    expect(killedMidBurst).toBe(true);
    expect(environments.length + students.length).toBeLessThan(600);

    for (const file of ['sis.db', 'sif-state.db']) {
      const db = new Database(join(dataDir, file));
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    }

    const second = await startServer(dataDir);
    try {
      for (const env of environments) {
        const res = await fetch(`${second.base}/sif3/environments/${env.id}`, { headers: { Authorization: basic(env.token, 'DemoSecret') } });
        expect({ env: env.id, status: res.status }).toEqual({ env: env.id, status: 200 });
      }
      for (const id of students) {
        const res = await fetch(`${second.base}/sif3/requests/xStudents/${id}`, { headers: { Authorization: auth } });
        expect({ id, status: res.status }).toEqual({ id, status: 200 });
      }
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('killing the app between a 202 and the poll loses nothing: the delayed query and the bulk import complete after a restart', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sif3-crash-delayed-'));
  try {
    const first = await startServer(dataDir, 300);
    const reg = await fetch(`${first.base}/sif3/environments/environment`, { method: 'POST', headers: { Authorization: basic('DemoApp', 'DemoSecret'), Accept: 'application/json' } });
    const env = ((await reg.json()) as any).environment;
    const auth = basic(env.sessionToken, 'DemoSecret');
    const headers = { Authorization: auth, Accept: 'application/json', 'Content-Type': 'application/json' };
    const queue = await fetch(`${first.base}/sif3/queues/queue`, { method: 'POST', headers, body: JSON.stringify({ queue: { name: 'crash' } }) });
    const queueId = ((await queue.json()) as any).queue['@id'];
    const delayed = { ...headers, requestType: 'DELAYED', queueId };

    // A paged batch (Base Architecture §5.4.1): three pages of 100.
    const query = await fetch(`${first.base}/sif3/requests/xStudents`, { headers: { ...delayed, requestId: 'q', navigationPageSize: '100' } });
    const students = Array.from({ length: 200 }, (_, i) => ({ '@refId': `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`, name: { type: 'LegalName', familyName: 'Kill', givenName: `K${i}` } }));
    const bulk = await fetch(`${first.base}/sif3/requests/xStudents`, { method: 'POST', headers: { ...delayed, requestId: 'bulk' }, body: JSON.stringify({ xStudents: { xStudent: students } }) });
    expect([query.status, bulk.status]).toEqual([202, 202]);
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');

    const second = await startServer(dataDir, 300);
    try {
      const messages: { requestId: string | null; page: string | null; body: any }[] = [];
      let previous: string | null = null;
      const deadline = Date.now() + 30_000;
      // The import pauses between batches: poll until both answers are complete (or time runs out).
      const complete = () => {
        const pages = new Set(messages.filter((m) => m.requestId === 'q').map((m) => m.page));
        const imported = new Set(messages.filter((m) => m.requestId === 'bulk').flatMap((m) => m.body.createResponse.creates.create.map((c: any) => c['@advisoryId'])));
        return pages.size === 3 && imported.size === 200;
      };
      while (!complete() && Date.now() < deadline) {
        const res = await fetch(`${second.base}/sif3/queues/${queueId}/messages${previous ? `;deleteMessageId=${previous}` : ''}`, { headers });
        if (res.status === 204) {
          previous = null;
          await new Promise((r) => setTimeout(r, 100));
          continue;
        }
        expect(res.status).toBe(200);
        previous = res.headers.get('messageId');
        messages.push({ requestId: res.headers.get('requestId'), page: res.headers.get('navigationPage'), body: await res.json() });
      }
      expect(complete()).toBe(true);
      const ids = messages.filter((m) => m.requestId === 'q').flatMap((m) => m.body.xStudents.xStudent.map((s: any) => s['@refId']));
      expect(new Set(ids).size).toBe(300);
      const sis = new Database(join(dataDir, 'sis.db'), { readonly: true });
      expect(sis.prepare("SELECT count(*) FROM students WHERE family_name = 'Kill'").pluck().get()).toBe(200);
      sis.close();
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
