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
  const parts: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  writeElement(parts, root, value ?? '', namespace, []);
  return parts.join('');
}

function writeElement(parts: string[], name: string, value: unknown, namespace: string | undefined, path: string[]): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (Array.isArray(item)) throw outputError('an array inside an array has no XML form', [...path, name]);
      writeElement(parts, name, item, namespace, path);
    }
    return;
  }
  path.push(name);
  if (!isXmlName(name)) throw outputError(`${quoteName(name)} is not an XML element name`, path.slice(0, -1));
  parts.push('<', name);
  if (namespace) parts.push(' xmlns="', escapeXml(namespace), '"');
  if (!isPlainObject(value)) {
    const text = scalarText(value);
    if (text === undefined) throw outputError(`${describeValue(value)} is not text a payload can carry`, path);
    parts.push(text === '' ? '/>' : `>${escapeXml(text)}</${name}>`);
    path.pop();
    return;
  }
  if (path.length > MAX_OUTPUT_DEPTH) throw outputError('the value nests too deeply (or contains itself)', path.slice(0, 3));
  const children: [string, unknown][] = [];
  let text: string | undefined;
  for (const key of Object.keys(value)) {
    const child = value[key];
    if (child === undefined || child === null) continue;
    const first = key.charCodeAt(0);
    if (first === 0x40 /* @ */) {
      if (key === '@xmlns' || key.startsWith('@xmlns:')) continue;
      const local = key.slice(1);
      if (!isXmlName(local)) throw outputError(`${quoteName(key)} is not an XML attribute name`, path);
      parts.push(' ', local, '="', escapeXml(textAt(child, path, key)), '"');
    } else if (first === 0x23 /* # */ && key === '#text') text = textAt(child, path, key);
    else children.push([key, child]);
  }
  if (text === undefined && children.length === 0) {
    parts.push('/>');
    path.pop();
    return;
  }
  parts.push('>');
  if (text !== undefined) parts.push(escapeXml(text));
  for (const [key, child] of children) writeElement(parts, key, child, undefined, path);
  parts.push('</', name, '>');
  path.pop();
}

/** The text of an attribute or of `#text`: a scalar, never an element. */
function textAt(value: unknown, path: readonly string[], key: string): string {
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
