import type { ServiceDefinition } from 'sif3-direct';
import type { SisDatabase } from '../sis/database';
import type { BulkImporter } from './bulk-import';
import { rostersService } from './rosters';
import { schoolsService } from './schools';
import { studentsService } from './students';

/**
 * The SIF services of the Springfield SIS, on its own database. With an importer, a DELAYED bulk
 * create of students is answered asynchronously, batch by batch (handlers/bulk-import.ts).
 */
export function sisServices(db: SisDatabase, importer?: BulkImporter): Record<string, ServiceDefinition> {
  const students = studentsService(db);
  return {
    xSchools: schoolsService(db),
    xStudents: importer ? { ...students, delayed: { createMany: importer.take } } : students,
    xRosters: rostersService(db),
  };
}
