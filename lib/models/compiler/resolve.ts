import type { AttributeModel, ComplexTypeModel, ElementModel, ScalarKind, ScalarModel } from '../model';
import type { XsdNode } from './xsd-tree';
import type { XsdSchema } from './xsd-schema';
import { XS, qname, xsChild, xsChildren } from './xsd-schema';

// XSD built-in types by the kind their values are checked as; sign-restricted integers carry a bound.
const BUILTIN_KINDS: Readonly<Record<string, ScalarKind>> = {
  ...Object.fromEntries(
    'string normalizedString token language Name NCName NMTOKEN NMTOKENS ID IDREF IDREFS ENTITY ENTITIES QName NOTATION anyURI base64Binary hexBinary anySimpleType gMonth gDay gYearMonth gMonthDay'
      .split(' ')
      .map((n) => [n, 'string' as const]),
  ),
  ...Object.fromEntries(
    'integer int long short byte nonNegativeInteger positiveInteger negativeInteger nonPositiveInteger unsignedLong unsignedInt unsignedShort unsignedByte'
      .split(' ')
      .map((n) => [n, 'integer' as const]),
  ),
  decimal: 'decimal',
  float: 'decimal',
  double: 'decimal',
  boolean: 'boolean',
  date: 'date',
  dateTime: 'dateTime',
  time: 'time',
  gYear: 'gYear',
  duration: 'duration',
};
const BUILTIN_BOUNDS: Readonly<Record<string, Partial<ScalarModel>>> = {
  positiveInteger: { minInclusive: '1' },
  nonNegativeInteger: { minInclusive: '0' },
  unsignedLong: { minInclusive: '0' },
  unsignedInt: { minInclusive: '0' },
  unsignedShort: { minInclusive: '0' },
  unsignedByte: { minInclusive: '0' },
  negativeInteger: { maxInclusive: '-1' },
  nonPositiveInteger: { maxInclusive: '0' },
};

/** The name under which `xs:anyType` (an element that may hold anything) is kept among the types. */
export const ANY_TYPE = 'anyType';

/** Occurrence of the particles being flattened: whether an enclosing group makes them optional or repeating. */
interface Occurs {
  readonly optional: boolean;
  readonly repeat: boolean;
}

/**
 * Resolves a schema's types into the compact model: every named complex and simple type (and the
 * anonymous ones they hold, named `Owner_Element`), on demand and once each.
 *
 * @example
 * const resolver = new TypeResolver(readSchema(file));
 * resolver.resolveAll();
 * resolver.types.get('StudentPersonalType')!.elements![0]; // { name: 'AlertMessages', type: 'AlertMessagesType' }
 */
export class TypeResolver {
  readonly types = new Map<string, ComplexTypeModel>();
  readonly scalars = new Map<string, ScalarModel>();
  // Types being resolved, so that a recursive reference is answered with its name and not resolved again.
  private readonly pending = new Set<string>();

  constructor(readonly schema: XsdSchema) {}

  /** Resolves every named type of the schema, referenced or not, and the types of global elements. */
  resolveAll(): void {
    for (const name of this.schema.simpleTypes.keys()) this.namedScalar(name);
    for (const name of this.schema.complexTypes.keys()) this.namedComplex(name);
    for (const [name, node] of this.schema.elements) this.elementType(node, name);
  }

  /** The type reference of an element declaration: its `type`, its inline type, or anyType. */
  elementType(node: XsdNode, owner: string): string {
    if (node.attrs.type) return this.typeRef(node, node.attrs.type);
    const complex = xsChild(node, 'complexType');
    if (complex) return this.anonymousComplex(complex, owner);
    const simple = xsChild(node, 'simpleType');
    if (simple) return this.anonymousScalar(simple, owner);
    return this.anyType();
  }

  /** A `type="…"` value as a reference: `#kind` for a built-in, else the name of a named type. */
  typeRef(node: XsdNode, value: string): string {
    const { ns, local } = qname(node, value);
    if (ns === XS) {
      if (local === 'anyType') return this.anyType();
      const kind = BUILTIN_KINDS[local];
      if (!kind) throw new Error(`Unknown built-in type xs:${local}`);
      // A sign-restricted integer keeps its own name (`#positiveInteger`) for its bound; the rest their kind.
      return `#${BUILTIN_BOUNDS[local] ? local : kind}`;
    }
    if (this.schema.complexTypes.has(local)) return this.namedComplex(local);
    if (this.schema.simpleTypes.has(local)) return this.namedScalar(local);
    throw new Error(`Type ${value} is not defined in the schema`);
  }

  /** The scalar a reference stands for (built-in or named), for derivations and unions. */
  scalarOf(ref: string): ScalarModel | undefined {
    if (!ref.startsWith('#')) return this.scalars.get(ref) ?? (this.types.get(ref)?.text ? this.scalarOf(this.types.get(ref)!.text!) : undefined);
    const local = ref.slice(1);
    return { kind: BUILTIN_KINDS[local] ?? 'string', ...BUILTIN_BOUNDS[local] };
  }

  private anyType(): string {
    if (!this.types.has(ANY_TYPE)) this.types.set(ANY_TYPE, { open: true });
    return ANY_TYPE;
  }

  private namedComplex(name: string): string {
    if (!this.types.has(name) && !this.pending.has(name)) {
      this.pending.add(name);
      this.types.set(name, this.complex(this.schema.complexTypes.get(name)!, name));
      this.pending.delete(name);
    }
    return name;
  }

  private namedScalar(name: string): string {
    if (!this.scalars.has(name)) this.scalars.set(name, this.scalar(this.schema.simpleTypes.get(name)!, name));
    return name;
  }

  private anonymousComplex(node: XsdNode, owner: string): string {
    const name = this.freeName(owner);
    this.pending.add(name);
    this.types.set(name, this.complex(node, name));
    this.pending.delete(name);
    return name;
  }

  private anonymousScalar(node: XsdNode, owner: string): string {
    const name = this.freeName(owner);
    this.scalars.set(name, this.scalar(node, name));
    return name;
  }

  private freeName(base: string): string {
    let name = base;
    for (let i = 2; this.types.has(name) || this.scalars.has(name) || this.pending.has(name) || this.schema.complexTypes.has(name) || this.schema.simpleTypes.has(name); i++) name = `${base}${i}`;
    return name;
  }

  /** A complex type: simple content, complex content (extension, restriction) or a plain content model. */
  private complex(node: XsdNode, name: string): ComplexTypeModel {
    const simple = xsChild(node, 'simpleContent');
    if (simple) {
      const derivation = xsChild(simple, 'extension') ?? xsChild(simple, 'restriction')!;
      const base = this.typeRef(derivation, derivation.attrs.base!);
      const baseType = this.types.get(base);
      const text = baseType ? baseType.text ?? '#string' : base;
      return compact<ComplexTypeModel>({ text, attributes: [...(baseType?.attributes ?? []), ...this.attributes(derivation, name)] });
    }
    const content = xsChild(node, 'complexContent');
    const derivation = content ? xsChild(content, 'extension') ?? xsChild(content, 'restriction') : undefined;
    const holder = derivation ?? node;
    const own = this.content(holder, name);
    if (derivation && derivation.name === 'extension') {
      const baseName = this.typeRef(derivation, derivation.attrs.base!);
      const base = this.types.get(baseName);
      if (!base) throw new Error(`${name}: extends ${derivation.attrs.base}, which has not been resolved (a circular extension?)`);
      return compact<ComplexTypeModel>({
        elements: mergeElements([...(base.elements ?? []), ...own.elements]),
        attributes: [...(base.attributes ?? []), ...own.attributes],
        text: base.text,
        open: base.open || own.open,
      });
    }
    return compact<ComplexTypeModel>({ elements: own.elements, attributes: own.attributes, open: own.open || node.attrs.mixed === 'true' || content?.attrs.mixed === 'true' });
  }

  /** The flattened elements, attributes and openness of a content model. */
  private content(holder: XsdNode, owner: string): { elements: ElementModel[]; attributes: AttributeModel[]; open: boolean } {
    const elements: ElementModel[] = [];
    const state = { open: false };
    for (const particle of xsChildren(holder, 'sequence', 'choice', 'all', 'group')) this.particle(particle, { optional: false, repeat: false }, elements, state, owner);
    return { elements: mergeElements(elements), attributes: this.attributes(holder, owner), open: state.open };
  }

  private particle(node: XsdNode, outer: Occurs, out: ElementModel[], state: { open: boolean }, owner: string): void {
    const min = node.attrs.minOccurs === undefined ? 1 : Number(node.attrs.minOccurs);
    const max = node.attrs.maxOccurs === undefined ? 1 : node.attrs.maxOccurs === 'unbounded' ? Infinity : Number(node.attrs.maxOccurs);
    const occurs: Occurs = { optional: outer.optional || min === 0, repeat: outer.repeat || max > 1 };
    switch (node.name) {
      case 'element': {
        const global = node.attrs.ref ? this.schema.elements.get(qname(node, node.attrs.ref).local) : undefined;
        if (node.attrs.ref && !global) throw new Error(`${owner}: element ref ${node.attrs.ref} is not defined`);
        const decl = global ?? node;
        const name = decl.attrs.name!;
        const type = this.elementType(decl, global ? name : `${owner}_${name}`);
        out.push(compact<ElementModel>({ name, type, required: !occurs.optional, repeat: occurs.repeat, nillable: decl.attrs.nillable === 'true' }));
        return;
      }
      case 'any':
        state.open = true;
        return;
      case 'group': {
        const def = node.attrs.ref ? this.schema.groups.get(qname(node, node.attrs.ref).local) : node;
        if (!def) throw new Error(`${owner}: group ${node.attrs.ref} is not defined`);
        for (const child of xsChildren(def, 'sequence', 'choice', 'all')) this.particle(child, occurs, out, state, owner);
        return;
      }
      case 'choice': {
        const branches = xsChildren(node, 'element', 'sequence', 'choice', 'group', 'any');
        // Each branch of a real choice may be absent: its elements are optional.
        const inner = branches.length > 1 ? { ...occurs, optional: true } : occurs;
        for (const child of branches) this.particle(child, inner, out, state, owner);
        return;
      }
      default:
        for (const child of xsChildren(node, 'element', 'sequence', 'choice', 'group', 'any', 'all')) this.particle(child, occurs, out, state, owner);
    }
  }

  private attributes(holder: XsdNode, owner: string): AttributeModel[] {
    const out: AttributeModel[] = [];
    for (const node of xsChildren(holder, 'attribute', 'attributeGroup')) {
      if (node.name === 'attributeGroup') {
        const def = this.schema.attributeGroups.get(qname(node, node.attrs.ref!).local);
        if (!def) throw new Error(`${owner}: attributeGroup ${node.attrs.ref} is not defined`);
        out.push(...this.attributes(def, owner));
        continue;
      }
      if (node.attrs.use === 'prohibited') continue;
      const global = node.attrs.ref ? this.schema.attributes.get(qname(node, node.attrs.ref).local) : undefined;
      const decl = global ?? node;
      // xml:lang and other foreign attributes referenced by QName keep their local name.
      const name = decl.attrs.name ?? qname(node, node.attrs.ref!).local;
      const inline = xsChild(decl, 'simpleType');
      const type = decl.attrs.type ? this.typeRef(decl, decl.attrs.type) : inline ? this.anonymousScalar(inline, `${owner}_${name}`) : '#string';
      out.push(compact<AttributeModel>({ name, type, required: node.attrs.use === 'required' }));
    }
    return out;
  }

  /** A simple type: a restriction (with facets), a union or a list. */
  private scalar(node: XsdNode, owner: string): ScalarModel {
    const restriction = xsChild(node, 'restriction');
    if (restriction) {
      const inline = xsChild(restriction, 'simpleType');
      const base = inline ? this.scalar(inline, owner) : this.scalarOf(this.typeRef(restriction, restriction.attrs.base!)) ?? { kind: 'string' as const };
      const own = facets(restriction);
      return compact<ScalarModel>({ ...base, ...own, pattern: [...(base.pattern ?? []), ...(own.pattern ?? [])] });
    }
    const union = xsChild(node, 'union');
    if (union) {
      const members = [
        ...(union.attrs.memberTypes ?? '').split(/\s+/).filter(Boolean).map((m) => this.scalarOf(this.typeRef(union, m)) ?? { kind: 'string' as const }),
        ...xsChildren(union, 'simpleType').map((s) => this.scalar(s, owner)),
      ];
      const kinds = new Set(members.map((m) => m.kind));
      const kind = kinds.size === 1 ? [...kinds][0]! : 'string';
      // A union is closed only when every member is an enumeration; one open member opens it.
      if (members.length > 0 && members.every((m) => m.enum)) return { kind, enum: [...new Set(members.flatMap((m) => m.enum!))] };
      return { kind };
    }
    return { kind: 'string' }; // xs:list: a space-separated list, checked as text
  }
}

/** The facets a restriction adds to its base. */
function facets(restriction: XsdNode): Partial<ScalarModel> {
  const out: { enum?: string[]; pattern?: string[]; minLength?: number; maxLength?: number; minInclusive?: string; maxInclusive?: string } = {};
  const values = (name: string) => xsChildren(restriction, name).map((f) => f.attrs.value!);
  const enums = values('enumeration');
  if (enums.length > 0) out.enum = enums;
  const patterns = values('pattern');
  // Patterns of one step are alternatives; the step's pattern and its base's must both hold.
  if (patterns.length > 0) out.pattern = [patterns.length === 1 ? patterns[0]! : patterns.map((p) => `(?:${p})`).join('|')];
  for (const [facet, key] of [['minLength', 'minLength'], ['maxLength', 'maxLength'], ['length', 'minLength'], ['length', 'maxLength']] as const) {
    const v = values(facet)[0];
    if (v !== undefined) out[key] = Number(v);
  }
  const minInclusive = values('minInclusive')[0];
  const maxInclusive = values('maxInclusive')[0];
  if (minInclusive !== undefined) out.minInclusive = minInclusive;
  if (maxInclusive !== undefined) out.maxInclusive = maxInclusive;
  return out;
}

/** One entry per element name, at its first position: a name that appears twice repeats. */
function mergeElements(elements: ElementModel[]): ElementModel[] {
  const byName = new Map<string, ElementModel>();
  for (const e of elements) {
    const seen = byName.get(e.name);
    byName.set(e.name, seen ? compact<ElementModel>({ ...seen, repeat: true, required: seen.required || e.required }) : e);
  }
  return [...byName.values()];
}

/** A model type with its `true`-only flags widened to boolean, as they are computed. */
type Loose<T> = { [K in keyof T]: T[K] extends true | undefined ? boolean | undefined : T[K] };

/** Drops false, undefined and empty-array fields, so the model stays compact. */
function compact<T extends object>(value: Loose<T>): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || v === false || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = v;
  }
  return out as T;
}
