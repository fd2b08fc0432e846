import { v4 as uuidv4 } from 'uuid';

/**
 * A new RFC 4122 version 4 UUID, the only kind the SIF 3.x schemas accept for generated ids.
 *
 * @example
 * newId(); // '6f1c2d0e-8a3b-4c5d-9e7f-0123456789ab'
 */
export function newId(): string {
  return uuidv4();
}
