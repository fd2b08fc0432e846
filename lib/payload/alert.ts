import Ajv from 'ajv';
import type { ErrorObject } from 'ajv';
import { BadRequestError } from '../errors';
import type { InfrastructureVersion } from '../protocol/enums';
import type { DecodedPayload } from './codec';
import { requireInfrastructureRoot } from './fields';
import type { GoessnerObject } from './goessner';
import { textOf } from './goessner';

/** Alert elements in schema order (Utility Services §7.3). */
const ALERT_FIELDS = [
  'reporter', 'cause', 'exchange', 'level', 'description', 'messageID',
  'body', 'error', 'xpath', 'category', 'code', 'internal',
] as const;

type AlertFields = Partial<Record<(typeof ALERT_FIELDS)[number], string>>;

const EXCHANGES = ['REQUEST', 'RESPONSE', 'EVENT', 'TIMEOUT', 'OTHER'];
/** Alert levels: 3.3 added EVENT, which a 3.2.1 document cannot carry. */
const LEVELS: Record<InfrastructureVersion, string[]> = {
  '3.2.1': ['INFO', 'STATECHANGE', 'WARNING', 'ERROR'],
  '3.3': ['INFO', 'STATECHANGE', 'EVENT', 'WARNING', 'ERROR'],
};

function alertSchema(version: InfrastructureVersion) {
  const text = { type: 'string', maxLength: 4096 };
  const token = { type: 'string', minLength: 1, maxLength: 1024, pattern: '^\\S+( \\S+)*$' };
  const unsignedInt = { type: 'string', pattern: '^\\d{1,10}$' };
  return {
    type: 'object',
    additionalProperties: false,
    required: ['reporter', 'exchange', 'level'],
    properties: {
      reporter: token,
      cause: token,
      exchange: { enum: EXCHANGES },
      level: { enum: LEVELS[version] },
      description: text,
      messageID: token,
      body: { type: 'string', maxLength: 1024 * 1024 },
      error: { type: 'string', maxLength: 64 * 1024 },
      xpath: text,
      category: unsignedInt,
      code: unsignedInt,
      internal: token,
    },
  } as const;
}

/**
 * Validates alert payloads after XML or JSON decoding, with ajv, for one infrastructure version.
 * Scalars arrive as strings from XML and possibly as numbers from JSON; both are accepted.
 */
export class AlertValidator {
  private readonly validate;

  constructor(version: InfrastructureVersion) {
    this.validate = new Ajv({ allErrors: false, strict: true }).compile<AlertFields>(alertSchema(version));
  }

  /**
   * The alert element to store, in schema order, with `@id` set to `id`. Throws 400 naming the first
   * problem: a missing mandatory element, a value outside an enumeration, an unknown element.
   *
   * @example
   * validator.toAlert(decoded, newId()); // { '@id': …, reporter: 'Gradebook', exchange: 'REQUEST', level: 'ERROR' }
   */
  toAlert(payload: DecodedPayload, id: string): GoessnerObject {
    requireInfrastructureRoot(payload, 'alert');
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(payload.value)) {
      if (key.startsWith('@')) continue; // the provider assigns the id
      const name = key === 'messageId' ? 'messageID' : key;
      const text = textOf(value);
      if (text === undefined) {
        throw new BadRequestError(`Alert element "${key.slice(0, 40)}" must be text`, {
          description: 'Embed payloads in body as escaped text or CDATA',
        });
      }
      fields[name] = name === 'body' || name === 'error' ? text : text.trim();
    }
    if (!this.validate(fields)) throw invalidAlert(this.validate.errors?.[0]);
    const alert: GoessnerObject = { '@id': id };
    for (const field of ALERT_FIELDS) {
      const value = fields[field];
      if (value !== undefined) alert[field] = value;
    }
    return alert;
  }
}

/** A 400 that names the element at fault and, for enumerations, the allowed values. */
function invalidAlert(error: ErrorObject | undefined): BadRequestError {
  if (!error) return new BadRequestError('Invalid alert');
  const params = error.params as { missingProperty?: string; additionalProperty?: string; allowedValues?: string[] };
  const element = error.instancePath.slice(1) || params.missingProperty || params.additionalProperty || 'alert';
  const problem =
    error.keyword === 'required' ? 'is mandatory' : error.keyword === 'additionalProperties' ? 'is not an alert element' : error.message;
  return new BadRequestError(`Invalid alert: ${element} ${problem ?? 'is invalid'}`, {
    description: params.allowedValues ? `allowed: ${params.allowedValues.join(', ')}` : undefined,
  });
}
