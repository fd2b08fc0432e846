import type { GoessnerObject, GoessnerValue } from './goessner';
import { isElement } from './goessner';
import { keyKind, quoteName } from './names';
import { MAX_OUTPUT_DEPTH, describeValue, isPlainObject, outputError, scalarText } from './output-values';

/** Repeatable element paths compiled into a tree: a node marked `true` is an array. */
export interface RepeatableTree {
  readonly [element: string]: { readonly repeat: boolean; readonly children: RepeatableTree };
}

type MutableTree = Record<string, { repeat: boolean; children: MutableTree }>;

/**
 * Compiles paths such as `otherIds/otherId` into a tree walked alongside objects. The tree's objects
 * have no prototype, so an element called `constructor` or `toString` is looked up like any other.
 *
 * @example
 * compileRepeatable(['otherIds/otherId']); // { otherIds: { repeat: false, children: { otherId: { repeat: true, children: {} } } } }
 */
export function compileRepeatable(paths: readonly string[]): RepeatableTree {
  const root: MutableTree = Object.create(null) as MutableTree;
  for (const path of paths) {
    let level = root;
    const parts = path.split('/').filter(Boolean);
    parts.forEach((part, i) => {
      level[part] ??= { repeat: false, children: Object.create(null) as MutableTree };
      if (i === parts.length - 1) level[part]!.repeat = true;
      level = level[part]!.children;
    });
  }
  return root;
}

const NO_CHILDREN: RepeatableTree = Object.freeze(Object.create(null) as RepeatableTree);

/** The node of `key` in `tree`, looking only at the tree's own keys. */
function nodeOf(tree: RepeatableTree, key: string): RepeatableTree[string] | undefined {
  return Object.hasOwn(tree, key) ? tree[key] : undefined;
}

/**
 * An object as handlers receive it: JSON numbers and booleans become strings (as XML gives them),
 * nulls are dropped, and repeatable elements are arrays even when one was sent. Returns a new object.
 *
 * @example
 * normalizeObject({ otherIds: { otherId: 'x' } }, compileRepeatable(['otherIds/otherId'])); // { otherIds: { otherId: ['x'] } }
 */
export function normalizeObject(value: GoessnerObject, repeatable: RepeatableTree): GoessnerObject {
  return normalizeElement(value, repeatable) as GoessnerObject;
}

function normalizeElement(value: unknown, tree: RepeatableTree): GoessnerValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    return value.map((v) => normalizeElement(v, tree)).filter((v): v is GoessnerValue => v !== undefined);
  }
  if (!isElement(value)) return undefined;
  const out: GoessnerObject = {};
  for (const [key, child] of Object.entries(value)) {
    const node = nodeOf(tree, key);
    const normalized = normalizeElement(child, node?.children ?? NO_CHILDREN);
    if (normalized === undefined) continue;
    out[key] = node?.repeat && !Array.isArray(normalized) ? [normalized] : normalized;
  }
  return out;
}

/**
 * An object as it is sent, in one walk: repeatable elements become arrays even when the handler
 * gave one object; numbers, booleans, bigints and Dates become their text; null and undefined are
 * left out; and every key is checked to be an element name, `@` and an attribute name, or `#text`.
 * Anything else (a bad name, a function, NaN, a class instance, an array inside an array) is an
 * `InternalServiceError` naming its path from `root`. Copies only what changes: an object that is
 * already clean Goessner comes back as it is.
 *
 * @example
 * shapeForOutput({ localId: 42, otherIds: { otherId: 'a' } }, compileRepeatable(['otherIds/otherId']), 'xStudent');
 * // { localId: '42', otherIds: { otherId: ['a'] } }
 */
export function shapeForOutput(value: GoessnerObject, tree: RepeatableTree, root?: string): GoessnerObject {
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
