import type { ProviderCore } from '../../core';
import { InternalServiceError, SifError } from '../../errors';
import type { ItemOutcome } from '../../payload/responses';
import type { RegisteredService } from '../../services/registry';
import { failedItem } from './common';

// The items of a multi-object create, update or delete go to the service's batch handler in one
// call when it has one (so the host can write them in one transaction), else one at a time to the
// single handler. Either way each item ends settled on its own, so the endpoints build the same
// createResponse / updateResponse / deleteResponse from either.

/** What became of one item: the checked result of its handler, or its error. */
export type Settled<R> =
  | { readonly ok: true; readonly value: R }
  // `logged`: the failure was logged once for the whole batch, not to be logged again per item.
  | { readonly ok: false; readonly error: unknown; readonly logged: boolean };

/** How the items of one multi-object request are handed to the service's handlers. */
export interface ItemWork<I, R> {
  /** The name of the batch handler, for messages: `createMany`, `updateMany` or `deleteMany`. */
  readonly batchName: string;
  /** The service's batch handler bound to this request, or undefined to call `one` per item. */
  readonly many: ((items: I[]) => Promise<unknown>) | undefined;
  /** The single handler bound to this request. */
  readonly one: (item: I) => Promise<unknown>;
  /** Throws for an item the request itself gets wrong: it is settled with that error and never handed over. */
  readonly precheck?: (item: I) => void;
  /** Checks what a handler returned for one item (never an Error): its result, or throws that item's error. */
  readonly check: (returned: unknown, item: I) => R;
}

/**
 * Settles every item, in order: through `work.many` in one call when the service has a batch
 * handler, else through `work.one` item by item. A batch result that is an Error is that item's
 * error; any other is checked as a single handler's. A batch handler that throws, or returns
 * anything but one result per item handed over, fails each of those items: with the `SifError` it
 * threw, else with a 500 logged once for the whole batch.
 *
 * @example
 * const settled = await settleItems(core, service, ids, {
 *   batchName: 'deleteMany',
 *   many: service.handlers.deleteMany && ((batch) => service.handlers.deleteMany!(ctx, batch)),
 *   one: (id) => service.handlers.delete!(ctx, id),
 *   check: (returned, id) => assertFound(service, 'delete', returned, id),
 * });
 */
export async function settleItems<I, R>(core: ProviderCore, service: RegisteredService, items: readonly I[], work: ItemWork<I, R>): Promise<Settled<R>[]> {
  const settled: (Settled<R> | undefined)[] = items.map((item) => {
    try {
      work.precheck?.(item);
      return undefined;
    } catch (error) {
      return { ok: false, error, logged: false };
    }
  });
  const pending = items.flatMap((item, index) => (settled[index] ? [] : [{ item, index }]));
  if (!work.many) {
    for (const { item, index } of pending) settled[index] = await settleOne(item, work);
  } else if (pending.length > 0) {
    const results = await runBatch(core, service, work, pending.map((p) => p.item));
    pending.forEach(({ item, index }, i) => {
      settled[index] = Array.isArray(results) ? settleResult(item, results[i], work) : results;
    });
  }
  return settled as Settled<R>[];
}

/**
 * The outcome of one settled item: `success` builds it from the item's result; a failure becomes
 * the item's status and embedded error (see `failedItem`).
 *
 * @example
 * outcomes = settled.map((s, i) => outcomeOf(core, s, { id: ids[i] }, () => ({ id: ids[i], statusCode: 200 })));
 */
export function outcomeOf<R>(core: ProviderCore, settled: Settled<R>, base: Partial<ItemOutcome>, success: (value: R) => ItemOutcome): ItemOutcome {
  return settled.ok ? success(settled.value) : failedItem(core, settled.error, base, settled.logged);
}

async function settleOne<I, R>(item: I, work: ItemWork<I, R>): Promise<Settled<R>> {
  try {
    return { ok: true, value: work.check(await work.one(item), item) };
  } catch (error) {
    return { ok: false, error, logged: false };
  }
}

function settleResult<I, R>(item: I, result: unknown, work: ItemWork<I, R>): Settled<R> {
  if (result instanceof Error) return { ok: false, error: result, logged: false };
  try {
    return { ok: true, value: work.check(result, item) };
  } catch (error) {
    return { ok: false, error, logged: false };
  }
}

/** The batch handler's results, one per item; else the failure every item shares. */
async function runBatch<I, R>(core: ProviderCore, service: RegisteredService, work: ItemWork<I, R>, items: I[]): Promise<unknown[] | Settled<R>> {
  let results: unknown;
  try {
    results = await work.many!(items);
  } catch (error) {
    // A SifError is the host's answer for every item (e.g. 403 for a closed term); only failures
    // are logged, and once: one broken transaction is one log entry, not one per object.
    if (error instanceof SifError && error.status < 500) return { ok: false, error, logged: false };
    core.config.logger.error(`sif3-direct: the ${service.name} ${work.batchName} handler failed on a batch of ${items.length}`, error);
    return { ok: false, error: error instanceof SifError ? error : new InternalServiceError('Internal service error'), logged: true };
  }
  if (Array.isArray(results) && results.length === items.length) return results;
  const error = new InternalServiceError(`The ${service.name} ${work.batchName} handler must return one result per item`);
  core.config.logger.error(`sif3-direct: ${error.message} (${items.length} handed over)`, error);
  return { ok: false, error, logged: true };
}
