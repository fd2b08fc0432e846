import type { GoessnerObject } from '../payload/goessner';
import type { RepeatableTree } from '../payload/objects';
import type { CheckMode, Problems } from './check';
import type { CompiledModel } from './model';

/**
 * One object of a data model, bound for a service: what the registry and the payload path need
 * from the model, prepared once (`dataModel(...).object(name)` makes it).
 *
 * @example
 * const binding = dataModel('au-3.4.8').object('StudentPersonal');
 * binding.pluralName; // 'StudentPersonals'
 */
export interface ModelBinding {
  /** The model's name, e.g. `au-3.4.8`. */
  readonly modelName: string;
  readonly objectName: string;
  readonly pluralName: string;
  readonly namespace: string;
  readonly idAttribute: string;
  /** The model the object is of, and the object's complex type in it (for PESC JSON's scalar types). */
  readonly compiled: CompiledModel;
  readonly type: string;
  /** Every element with its rank in schema order and whether it repeats. */
  readonly tree: RepeatableTree;
  /** The problems of an object (`full`: a whole object, as created; `partial`: an update). */
  check(object: GoessnerObject, mode: CheckMode): Problems;
}
