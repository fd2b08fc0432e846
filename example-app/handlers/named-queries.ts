import type { XQueryTemplateDefinition } from 'sif3-direct';
import { queryDocuments } from '../query/documents';
import type { SisConnection } from '../sis/connection';
import { STUDENTS_SHAPE } from './students';

/**
 * The named queries (XQuery templates, Base Architecture §5.6.2) of the Springfield SIS, answered
 * in SQL like the services: no XQuery engine runs, the script is there for consumers to read.
 * `GET /sif3/requests/StudentsByGrade?schoolRefId=…&gradeLevel=09` pages through the students of
 * one school in one grade.
 */
export function sisNamedQueries(sis: SisConnection): Record<string, XQueryTemplateDefinition> {
  return {
    StudentsByGrade: {
      service: 'xStudents',
      description: 'The students of one school in one grade level',
      script: [
        'declare namespace dm = "http://www.sifassociation.org/datamodel/na/3.6";',
        '/dm:xStudent[(dm:enrollment/dm:schoolRefId="{:schoolRefId:}" and dm:enrollment/dm:gradeLevel="{:gradeLevel:}")]',
      ].join('\n'),
      parameters: [
        { name: 'schoolRefId', type: 'xs:token', description: 'The refId of the school' },
        { name: 'gradeLevel', type: 'xs:token', description: 'The grade level, e.g. KG, 01, 09' },
      ],
      handler: (_ctx, { schoolRefId, gradeLevel }, page) =>
        sis.read((sql) =>
          queryDocuments(sql, STUDENTS_SHAPE, { where: { sql: 't.school_ref_id = ?', params: [schoolRefId!] } }, {
            ...page,
            where: { kind: 'condition', path: ['enrollment', 'gradeLevel'], operator: '=', value: gradeLevel!, valueType: 'string' },
          }),
        ),
    },
  };
}
