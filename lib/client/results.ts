import { asArray, isElement, textOf } from '../payload/goessner';
import type { OperationResult, SifObject } from './types';

/**
 * The per-object results of a `createResponse`, `updateResponse` or `deleteResponse`, in the order
 * the provider listed them (the order of the request).
 *
 * @example
 * operationResults(body.value, 'creates', 'create'); // [{ id: '…', advisoryId: '…', status: 201, ok: true, error: undefined }]
 */
export function operationResults(response: SifObject, list: 'creates' | 'updates' | 'deletes', item: 'create' | 'update' | 'delete'): OperationResult[] {
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
