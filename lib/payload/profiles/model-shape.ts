import type { CompiledModel, ComplexTypeModel } from '../../models/model';

/** The JSON type PESC writes a scalar as: a number, a boolean, or (undefined) a string. */
export type PescScalar = 'number' | 'boolean' | undefined;

// XSD's integer family and decimal: what the A4L framework maps to Java numbers and writes as JSON
// numbers; xs:boolean becomes a Java Boolean, written as a JSON boolean (samples/pesc/README.md, 7).
const NUMBER_BUILTINS = new Set([
  'integer', 'decimal', 'int', 'long', 'short', 'byte', 'positiveInteger', 'nonNegativeInteger', 'negativeInteger',
  'nonPositiveInteger', 'unsignedLong', 'unsignedInt', 'unsignedShort', 'unsignedByte', 'float', 'double',
]);

/**
 * Where a PESC walk is in a compiled model (a data model from `lib/models`, or the infrastructure's):
 * the complex type of the current element, and what the model says of its children and attributes.
 *
 * @example
 * const cursor = modelCursor(model, 'StudentPersonalType');
 * cursor.child('PersonInfo')?.isAttribute('Type'); // false
 */
export interface ModelCursor {
  /** The cursor of the child element `name`, when its type is complex. */
  child(name: string): ModelCursor | undefined;
  isAttribute(name: string): boolean;
  /** The JSON type of the child element or attribute `name` (a child of complex type is neither). */
  scalar(name: string): PescScalar;
  /** `text` when the child element `name` has simple content (text beside attributes), `elements` when complex. */
  content(name: string): 'text' | 'elements' | undefined;
  /** True when this type has text content (simple content beside attributes). */
  hasText(): boolean;
  /** True when this type's content is open (`xs:any`, mixed: SIF_ExtendedElement). */
  isOpen(): boolean;
  /** The element and attribute names of this type, for telling the framework's bean names apart. */
  names(): readonly string[];
}

/**
 * The cursor at complex type `typeName` of `model`; undefined when the model has no such type. The
 * cursors of one walk share `cursors` (one per type, each with its members indexed once), so a page
 * of objects looks each name up in a map, not in the type's list of elements.
 *
 * @example
 * modelCursor(dataModel('au-3.4.8').compiled, 'StudentPersonalType')?.scalar('IsCurrent'); // undefined
 */
export function modelCursor(model: CompiledModel, typeName: string, cursors: Map<string, ModelCursor> = new Map()): ModelCursor | undefined {
  const known = cursors.get(typeName);
  if (known) return known;
  const type = Object.hasOwn(model.types, typeName) ? model.types[typeName] : undefined;
  if (!type) return undefined;
  const cursor = new TypeCursor(model, type, cursors);
  cursors.set(typeName, cursor);
  return cursor;
}

/** What a type says of one of its members (an element, else an attribute of that name). */
interface Member {
  readonly type: string;
  readonly attribute: boolean;
  readonly scalar: PescScalar;
}

class TypeCursor implements ModelCursor {
  private readonly members = new Map<string, Member>();
  constructor(
    private readonly model: CompiledModel,
    private readonly type: ComplexTypeModel,
    private readonly cursors: Map<string, ModelCursor>,
  ) {
    for (const a of type.attributes ?? []) this.members.set(a.name, { type: a.type, attribute: true, scalar: scalarOf(model, a.type) });
    for (const e of type.elements ?? []) this.members.set(e.name, { type: e.type, attribute: false, scalar: scalarOf(model, e.type) });
  }
  child(name: string): ModelCursor | undefined {
    const member = this.members.get(name);
    return member && !member.attribute ? modelCursor(this.model, member.type, this.cursors) : undefined;
  }
  isAttribute(name: string): boolean {
    return this.members.get(name)?.attribute === true || (this.type.attributes?.some((a) => a.name === name) ?? false);
  }
  scalar(name: string): PescScalar {
    return this.members.get(name)?.scalar;
  }
  content(name: string): 'text' | 'elements' | undefined {
    const member = this.members.get(name);
    const type = member && !member.attribute && Object.hasOwn(this.model.types, member.type) ? this.model.types[member.type]! : undefined;
    return type === undefined ? undefined : type.text !== undefined ? 'text' : 'elements';
  }
  hasText(): boolean {
    return this.type.text !== undefined;
  }
  isOpen(): boolean {
    return this.type.open === true;
  }
  names(): readonly string[] {
    return [...this.members.keys()];
  }
}

/** The JSON type of a scalar reference: a built-in (`#unsignedInt`) or a named simple type's kind. */
function scalarOf(model: CompiledModel, ref: string): PescScalar {
  const kind = ref.startsWith('#') ? ref.slice(1) : Object.hasOwn(model.scalars, ref) ? model.scalars[ref]!.kind : undefined;
  if (kind === 'boolean') return 'boolean';
  return kind !== undefined && NUMBER_BUILTINS.has(kind) ? 'number' : undefined;
}
