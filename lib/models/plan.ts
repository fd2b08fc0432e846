import type { RepeatableNode, RepeatableTree } from '../payload/objects';
import { compileRepeatable } from '../payload/objects';
import type { CompiledModel } from './model';

type MutableTree = Record<string, RepeatableNode>;

/**
 * The element tree of a model's complex type, for the payload path: every element with its rank in
 * schema order, whether it repeats, and (for the others) that it never does. Types are shared, so
 * a recursive type gives a tree that refers to itself; walks follow the object, never the tree, so
 * they end. `cache` holds the trees already built for this model (one per type).
 *
 * @example
 * const tree = typeTree(model, 'StudentPersonalType', new Map());
 * tree.PersonInfo.children.OtherNames.children.Name.repeat; // true
 */
export function typeTree(model: CompiledModel, typeName: string, cache: Map<string, RepeatableTree>): RepeatableTree {
  const cached = cache.get(typeName);
  if (cached) return cached;
  const tree: MutableTree = Object.create(null) as MutableTree;
  cache.set(typeName, tree);
  const elements = model.types[typeName]?.elements ?? [];
  elements.forEach((e, rank) => {
    const children = model.types[e.type] ? typeTree(model, e.type, cache) : EMPTY;
    tree[e.name] = Object.freeze({ repeat: e.repeat === true, single: e.repeat !== true, rank, children });
  });
  return Object.freeze(tree);
}

const EMPTY: RepeatableTree = Object.freeze(Object.create(null) as RepeatableTree);

/**
 * A model's tree with more repeatable paths declared by the service (`repeatable`), copying only
 * the nodes along those paths so the model's shared trees stay untouched.
 *
 * @example
 * withRepeatable(tree, ['LocalExtension/Item']);
 */
export function withRepeatable(tree: RepeatableTree, paths: readonly string[]): RepeatableTree {
  if (paths.length === 0) return tree;
  return merge(tree, compileRepeatable(paths));
}

function merge(base: RepeatableTree, extra: RepeatableTree): RepeatableTree {
  const out: MutableTree = Object.assign(Object.create(null) as MutableTree, base);
  for (const key of Object.keys(extra)) {
    const add = extra[key]!;
    const had = Object.hasOwn(base, key) ? base[key] : undefined;
    out[key] = Object.freeze({
      ...had,
      repeat: (had?.repeat ?? false) || add.repeat,
      single: add.repeat ? false : had?.single,
      children: merge(had?.children ?? EMPTY, add.children),
    });
  }
  return Object.freeze(out);
}

/**
 * The paths of every repeating element of a tree (`otherIds/otherId`), in schema order: for code
 * that stores objects and must know where the lists are (an SQL layer, a client's `repeatable`),
 * so that it reads them from the model rather than keeping a second copy. Where a type contains
 * itself, the walk stops: the paths below that point repeat those already listed, endlessly.
 *
 * @example
 * repeatablePaths(dataModel(model).object('xSchool').tree); // ['otherIds/otherId', 'gradeLevels/gradeLevel', …]
 */
export function repeatablePaths(tree: RepeatableTree): string[] {
  const paths: string[] = [];
  const along = new Set<RepeatableTree>();
  const walk = (node: RepeatableTree, prefix: string): void => {
    if (along.has(node)) return;
    along.add(node);
    for (const key of Object.keys(node)) {
      const path = prefix === '' ? key : `${prefix}/${key}`;
      if (node[key]!.repeat) paths.push(path);
      walk(node[key]!.children, path);
    }
    along.delete(node);
  };
  walk(tree, '');
  return paths;
}
