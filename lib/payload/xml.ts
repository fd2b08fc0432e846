import type { GoessnerValue } from './goessner';
import { isXmlName, quoteName } from './names';
import { MAX_OUTPUT_DEPTH, describeValue, isPlainObject, outputError, scalarText } from './output-values';

export type { ParsedXml } from './xml-parser';
export { parseXml } from './xml-parser';

/**
 * Writes a Goessner value as an XML document whose root carries `namespace` as its default namespace.
 * Key order is element order, so builders decide schema order by the order they add keys. Every
 * name is checked as it is written, so no value can produce malformed or injected XML: a name that
 * is not an XML name, or a value no payload can carry, is an `InternalServiceError` naming its path.
 * Numbers, booleans, bigints and Dates are written as their text (see `scalarText`); null and
 * undefined are left out.
 *
 * @example
 * toXml('error', { '@id': id, code: '404' }, ns); // '<?xml …?><error xmlns="…" id="…"><code>404</code></error>'
 */
export function toXml(root: string, value: GoessnerValue, namespace?: string): string {
  // One walk that checks and writes, building one string. A page repeats the same few dozen names
  // in every object: inside repeats each distinct name is checked once (`names`), not per use.
  const writer: XmlWriter = { names: undefined, path: [] };
  return `<?xml version="1.0" encoding="UTF-8"?>${element(writer, root, value ?? '', namespace)}`;
}

/**
 * The state of one `toXml` call: where it is, and the names already found to be XML names, kept
 * from the first repeat on (on a single object a set costs more than it saves).
 */
interface XmlWriter {
  names: Set<string> | undefined;
  readonly path: string[];
}

/** Throws unless `name` is an XML name; remembers the ones that are. */
function checkName(writer: XmlWriter, name: string, problem: () => string, path: readonly string[]): void {
  if (!isXmlName(name)) throw outputError(problem(), path);
  writer.names?.add(name);
}

/** The markup of `name` with `value`: nothing for null and undefined, one element per array item. */
function element(writer: XmlWriter, name: string, value: unknown, namespace: string | undefined): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    if (value.length > 1) writer.names ??= new Set();
    let out = '';
    for (const item of value) {
      if (Array.isArray(item)) throw outputError('an array inside an array has no XML form', [...writer.path, name]);
      out += element(writer, name, item, namespace);
    }
    return out;
  }
  const path = writer.path;
  path.push(name);
  if (!writer.names?.has(name)) checkName(writer, name, () => `${quoteName(name)} is not an XML element name`, path.slice(0, -1));
  let out = namespace ? `<${name} xmlns="${escapeXml(namespace)}"` : `<${name}`;
  if (typeof value === 'string' || !isPlainObject(value)) {
    const text = typeof value === 'string' ? value : scalarText(value);
    if (text === undefined) throw outputError(`${describeValue(value)} is not text a payload can carry`, path);
    path.pop();
    return text === '' ? `${out}/>` : `${out}>${escapeXml(text)}</${name}>`;
  }
  if (path.length > MAX_OUTPUT_DEPTH) throw outputError('the value nests too deeply (or contains itself)', path.slice(0, 3));
  // Attributes go in the start tag whatever their place among the keys: a first loop writes them
  // (and finds the text and whether there are children), a second writes the children.
  const keys = Object.keys(value);
  let text: string | undefined;
  let children = false;
  for (const key of keys) {
    const child = value[key];
    if (child === undefined || child === null) continue;
    const first = key.charCodeAt(0);
    if (first === 0x40 /* @ */) {
      if (key === '@xmlns' || key.startsWith('@xmlns:')) continue;
      const local = key.slice(1);
      if (!writer.names?.has(local)) checkName(writer, local, () => `${quoteName(key)} is not an XML attribute name`, path);
      out += ` ${local}="${escapeXml(textAt(child, path, key))}"`;
    } else if (first === 0x23 /* # */ && key === '#text') text = textAt(child, path, key);
    else children = true;
  }
  if (text === undefined && !children) {
    path.pop();
    return `${out}/>`;
  }
  out += '>';
  if (text !== undefined) out += escapeXml(text);
  if (children) {
    for (const key of keys) {
      const child = value[key];
      if (child === undefined || child === null) continue;
      const first = key.charCodeAt(0);
      if (first === 0x40 || (first === 0x23 && key === '#text')) continue;
      out += element(writer, key, child, undefined);
    }
  }
  path.pop();
  return `${out}</${name}>`;
}

/** The text of an attribute or of `#text`: a scalar, never an element. */
function textAt(value: unknown, path: readonly string[], key: string): string {
  if (typeof value === 'string') return value;
  const text = scalarText(value);
  if (text === undefined) throw outputError(`${key} must be text, not ${describeValue(value)}`, path);
  return text;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for element content and attribute values. */
export function escapeXml(text: string): string {
  // Most text needs nothing: one test instead of two replacements.
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]!).replace(NOT_XML_CHARS, '\uFFFD');
}

// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[&<>"'\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

// Characters XML 1.0 cannot carry at all, even escaped; replaced so output always parses.
// eslint-disable-next-line no-control-regex
const NOT_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
