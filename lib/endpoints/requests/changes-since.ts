import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { BadRequestError, ConflictError } from '../../errors';
import { headerOrQuery } from '../../http/params';
import type { GoessnerObject } from '../../payload/goessner';
import { formatChangesNavigation, formatMarker, parseChangesNavigation, parseMarker } from '../../protocol/changes-marker';
import type { PageRequest } from '../../protocol/paging';
import { pageOffset } from '../../protocol/paging';
import { isBulkQuery } from '../../http/request-headers';
import { wholeAsOnePage } from './bulk';
import { idOnly, targetOf } from './common';
import { sendPage } from './query';

/**
 * `GET {rc}/{plural}?changesSinceMarker=m` (Base Architecture §5.10): the objects changed after `m`,
 * each once in its latest state (deleted ones as their id only): all of them when no paging is
 * named (or a 413 past `limits.maxBulkQueryObjects`), else paged. The first page carries the
 * new `changesSinceMarker` and a `navigationId` that pins the end of the walk, so that changes made
 * while the consumer pages are left for its next call instead of shifting the pages.
 */
export async function changesSince(core: ProviderCore, req: Request, res: Response, markerText: string, requested: PageRequest): Promise<void> {
  const { service, ctx } = targetOf(req);
  if (!service.changeTracking) throw new BadRequestError(`${service.name} does not support changes since`);
  if (!core.changes.trusted) {
    throw new ConflictError('The change history is incomplete: resynchronise with a full query, then HEAD for a new marker');
  }
  const store = core.config.store;
  const state = await store.changeLogState();
  const after = parseMarker(markerText, state);
  const navigationId = headerOrQuery(req, 'navigationId');
  const upTo = navigationId ? parseChangesNavigation(navigationId, state, after) : state.latest;
  const total = await store.countChangedObjects(service.name, after, upTo);
  // No paging named: "the response holds all changes" (§5.10.1), or a 413 past the bulk limit.
  const page = isBulkQuery(req) ? wholeAsOnePage(core, total, 'Changes since') : requested;
  const offset = pageOffset(page);
  const changed = await store.changedObjects(service.name, after, upTo, { offset, limit: page.pageSize });
  const objects: GoessnerObject[] = [];
  for (const change of changed) {
    // Objects deleted outside SIF without a report read as missing: they are deletions too.
    const current = change.action === 'DELETE' ? null : await service.handlers.read!(ctx, change.objectId);
    objects.push(current ?? idOnly(service, change.objectId));
  }
  const headers: Record<string, string> = { navigationId: formatChangesNavigation(state, upTo) };
  if (page.page === 1) headers.changesSinceMarker = formatMarker(state, upTo);
  sendPage(core, req, res, { objects, totalCount: total }, { ...page, offset }, headers);
}
