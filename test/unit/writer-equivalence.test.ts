import fc from 'fast-check';
import type { GoessnerObject, GoessnerValue } from '../../lib/payload/goessner';
import { toJson } from '../../lib/payload/json';
import { keyKind, isXmlName, quoteName } from '../../lib/payload/names';
import type { RepeatableTree } from '../../lib/payload/objects';
import { compileRepeatable, shapeForOutput } from '../../lib/payload/objects';
import { MAX_OUTPUT_DEPTH, describeValue, isPlainObject, outputError, scalarText } from '../../lib/payload/output-values';
import { escapeXml, toXml } from '../../lib/payload/xml';

// The writers of issue #11 (one walk that checks and writes, names checked once per document, a
// JSON.stringify fast path) against the writers they replaced, kept below as the oracle: on random
// Goessner trees, with the scalars, nulls, bad names and bad values handlers may return, the new
// ones write the same bytes, or refuse with the same message.

describe('the writers agree with the ones they replaced', () => {
  const options = { numRuns: 3000 };

  test('toXml: same bytes, or the same error', () => {
    let written = 0;
    fc.assert(fc.property(rootName, tree, fc.constantFrom(undefined, 'urn:ns', 'a"&<b'), (root, value, ns) => {
      const now = outcome(() => toXml(root, value as GoessnerValue, ns));
      expect(now).toEqual(outcome(() => oldToXml(root, value as GoessnerValue, ns)));
      if (now.error === undefined) written++;
    }), options);
    // Most trees are written rather than refused, so the bytes are what is compared.
    expect(written).toBeGreaterThan(options.numRuns / 3);
  });

  test('toJson: same bytes, or the same error', () => {
    fc.assert(fc.property(rootName, tree, (root, value) => {
      expect(outcome(() => toJson(root, value))).toEqual(outcome(() => oldToJson(root, value)));
    }), options);
  });

  test('toJson of values already shaped for output (the fast path): same bytes', () => {
    fc.assert(fc.property(objectTree, (value) => {
      const shaped = outcome(() => shapeForOutput(value as GoessnerObject, REPEATABLE, 'x'));
      if (shaped.error !== undefined) return;
      expect(toJson('x', shaped.value)).toBe(oldToJson('x', shaped.value));
    }), options);
  });

  test('shapeForOutput: the same object, or the same error; unchanged objects come back as they are', () => {
    fc.assert(fc.property(objectTree, (value) => {
      const now = outcome(() => shapeForOutput(value as GoessnerObject, REPEATABLE, 'x'));
      const before = outcome(() => oldShapeForOutput(value as GoessnerObject, REPEATABLE, 'x'));
      expect(now).toEqual(before);
      if (now.error === undefined) expect(now.value === value).toBe(before.value === value);
    }), options);
  });

  test('deep and self-containing values are refused the same way', () => {
    const deep: Record<string, unknown> = {};
    let at = deep;
    for (let i = 0; i < MAX_OUTPUT_DEPTH + 5; i++) at = (at.a = {}) as Record<string, unknown>;
    const cyclic: Record<string, unknown> = { b: '1' };
    cyclic.self = cyclic;
    for (const value of [deep, cyclic, { r: [cyclic] }]) {
      expect(outcome(() => toXml('x', value as never))).toEqual(outcome(() => oldToXml('x', value as never)));
      expect(outcome(() => toJson('x', value))).toEqual(outcome(() => oldToJson('x', value)));
      expect(outcome(() => toJson('x', value)).error).toBeDefined();
    }
  });

  test('inherited enumerable keys and a toJSON function never reach the fast path', () => {
    const inherited = Object.create({ inherited: 'x' }) as Record<string, unknown>;
    inherited.own = 'y';
    for (const value of [{ a: inherited }, { toJSON: () => 'z' }, { a: { toJSON: 'text' } }]) {
      expect(outcome(() => toJson('x', value))).toEqual(outcome(() => oldToJson('x', value)));
    }
  });
});

const REPEATABLE = compileRepeatable(['r', 'b/c', 'otherIds/otherId']);

function outcome<T>(write: () => T): { value?: T; error?: string } {
  try {
    return { value: write() };
  } catch (err) {
    return { error: `${(err as Error).constructor.name}: ${(err as Error).message}` };
  }
}

// Mostly proper names (so that most trees are written, not refused), some that must be refused.
const elementName = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom('a', 'b', 'c', 'r', 'otherIds', 'otherId', 'x-y', 'e.f', '_g', 'é', 'toJSON', 'constructor') },
  { weight: 1, arbitrary: fc.constantFrom('a b', 'a/><b', '1a', '', '__proto__', 'p:q', '#comment', '#text2') },
);
const attributeKey = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom('@id', '@type', '@refId', '@xmlns', '@xmlns:p', '#text') },
  { weight: 1, arbitrary: fc.constantFrom('@', '@a b', '@x="1"', '@__proto__', '@p:q') },
);
const rootName = fc.oneof({ weight: 20, arbitrary: fc.constantFrom('x', 'xStudent', 'é') }, { weight: 1, arbitrary: fc.constantFrom('a b', '') });
const text = fc.oneof(
  { weight: 10, arbitrary: fc.string({ maxLength: 6 }) },
  { weight: 3, arbitrary: fc.string({ unit: fc.constantFrom('&', '<', '>', '"', "'", '\\', '\u0000', '\u001F', '\uD800', '\uDC00', '😀', '\u2028', '\uFFFE', 'a'), maxLength: 6 }) },
);
const scalar = fc.oneof(
  { weight: 20, arbitrary: text },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.bigInt()) },
  { weight: 1, arbitrary: fc.oneof(fc.date({ noInvalidDate: false }), fc.constantFrom(null, undefined)) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(Number.NaN, Infinity, () => 1, Symbol('s'), new Map(), Buffer.from('b')) },
);
const { tree, objectTree } = fc.letrec<{ tree: unknown; objectTree: Record<string, unknown>; item: unknown }>((tie) => ({
  tree: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('objectTree'), fc.array(tie('item'), { maxLength: 3 })),
  item: fc.oneof({ depthSize: 'small' }, { weight: 6, arbitrary: tie('tree') }, { weight: 1, arbitrary: fc.array(scalar, { maxLength: 2 }) }),
  objectTree: fc
    .array(fc.oneof(fc.tuple(elementName, tie('tree')), fc.tuple(attributeKey, scalar), fc.tuple(attributeKey, tie('tree'))), { maxLength: 5 })
    .map((entries) => Object.fromEntries(entries) as Record<string, unknown>),
}));

// ——— The writers before issue #11, as they were (the oracle). ———

function oldToXml(root: string, value: GoessnerValue, namespace?: string): string {
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


function oldToJson(root: string, value: unknown): string {
  if (keyKind(root) !== 'element') throw outputError(`${quoteName(root)} is not an XML element name`, []);
  // Names are XML names, which never need JSON escaping: they are quoted as they are.
  return `{"${root}":${valueJson(value ?? '', [root])}}`;
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

function oldShapeForOutput(value: GoessnerObject, tree: RepeatableTree, root?: string): GoessnerObject {
  const path = root === undefined ? [] : [root];
  if (!isPlainObject(value)) throw outputError(`${describeValue(value)} is not an object`, path);
  return shapeObject(value, tree, path);
}

function shapeObject(value: GoessnerObject, tree: RepeatableTree, path: string[]): GoessnerObject {
  if (path.length > MAX_OUTPUT_DEPTH) throw outputError('the value nests too deeply (or contains itself)', path.slice(0, 3));
  const keys = Object.keys(value);
  let out: GoessnerObject | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const child: unknown = value[key];
    let shaped: GoessnerValue | undefined;
    const kind = keyKind(key);
    if (kind === 'element') {
      const node = nodeOf(tree, key);
      path.push(key);
      shaped = shapeElement(child, node?.children ?? NO_CHILDREN, path);
      path.pop();
      if (node?.repeat && shaped !== undefined && !Array.isArray(shaped)) shaped = [shaped];
    } else if (child !== undefined && child !== null) {
      // Namespace declarations are skipped by the writers; anything else must be a proper name.
      if (kind === 'invalid' && !key.startsWith('@xmlns:')) {
        throw outputError(`${quoteName(key)} is not an XML ${key.startsWith('@') ? 'attribute' : 'element'} name`, path);
      }
      shaped = scalarText(child);
      if (shaped === undefined) throw outputError(`${key} must be text, not ${describeValue(child)}`, path);
    }
    if (shaped !== child && out === undefined) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]!] = value[keys[j]!]!;
    }
    if (out !== undefined && shaped !== undefined) out[key] = shaped;
  }
  return out ?? value;
}

function shapeElement(value: unknown, tree: RepeatableTree, path: string[]): GoessnerValue | undefined {
  if (typeof value === 'string' || value === undefined || value === null) return value ?? undefined;
  if (Array.isArray(value)) {
    let out: GoessnerValue[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (Array.isArray(item)) throw outputError('an array inside an array has no XML form', path);
      const shaped = shapeElement(item, tree, path);
      if (shaped !== item && out === undefined) out = value.slice(0, i) as GoessnerValue[];
      if (out !== undefined && shaped !== undefined) out.push(shaped);
    }
    return out ?? (value as GoessnerValue[]);
  }
  if (isPlainObject(value)) return shapeObject(value, tree, path);
  const text = scalarText(value);
  if (text === undefined) throw outputError(`${describeValue(value)} is not text a payload can carry`, path);
  return text;
}

const NO_CHILDREN: RepeatableTree = Object.freeze(Object.create(null) as RepeatableTree);

function nodeOf(tree: RepeatableTree, key: string): RepeatableTree[string] | undefined {
  return Object.hasOwn(tree, key) ? tree[key] : undefined;
}
