import { randomUUID } from 'node:crypto';
import type { GoessnerObject } from 'sif3-direct';
import { BadRequestError, ConflictError } from 'sif3-direct';
import { XPRESS } from './xpress';

/** The namespace of the NA data model the Springfield SIS speaks (its xPress model's). */
export const NA_NAMESPACE = XPRESS.namespace;

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * The refId a new object gets: the one the consumer suggested when it is a free UUID, else a new
 * one; with `mustUseAdvisory`, the suggested one or a 409/400.
 */
export function chooseRefId(object: GoessnerObject, mustUseAdvisory: boolean, taken: (id: string) => boolean): string {
  const advisory = typeof object['@refId'] === 'string' ? object['@refId'] : undefined;
  if (advisory && UUID.test(advisory) && !taken(advisory)) return advisory;
  if (mustUseAdvisory) {
    if (!advisory || !UUID.test(advisory)) throw new BadRequestError('The suggested refId is not a UUID');
    throw new ConflictError(`An object with refId ${advisory} exists`);
  }
  return randomUUID();
}

/** A text element of an object (a string, or `#text`). */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && typeof (value as GoessnerObject)['#text'] === 'string') return (value as GoessnerObject)['#text'] as string;
  return undefined;
}

/** The element at a path of nested elements, e.g. `child(o, 'name', 'familyName')`. */
export function child(object: GoessnerObject, ...path: string[]): unknown {
  let node: unknown = object;
  for (const key of path) {
    if (!node || typeof node !== 'object' || Array.isArray(node)) return undefined;
    node = (node as GoessnerObject)[key];
  }
  return node;
}

/** Requires a non-empty text element, or a 400 naming it. */
export function requiredText(object: GoessnerObject, ...path: string[]): string {
  const value = text(child(object, ...path))?.trim();
  if (!value) throw new BadRequestError(`${path.join('/')} is required`);
  return value;
}

/**
 * A SIF update (Base Architecture §5.13): it carries only the elements being changed, so each one
 * given replaces the one stored at its path, and every element it does not name stays, mandatory
 * ones included (`<name><familyName>` alone keeps the stored `givenName`). A repeatable list
 * (an array) is replaced whole; the refId stays.
 */
export function applyPartial(stored: GoessnerObject, partial: GoessnerObject): GoessnerObject {
  const { '@refId': _ignored, ...changes } = partial;
  return withRefId(mergeElements(stored, changes), stored['@refId'] as string);
}

function mergeElements(stored: GoessnerObject, changes: GoessnerObject): GoessnerObject {
  const merged: GoessnerObject = { ...stored };
  for (const [key, value] of Object.entries(changes)) {
    const before = stored[key];
    merged[key] = isElement(before) && isElement(value) ? mergeElements(before, value) : value;
  }
  return merged;
}

function isElement(value: unknown): value is GoessnerObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of `object` whose refId is `refId`, written first. */
export function withRefId(object: GoessnerObject, refId: string): GoessnerObject {
  const { '@refId': _suggested, ...rest } = object;
  return { '@refId': refId, ...rest };
}
