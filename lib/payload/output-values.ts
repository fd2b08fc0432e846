import { InternalServiceError } from '../errors';
import type { GoessnerObject } from './goessner';

/**
 * What the writers accept from handlers beyond Goessner strings, in one place so that XML and JSON
 * write the same text: numbers, booleans and bigints as their text, Dates as ISO-8601; null and
 * undefined are left out. Anything else (functions, symbols, NaN, class instances) is a handler bug
 * reported as an `InternalServiceError` naming where it was.
 */

/**
 * The text a scalar is written as, or undefined when `value` is not a scalar a payload can carry
 * (objects, arrays, null, NaN, functions…).
 *
 * @example
 * scalarText(42); // '42'
 * scalarText(new Date(0)); // '1970-01-01T00:00:00.000Z'
 * scalarText(Number.NaN); // undefined
 */
export function scalarText(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return value;
    case 'number':
      return Number.isFinite(value) ? String(value) : undefined;
    case 'boolean':
    case 'bigint':
      return String(value);
    case 'object':
      return isDate(value) && !Number.isNaN(Date.prototype.getTime.call(value)) ? Date.prototype.toISOString.call(value) : undefined;
    default:
      return undefined;
  }
}

/**
 * True for an object the writers treat as an element: a plain object (or one without prototype),
 * not a Date, Map, Buffer or other class instance.
 *
 * @example
 * isPlainObject({ a: '1' }); // true
 * isPlainObject(new Map()); // false
 */
export function isPlainObject(value: unknown): value is GoessnerObject {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  // Any realm's Object.prototype (structuredClone and vm contexts make objects from another one):
  // a prototype whose own prototype is null.
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** A Date from any realm. */
function isDate(value: unknown): value is Date {
  return value instanceof Date || Object.prototype.toString.call(value) === '[object Date]';
}

/** How deeply an output value may nest; deeper is taken for a cycle (and no SIF object nests so). */
export const MAX_OUTPUT_DEPTH = 1000;

/**
 * The 500 for a value the writers cannot carry, naming where it is.
 *
 * @example
 * throw outputError('NaN is not text a payload can carry', ['xStudent', 'localId']);
 * // 500 "Cannot send xStudent/localId: NaN is not text a payload can carry"
 */
export function outputError(problem: string, path: readonly string[]): InternalServiceError {
  return new InternalServiceError(`Cannot send ${path.length > 0 ? path.join('/') : 'the payload'}: ${problem}`);
}

/**
 * Describes a value that is not what its place needs, for `outputError`.
 *
 * @example
 * describeValue(() => 1); // 'a function'
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return 'a symbol';
  if (Array.isArray(value)) return 'an array';
  if (isDate(value)) return 'an invalid Date';
  if (isPlainObject(value)) return 'an object';
  if (typeof value === 'object' && value !== null) return `an instance of ${value.constructor?.name ?? 'a class'}`;
  return typeof value;
}
