import { BadRequestError } from '../errors';
import type { GoessnerObject, GoessnerValue } from './goessner';
import { asArray, isElement, textOf } from './goessner';
import { keyKind, quoteName } from './names';
import { MAX_OUTPUT_DEPTH, describeValue, isPlainObject, outputError, scalarText } from './output-values';

/**
 * Repeatable element paths compiled into a tree: a node marked `repeat` is an array. A tree made
 * from a data model (see `lib/models/plan.ts`) also knows each element's `rank` among its siblings
 * (output follows it) and marks elements that never repeat `single` (one-item arrays are unwrapped,
 * longer ones refused on input).
 */
export interface RepeatableTree {
  readonly [element: string]: RepeatableNode;
}

/** One element of a `RepeatableTree`. */
export interface RepeatableNode {
  readonly repeat: boolean;
  readonly children: RepeatableTree;
  /** Its position in the schema's element order, when a model gives one. */
  readonly rank?: number;
  /** The model says it never repeats. */
  readonly single?: boolean;
}

/**
 * The items of a collection payload (`<xStudents><xStudent/>…`). Anything else inside it (objects of
 * another type, a misspelt name, stray text) is a 400: left out silently, it would be lost unnoticed.
 *
 * @example
 * collectionItems({ xStudent: [{}, {}] }, 'xStudents', 'xStudent'); // [{}, {}]
 * collectionItems({ xStudent: [{}], xSchool: [{}] }, 'xStudents', 'xStudent'); // throws BadRequestError
 */
export function collectionItems(value: GoessnerObject, collection: string, objectName: string): GoessnerValue[] {
  for (const key of Object.keys(value)) {
    if (key === objectName || key.startsWith('@') || (key === '#text' && textOf(value[key])?.trim() === '')) continue;
    throw new BadRequestError(`A ${collection} collection holds ${objectName} objects only, not ${JSON.stringify(key.slice(0, 60))}`);
  }
  return asArray(value[objectName]);
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
export function normalizeObject(value: GoessnerObject, repeatable: RepeatableTree, root?: string): GoessnerObject {
  return normalizeElement(value, repeatable, root === undefined ? [] : [root]) as GoessnerObject;
}

function normalizeElement(value: unknown, tree: RepeatableTree, path: string[]): GoessnerValue | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    return value.map((v) => normalizeElement(v, tree, path)).filter((v): v is GoessnerValue => v !== undefined);
  }
  if (!isElement(value)) return undefined;
  const out: GoessnerObject = {};
  for (const [key, child] of Object.entries(value)) {
    const node = nodeOf(tree, key);
    path.push(key);
    let normalized = normalizeElement(child, node?.children ?? NO_CHILDREN, path);
    if (node?.single && Array.isArray(normalized)) {
      // The model says it occurs once: one sent as a one-item array is that item; several are an error.
      if (normalized.length > 1) throw new BadRequestError(`${path.join('/')} occurs ${normalized.length} times; it does not repeat`);
      normalized = normalized[0];
    }
    path.pop();
    if (normalized === undefined) continue;
    out[key] = node?.repeat && !Array.isArray(normalized) ? [normalized] : normalized;
  }
  return out;
}

/**
 * An object as it is sent, in one walk: repeatable elements become arrays even when the handler
 * gave one object (and, with a model's tree, elements that never repeat lose a one-item array, and
 * elements follow the schema's order whatever order the handler's object has); numbers, booleans, bigints and Dates become their text; null and undefined are
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
  // Schema order: the rank of the last element seen; a lower one after it means the keys need sorting.
  let lastRank = -1;
  let unordered = false;
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
      else if (node?.single && Array.isArray(shaped) && shaped.length === 1) shaped = shaped[0];
      if (node?.rank !== undefined) {
        if (node.rank < lastRank) unordered = true;
        lastRank = node.rank;
      } else lastRank = Infinity; // elements the model does not name go last
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
  const result = out ?? value;
  return unordered ? inSchemaOrder(result, tree) : result;
}

/** The object with its elements in the tree's rank order (attributes and text first, unranked elements last, each group stable). */
function inSchemaOrder(value: GoessnerObject, tree: RepeatableTree): GoessnerObject {
  const rankOf = (key: string): number => (keyKind(key) === 'element' ? nodeOf(tree, key)?.rank ?? Infinity : -1);
  const keys = Object.keys(value).map((key, index) => ({ key, index, rank: rankOf(key) }));
  keys.sort((a, b) => a.rank - b.rank || a.index - b.index);
  const out: GoessnerObject = {};
  for (const { key } of keys) out[key] = value[key]!;
  return out;
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
