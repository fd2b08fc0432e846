import type { CompiledModel } from 'sif3-direct';
import { dataModel, repeatablePaths } from 'sif3-direct';
import model from '../xpress/model.json';

// The SIF NA xPress objects the Springfield SIS serves (xStudent, xSchool, xRoster, xStaff), as a
// small hand-made data model (xpress/model.json): no NA XSD is at hand. Each object has every
// element of its xPress sequence, in the NA 3.x xPress order; the types the SIS fills are spelled
// out (names, ids, phones, emails, demographics, enrollment, references), the rest
// (academicSummary, otherEnrollments, staff assignments, meeting times) are open.

/**
 * The model, loaded once: services declared from it get their names, namespace, refId, repeating
 * elements, xPress order and (with `validate: true`) their checks from it.
 *
 * @example
 * const service = XPRESS.service('xSchool', { handlers, validate: true });
 */
export const XPRESS = dataModel(model as CompiledModel);

/** The xPress objects of the model. */
export type XpressObject = 'xStudent' | 'xSchool' | 'xRoster' | 'xStaff';

/**
 * The repeating elements of an object (`otherIds/otherId`, …), read from the model: the SQL
 * layer's list paths, so that the SIS keeps no second copy of them.
 *
 * @example
 * documentShape('schools', xpressArrays('xSchool'));
 */
export function xpressArrays(objectName: XpressObject): string[] {
  return repeatablePaths(XPRESS.object(objectName).tree);
}
