import { BadRequestError } from '../errors';
import { isInfrastructureNamespace } from '../protocol/enums';
import type { DecodedPayload } from './codec';
import { textOf } from './goessner';

/**
 * Throws 400 unless the payload is `root` and, when XML names a namespace, in a SIF 3.x
 * infrastructure namespace (any 3.x is accepted on input, interop.md §4).
 *
 * @example
 * requireInfrastructureRoot(payload, 'alert');
 */
export function requireInfrastructureRoot(payload: DecodedPayload, root: string): void {
  if (payload.root !== root) {
    throw new BadRequestError(`Expected ${/^[aeiou]/i.test(root) ? 'an' : 'a'} ${root}, got "${payload.root.slice(0, 40)}"`);
  }
  if (payload.namespace !== undefined && !isInfrastructureNamespace(payload.namespace)) {
    throw new BadRequestError(`The ${root} is not in a SIF 3 infrastructure namespace`, {
      description: `namespace ${payload.namespace.slice(0, 200)}`,
    });
  }
}

/**
 * The text elements of a flat infrastructure payload (queue, subscription), trimmed, by name.
 * Attributes are skipped (the provider assigns ids). 400 for another root, a foreign namespace, an
 * element that is not text, or one not in `known`.
 *
 * @example
 * textFields(payload, 'queue', ['polling', 'name']); // { polling: 'LONG', name: 'Sync' }
 */
export function textFields(payload: DecodedPayload, root: string, known: readonly string[]): Record<string, string> {
  requireInfrastructureRoot(payload, root);
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload.value)) {
    if (key.startsWith('@')) continue;
    if (!known.includes(key)) throw new BadRequestError(`${key.slice(0, 40)} is not a ${root} element`, { description: `known: ${known.join(', ')}` });
    const text = textOf(value);
    if (text === undefined) throw new BadRequestError(`${root} element ${key} must be text`);
    fields[key] = text.trim();
  }
  return fields;
}

/** An `xs:unsignedInt` element, or undefined when absent; 400 otherwise. */
export function unsignedInt(fields: Record<string, string>, name: string): number | undefined {
  const text = fields[name];
  if (text === undefined || text === '') return undefined;
  if (!/^\d{1,10}$/.test(text) || Number(text) > 4_294_967_295) throw new BadRequestError(`${name} must be an unsigned integer`);
  return Number(text);
}
