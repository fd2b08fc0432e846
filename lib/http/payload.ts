import type { Request } from 'express';
import type { ResolvedLimits } from '../config/limits';
import type { DecodedPayload } from '../payload/codec';
import { decodePayload } from '../payload/codec';
import { readBody } from './body';
import { getSifContext } from './context';
import { header } from './params';
import { requestFormat } from './negotiate';

/**
 * Reads and decodes the request body in the format its `Content-Type` (else suffix, else XML)
 * names. Undefined when there is no body at all. The body, element, attribute and depth limits are
 * enforced while reading and parsing.
 *
 * @example
 * const payload = await readPayload(req, core.config.limits);
 */
export async function readPayload(req: Request, limits: ResolvedLimits): Promise<DecodedPayload | undefined> {
  const body = await readBody(req, limits);
  if (isBlank(body)) return undefined;
  return decodePayload(body, requestFormat(header(req, 'content-type'), getSifContext(req).suffixFormat), limits);
}

function isBlank(body: Buffer): boolean {
  for (const byte of body) if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  return true;
}
