/**
 * The compact, compiled form of a SIF data model (what `sif3-direct model compile` writes as
 * `model.json`): per object its plural service name, namespace and id attribute; per complex type
 * its elements in schema order (with which repeat and which are mandatory) and attributes; per
 * simple type its scalar kind and facets. Types are referenced by name, so a model stays small and
 * recursive types need no special care.
 */

/** The scalar kinds a value is checked against (XSD built-ins map onto these). */
export type ScalarKind = 'string' | 'integer' | 'decimal' | 'boolean' | 'date' | 'dateTime' | 'time' | 'gYear' | 'duration';

/** The format tag of compiled models this version reads. */
export const MODEL_FORMAT = 'sif3-direct-model/1';

/**
 * A compiled data model.
 *
 * @example
 * const model: CompiledModel = JSON.parse(readFileSync('models/na-3.6/model.json', 'utf8'));
 * model.objects.xStudent; // { plural: 'xStudents', idAttribute: 'refId', type: 'xStudentType' }
 */
export interface CompiledModel {
  readonly format: typeof MODEL_FORMAT;
  /** A short name, e.g. `au-3.4.8`. */
  readonly name: string;
  /** The target namespace of every object, e.g. `http://www.sifassociation.org/datamodel/au/3.4`. */
  readonly namespace: string;
  /** The schema's version attribute, when it has one. */
  readonly version?: string;
  readonly objects: Readonly<Record<string, ObjectModel>>;
  /** Complex types by name (anonymous ones named `Owner_Element`). */
  readonly types: Readonly<Record<string, ComplexTypeModel>>;
  /** Simple types by name. A type reference starting with `#` is a built-in kind (`#string`). */
  readonly scalars: Readonly<Record<string, ScalarModel>>;
}

/** One object of the model. */
export interface ObjectModel {
  /** The plural (collection and service) name, e.g. `StudentPersonals`. */
  readonly plural: string;
  /** The attribute that identifies an object, e.g. `RefId`. */
  readonly idAttribute: string;
  /** Its complex type. */
  readonly type: string;
}

/** A complex type: elements in schema order, attributes, text content, openness. */
export interface ComplexTypeModel {
  readonly elements?: readonly ElementModel[];
  readonly attributes?: readonly AttributeModel[];
  /** Simple content: the type of the element's text (a scalar reference). */
  readonly text?: string;
  /** The content model has `xs:any`: elements the model does not name are allowed. */
  readonly open?: true;
}

/** One element of a complex type's content, flattened out of sequences and choices. */
export interface ElementModel {
  readonly name: string;
  /** A complex type name, a simple type name, or `#kind` for a built-in. */
  readonly type: string;
  /** Present (true) when the element must appear (minOccurs ≥ 1, not inside an optional choice). */
  readonly required?: true;
  /** Present (true) when the element may appear more than once. */
  readonly repeat?: true;
  /** Present (true) when the element may be empty (`nillable="true"`). */
  readonly nillable?: true;
}

/** One attribute. */
export interface AttributeModel {
  readonly name: string;
  /** A simple type name or `#kind`. */
  readonly type: string;
  readonly required?: true;
}

/** A simple type: its kind and the facets a value is checked against. */
export interface ScalarModel {
  readonly kind: ScalarKind;
  readonly enum?: readonly string[];
  /** An XSD pattern (implicitly anchored). */
  readonly pattern?: readonly string[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minInclusive?: string;
  readonly maxInclusive?: string;
}
