import type { GoessnerObject, ServiceDefinition } from 'sif3-direct';
import { ConflictError } from 'sif3-direct';
import type { SisDatabase } from '../sis/database';
import { NA_NAMESPACE, applyPartial, withRefId, chooseRefId, requiredText } from './common';

/** xSchools on the SIS's `schools` table. A school with students or rosters cannot be deleted (409). */
export function schoolsService(db: SisDatabase): ServiceDefinition {
  const sql = {
    page: db.prepare('SELECT doc FROM schools ORDER BY rowid LIMIT ? OFFSET ?').pluck(),
    count: db.prepare('SELECT count(*) FROM schools').pluck(),
    byRefId: db.prepare('SELECT doc FROM schools WHERE ref_id = ?').pluck(),
    exists: db.prepare('SELECT 1 FROM schools WHERE ref_id = ?').pluck(),
    inUse: db.prepare(
      'SELECT EXISTS (SELECT 1 FROM students WHERE school_ref_id = @id) OR EXISTS (SELECT 1 FROM rosters WHERE school_ref_id = @id)',
    ).pluck(),
    insert: db.prepare('INSERT INTO schools (ref_id, local_id, name, doc) VALUES (@refId, @localId, @name, @doc)'),
    update: db.prepare('UPDATE schools SET local_id = @localId, name = @name, doc = @doc WHERE ref_id = @refId'),
    delete: db.prepare('DELETE FROM schools WHERE ref_id = ?'),
  };

  const columns = (doc: GoessnerObject) => ({
    refId: doc['@refId'] as string,
    localId: requiredText(doc, 'localId'),
    name: requiredText(doc, 'schoolName'),
    doc: JSON.stringify(doc),
  });

  return {
    objectName: 'xSchool',
    namespace: NA_NAMESPACE,
    repeatable: ['otherIds/otherId', 'gradeLevels/gradeLevel', 'otherPhoneNumbers/phoneNumber'],
    handlers: {
      async query(_ctx, page) {
        const docs = sql.page.all(page.pageSize, page.offset) as string[];
        return { objects: docs.map((d) => JSON.parse(d)), totalCount: sql.count.get() as number };
      },
      async read(_ctx, refId) {
        const doc = sql.byRefId.get(refId) as string | undefined;
        return doc ? JSON.parse(doc) : null;
      },
      async create(_ctx, object, { mustUseAdvisory }) {
        const refId = chooseRefId(object, mustUseAdvisory, (id) => sql.exists.get(id) !== undefined);
        const doc: GoessnerObject = withRefId(object, refId);
        sql.insert.run(columns(doc));
        return doc;
      },
      async update(_ctx, refId, partial) {
        const stored = sql.byRefId.get(refId) as string | undefined;
        if (!stored) return false;
        sql.update.run(columns(applyPartial(JSON.parse(stored), partial)));
        return true;
      },
      async delete(_ctx, refId) {
        if (!sql.exists.get(refId)) return false;
        if (sql.inUse.get({ id: refId })) throw new ConflictError('The school still has students or rosters');
        return sql.delete.run(refId).changes > 0;
      },
    },
  };
}
