import type { GoessnerObject, ServiceDefinition } from 'sif3-direct';
import { BadRequestError } from 'sif3-direct';
import type { SisDatabase } from '../sis/database';
import { STUDENT_GENERATED_COLUMNS } from '../sis/database';
import { NA_NAMESPACE, child, requiredText, text } from './common';
import { documentShape, documentTableHandlers, queryDocuments } from './document-table';

const REPEATABLE = [
  'otherIds/otherId', 'otherNames/name', 'otherPhoneNumbers/phoneNumber', 'otherEmails/email',
  'demographics/races/race', 'studentContacts/contactPersonRefId', 'languages/language',
];

/**
 * The student elements that where and order reach through an index: the generated columns of
 * sis/database.ts, and `school_ref_id`, which `columns()` below fills with exactly the text of
 * `enrollment/schoolRefId` (`text()`, NULL when missing), the value the JSON path gives.
 */
const INDEXED: Readonly<Record<string, string>> = {
  ...Object.fromEntries(STUDENT_GENERATED_COLUMNS.map(({ path, column }) => [path.join('/'), column])),
  'enrollment/schoolRefId': 'school_ref_id',
};

/** How queries see the students table: for the handlers, the service paths and the tests. */
export const STUDENTS_SHAPE = documentShape('students', REPEATABLE, INDEXED, 'students_by_seq');

/**
 * xStudents on the SIS's `students` table: paging and counts in SQL, the object kept as Goessner
 * JSON beside the columns the SIS searches on. Roster memberships go with a deleted student.
 */
export function studentsService(db: SisDatabase): ServiceDefinition {
  const schoolExists = db.prepare('SELECT 1 FROM schools WHERE ref_id = ?').pluck();
  // New local ids follow the row sequence: max(seq) is a lookup, not a scan of the table.
  const nextLocalId = db.prepare('SELECT 100001 + coalesce(max(seq), 0) FROM students').pluck();
  return {
    objectName: 'xStudent',
    namespace: NA_NAMESPACE,
    repeatable: REPEATABLE,
    supports: { where: true, order: true, queryByExample: true },
    paths: {
      // Service paths (Base Architecture §5.5): one school's students, one roster's students.
      'xSchools/{}/xStudents': async (_ctx, [schoolRefId], query) =>
        queryDocuments(db, STUDENTS_SHAPE, { where: { sql: 't.school_ref_id = ?', params: [schoolRefId] } }, query),
      'xRosters/{}/xStudents': async (_ctx, [rosterRefId], query) =>
        queryDocuments(db, STUDENTS_SHAPE, { join: 'JOIN roster_students rs ON rs.student_ref_id = t.ref_id', where: { sql: 'rs.roster_ref_id = ?', params: [rosterRefId] } }, query),
    },
    handlers: documentTableHandlers(db, {
      table: 'students',
      arrays: REPEATABLE,
      indexed: INDEXED,
      rowIndex: 'students_by_seq',
      insert:
        'INSERT INTO students (ref_id, local_id, school_ref_id, family_name, given_name, doc) VALUES (@refId, @localId, @schoolRefId, @familyName, @givenName, @doc)',
      update:
        'UPDATE students SET local_id = @localId, school_ref_id = @schoolRefId, family_name = @familyName, given_name = @givenName, doc = @doc WHERE ref_id = @refId',
      columns(doc: GoessnerObject) {
        const schoolRefId = text(child(doc, 'enrollment', 'schoolRefId')) ?? null;
        if (schoolRefId && !schoolExists.get(schoolRefId)) throw new BadRequestError(`No school with refId ${schoolRefId}`);
        return {
          refId: doc['@refId'] as string,
          localId: requiredText(doc, 'localId'),
          schoolRefId,
          familyName: requiredText(doc, 'name', 'familyName'),
          givenName: requiredText(doc, 'name', 'givenName'),
          doc: JSON.stringify(doc),
        };
      },
      complete(doc) {
        if (!text(doc.localId)) doc.localId = String(nextLocalId.get());
      },
    }),
  };
}
