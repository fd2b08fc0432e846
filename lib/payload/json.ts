import type { GoessnerObject } from './goessner';
import { keyKind, quoteName } from './names';
import { MAX_OUTPUT_DEPTH, describeValue, isPlainObject, outputError, scalarText } from './output-values';

export type { ParsedJson } from './json-parser';
export { parseJson } from './json-parser';

/**
 * Writes a Goessner value as `{"root": value}`. Namespaces are not part of Goessner JSON. The same
 * bytes as `JSON.stringify` for Goessner values, with the XML writer's rules: every key is checked
 * (an element name, `@` and an attribute name, or `#text`), numbers, booleans, bigints and Dates are
 * written as their text (strings, so XML and JSON agree), null and undefined are left out, and
 * anything else is an `InternalServiceError` naming its path.
 *
 * @example
 * toJson('alert', { '@id': '1', level: 3 }); // '{"alert":{"@id":"1","level":"3"}}'
 */
export function toJson(root: string, value: unknown): string {
  if (keyKind(root) !== 'element') throw outputError(`${quoteName(root)} is not an XML element name`, []);
  const body = value ?? '';
  // Most values (every object shaped by `shapeForOutput`) are already plain Goessner: strings,
  // arrays and plain objects under proper names. One walk proves it, and JSON.stringify, native,
  // writes the same bytes as the walk below. Anything else takes the walk, which converts scalars,
  // leaves out null and undefined, and names what it refuses.
  // Names are XML names, which never need JSON escaping: they are quoted as they are.
  if (isPlainGoessner(body, 1, undefined)) return `{"${root}":${JSON.stringify(body)}}`;
  return `{"${root}":${valueJson(body, [root])}}`;
}

/**
 * True when JSON.stringify writes `value` exactly as `valueJson` would: only strings, arrays without
 * null, undefined or nested arrays, and plain objects whose keys are element names, attributes
 * (other than `@xmlns:…`) with string values, or `#text` with a string; no deeper than the writers
 * allow. Inside repeats, which use the same few names in every item, `names` remembers the keys
 * already found proper (a set costs more than it saves on a single object).
 */
function isPlainGoessner(value: unknown, depth: number, names: Set<string> | undefined): boolean {
  if (typeof value === 'string') return true;
  if (Array.isArray(value)) {
    const known = value.length > 1 ? (names ?? new Set<string>()) : names;
    for (const item of value) {
      if (item === undefined || item === null || Array.isArray(item) || !isPlainGoessner(item, depth, known)) return false;
    }
    return true;
  }
  if (!isPlainObject(value) || depth > MAX_OUTPUT_DEPTH) return false;
  for (const key in value) {
    // for…in also walks inherited enumerable keys, which JSON.stringify leaves out: not plain then.
    if (!Object.hasOwn(value, key)) return false;
    const child: unknown = value[key];
    if (names?.has(key)) {
      if (typeof child === 'string') continue;
      if (key.charCodeAt(0) === 0x40 /* @ */ || key === '#text') return false;
      if (!isPlainGoessner(child, depth + 1, names)) return false;
      continue;
    }
    const kind = keyKind(key);
    if (kind === 'element') {
      if (typeof child !== 'string' && !isPlainGoessner(child, depth + 1, names)) return false;
    } else if (kind === 'invalid' || typeof child !== 'string' || key.startsWith('@xmlns:')) return false;
    names?.add(key);
  }
  return true;
}

/** The JSON of the element at the end of `path`: text, an object, or its repeats. */
function valueJson(value: unknown, path: string[]): string {
  if (typeof value === 'string') return quote(value);
  if (Array.isArray(value)) return arrayJson(value, path);
  if (isPlainObject(value)) return objectJson(value, path);
  const text = scalarText(value);
  if (text === undefined) throw outputError(`${describeValue(value)} is not text a payload can carry`, path);
  return quote(text);
}

// What JSON.stringify escapes: quotes, backslashes, control characters and lone surrogates (paired
// ones are let through, so the test is only a hint; JSON.stringify decides).
// eslint-disable-next-line no-control-regex
const MAY_NEED_ESCAPE = /["\\\u0000-\u001F\uD800-\uDFFF]/;

/** A string as JSON.stringify writes it; most text needs no escaping and skips the call. */
function quote(text: string): string {
  return MAY_NEED_ESCAPE.test(text) ? JSON.stringify(text) : `"${text}"`;
}

function arrayJson(items: readonly unknown[], path: string[]): string {
  let out = '[';
  for (const item of items) {
    if (item === undefined || item === null) continue;
    if (Array.isArray(item)) throw outputError('an array inside an array has no XML form', path);
    out += out.length === 1 ? valueJson(item, path) : `,${valueJson(item, path)}`;
  }
  return `${out}]`;
}

function objectJson(object: GoessnerObject, path: string[]): string {
  if (path.length > MAX_OUTPUT_DEPTH) throw outputError('the value nests too deeply (or contains itself)', path.slice(0, 3));
  let out = '{';
  for (const key of Object.keys(object)) {
    const child: unknown = object[key];
    // Namespace declarations are not part of Goessner JSON (the XML writer skips them too).
    if (child === undefined || child === null || key.startsWith('@xmlns:')) continue;
    const kind = keyKind(key);
    let json: string;
    if (kind === 'element') {
      path.push(key);
      json = valueJson(child, path);
      path.pop();
    } else if (kind === 'invalid') {
      throw outputError(`${quoteName(key)} is not an XML ${key.startsWith('@') ? 'attribute' : 'element'} name`, path);
    } else {
      const text = scalarText(child);
      if (text === undefined) throw outputError(`${key} must be text, not ${describeValue(child)}`, path);
      json = quote(text);
    }
    out += out.length === 1 ? `"${key}":${json}` : `,"${key}":${json}`;
  }
  return `${out}}`;
}
