import { Parser } from 'xml2js';
import { BadRequestError } from '../errors';
import type { GoessnerObject, GoessnerValue } from './goessner';
import { isElement } from './goessner';

/** A parsed XML document: its root element's local name and namespace, and its content. */
export interface ParsedXml {
  root: string;
  namespace: string | undefined;
  value: GoessnerObject;
}

// A DOCTYPE can only stand in the prolog. SIF payloads never need one, and refusing it outright
// means no entity declaration (internal or external) is ever read.
const DOCTYPE_IN_PROLOG = /^\s*(?:<\?xml[\s\S]*?\?>\s*)?(?:<!--[\s\S]*?-->\s*)*<!DOCTYPE/i;

/**
 * Parses XML into Goessner notation. Rejects DOCTYPEs, so no entity is ever expanded and no external
 * resource is ever fetched; any malformed input becomes a 400.
 *
 * @example
 * parseXml('<environment xmlns="http://www.sifassociation.org/infrastructure/3.2.1"/>');
 * // { root: 'environment', namespace: 'http://…/3.2.1', value: {} }
 */
export function parseXml(text: string): ParsedXml {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (DOCTYPE_IN_PROLOG.test(source)) {
    throw new BadRequestError('XML payloads must not contain a DOCTYPE declaration');
  }
  let rootTag: string | undefined;
  const parser = new Parser({
    explicitArray: false,
    explicitRoot: true,
    mergeAttrs: true,
    charkey: '#text',
    emptyTag: '',
    strict: true,
    async: false,
    attrNameProcessors: [(name: string) => `@${name}`],
    tagNameProcessors: [
      (name: string) => {
        rootTag ??= name;
        return localName(name);
      },
    ],
  });
  let result: Record<string, unknown> | undefined;
  let failure: unknown;
  parser.parseString(source, (err: unknown, parsed: Record<string, unknown>) => {
    failure = err;
    result = parsed;
  });
  if (failure || !result || typeof result !== 'object') {
    throw new BadRequestError('The XML payload is not well-formed', {
      description: failure instanceof Error ? firstLine(failure.message) : undefined,
    });
  }
  const [root] = Object.keys(result);
  if (root === undefined || rootTag === undefined) throw new BadRequestError('The XML payload has no root element');
  const raw = result[root];
  const value: GoessnerObject = isElement(raw) ? (raw as GoessnerObject) : raw === '' ? {} : { '#text': String(raw) };
  const prefix = rootTag.includes(':') ? rootTag.slice(0, rootTag.indexOf(':')) : undefined;
  const nsValue = value[prefix ? `@xmlns:${prefix}` : '@xmlns'];
  stripNamespaceDeclarations(value);
  return { root, namespace: typeof nsValue === 'string' ? nsValue : undefined, value };
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.slice(0, 200);
}

// Iterative: the depth check runs after this, so it must not recurse on hostile nesting.
function stripNamespaceDeclarations(root: GoessnerValue): void {
  const stack: GoessnerValue[] = [root];
  while (stack.length > 0) {
    const value = stack.pop()!;
    if (Array.isArray(value)) for (const item of value) stack.push(item);
    else if (isElement(value)) {
      for (const key of Object.keys(value)) {
        if (key === '@xmlns' || key.startsWith('@xmlns:') || key.startsWith('@xsi:')) delete value[key];
        else if (!key.startsWith('@')) stack.push(value[key]!);
      }
    }
  }
}

/**
 * Writes a Goessner value as an XML document whose root carries `namespace` as its default namespace.
 * Key order is element order, so builders decide schema order by the order they add keys.
 *
 * @example
 * toXml('error', { '@id': id, code: '404' }, ns); // '<?xml …?><error xmlns="…" id="…"><code>404</code></error>'
 */
export function toXml(root: string, value: GoessnerValue, namespace?: string): string {
  const parts: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
  writeElement(parts, root, value, namespace);
  return parts.join('');
}

function writeElement(parts: string[], name: string, value: GoessnerValue, namespace?: string): void {
  if (Array.isArray(value)) {
    for (const item of value) writeElement(parts, name, item, namespace);
    return;
  }
  parts.push('<', name);
  if (namespace) parts.push(' xmlns="', escapeXml(namespace), '"');
  if (typeof value === 'string') {
    parts.push(value === '' ? '/>' : `>${escapeXml(value)}</${name}>`);
    return;
  }
  const children: [string, GoessnerValue][] = [];
  let text: string | undefined;
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined || child === null) continue;
    if (key === '#text') text = String(child);
    else if (key.startsWith('@')) {
      if (key === '@xmlns' || key.startsWith('@xmlns:')) continue;
      parts.push(' ', key.slice(1), '="', escapeXml(String(child)), '"');
    } else children.push([key, child]);
  }
  if (text === undefined && children.length === 0) {
    parts.push('/>');
    return;
  }
  parts.push('>');
  if (text !== undefined) parts.push(escapeXml(text));
  for (const [key, child] of children) writeElement(parts, key, child);
  parts.push('</', name, '>');
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
