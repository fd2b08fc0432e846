import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { XsdNode } from './xsd-tree';
import { readXsdTree } from './xsd-tree';

/** The XML Schema namespace. */
export const XS = 'http://www.w3.org/2001/XMLSchema';

/** The global definitions of a schema and everything it includes, by local name. */
export interface XsdSchema {
  readonly targetNamespace: string;
  readonly version: string | undefined;
  readonly complexTypes: ReadonlyMap<string, XsdNode>;
  readonly simpleTypes: ReadonlyMap<string, XsdNode>;
  /** Global elements, in document order. */
  readonly elements: ReadonlyMap<string, XsdNode>;
  readonly groups: ReadonlyMap<string, XsdNode>;
  readonly attributeGroups: ReadonlyMap<string, XsdNode>;
  readonly attributes: ReadonlyMap<string, XsdNode>;
}

/**
 * Reads a schema file and every file it reaches through `xs:include`, `xs:redefine` and `xs:import`
 * (relative `schemaLocation`s; each file once). Definitions are keyed by local name: SIF data
 * models live in one target namespace, and a name defined twice is an error rather than a guess.
 *
 * @example
 * const schema = readSchema('/work/shared/schemas/datamodel/SIF_AU_3.4.8_SIF_Message.xsd');
 * schema.elements.has('StudentPersonal'); // true
 */
export function readSchema(entry: string): XsdSchema {
  const seen = new Set<string>();
  const maps = {
    complexType: new Map<string, XsdNode>(),
    simpleType: new Map<string, XsdNode>(),
    element: new Map<string, XsdNode>(),
    group: new Map<string, XsdNode>(),
    attributeGroup: new Map<string, XsdNode>(),
    attribute: new Map<string, XsdNode>(),
  };
  let targetNamespace: string | undefined;
  let version: string | undefined;
  const visit = (file: string): void => {
    const path = resolve(file);
    if (seen.has(path)) return;
    seen.add(path);
    const root = readXsdTree(readFileSync(path, 'utf8'), path);
    if (root.name !== 'schema' || root.ns !== XS) throw new Error(`${path}: not an XML Schema (root <${root.name}>)`);
    targetNamespace ??= root.attrs.targetNamespace;
    version ??= root.attrs.version;
    for (const node of root.children) {
      if (node.ns !== XS) continue;
      if (node.name === 'include' || node.name === 'import' || node.name === 'redefine') {
        if (node.attrs.schemaLocation && !/^[a-z]+:\/\//i.test(node.attrs.schemaLocation)) visit(resolve(dirname(path), node.attrs.schemaLocation));
        if (node.name === 'redefine') collect(node, maps, path, true);
      }
    }
    collect(root, maps, path, false);
  };
  visit(entry);
  if (!targetNamespace) throw new Error(`${entry}: the schema has no targetNamespace`);
  return {
    targetNamespace,
    version,
    complexTypes: maps.complexType,
    simpleTypes: maps.simpleType,
    elements: maps.element,
    groups: maps.group,
    attributeGroups: maps.attributeGroup,
    attributes: maps.attribute,
  };
}

function collect(parent: XsdNode, maps: Record<string, Map<string, XsdNode>>, path: string, redefine: boolean): void {
  for (const node of parent.children) {
    const map = node.ns === XS ? maps[node.name] : undefined;
    const name = node.attrs.name;
    if (!map || !name) continue;
    // A redefinition replaces the original; anything else defined twice is a broken schema.
    if (map.has(name) && !redefine) throw new Error(`${path}: ${node.name} ${name} is defined twice`);
    map.set(name, node);
  }
}

/**
 * A QName attribute value (`xs:string`, `StudentPersonalType`) split into namespace and local name,
 * using the declarations in scope where it appears.
 *
 * @example
 * qname(node, 'xs:string'); // { ns: 'http://www.w3.org/2001/XMLSchema', local: 'string' }
 */
export function qname(node: XsdNode, value: string): { ns: string | undefined; local: string } {
  const colon = value.indexOf(':');
  return colon < 0 ? { ns: node.scope.get(''), local: value } : { ns: node.scope.get(value.slice(0, colon)), local: value.slice(colon + 1) };
}

/**
 * The XS children of a node with the given local names, in document order.
 *
 * @example
 * xsChildren(sequence, 'element', 'choice'); // the particles of a sequence
 */
export function xsChildren(node: XsdNode, ...names: string[]): XsdNode[] {
  return node.children.filter((c) => c.ns === XS && names.includes(c.name));
}

/**
 * The first XS child with the given local name.
 *
 * @example
 * xsChild(complexType, 'simpleContent');
 */
export function xsChild(node: XsdNode, name: string): XsdNode | undefined {
  return node.children.find((c) => c.ns === XS && c.name === name);
}
