import type { GoessnerObject, ServiceDefinition } from 'sif3-direct';
import { BadRequestError } from 'sif3-direct';
import type { SisDatabase } from '../sis/database';
import { NA_NAMESPACE, applyPartial, withRefId, child, chooseRefId, requiredText, text } from './common';

/**
 * xStudents on the SIS's `students` table: paging and counts in SQL, the object kept as Goessner
 * JSON beside the columns the SIS searches on.
 */
export function studentsService(db: SisDatabase): ServiceDefinition {
  const sql = {
    page: db.prepare('SELECT doc FROM students ORDER BY seq LIMIT ? OFFSET ?').pluck(),
    count: db.prepare('SELECT count(*) FROM students').pluck(),
    byRefId: db.prepare('SELECT doc FROM students WHERE ref_id = ?').pluck(),
    exists: db.prepare('SELECT 1 FROM students WHERE ref_id = ?').pluck(),
    schoolExists: db.prepare('SELECT 1 FROM schools WHERE ref_id = ?').pluck(),
    nextLocalId: db.prepare("SELECT coalesce(max(CAST(local_id AS INTEGER)), 100000) + 1 FROM students WHERE local_id GLOB '[0-9]*'").pluck(),
    insert: db.prepare(
      'INSERT INTO students (ref_id, local_id, school_ref_id, family_name, given_name, doc) VALUES (@refId, @localId, @schoolRefId, @familyName, @givenName, @doc)',
    ),
    update: db.prepare(
      'UPDATE students SET local_id = @localId, school_ref_id = @schoolRefId, family_name = @familyName, given_name = @givenName, doc = @doc WHERE ref_id = @refId',
    ),
    delete: db.prepare('DELETE FROM students WHERE ref_id = ?'),
  };

  // The searchable columns of a student; checks what the SIS needs to stay consistent.
  function columns(doc: GoessnerObject) {
    const schoolRefId = text(child(doc, 'enrollment', 'schoolRefId')) ?? null;
    if (schoolRefId && !sql.schoolExists.get(schoolRefId)) throw new BadRequestError(`No school with refId ${schoolRefId}`);
    return {
      refId: doc['@refId'] as string,
      localId: requiredText(doc, 'localId'),
      schoolRefId,
      familyName: requiredText(doc, 'name', 'familyName'),
      givenName: requiredText(doc, 'name', 'givenName'),
      doc: JSON.stringify(doc),
    };
  }

  return {
    objectName: 'xStudent',
    namespace: NA_NAMESPACE,
    repeatable: [
      'otherIds/otherId', 'otherNames/name', 'otherPhoneNumbers/phoneNumber', 'otherEmails/email',
      'demographics/races/race', 'studentContacts/contactPersonRefId', 'languages/language',
    ],
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
        if (!text(doc.localId)) doc.localId = String(sql.nextLocalId.get());
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
        // Roster memberships go with the student (ON DELETE CASCADE).
        return sql.delete.run(refId).changes > 0;
      },
    },
  };
}
