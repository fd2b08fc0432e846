import { BadRequestError } from '../errors';
import type { GoessnerObject } from './goessner';
import { isElement } from './goessner';

/** A parsed Goessner JSON document: `{"root": {...}}`. */
export interface ParsedJson {
  root: string;
  value: GoessnerObject;
}

/**
 * Parses a Goessner JSON document. The top level must be an object with exactly one key, the root
 * element's name; a scalar root value is taken as the element's text.
 *
 * @example
 * parseJson('{"alert":{"reporter":"x"}}'); // { root: 'alert', value: { reporter: 'x' } }
 */
export function parseJson(text: string): ParsedJson {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new BadRequestError('The JSON payload is not well-formed', {
      description: err instanceof Error ? err.message.slice(0, 200) : undefined,
    });
  }
  if (!isElement(parsed)) throw new BadRequestError('A JSON payload must be an object with one root element');
  const keys = Object.keys(parsed);
  if (keys.length !== 1) {
    throw new BadRequestError('A JSON payload must be an object with exactly one root element', {
      description: `found ${keys.length} top-level keys`,
    });
  }
  const root = keys[0]!;
  const raw = parsed[root];
  if (isElement(raw)) return { root, value: raw as GoessnerObject };
  if (raw === null || raw === '') return { root, value: {} };
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') {
    return { root, value: { '#text': String(raw) } };
  }
  throw new BadRequestError(`The JSON root element "${root}" must be an object`);
}

/** Writes a Goessner value as `{"root": value}`. Namespaces are not part of Goessner JSON. */
export function toJson(root: string, value: unknown): string {
  return JSON.stringify({ [root]: value });
}
