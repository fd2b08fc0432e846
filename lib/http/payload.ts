import type { Request } from 'express';
import type { ResolvedLimits } from '../config/limits';
import type { DecodedPayload } from '../payload/codec';
import { decodePayload } from '../payload/codec';
import { readBody } from './body';
import { getSifContext } from './context';
import { header } from './params';
import { requestFormat } from './negotiate';
import { bodyNotation, requestShape } from './profiles';
import { fromPesc } from '../payload/profiles/pesc';
import type { RegisteredService } from '../services/registry';

/**
 * Reads and decodes the request body in the format its `Content-Type` (else suffix, else
 * `Content-Profile`, else XML) names, as PESC JSON when its `Content-Profile` says `+pesc`, with the
 * shape of `service`'s objects (default: the request's target service). Undefined when there is no
 * body at all. The body, element, attribute and depth limits are enforced while reading and parsing.
 *
 * @example
 * const payload = await readPayload(req, core.config.limits);
 */
export async function readPayload(req: Request, limits: ResolvedLimits, service?: RegisteredService): Promise<DecodedPayload | undefined> {
  const body = await readBody(req, limits);
  if (isBlank(body)) return undefined;
  const contentType = header(req, 'content-type');
  const suffix = getSifContext(req).suffixFormat;
  const { format, notation } = bodyNotation(header(req, 'content-profile'), contentType || suffix ? requestFormat(contentType, suffix) : undefined);
  const payload = decodePayload(body, format, limits);
  return notation === 'pesc' ? { ...payload, value: fromPesc(payload.value, requestShape(req, payload.root, service)) } : payload;
}

function isBlank(body: Buffer): boolean {
  for (const byte of body) if (byte !== 0x20 && byte !== 0x0a && byte !== 0x0d && byte !== 0x09) return false;
  return true;
}
