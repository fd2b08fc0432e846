import type { SifError } from '../errors';
import type { GoessnerObject } from './goessner';

/**
 * The SIF `error` object (Base Architecture §4.5.1) for an error, in schema order. Scope and message
 * are cut to the schema's 80 and 1024 characters.
 *
 * @example
 * errorObject(new NotFoundError('No such environment'), id);
 * // { '@id': id, code: '404', scope: 'Request', message: 'No such environment' }
 */
export function errorObject(error: SifError, id: string, defaultScope: string): GoessnerObject {
  const value: GoessnerObject = {
    '@id': id,
    code: String(error.status),
    scope: (error.scope ?? defaultScope).slice(0, 80),
    message: error.message.slice(0, 1024),
  };
  if (error.description) value.description = error.description;
  return value;
}
