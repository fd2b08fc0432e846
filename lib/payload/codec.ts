import { BadRequestError } from '../errors';
import { LIMIT_DEFAULTS } from '../limits';
import type { GoessnerObject, GoessnerValue } from './goessner';
import { parseJson, toJson } from './json';
import type { PayloadLimits } from './limits';
import { parseXml, toXml } from './xml';
import type { ForeignName } from './xml-parser';

/** The two wire formats. */
export type Format = 'xml' | 'json';

/** Media types written for each format. */
export const MEDIA_TYPES: Readonly<Record<Format, string>> = {
  xml: 'application/xml; charset=utf-8',
  json: 'application/json; charset=utf-8',
};

/** A decoded payload, the same shape whatever format it came in. */
export interface DecodedPayload {
  /** The format it came in. */
  format: Format;
  root: string;
  /** The XML root's namespace; undefined for JSON and for namespace-less XML. */
  namespace: string | undefined;
  value: GoessnerObject;
  /** XML only: the first element or attribute outside the root's namespace (see `parseXml`). */
  foreign?: ForeignName;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes a request body in the given format. Invalid UTF-8 and malformed documents are 400s; the
 * element, attribute and depth `limits` are enforced while parsing (413, 413, 400).
 *
 * @example
 * decodePayload(Buffer.from('{"alert":{}}'), 'json', core.config.limits); // { format: 'json', root: 'alert', namespace: undefined, value: {} }
 */
export function decodePayload(body: Buffer, format: Format, limits: PayloadLimits = LIMIT_DEFAULTS): DecodedPayload {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new BadRequestError('The payload is not valid UTF-8');
  }
  return format === 'json' ? { format, ...parseJson(text, limits), namespace: undefined } : { format, ...parseXml(text, limits) };
}

/**
 * Encodes a Goessner value as a document in the given format; a name or value that no document
 * can carry is an `InternalServiceError` naming its path (see `toXml`, `toJson`).
 *
 * @example
 * encodePayload('alert', { reporter: 'x' }, 'json', ns); // '{"alert":{"reporter":"x"}}'
 */
export function encodePayload(root: string, value: GoessnerValue, format: Format, namespace: string): string {
  return format === 'json' ? toJson(root, value) : toXml(root, value, namespace);
}
