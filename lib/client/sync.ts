import { SifClientError } from './errors';
import type { ServiceClient } from './service';
import type { Page, Scope, SifObject } from './types';

/**
 * What `sync` does with what it fetches. `onObject` receives every object of a full walk, then every
 * change: changed objects in their current state, deleted ones as their id alone with
 * `deleted: true`. `onReset` runs before every full walk: the copy kept so far must be discarded
 * (its reason is `resynchronise` when the provider no longer knew the marker, a 409).
 *
 * @example
 * await students.sync({
 *   marker: saved,
 *   onReset: () => copy.clear(),
 *   onObject: (s, { id, deleted }) => (deleted ? copy.delete(id!) : copy.set(id!, s)),
 * });
 */
export interface SyncOptions extends Scope {
  /** The marker a previous sync returned; none for the first. */
  marker?: string | undefined;
  onObject(object: SifObject, change: SyncChange): void | Promise<void>;
  onPage?(page: Page, progress: SyncProgress): void | Promise<void>;
  onReset?(reason: 'initial' | 'resynchronise', cause: SifClientError | undefined): void | Promise<void>;
  pageSize?: number;
  /**
   * Walk a pinned snapshot (`queryIntention: ALL`, default true), so that objects inserted or
   * deleted during the walk never make it skip or repeat one.
   */
  consistent?: boolean;
  signal?: AbortSignal;
}

/**
 * One object's part in a sync.
 *
 * @example
 * onObject: (s, { phase, deleted }) => console.log(phase, deleted ? 'deleted' : 'changed')
 */
export interface SyncChange {
  id: string | undefined;
  deleted: boolean;
  phase: 'full' | 'changes';
}

/**
 * How far a sync is, given to `onPage` after each page.
 *
 * @example
 * onPage: (page, { objects }) => console.log(objects, 'of', page.navigationCount)
 */
export interface SyncProgress {
  phase: 'full' | 'changes';
  /** Pages and objects so far in this phase. */
  pages: number;
  objects: number;
}

/**
 * What a sync did, and the marker to store for the next one. `marker` is undefined only when the
 * provider does not track changes for the service (no `changesSinceMarker` header).
 *
 * @example
 * const result = await students.sync(options); await save(result.marker);
 */
export interface SyncResult {
  marker: string | undefined;
  /** A full walk was made (the first sync, or a resynchronisation). */
  full: boolean;
  /** The stored marker was refused with 409 and everything was fetched again. */
  resynchronised: boolean;
  /** The 409 that made it resynchronise. */
  cause: SifClientError | undefined;
  /** Objects received (full walk and changes), and of them deletions. */
  objects: number;
  deleted: number;
  pages: number;
}

/**
 * The sync algorithm behind `ServiceClient.sync`. With a marker: changes since it. Without one, or
 * when the provider answers 409 (a marker never issued, or older than its change history): take the
 * HEAD marker first, walk everything, then fetch the changes made since that marker during the walk
 * (applied again by id, so nothing changed mid-walk is missed).
 *
 * @example
 * const result = await syncService(client.service('xStudents'), { onObject });
 */
export async function syncService(service: ServiceClient, options: SyncOptions): Promise<SyncResult> {
  const result: SyncResult = { marker: options.marker, full: false, resynchronised: false, cause: undefined, objects: 0, deleted: 0, pages: 0 };
  if (options.marker !== undefined) {
    try {
      result.marker = await applyChanges(service, options, options.marker, result);
      return result;
    } catch (error) {
      if (!(error instanceof SifClientError) || error.status !== 409) throw error;
      result.resynchronised = true;
      result.cause = error;
    }
  }
  await options.onReset?.(result.resynchronised ? 'resynchronise' : 'initial', result.cause);
  result.full = true;
  const scope = { zoneId: options.zoneId, contextId: options.contextId };
  const start = (await service.head({ ...scope, ...signalOf(options) })).changesSinceMarker;
  const progress: SyncProgress = { phase: 'full', pages: 0, objects: 0 };
  const walk = service.pages({
    ...scope,
    ...signalOf(options),
    pageSize: options.pageSize ?? service.pageSize,
    ...(options.consistent === false ? {} : { intention: 'ALL' as const }),
  });
  for await (const page of walk) {
    for (const object of page.objects) {
      await options.onObject(object, { id: service.idOf(object), deleted: false, phase: 'full' });
    }
    progress.pages++;
    progress.objects += page.objects.length;
    result.pages++;
    result.objects += page.objects.length;
    await options.onPage?.(page, { ...progress });
  }
  result.marker = start === undefined ? undefined : await applyChanges(service, options, start, result);
  return result;
}

/** Applies every change since `marker`; returns the marker to store next. */
async function applyChanges(service: ServiceClient, options: SyncOptions, marker: string, result: SyncResult): Promise<string> {
  let next = marker;
  let first = true;
  const progress: SyncProgress = { phase: 'changes', pages: 0, objects: 0 };
  const scope = { zoneId: options.zoneId, contextId: options.contextId, ...signalOf(options) };
  for await (const page of service.changesSince(marker, { ...scope, pageSize: options.pageSize ?? service.pageSize })) {
    // The first page carries the marker that covers the whole walk (later pages are pinned to it).
    if (first && page.changesSinceMarker) next = page.changesSinceMarker;
    first = false;
    for (const object of page.changed) await options.onObject(object, { id: service.idOf(object), deleted: false, phase: 'changes' });
    for (const id of page.deleted) await options.onObject({ [`@${service.idAttribute}`]: id }, { id, deleted: true, phase: 'changes' });
    progress.pages++;
    progress.objects += page.objects.length;
    result.pages++;
    result.objects += page.objects.length;
    result.deleted += page.deleted.length;
    await options.onPage?.(page, { ...progress });
  }
  return next;
}

function signalOf(options: { signal?: AbortSignal }): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}
