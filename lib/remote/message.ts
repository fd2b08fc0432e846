import { relativeServicePath } from '../http/respond';
import type { DeferrableOperation } from '../queues/deferred';
import type { RegisteredService } from '../services/registry';
import type { SifRequestContext } from '../services/types';
import type { DelayedRequestRecord, NewQueueMessage } from '../store/queue-records';

/** The `requestAction` of each operation a remote provider takes (Base Architecture §4.3.2). */
const ACTIONS: Readonly<Record<DeferrableOperation, string>> = { query: 'QUERY', createMany: 'CREATE', updateMany: 'UPDATE', deleteMany: 'DELETE' };

/** Headers of the consumer's request that tell the provider what to answer, by their lower-case name. */
const FORWARDED: readonly string[] = ['navigationPage', 'navigationPageSize', 'queryIntention', 'mustUseAdvisory', 'where', 'order', 'generatorId'];

/**
 * The REQUEST message a consumer's delayed request becomes in its remote provider's queue (SIF 3.5
 * pull mode; shared/notes/async-providers.md B3). It carries what the provider needs to act:
 * `requestId` (the library's own id of the request, which the provider's answers name: consumers'
 * requestIds could collide), `requestAction`, `serviceType`, `serviceName`, `zoneId`, `contextId`
 * (as headers, as on events: §8.3), `relativeServicePath` (with matrix and query parameters, so
 * `where` and `order` travel as the consumer wrote them), the paging and advisory headers, `sourceName`
 * (the consumer's application key, Infrastructure Services §7.3.3) and the body as the consumer sent
 * it. A query that names no paging is a bulk query (Base Architecture §5.4.1): `bulkQuery: true` and
 * `maxBulkQueryObjects` (given as `bulkLimit`) tell the provider to answer it in one part with every
 * object, or with its count past that limit (remote/answers.ts). Nothing lets it act as the consumer: no credentials, session, environment, queueId or the
 * consumer's own requestId.
 *
 * @example
 * const message = requestMessage(record, service, ctx, 'query', route.queueId, newId(), now, 10_000);
 */
export function requestMessage(
  record: DelayedRequestRecord,
  service: RegisteredService,
  ctx: Pick<SifRequestContext, 'zoneId' | 'contextId' | 'applicationKey'>,
  operation: DeferrableOperation,
  queueId: string,
  id: string,
  now: string,
  bulkLimit?: number,
): NewQueueMessage {
  const headers: Record<string, string> = {
    messageType: 'REQUEST',
    requestId: record.id,
    requestAction: ACTIONS[operation],
    serviceType: service.type,
    serviceName: service.name,
    zoneId: ctx.zoneId,
    contextId: ctx.contextId,
    sourceName: ctx.applicationKey,
  };
  const path = relativeServicePath(record.url);
  if (path !== undefined) headers.relativeServicePath = path;
  for (const name of FORWARDED) {
    const value = record.headers[name.toLowerCase()];
    if (value !== undefined) headers[name] = value;
  }
  if (bulkLimit !== undefined) Object.assign(headers, { bulkQuery: 'true', maxBulkQueryObjects: String(bulkLimit) });
  const contentType = record.headers['content-type'];
  return {
    id,
    queueId,
    createdAt: now,
    headers,
    body: record.body.length > 0 ? { kind: 'encoded', contentType: contentType ?? 'application/xml', bytes: record.body } : { kind: 'empty' },
  };
}
