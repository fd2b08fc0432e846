import type { ServiceDefinition } from 'sif3-direct';
import type { SisConnection } from '../sis/connection';
import type { BulkImporter } from './bulk-import';
import { rostersService } from './rosters';
import { schoolsService } from './schools';
import { studentsService } from './students';
import { XPRESS } from './xpress';

/**
 * The SIF services of the Springfield SIS, on its own database (SQLite or PostgreSQL). With an importer, a DELAYED bulk
 * create of students is answered asynchronously, batch by batch (handlers/bulk-import.ts).
 */
export function sisServices(sis: SisConnection, importer?: BulkImporter): Record<string, ServiceDefinition> {
  const students = studentsService(sis);
  return {
    xSchools: schoolsService(sis),
    xStudents: importer ? { ...students, delayed: { createMany: importer.take } } : students,
    xRosters: rostersService(sis),
    // Provided by the staff directory, a process of its own that pulls its requests (remote-provider/).
    xStaffs: XPRESS.service('xStaff', { validate: true, supports: { where: true, order: true, queryByExample: true }, remote: { provider: 'StaffDirectory' } }),
  };
}
