// `sif3-direct/models/au-3.4.8`: the SIF AU 3.4.8 data model, compiled from the official XSD by
// `sif3-direct model compile` (model.json, types.ts and types/ beside this file; regenerate, never edit).
import { dataModel } from '../data-model';

export type * from './types';
export { NAMESPACE } from './types';

/**
 * The AU 3.4.8 model, loaded on first call and then shared by the caller.
 *
 * @example
 * import { au348 } from 'sif3-direct/models/au-3.4.8';
 * const au = au348();
 * const services = { StudentPersonals: au.service('StudentPersonal', { handlers }) };
 */
export function au348() {
  return dataModel('au-3.4.8');
}
