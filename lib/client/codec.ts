import type { GoessnerValue } from '../payload/goessner';
import { parseJson, toJson } from '../payload/json';
import type { PayloadLimits } from '../payload/limits';
import { parseXml, toXml } from '../payload/xml';
import { SifClientError } from './errors';
import type { Format, SifObject } from './types';

/** The SIF 3.2.1 infrastructure namespace: environments, queues, subscriptions, deleteRequest. */
export const INFRASTRUCTURE_NAMESPACE = 'http://www.sifassociation.org/infrastructure/3.2.1';

// A provider is trusted more than a consumer is, but a page of 1,000 large objects is still
// bounded: generous limits, not none (the parsers are linear, and refuse entities and DOCTYPEs).
const RESPONSE_LIMITS: PayloadLimits = { maxElements: 5_000_000, maxAttributes: 5_000_000, maxDepth: 64 };

/**
 * The media type of a format, for `Accept` and `Content-Type`.
 *
 * @example
 * mediaType('json'); // 'application/json'
 */
export function mediaType(format: Format): string {
  return format === 'json' ? 'application/json' : 'application/xml';
}

/**
 * Writes a Goessner value as a document of `format` with `root` as its root element. XML carries
 * `namespace` (SIF consumers need it; Goessner JSON has none).
 *
 * @example
 * encode('json', 'xStudent', { name: { familyName: 'Smith' } }); // '{"xStudent":{"name":{"familyName":"Smith"}}}'
 */
export function encode(format: Format, root: string, value: GoessnerValue, namespace?: string): string {
  return format === 'json' ? toJson(root, value) : toXml(root, value, namespace);
}

/**
 * Reads a response body into its root element's name and Goessner value, XML or JSON by the
 * response's `Content-Type` (else the format asked for). A body that is neither is a
 * `SifClientError` with the response's status.
 *
 * @example
 * decode('{"xStudent":{"@refId":"1"}}', 'application/json', 'json', 200); // { root: 'xStudent', value: { '@refId': '1' } }
 */
export function decode(text: string, contentType: string | null, asked: Format, status: number): { root: string; value: SifObject } {
  const format: Format = contentType?.includes('json') ? 'json' : contentType?.includes('xml') ? 'xml' : asked;
  try {
    const parsed = format === 'json' ? parseJson(text, RESPONSE_LIMITS) : parseXml(text, RESPONSE_LIMITS);
    return { root: parsed.root, value: parsed.value };
  } catch (cause) {
    const detail = cause instanceof Error ? (((cause as { description?: string }).description ?? cause.message)) : String(cause);
    throw new SifClientError(status, `The provider answered ${status} with a body that is not SIF ${format.toUpperCase()}: ${detail}`, { cause });
  }
}
