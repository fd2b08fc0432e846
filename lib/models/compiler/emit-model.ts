import type { CompiledModel, ObjectModel } from '../model';
import { MODEL_FORMAT } from '../model';
import type { TypeResolver } from './resolve';
import type { XsdSchema } from './xsd-schema';
import { xsChild, xsChildren } from './xsd-schema';

/**
 * The compiled model of a resolved schema. An object is a global element that a collection holds:
 * a global element whose type is one repeating element of that name and type (`StudentPersonals`
 * of `StudentPersonal`). Its id attribute is the one its `xs:key` names, else its `RefId`/`refId`
 * attribute, else `id` (as infrastructure objects have), else its one required attribute.
 *
 * @example
 * const model = emitModel('au-3.4.8', resolver);
 * model.objects.StudentPersonal; // { plural: 'StudentPersonals', idAttribute: 'RefId', type: 'StudentPersonalType' }
 */
export function emitModel(name: string, resolver: TypeResolver): CompiledModel {
  const schema = resolver.schema;
  const objects: Record<string, ObjectModel> = {};
  const globalTypes = new Map<string, string>();
  for (const [element, node] of schema.elements) globalTypes.set(element, resolver.elementType(node, element));
  for (const [plural] of schema.elements) {
    const content = resolver.types.get(globalTypes.get(plural)!)?.elements;
    if (!content || content.length !== 1) continue;
    const member = content[0]!;
    if (!member.repeat || member.name === plural || globalTypes.get(member.name) !== member.type) continue;
    objects[member.name] = { plural, idAttribute: idAttributeOf(schema, resolver, member.name, member.type), type: member.type };
  }
  return {
    format: MODEL_FORMAT,
    name,
    namespace: schema.targetNamespace,
    ...(schema.version ? { version: schema.version } : {}),
    objects,
    types: Object.fromEntries([...resolver.types].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    scalars: Object.fromEntries([...resolver.scalars].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
  };
}

function idAttributeOf(schema: XsdSchema, resolver: TypeResolver, element: string, type: string): string {
  const attributes = resolver.types.get(type)?.attributes ?? [];
  for (const key of xsChildren(schema.elements.get(element)!, 'key', 'unique')) {
    const xpath = xsChild(key, 'field')?.attrs.xpath ?? '';
    const attr = /^(?:\.\/)?@([\w.-]+)$/.exec(xpath)?.[1];
    if (attr && attributes.some((a) => a.name === attr)) return attr;
  }
  const required = attributes.filter((a) => a.required);
  return (
    required.find((a) => a.name === 'RefId' || a.name === 'refId')?.name ??
    attributes.find((a) => /^refid$/i.test(a.name))?.name ??
    // Infrastructure objects (environment, queue, job…) are identified by `id`.
    attributes.find((a) => a.name === 'id')?.name ??
    (required.length === 1 ? required[0]!.name : 'refId')
  );
}
