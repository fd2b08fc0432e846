import type { Request } from 'express';
import type { ProviderCore } from '../../core';
import { BadRequestError, QuotaExceededError } from '../../errors';
import { headerOrQuery } from '../../http/params';
import { queryIntentionOf } from '../../http/request-headers';
import type { GoessnerObject } from '../../payload/goessner';
import type { QueryRequest, QueryResult } from '../../services/types';
import { newId } from '../../util/ids';
import { targetOf } from './common';

/** A page served with consistent paging, and the `navigationId` that the consumer sends back. */
export interface SnapshotAnswer {
  result: QueryResult;
  navigationId: string;
}

/**
 * Consistent paging (Base Architecture §5.4.2): with `queryIntention: ALL` the first request stores
 * the ordered ids of every matching object and returns a `navigationId`; requests that send it back
 * are served from those ids, so inserts and deletes in between never skip or repeat an object (a
 * deleted one is simply absent from its page). `ONE-OFF` and `NO-CACHING` keep no state. Returns
 * undefined when the request is not served this way.
 */
export async function fromSnapshot(core: ProviderCore, req: Request, query: QueryRequest): Promise<SnapshotAnswer | undefined> {
  const { service, ctx, servicePath } = targetOf(req);
  const navigationId = headerOrQuery(req, 'navigationId');
  const intention = queryIntentionOf(req);
  const store = core.config.store;
  const now = core.config.clock();
  const page = { offset: query.offset, limit: query.pageSize };

  if (navigationId !== undefined) {
    const stored = await store.snapshotPage(navigationId, ctx.environmentId, now.toISOString(), page);
    if (!stored || stored.serviceName !== service.name || servicePath) {
      throw new BadRequestError('navigationId is unknown or has expired: start the query again from page 1');
    }
    return { result: { objects: await readAll(core, req, stored.objectIds), totalCount: stored.total }, navigationId };
  }
  if (intention !== 'ALL' || servicePath || !service.handlers.queryIds || !service.handlers.read) return undefined;

  const ids = await service.handlers.queryIds(ctx, query);
  const { idsPerSnapshot, snapshotsPerEnvironment } = core.config.limits;
  if (ids.length > idsPerSnapshot) {
    throw new QuotaExceededError(413, 'limits.idsPerSnapshot', `A queryIntention ALL query may match at most ${idsPerSnapshot} objects`, {
      description: 'Narrow the query with where, or page it without queryIntention ALL',
    });
  }
  const snapshot = {
    navigationId: newId(),
    environmentId: ctx.environmentId,
    serviceName: service.name,
    expiresAt: new Date(now.getTime() + core.config.paging.snapshotTtlMs).toISOString(),
  };
  if (!(await store.createSnapshot(snapshot, ids, now.toISOString(), snapshotsPerEnvironment))) {
    throw new QuotaExceededError(409, 'limits.snapshotsPerEnvironment', `An environment may have at most ${snapshotsPerEnvironment} queryIntention ALL walks open at once`, {
      description: `Finish or abandon one; a walk ends ${core.config.paging.snapshotTtlMs / 1000} s after it started`,
    });
  }
  const pageIds = ids.slice(query.offset, query.offset + query.pageSize);
  return { result: { objects: await readAll(core, req, pageIds), totalCount: ids.length }, navigationId: snapshot.navigationId };
}

async function readAll(core: ProviderCore, req: Request, ids: string[]): Promise<GoessnerObject[]> {
  const { service, ctx } = targetOf(req);
  const objects: GoessnerObject[] = [];
  for (const id of ids) {
    const object = await service.handlers.read!(ctx, id);
    if (object) objects.push(object);
  }
  return objects;
}
