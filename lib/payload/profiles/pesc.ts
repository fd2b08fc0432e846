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

// A number JSON carries without losing a digit: at most 15 significant digits (a double holds them
// all). Other text in a numeric field (`+5`, `007`, `1e3`, a longer number) stays text.
const NUMERIC = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?$/;
const BOOLEAN: Readonly<Record<string, boolean>> = { true: true, false: false, 1: true, 0: false };

/** How a numeric or boolean field's text is written: the JSON type when the text is one. */
type ScalarKind = 'number' | 'boolean' | undefined;

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
  if (text !== undefined && text !== null) out[textKey] = scalarOf(text, [...path, '#text']);
  for (const key of Object.keys(value)) {
    if (key.startsWith('@') || key === '#text') continue;
    path.push(key);
    let child = writeElement(value[key], shape.child(key), path);
    path.pop();
    if (child === undefined) continue;
    const kind = kindOf(shape, key);
    if (kind) child = Array.isArray(child) ? child.map((c) => typed(c, kind)) : typed(child, kind);
    const content = shape.content(key);
    if (content) child = Array.isArray(child) ? child.map((c) => asElement(c, content)) : asElement(child, content);
    out[key] = shape.repeats(key) && !Array.isArray(child) ? [child] : child;
  }
  for (const key of Object.keys(value)) {
    if (!key.startsWith('@') || key.startsWith('@xmlns') || key.startsWith('@xsi:')) continue;
    const name = key.slice(1);
    if (value[key] === undefined || value[key] === null) continue;
    out[Object.hasOwn(out, name) ? key : name] = typed(scalarOf(value[key], [...path, key]), kindOf(shape, name));
  }
  return out;
}

function scalarOf(value: unknown, path: string[]): string {
  const text = scalarText(value);
  if (text === undefined) throw outputError(`${describeValue(value)} must be text`, path);
  return text;
}

/**
 * The framework's form of an element whose type the shape knows: text of an element that can carry
 * attributes is always `{"value":…}`, and an empty element of complex content is `{}`.
 */
function asElement(value: unknown, content: 'text' | 'elements'): unknown {
  if (typeof value !== 'string') return value;
  if (content === 'text') return { value };
  return value === '' ? {} : value;
}

function kindOf(shape: PescShape, name: string): ScalarKind {
  return shape.isNumber(name) ? 'number' : shape.isBoolean(name) ? 'boolean' : undefined;
}

/** A numeric or boolean field's text as its JSON type; anything that is not one of its values stays text. */
function typed(value: unknown, kind: ScalarKind): unknown {
  if (typeof value !== 'string' || kind === undefined) return value;
  const text = value.trim();
  if (kind === 'boolean') return Object.hasOwn(BOOLEAN, text) ? BOOLEAN[text] : value;
  return NUMERIC.test(text) && text.replace(/^-|\.|^0+/g, '').length <= 15 ? Number(text) : value;
}

/** An empty element, which PESC writes as `{}`, as the XML and Goessner readers give it: empty text. */
function emptyAsText(value: GoessnerValue): GoessnerValue {
  return isElement(value) && Object.keys(value).length === 0 ? '' : value;
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
  // Attributes first, as the XML and Goessner readers give them (PESC writes them last).
  const attributes: GoessnerObject = {};
  const rest: GoessnerObject = {};
  for (const sent of Object.keys(value)) {
    const child = value[sent]!;
    if (sent === 'xmlns') continue;
    const key = shape.xmlName(sent);
    // `value` is the text, unless the text came as `#text` (then `value` is a child of that name).
    if ((key === '#text' || (key === 'value' && !Object.hasOwn(value, '#text'))) && typeof child === 'string') rest['#text'] = child;
    else if (key === '#text' && Array.isArray(child) && child.every((c) => typeof c === 'string')) rest['#text'] = child.join('');
    else if (key.startsWith('@')) attributes[key] = child;
    else if (typeof child === 'string' && shape.isAttribute(key)) attributes[`@${key}`] = child;
    else rest[key] = emptyAsText(readElement(child, shape.child(key)));
  }
  const out: GoessnerObject = Object.assign(attributes, rest);
  const keys = Object.keys(out);
  // `{"value":"x"}` is an element with text only: Goessner writes that as the text.
  return keys.length === 1 && keys[0] === '#text' ? out['#text']! : out;
}
