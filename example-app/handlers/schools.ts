import type { GoessnerObject, ServiceDefinition } from 'sif3-direct';
import { ConflictError } from 'sif3-direct';
import type { SisConnection } from '../sis/connection';
import { step } from '../sis/work';
import { requiredText } from './common';
import { documentTableHandlers } from './document-table';
import { XPRESS, xpressArrays } from './xpress';

/** xSchools on the SIS's `schools` table. A school with students or rosters cannot be deleted (409). */
export function schoolsService(sis: SisConnection): ServiceDefinition {
  return XPRESS.service('xSchool', {
    validate: true,
    supports: { where: true, order: true, queryByExample: true },
    handlers: documentTableHandlers(sis, {
      table: 'schools',
      arrays: xpressArrays('xSchool'),
      *columns(_sql, doc: GoessnerObject) {
        return {
          ref_id: doc['@refId'] as string,
          local_id: requiredText(doc, 'localId'),
          name: requiredText(doc, 'schoolName'),
          doc: JSON.stringify(doc),
        };
      },
      *beforeDelete(sql, refId) {
        const inUse = yield* step(
          sql.value('SELECT 1 WHERE EXISTS (SELECT 1 FROM students WHERE school_ref_id = ?) OR EXISTS (SELECT 1 FROM rosters WHERE school_ref_id = ?)', [refId, refId]),
        );
        if (inUse !== undefined) throw new ConflictError('The school still has students or rosters');
      },
    }),
  });
}
