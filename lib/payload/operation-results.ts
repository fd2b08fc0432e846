import type { GoessnerObject } from './goessner';
import { asArray, isElement, textOf } from './goessner';

/**
 * The outcome of one object of a multi-object create, update or delete, as a `createResponse`,
 * `updateResponse` or `deleteResponse` states it.
 *
 * @example
 * const failed = (await students.createMany(batch)).filter((r) => !r.ok);
 */
export interface OperationResult {
  /** The object's id (for creates: the id the provider gave it), when known. */
  id: string | undefined;
  /** The id the consumer suggested (creates). */
  advisoryId: string | undefined;
  status: number;
  ok: boolean;
  /** The SIF error object of a failed item, in Goessner notation. */
  error: GoessnerObject | undefined;
}

/**
 * The per-object results of a `createResponse`, `updateResponse` or `deleteResponse`, in the order
 * the provider listed them (the order of the request). Read by the client (its answers) and by the
 * router (a remote provider's answers), so it lives with the payloads, not in either.
 *
 * @example
 * operationResults(body.value, 'creates', 'create'); // [{ id: '…', advisoryId: '…', status: 201, ok: true, error: undefined }]
 */
export function operationResults(response: GoessnerObject, list: 'creates' | 'updates' | 'deletes', item: 'create' | 'update' | 'delete'): OperationResult[] {
  const container = response[list];
  if (!isElement(container)) return [];
  return asArray(container[item]).filter(isElement).map((entry) => {
    const status = Number(textOf(entry['@statusCode']) ?? '0');
    const error = entry.error;
    return {
      id: textOf(entry['@id']),
      advisoryId: textOf(entry['@advisoryId']),
      status,
      ok: status >= 200 && status < 300,
      error: isElement(error) ? error : undefined,
    };
  });
}
