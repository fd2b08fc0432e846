import Database from 'better-sqlite3';
import express from 'express';
import type { Request } from 'express';
import type { GoessnerObject } from '../lib/payload/goessner';
import { decodePayload } from '../lib/payload/codec';
import { toJson } from '../lib/payload/json';
import { toXml } from '../lib/payload/xml';
import { NA_NAMESPACE, child, chooseRefId, requiredText, text, withRefId } from '../example-app/handlers/common';

/**
 * The benchmark's yardstick: a bare Express app doing the same work as the example SIS on the same
 * SIS database, without SIF (no authentication, no protocol headers, no change log, no rights): the
 * same SQLite statements, the library's own XML and JSON writers and XML parser (so that a ratio
 * measures the protocol, not a writer), and for creates the same checks as the example's create
 * (example-app/handlers/students.ts, document-table.ts and common.ts): the suggested refId is used
 * when it is a free UUID (a lookup), a missing localId is the next one from max(seq), a school
 * reference must name an existing school, localId / familyName / givenName are required, and the
 * insert runs with foreign keys on, as the SIS's own connection does.
 *
 * Routes: GET /students/:id and GET /students?page&size (JSON with `Accept: application/json`, else
 * XML); POST /students/one (one xStudent, XML); POST /students (many, XML, all in one transaction,
 * answered with a createResponse); DELETE /students/:id.
 */
export function createBaseline(sisFile: string): express.Express {
  const db = new Database(sisFile);
  // The pragmas of example-app/sis/database.ts.
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('synchronous = NORMAL');
  const byId = db.prepare('SELECT doc FROM students WHERE ref_id = ?').pluck();
  const exists = db.prepare('SELECT 1 FROM students WHERE ref_id = ?').pluck();
  const page = db.prepare('SELECT doc FROM students ORDER BY rowid LIMIT ? OFFSET ?').pluck();
  // The example SIS reads its row count from the trigger-kept `row_counts` table where its schema has one.
  const hasRowCounts = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'row_counts'").get() !== undefined;
  const count = db.prepare(hasRowCounts ? "SELECT n FROM row_counts WHERE tbl = 'students'" : 'SELECT count(*) FROM students').pluck();
  const schoolExists = db.prepare('SELECT 1 FROM schools WHERE ref_id = ?').pluck();
  const nextLocalId = db.prepare('SELECT 100001 + coalesce(max(seq), 0) FROM students').pluck();
  const insert = db.prepare(
    'INSERT INTO students (ref_id, local_id, school_ref_id, family_name, given_name, doc) VALUES (@refId, @localId, @schoolRefId, @familyName, @givenName, @doc)',
  );
  const remove = db.prepare('DELETE FROM students WHERE ref_id = ?');

  const create = (object: GoessnerObject): GoessnerObject => {
    const doc = withRefId(object, chooseRefId(object, false, (id) => exists.get(id) !== undefined));
    if (!text(doc.localId)) doc.localId = String(nextLocalId.get());
    const schoolRefId = text(child(doc, 'enrollment', 'schoolRefId')) ?? null;
    if (schoolRefId && !schoolExists.get(schoolRefId)) throw Object.assign(new Error(`No school with refId ${schoolRefId}`), { status: 400 });
    insert.run({
      refId: doc['@refId'] as string,
      localId: requiredText(doc, 'localId'),
      schoolRefId,
      familyName: requiredText(doc, 'name', 'familyName'),
      givenName: requiredText(doc, 'name', 'givenName'),
      doc: JSON.stringify(doc),
    });
    return doc;
  };
  const createAll = db.transaction((objects: GoessnerObject[]) => objects.map(create));

  const wantsJson = (req: Request) => (req.get('accept') ?? '').includes('json');
  const send = (req: Request, res: express.Response, status: number, root: string, value: GoessnerObject) => {
    if (wantsJson(req)) res.status(status).type('application/json').send(toJson(root, value));
    else res.status(status).type('application/xml').send(toXml(root, value, NA_NAMESPACE));
  };
  const xmlBody = express.raw({ type: '*/*', limit: '10mb' });

  const app = express();
  app.get('/students/:id', (req, res) => {
    const doc = byId.get(req.params.id) as string | undefined;
    if (!doc) return void res.status(404).end();
    send(req, res, 200, 'xStudent', JSON.parse(doc));
  });
  app.get('/students', (req, res) => {
    const size = Number(req.query.size ?? 100);
    const offset = (Number(req.query.page ?? 1) - 1) * size;
    const docs = (page.all(size, offset) as string[]).map((d) => JSON.parse(d) as GoessnerObject);
    res.setHeader('navigationCount', String(count.get()));
    send(req, res, 200, 'xStudents', { xStudent: docs });
  });
  app.post('/students/one', xmlBody, (req, res) => {
    const payload = decodePayload(req.body as Buffer, 'xml');
    send(req, res, 201, 'xStudent', create(payload.value as GoessnerObject));
  });
  app.post('/students', xmlBody, (req, res) => {
    const payload = decodePayload(req.body as Buffer, 'xml');
    const items = (payload.value as GoessnerObject).xStudent;
    const objects = (Array.isArray(items) ? items : [items]) as GoessnerObject[];
    const created = createAll(objects);
    send(req, res, 200, 'createResponse', { creates: { create: created.map((doc) => ({ '@id': doc['@refId'] as string, '@statusCode': '201' })) } });
  });
  app.delete('/students/:id', (req, res) => {
    if (!exists.get(req.params.id)) return void res.status(404).end();
    remove.run(req.params.id);
    res.status(204).end();
  });
  return app;
}
