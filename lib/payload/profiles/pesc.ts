import type { GoessnerObject, GoessnerValue } from '../goessner';
import { isElement } from '../goessner';
import { MAX_OUTPUT_DEPTH, describeValue, isPlainObject, outputError, scalarText } from '../output-values';
import type { PescShape } from './shape';

// PESC JSON (the SIF 3.3 `+pesc` notation, as the A4L framework writes and reads it; see
// ../shared/samples/pesc/README.md) beside Goessner: attributes are plain keys written after the
// child elements, text beside attributes is `value`, every repeating element is an array, numeric
// fields are JSON numbers, no namespaces, xsi:nil elements left out. Keys are the XML names: the
// framework's writer turns some into Java bean names (`SIF_Metadata` → `Sifmetadata`), which its
// own reader then drops; the XML names are what every PESC reader reads back.

const NUMERIC = /^-?(?:0|[1-9][0-9]{0,14})$/;

/**
 * Writes a Goessner value as a PESC JSON document `{"root": …}`, guided by `shape` (repeats,
 * numbers). Values that no document can carry are an `InternalServiceError` naming their path.
 *
 * @example
 * toPesc('error', { '@id': 'e1', code: '404', message: 'Not found' }, infrastructureShape('error'));
 * // '{"error":{"code":404,"message":"Not found","id":"e1"}}'
 */
export function toPesc(root: string, value: GoessnerValue, shape: PescShape): string {
  return JSON.stringify({ [root]: writeElement(value, shape, [root]) ?? {} });
}

function writeElement(value: unknown, shape: PescShape, path: string[]): unknown {
  if (typeof value === 'string') return value;
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const item of value) {
      if (Array.isArray(item)) throw outputError('an array inside an array has no XML form', path);
      const written = writeElement(item, shape, path);
      if (written !== undefined) items.push(written);
    }
    return items;
  }
  if (!isPlainObject(value)) {
    const text = scalarText(value);
    if (text === undefined) throw outputError(`${describeValue(value)} is not text a payload can carry`, path);
    return text;
  }
  return writeObject(value, shape, path);
}

/**
 * An element object: its text as `value`, then its children, then its attributes (PESC's order).
 * Where PESC's names collide (an attribute and a child of one name, text beside a child or an
 * attribute called `value`), the text or attribute keeps its Goessner key (`#text`, `@name`), which
 * `fromPesc` reads back: an object someone stored stays readable, and unchanged, in PESC.
 */
function writeObject(value: GoessnerObject, shape: PescShape, path: string[]): Record<string, unknown> | undefined {
  if (path.length > MAX_OUTPUT_DEPTH) throw outputError('the value nests too deeply (or contains itself)', path.slice(0, 3));
  // An xsi:nil element has no PESC form: the framework leaves it out.
  if (scalarText(value['@xsi:nil']) === 'true') return undefined;
  const out: Record<string, unknown> = {};
  const text = value['#text'];
  const textKey = Object.hasOwn(value, 'value') ? '#text' : 'value';
  if (text !== undefined && text !== null) out[textKey] = scalarOf(text, false, [...path, '#text']);
  for (const key of Object.keys(value)) {
    if (key.startsWith('@') || key === '#text') continue;
    path.push(key);
    let child = writeElement(value[key], shape.child(key), path);
    path.pop();
    if (child === undefined) continue;
    if (shape.isNumber(key)) child = Array.isArray(child) ? child.map(numberOf) : numberOf(child);
    out[key] = shape.repeats(key) && !Array.isArray(child) ? [child] : child;
  }
  for (const key of Object.keys(value)) {
    if (!key.startsWith('@') || key.startsWith('@xmlns') || key.startsWith('@xsi:')) continue;
    const name = key.slice(1);
    if (value[key] === undefined || value[key] === null) continue;
    out[Object.hasOwn(out, name) ? key : name] = scalarOf(value[key], shape.isNumber(name), [...path, key]);
  }
  return out;
}

function scalarOf(value: unknown, numeric: boolean, path: string[]): string | number {
  const text = scalarText(value);
  if (text === undefined) throw outputError(`${describeValue(value)} must be text`, path);
  return numeric && NUMERIC.test(text) ? Number(text) : text;
}

/** A numeric field's text as a JSON number; anything that is not a plain integer stays text. */
function numberOf(value: unknown): unknown {
  return typeof value === 'string' && NUMERIC.test(value) ? Number(value) : value;
}

/**
 * Turns a PESC document, as the JSON parser gave it (keys as sent, numbers and booleans already
 * text, nulls left out), into Goessner notation: keys the `shape` names as attributes become `@`
 * keys, `value` becomes `#text`, `xmlns` is dropped, and the Java framework's bean names of names
 * the shape knows get their XML names back. Goessner's own `@name` and `#text` keys are read too.
 * One item sent for a repeating element is left as it is: readers of objects take both.
 *
 * @example
 * fromPesc({ code: '404', id: 'e1' }, infrastructureShape('error')); // { '@id': 'e1', code: '404' }
 */
export function fromPesc(value: GoessnerObject, shape: PescShape): GoessnerObject {
  const read = readElement(value, shape);
  return isElement(read) ? read : { '#text': read as string };
}

function readElement(value: GoessnerValue, shape: PescShape): GoessnerValue {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item) => readElement(item, shape));
  const out: GoessnerObject = {};
  for (const sent of Object.keys(value)) {
    const child = value[sent]!;
    if (sent === 'xmlns') continue;
    const key = shape.xmlName(sent);
    // `value` is the text, unless the text came as `#text` (then `value` is a child of that name).
    if ((key === '#text' || (key === 'value' && !Object.hasOwn(value, '#text'))) && typeof child === 'string') out['#text'] = child;
    else if (key.startsWith('@')) out[key] = child;
    else if (typeof child === 'string' && shape.isAttribute(key)) out[`@${key}`] = child;
    else out[key] = readElement(child, shape.child(key));
  }
  const keys = Object.keys(out);
  // `{"value":"x"}` is an element with text only: Goessner writes that as the text.
  return keys.length === 1 && keys[0] === '#text' ? out['#text']! : out;
}
