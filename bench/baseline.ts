import Database from 'better-sqlite3';
import express from 'express';
import { randomUUID } from 'node:crypto';
import { parseStringPromise } from 'xml2js';

/**
 * The benchmark's yardstick: a bare Express app doing the simplest correct thing for the same work
 * on the same SIS database: the same SQLite queries, JSON.stringify, no authentication, no SIF.
 */
export function createBaseline(sisFile: string): express.Express {
  const db = new Database(sisFile);
  db.pragma('journal_mode = WAL');
  const byId = db.prepare('SELECT doc FROM students WHERE ref_id = ?').pluck();
  const page = db.prepare('SELECT doc FROM students ORDER BY seq LIMIT ? OFFSET ?').pluck();
  const count = db.prepare('SELECT count(*) FROM students').pluck();
  const insert = db.prepare('INSERT INTO students (ref_id, local_id, school_ref_id, family_name, given_name, doc) VALUES (?, ?, NULL, ?, ?, ?)');
  const app = express();
  app.get('/students/:id', (req, res) => {
    const doc = byId.get(req.params.id) as string | undefined;
    if (!doc) return void res.status(404).end();
    res.type('json').send(JSON.stringify({ xStudent: JSON.parse(doc) }));
  });
  app.get('/students', (req, res) => {
    const size = Number(req.query.size ?? 100);
    const offset = (Number(req.query.page ?? 1) - 1) * size;
    const docs = (page.all(size, offset) as string[]).map((d) => JSON.parse(d));
    res.setHeader('navigationCount', String(count.get()));
    res.type('json').send(JSON.stringify({ xStudents: { xStudent: docs } }));
  });
  app.post('/students', express.text({ type: '*/*' }), async (req, res) => {
    const parsed = await parseStringPromise(req.body as string, { explicitArray: false });
    const student = parsed.xStudent;
    const refId = randomUUID();
    const doc = { '@refId': refId, ...student, $: undefined };
    insert.run(refId, `b-${refId.slice(0, 8)}`, student.name.familyName, student.name.givenName, JSON.stringify(doc));
    res.status(201).type('json').send(JSON.stringify({ xStudent: doc }));
  });
  return app;
}
