import { BadRequestError } from '../errors';
import type { OrderTerm } from './ast';
import { STEP_PATTERN } from './path';

const TERM = new RegExp(`^(${STEP_PATTERN}(?:/${STEP_PATTERN})*)\\s*=\\s*(ascending|descending)$`, 'i');

/**
 * Parses an `order` clause (Base Architecture §5.8): `[path=ascending;path=descending]`.
 *
 * @example
 * parseOrder('[name/familyName=ascending;name/givenName=descending]');
 * // [{ path: ['name', 'familyName'], direction: 'ascending' }, { path: ['name', 'givenName'], direction: 'descending' }]
 */
export function parseOrder(text: string): OrderTerm[] {
  const trimmed = text.trim();
  const inner = trimmed.startsWith('[') && trimmed.endsWith(']') ? trimmed.slice(1, -1) : trimmed;
  if (inner.length > 1000) throw new BadRequestError('The order clause is too long');
  const parts = inner.split(';').map((p) => p.trim());
  if (parts.length > 8) throw new BadRequestError('The order clause has more than 8 keys');
  return parts.map((part, i) => {
    const m = TERM.exec(part);
    if (!m) {
      throw new BadRequestError(`Invalid order clause: key ${i + 1} must be "path=ascending" or "path=descending"`, {
        description: `got "${part.slice(0, 60)}"`,
      });
    }
    const path = m[1]!.split('/');
    if (path.slice(0, -1).some((s) => s.startsWith('@'))) throw new BadRequestError(`Invalid order clause: key ${i + 1} has an attribute before its last step`);
    return { path, direction: m[2]!.toLowerCase() as OrderTerm['direction'] };
  });
}
