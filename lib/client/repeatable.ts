import { isElement } from '../payload/goessner';
import type { GoessnerValue } from '../payload/goessner';
import type { SifObject } from './types';

/**
 * Makes every element at the given paths an array, as the provider does with a service's
 * `repeatable` list: XML and JSON from Java peers carry a single repeat as an object, and code that
 * reads `student.otherIds.otherId[0]` should not have to care. Paths are element names joined by
 * `/`, relative to the object. The object is changed in place and returned.
 *
 * @example
 * normaliseRepeatable({ otherIds: { otherId: { id: '9' } } }, ['otherIds/otherId']);
 * // { otherIds: { otherId: [{ id: '9' }] } }
 */
export function normaliseRepeatable(object: SifObject, paths: readonly string[]): SifObject {
  for (const path of paths) arrayAt(object, path.split('/').filter((s) => s !== ''));
  return object;
}

function arrayAt(value: GoessnerValue | undefined, steps: readonly string[]): void {
  if (value === undefined || steps.length === 0) return;
  if (Array.isArray(value)) {
    for (const item of value) arrayAt(item, steps);
    return;
  }
  if (!isElement(value)) return;
  const [step, ...rest] = steps as [string, ...string[]];
  if (!Object.hasOwn(value, step)) return;
  const child = value[step]!;
  if (rest.length === 0) {
    if (!Array.isArray(child)) value[step] = [child];
    return;
  }
  arrayAt(child, rest);
}
