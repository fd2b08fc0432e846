import type { CompiledModel } from '../../models/model';
import type { RepeatableTree } from '../objects';
import type { ModelCursor } from './model-shape';
import { modelCursor } from './model-shape';

/**
 * What PESC JSON needs to know about a document that Goessner notation carries in its keys or not at
 * all: which plain keys are attributes (PESC writes attributes without `@`), which elements repeat
 * (PESC writes every repeat as an array, even with one item) and which values are numbers (PESC
 * writes numeric fields as JSON numbers). Walked alongside the document, one element at a time.
 *
 * @example
 * const right = infrastructureShape('environment').child('provisionedZones').child('provisionedZone');
 * right.isAttribute('id'); // true
 */
export interface PescShape {
  /** The shape of the child element `name`. */
  child(name: string): PescShape;
  /** True when the plain key `name` of this element is an attribute. */
  isAttribute(name: string): boolean;
  /** True when the child element `name` may repeat. */
  repeats(name: string): boolean;
  /** True when the child element or attribute `name` holds a number. */
  isNumber(name: string): boolean;
  /** True when the child element or attribute `name` holds a boolean (xs:boolean). */
  isBoolean(name: string): boolean;
  /**
   * What the child element `name` holds when its type is known to be complex: `text` beside
   * attributes (written `{"value":…}` even without them), or `elements` (empty: `{}`).
   */
  content(name: string): 'text' | 'elements' | undefined;
  /**
   * The XML name of a key the Java framework wrote as a bean name (`Sifmetadata` → `SIF_Metadata`),
   * when this element knows that name; otherwise the key itself.
   */
  xmlName(key: string): string;
}

/**
 * The name the A4L framework's PESC writer (Jackson on JAXB beans) gives an XML name: underscores
 * dropped, the leading run of capitals lower-cased, the first letter kept upper-case when it was.
 *
 * @example
 * beanName('SIF_Metadata'); // 'Sifmetadata'
 * beanName('LEAInfoRefId'); // 'LeainfoRefId'
 */
export function beanName(name: string): string {
  const plain = name.replace(/_/g, '');
  const run = /^[A-Z]*/.exec(plain)![0].length;
  const lowered = plain.slice(0, run).toLowerCase() + plain.slice(run);
  return /^[A-Z]/.test(name) ? lowered.charAt(0).toUpperCase() + lowered.slice(1) : lowered;
}

/** SIF's own elements and attributes found in every data model, whose bean names lose their XML form. */
const SIF_NAMES = ['SIF_Metadata', 'SIF_ExtendedElements', 'SIF_ExtendedElement', 'SIF_RefObject', 'SIF_RefId'];

/** One infrastructure element type: its attributes, repeating children, numeric and boolean children. */
interface InfrastructureElement {
  readonly attributes?: readonly string[];
  readonly repeats?: readonly string[];
  readonly numbers?: readonly string[];
  readonly booleans?: readonly string[];
}

// The infrastructure objects this library writes and reads (3.2.1 and 3.3 XSDs), by element name:
// infrastructure element names mean the same wherever they occur. Numbers are the XSD's integer
// types (what the reference framework writes as JSON numbers: error code, queue counts and times,
// alert category and code); statusCode is an attribute of string type there.
const ID = ['id'] as const;
const ITEM = ['id', 'statusCode'] as const;
const INFRASTRUCTURE: Readonly<Record<string, InfrastructureElement>> = {
  environment: { attributes: ['id', 'type'] },
  environments: { repeats: ['environment'] },
  defaultZone: { attributes: ID },
  zone: { attributes: ID },
  provisionedZone: { attributes: ID },
  provisionedZones: { repeats: ['provisionedZone'] },
  properties: { repeats: ['property'] },
  property: { attributes: ['name'] },
  infrastructureServices: { repeats: ['infrastructureService'] },
  infrastructureService: { attributes: ['name'] },
  services: { repeats: ['service'] },
  service: { attributes: ['type', 'name', 'contextId'] },
  rights: { repeats: ['right'] },
  right: { attributes: ['type'] },
  error: { attributes: ID, numbers: ['code'] },
  creates: { repeats: ['create'] },
  create: { attributes: ['id', 'advisoryId', 'statusCode'] },
  updates: { repeats: ['update'] },
  update: { attributes: ITEM },
  deletes: { repeats: ['delete'] },
  delete: { attributes: ITEM },
  queues: { repeats: ['queue'] },
  queue: { attributes: ID, numbers: ['idleTimeout', 'minWaitTime', 'maxConcurrentConnections', 'messageCount'] },
  subscriptions: { repeats: ['subscription'] },
  subscription: { attributes: ID },
  alerts: { repeats: ['alert'] },
  alert: { attributes: ID, numbers: ['category', 'code'] },
  // Functional services (jobs), registries and provision requests (3.3 XSD jobType, providerType,
  // xqueryType, zoneType, provisionRequestType). `state` is text inside a job and an element with an
  // id inside `states`: only objects read their attributes, so one entry serves both.
  jobs: { repeats: ['job'] },
  job: { attributes: ID },
  phases: { repeats: ['phase'] },
  phase: { booleans: ['required'] },
  states: { repeats: ['state'] },
  state: { attributes: ID },
  statesRights: { repeats: ['right'] },
  provisionRequests: { repeats: ['provisionRequest'] },
  provisionRequest: { attributes: ['id', 'completionStatus'] },
  zones: { repeats: ['zone'] },
  providers: { repeats: ['provider'] },
  provider: { attributes: ID },
  querySupport: { booleans: ['dynamicQuery', 'queryByExample', 'changesSinceMarker', 'paged', 'totalCount'], numbers: ['maxPageSize'] },
  mimeTypes: { repeats: ['mediaType'] },
  xquerys: { repeats: ['xquery'] },
  xquery: { attributes: ID },
  parameters: { repeats: ['parameter'] },
  parameter: { booleans: ['required'], numbers: ['minLength', 'maxLength'] },
  enumerations: { repeats: ['enumeration'] },
  range: { numbers: ['start', 'end'] },
};

const NOTHING: InfrastructureElement = {};

/** An infrastructure element's shape, from the table above; unknown elements have none. */
class InfrastructureShape implements PescShape {
  private readonly element: InfrastructureElement;
  constructor(name: string) {
    this.element = Object.hasOwn(INFRASTRUCTURE, name) ? INFRASTRUCTURE[name]! : NOTHING;
  }
  child(name: string): PescShape {
    return new InfrastructureShape(name);
  }
  isAttribute(name: string): boolean {
    return this.element.attributes?.includes(name) ?? false;
  }
  repeats(name: string): boolean {
    return this.element.repeats?.includes(name) ?? false;
  }
  isNumber(name: string): boolean {
    return this.element.numbers?.includes(name) ?? false;
  }
  isBoolean(name: string): boolean {
    return this.element.booleans?.includes(name) ?? false;
  }
  content(): undefined {
    // What the reference framework does with the infrastructure's text elements is what Goessner
    // notation gives: the samples' infrastructure PESC matches without it.
    return undefined;
  }
  xmlName(key: string): string {
    // Infrastructure names are their own bean names.
    return key;
  }
}

/**
 * The shape of an infrastructure payload with root element `root` (environment, error, queue,
 * subscription, alert, createResponse, deleteRequest…).
 *
 * @example
 * infrastructureShape('queue').isNumber('idleTimeout'); // true
 */
export function infrastructureShape(root: string): PescShape {
  return new InfrastructureShape(root);
}

/**
 * What a service says of its objects: the id attribute, the repeatable and the attribute paths, and
 * the data model it was declared from (`dataModel(...).service(...)`), which knows every attribute
 * and the scalar type of every element.
 */
export interface ObjectShapeSource {
  readonly idAttribute: string;
  readonly repeatable: RepeatableTree;
  /** Attribute paths as a tree whose leaves are `@name` (see `compileRepeatable`). */
  readonly attributes: RepeatableTree;
  readonly model?: { readonly compiled: CompiledModel; readonly type: string } | undefined;
}

const EMPTY: RepeatableTree = Object.freeze(Object.create(null) as RepeatableTree);

function nodeOf(tree: RepeatableTree, key: string): RepeatableTree[string] | undefined {
  return Object.hasOwn(tree, key) ? tree[key] : undefined;
}

/**
 * A data object's shape, walked through the service's repeatable and attribute trees and, for a
 * service declared from a data model, through the model's types (attributes, numbers, booleans).
 * Without a model the types are not known: numbers and booleans stay text, which PESC readers accept.
 */
class ObjectShape implements PescShape {
  constructor(
    private readonly repeatable: RepeatableTree,
    private readonly attributes: RepeatableTree,
    private readonly idAttribute: string | undefined,
    private readonly model: ModelCursor | undefined,
  ) {}
  child(name: string): PescShape {
    const repeatable = nodeOf(this.repeatable, name)?.children ?? EMPTY;
    return new ObjectShape(repeatable, nodeOf(this.attributes, name)?.children ?? EMPTY, undefined, this.model?.child(name));
  }
  isAttribute(name: string): boolean {
    return name === this.idAttribute || nodeOf(this.attributes, `@${name}`) !== undefined || (this.model?.isAttribute(name) ?? false);
  }
  repeats(name: string): boolean {
    return nodeOf(this.repeatable, name)?.repeat ?? false;
  }
  isNumber(name: string): boolean {
    return this.model?.scalar(name) === 'number';
  }
  isBoolean(name: string): boolean {
    return this.model?.scalar(name) === 'boolean';
  }
  content(name: string): 'text' | 'elements' | undefined {
    return this.model?.content(name);
  }
  xmlName(key: string): string {
    if (Object.hasOwn(this.repeatable, key) || Object.hasOwn(this.attributes, key) || Object.hasOwn(this.attributes, `@${key}`)) return key;
    const modelNames = this.model?.names() ?? [];
    if (modelNames.includes(key)) return key;
    // The framework writes an element named Value as `value` (TimeElement): the text key, unless
    // the model says the type has no text and such an element.
    if (key === 'value' && this.model && !this.model.hasText() && modelNames.includes('Value')) return 'Value';
    // Its mixed content (SIF_ExtendedElement) is `"Content":["text"]`: the element's text.
    if (key === 'Content' && this.model?.isOpen() && !modelNames.includes('Content')) return '#text';
    const known = [...Object.keys(this.repeatable), ...Object.keys(this.attributes).map((k) => k.replace(/^@/, '')), ...modelNames, ...SIF_NAMES];
    return known.find((name) => name !== key && beanName(name) === key) ?? key;
  }
}

/**
 * The shape of one data object (`<xStudent>`) of a service: its id attribute at the root, the
 * service's `repeatable` paths and its `attributes` paths.
 *
 * @example
 * objectShape({ idAttribute: 'refId', repeatable, attributes }).isAttribute('refId'); // true
 */
export function objectShape(source: ObjectShapeSource): PescShape {
  const model = source.model && modelCursor(source.model.compiled, source.model.type);
  return new ObjectShape(source.repeatable, source.attributes, source.idAttribute, model);
}

/**
 * The shape of a collection of data objects (`<xStudents>`): every `objectName` child repeats and
 * has the object's shape.
 *
 * @example
 * collectionShape(source, 'xStudent').repeats('xStudent'); // true
 */
export function collectionShape(source: ObjectShapeSource, objectName: string): PescShape {
  const object = objectShape(source);
  return {
    child: (name) => (name === objectName ? object : NO_SHAPE),
    isAttribute: () => false,
    repeats: (name) => name === objectName,
    isNumber: () => false,
    isBoolean: () => false,
    content: () => undefined,
    xmlName: (key) => key,
  };
}

/**
 * A shape that knows nothing: attributes keep their `@` in Goessner, repeats stay as sent. Data
 * objects are written with it: `shapeForOutput` has already made their repeatable elements arrays.
 *
 * @example
 * toPesc('xStudent', shapeForOutput(object, service.repeatable), NO_SHAPE);
 */
export const NO_SHAPE: PescShape = Object.freeze({
  child: () => NO_SHAPE,
  isAttribute: () => false,
  repeats: () => false,
  isNumber: () => false,
  isBoolean: () => false,
  content: () => undefined,
  xmlName: (key: string) => key,
});
