import type { SifError } from '../errors';
import { newId } from '../util/ids';
import { errorObject } from './error';
import type { GoessnerObject } from './goessner';

/** The outcome of one item of a multi-object request. */
export interface ItemOutcome {
  /** The object's id, when known. */
  id?: string;
  /** For creates: the id the consumer suggested. */
  advisoryId?: string;
  statusCode: number;
  error?: SifError;
}

function itemElement(outcome: ItemOutcome, scope: string, withAdvisory: boolean): GoessnerObject {
  const item: GoessnerObject = {};
  if (outcome.id !== undefined) item['@id'] = outcome.id;
  // 3.3 makes advisoryId mandatory: without a suggested id, the assigned one (or "" for a failure).
  if (withAdvisory) item['@advisoryId'] = outcome.advisoryId ?? outcome.id ?? '';
  item['@statusCode'] = String(outcome.statusCode);
  if (outcome.error) item.error = errorObject(outcome.error, newId(), scope);
  return item;
}

/**
 * `createResponse`: per item its id, advisoryId, statusCode and any error (Base Architecture §5.2).
 *
 * @example
 * createResponse([{ id: 'a', advisoryId: 'a', statusCode: 201 }], 'Create xStudents');
 * // { creates: { create: [{ '@id': 'a', '@advisoryId': 'a', '@statusCode': '201' }] } }
 */
export function createResponse(outcomes: ItemOutcome[], scope: string): GoessnerObject {
  return { creates: { create: outcomes.map((o) => itemElement(o, scope, true)) } };
}

/** `updateResponse`: per item its id, statusCode and any error. */
export function updateResponse(outcomes: ItemOutcome[], scope: string): GoessnerObject {
  return { updates: { update: outcomes.map((o) => itemElement(o, scope, false)) } };
}

/** `deleteResponse`: per item its id, statusCode and any error. */
export function deleteResponse(outcomes: ItemOutcome[], scope: string): GoessnerObject {
  return { deletes: { delete: outcomes.map((o) => itemElement(o, scope, false)) } };
}
