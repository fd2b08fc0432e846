import type { GoessnerObject, GoessnerValue } from './goessner';
import { isElement } from './goessner';

/** Repeatable element paths compiled into a tree: a node marked `true` is an array. */
export interface RepeatableTree {
  readonly [element: string]: { readonly repeat: boolean; readonly children: RepeatableTree };
}

/**
 * Compiles paths such as `otherIds/otherId` into a tree walked alongside objects.
 *
 * @example
 * compileRepeatable(['otherIds/otherId']); // { otherIds: { repeat: false, children: { otherId: { repeat: true, children: {} } } } }
 */
export function compileRepeatable(paths: readonly string[]): RepeatableTree {
  const root: Record<string, { repeat: boolean; children: Record<string, unknown> }> = {};
  for (const path of paths) {
    let level = root;
    const parts = path.split('/').filter(Boolean);
    parts.forEach((part, i) => {
      level[part] ??= { repeat: false, children: {} };
      if (i === parts.length - 1) level[part]!.repeat = true;
      level = level[part]!.children as typeof root;
    });
  }
  return root as RepeatableTree;
}

/**
 * An object as handlers receive it: JSON numbers and booleans become strings (as XML gives them),
 * nulls are dropped, and repeatable elements are arrays even when one was sent. Returns a new object.
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
    const node = tree[key];
    const normalized = normalizeElement(child, node?.children ?? {});
    if (normalized === undefined) continue;
    out[key] = node?.repeat && !Array.isArray(normalized) ? [normalized] : normalized;
  }
  return out;
}

/**
 * An object as written to JSON: repeatable elements become arrays even when the handler gave one
 * object. Copies only along repeatable paths; everything else is shared with the input.
 */
export function shapeForOutput(value: GoessnerObject, tree: RepeatableTree): GoessnerObject {
  const keys = Object.keys(tree);
  if (keys.length === 0) return value;
  let out: GoessnerObject | undefined;
  for (const key of keys) {
    const child = value[key];
    if (child === undefined) continue;
    const node = tree[key]!;
    let shaped: GoessnerValue = child;
    if (Array.isArray(child)) shaped = child.map((c) => (isElement(c) ? shapeForOutput(c, node.children) : c));
    else if (isElement(child)) shaped = shapeForOutput(child, node.children);
    if (node.repeat && !Array.isArray(shaped)) shaped = [shaped];
    if (shaped !== child) {
      out ??= { ...value };
      out[key] = shaped;
    }
  }
  return out ?? value;
}
