import type { GoessnerObject, ServiceDefinition } from 'sif3-direct';
import { BadRequestError } from 'sif3-direct';
import { documentShape, queryDocuments } from '../query/documents';
import type { SisConnection } from '../sis/connection';
import { STUDENT_GENERATED_COLUMNS } from '../sis/database';
import { step } from '../sis/work';
import { child, requiredText, text } from './common';
import { documentTableHandlers } from './document-table';
import { XPRESS, xpressArrays } from './xpress';

/** The student elements that are lists in the stored documents: the model's repeating elements. */
const REPEATABLE = xpressArrays('xStudent');

/**
 * The student elements that where and order reach through an index: the generated columns of
 * sis/database.ts (and sis/postgres/schema.ts), and `school_ref_id`, which `columns()` below fills
 * with exactly the text of `enrollment/schoolRefId` (`text()`, NULL when missing), the value the
 * JSON path gives.
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
export function studentsService(sis: SisConnection): ServiceDefinition {
  return XPRESS.service('xStudent', {
    validate: true,
    supports: { where: true, order: true, queryByExample: true },
    paths: {
      // Service paths (Base Architecture §5.5): one school's students, one roster's students.
      'xSchools/{}/xStudents': (_ctx, [schoolRefId], query) =>
        sis.read((sql) => queryDocuments(sql, STUDENTS_SHAPE, { where: { sql: 't.school_ref_id = ?', params: [schoolRefId] } }, query)),
      'xRosters/{}/xStudents': (_ctx, [rosterRefId], query) =>
        sis.read((sql) =>
          queryDocuments(sql, STUDENTS_SHAPE, { join: 'JOIN roster_students rs ON rs.student_ref_id = t.ref_id', where: { sql: 'rs.roster_ref_id = ?', params: [rosterRefId] } }, query),
        ),
    },
    handlers: documentTableHandlers(sis, {
      table: 'students',
      arrays: REPEATABLE,
      indexed: INDEXED,
      rowIndex: 'students_by_seq',
      *columns(sql, doc: GoessnerObject) {
        const schoolRefId = text(child(doc, 'enrollment', 'schoolRefId')) ?? null;
        if (schoolRefId && (yield* step(sql.value('SELECT 1 FROM schools WHERE ref_id = ?', [schoolRefId]))) === undefined) {
          throw new BadRequestError(`No school with refId ${schoolRefId}`);
        }
        return {
          ref_id: doc['@refId'] as string,
          local_id: requiredText(doc, 'localId'),
          school_ref_id: schoolRefId,
          family_name: requiredText(doc, 'name', 'familyName'),
          given_name: requiredText(doc, 'name', 'givenName'),
          doc: JSON.stringify(doc),
        };
      },
      *complete(sql, doc) {
        // New local ids come from a counter row (locked until commit), unique across instances.
        if (!text(doc.localId)) doc.localId = String(yield* step(sql.value<number>("UPDATE counters SET n = n + 1 WHERE name = 'student_local_id' RETURNING n")));
      },
    }),
  });
}
