import type { ServiceDefinition } from 'sif3-direct';
import type { SisDatabase } from '../sis/database';
import { rostersService } from './rosters';
import { schoolsService } from './schools';
import { studentsService } from './students';

/** The SIF services of the Springfield SIS, on its own database. */
export function sisServices(db: SisDatabase): Record<string, ServiceDefinition> {
  return { xSchools: schoolsService(db), xStudents: studentsService(db), xRosters: rostersService(db) };
}
