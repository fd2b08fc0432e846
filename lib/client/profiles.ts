import type { GoessnerValue } from '../payload/goessner';
import { compileRepeatable } from '../payload/objects';
import { fromPesc, toPesc } from '../payload/profiles/pesc';
import { dataModelOf, formatProfile, parseProfileList } from '../payload/profiles/profile';
import type { PescShape } from '../payload/profiles/shape';
import { collectionShape, infrastructureShape, objectShape } from '../payload/profiles/shape';
import type { SifObject } from './types';

// SIF 3.3 content profiles on the consumer's side (Version Indication & Negotiation §3): with
// `json: 'pesc'` every request asks for PESC JSON in `Accept-Profile` (the data model's entry first
// on data requests, then the infrastructure's, as the A4L framework's consumer sends them), a body
// says it is PESC in `Content-Profile`, and an answer whose `Content-Profile` says `+pesc` is read
// back into the Goessner shapes the rest of the client hands out.

/**
 * The JSON notation of bodies: Goessner (`@name` attributes, the default) or PESC (SIF 3.3 `+pesc`:
 * attributes as plain keys, repeats always arrays, numbers and booleans as JSON types).
 *
 * @example
 * SifClient.connect({ url, applicationKey, secret, format: 'json', json: 'pesc' });
 */
export type JsonNotation = 'goessner' | 'pesc';

/** The infrastructure version PESC consumers name (profiles are a SIF 3.3 feature). */
const INFRASTRUCTURE_VERSION = '3.3';

/** What a service tells the PESC reader: its object and collection names, id and other attributes. */
export interface ShapeSource {
  objectName: string;
  plural: string;
  idAttribute: string;
  repeatable: readonly string[];
  /** Attribute paths other than the id, e.g. `name/@type`. */
  attributes: readonly string[];
}

/**
 * The PESC shapes of the services a client declared, by root element: one service's objects
 * (`xStudent`) and collections (`xStudents`); every other root is an infrastructure payload. Queue
 * messages are read with it, so declare a service (`client.service(…)`) before taking its events.
 *
 * @example
 * const book = new ShapeBook();
 * book.declare({ objectName: 'xStudent', plural: 'xStudents', idAttribute: 'refId', repeatable: [], attributes: ['name/@type'] });
 * book.shape('xStudent').isAttribute('refId'); // true
 */
export class ShapeBook {
  private readonly byRoot = new Map<string, PescShape>();

  declare(source: ShapeSource): void {
    const tree = { idAttribute: source.idAttribute, repeatable: compileRepeatable(source.repeatable), attributes: compileRepeatable(source.attributes) };
    this.byRoot.set(source.objectName, objectShape(tree));
    this.byRoot.set(source.plural, collectionShape(tree, source.objectName));
  }

  shape(root: string): PescShape {
    return this.byRoot.get(root) ?? infrastructureShape(root);
  }
}

/**
 * The `Accept-Profile` of a request: the data model's entry (from the namespace of the service's
 * objects) first on data requests, then the infrastructure's.
 *
 * @example
 * acceptProfile('http://www.sifassociation.org/datamodel/na/3.6'); // 'urn:sif:data/na/3.6+pesc,urn:sif:inf/global/3.3+pesc'
 */
export function acceptProfile(dataNamespace: string | undefined): string {
  const data = dataNamespace === undefined ? undefined : dataModelOf(dataNamespace);
  const inf = formatProfile('inf', 'global', INFRASTRUCTURE_VERSION, 'pesc');
  return data ? `${formatProfile('data', data.domain, data.version, 'pesc')},${inf}` : inf;
}

/**
 * The `Content-Profile` of a PESC body: the data model's for a data object, else the infrastructure's.
 *
 * @example
 * contentProfile(undefined); // 'urn:sif:inf/global/3.3+pesc'
 */
export function contentProfile(namespace: string | undefined): string {
  const data = namespace === undefined ? undefined : dataModelOf(namespace);
  return data ? formatProfile('data', data.domain, data.version, 'pesc') : formatProfile('inf', 'global', INFRASTRUCTURE_VERSION, 'pesc');
}

/**
 * A body in PESC JSON.
 *
 * @example
 * encodePesc('queue', { name: 'q' }, book); // '{"queue":{"name":"q"}}'
 */
export function encodePesc(root: string, value: GoessnerValue, book: ShapeBook): string {
  return toPesc(root, value, book.shape(root));
}

/**
 * Whether an answer's JSON is PESC: its `Content-Profile` says so; without one, what was asked for.
 *
 * @example
 * isPesc('urn:sif:inf/global/3.3+pesc', 'goessner'); // true
 */
export function isPesc(responseProfile: string | null, asked: JsonNotation): boolean {
  if (responseProfile === null || responseProfile.trim() === '') return asked === 'pesc';
  return parseProfileList(responseProfile).some((entry) => entry.profile?.type === 'pesc');
}

/**
 * A PESC answer's root value in Goessner notation, attributes told apart by the declared shapes.
 *
 * @example
 * readPesc('environment', parsed.value, book)['@id'];
 */
export function readPesc(root: string, value: SifObject, book: ShapeBook): SifObject {
  return fromPesc(value, book.shape(root));
}
