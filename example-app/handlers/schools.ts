import type { GoessnerObject, ServiceDefinition } from 'sif3-direct';
import { ConflictError } from 'sif3-direct';
import type { SisDatabase } from '../sis/database';
import { NA_NAMESPACE, requiredText } from './common';
import { documentTableHandlers } from './document-table';

const REPEATABLE = ['otherIds/otherId', 'gradeLevels/gradeLevel', 'otherPhoneNumbers/phoneNumber'];

/** xSchools on the SIS's `schools` table. A school with students or rosters cannot be deleted (409). */
export function schoolsService(db: SisDatabase): ServiceDefinition {
  const inUse = db
    .prepare('SELECT EXISTS (SELECT 1 FROM students WHERE school_ref_id = @id) OR EXISTS (SELECT 1 FROM rosters WHERE school_ref_id = @id)')
    .pluck();
  return {
    objectName: 'xSchool',
    namespace: NA_NAMESPACE,
    repeatable: REPEATABLE,
    supports: { where: true, order: true, queryByExample: true },
    handlers: documentTableHandlers(db, {
      table: 'schools',
      arrays: REPEATABLE,
      insert: 'INSERT INTO schools (ref_id, local_id, name, doc) VALUES (@refId, @localId, @name, @doc)',
      update: 'UPDATE schools SET local_id = @localId, name = @name, doc = @doc WHERE ref_id = @refId',
      columns: (doc: GoessnerObject) => ({
        refId: doc['@refId'] as string,
        localId: requiredText(doc, 'localId'),
        name: requiredText(doc, 'schoolName'),
        doc: JSON.stringify(doc),
      }),
      beforeDelete(refId) {
        if (inUse.get({ id: refId })) throw new ConflictError('The school still has students or rosters');
      },
    }),
  };
}
