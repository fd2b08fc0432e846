/**
 * Objects in Goessner notation: the one in-memory shape of every SIF payload, whatever its wire
 * format. Attributes are keys starting with `@`, text beside attributes is `#text`, a repeated
 * element is an array, and an element with only text is a plain string.
 *
 * @example
 * const right: GoessnerObject = { '@type': 'QUERY', '#text': 'APPROVED' };
 */
export type GoessnerValue = string | GoessnerObject | GoessnerValue[];

/** An element with attributes and/or children. */
export interface GoessnerObject {
  [key: string]: GoessnerValue;
}

/** True when `value` is an element object (not text, not a repetition). */
export function isElement(value: unknown): value is GoessnerObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The text content of a simple element, whether it arrived as a string, a JSON number or boolean,
 * or an object with `#text`. Undefined for absent or structured values.
 */
export function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (isElement(value)) {
    const text = value['#text'];
    if (typeof text === 'string' || typeof text === 'number' || typeof text === 'boolean') return String(text);
    if (Object.keys(value).every((k) => k.startsWith('@'))) return '';
  }
  return undefined;
}

/** A repeated element as an array, whether JSON sent it as one object or as an array. */
export function asArray(value: GoessnerValue | undefined): GoessnerValue[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
