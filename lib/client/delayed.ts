import type { ServiceTarget } from './service-target';
import type { SendOptions } from './transport';
import type { QueryOptions } from './walk';
import { queryParams } from './walk';

/**
 * Send a request DELAYED: its answer arrives in the queue, carrying the returned `requestId`.
 *
 * @example
 * const { requestId } = await students.query({ pageSize: 500 }, { delayed: { queueId: queue.id } });
 */
export interface DelayedOptions {
  delayed: { queueId: string; requestId?: string };
}

/**
 * A delayed request the provider accepted (202).
 *
 * @example
 * const { requestId } = await students.createMany(batch, { delayed: { queueId } });
 */
export interface DelayedRequest {
  requestId: string;
}

/** Sends `request` DELAYED to the queue; resolves once the provider accepted it (202). */
export async function sendDelayed(target: ServiceTarget, request: SendOptions, delayed: DelayedOptions['delayed']): Promise<DelayedRequest> {
  const requestId = delayed.requestId ?? target.transport.newRequestId();
  await target.send({
    ...request,
    headers: { ...request.headers, requestType: 'DELAYED', queueId: delayed.queueId, requestId },
    expect: [202],
  });
  return { requestId };
}

/** A query sent DELAYED: its pages arrive in the queue. */
export function delayedQuery(target: ServiceTarget, query: QueryOptions, delayed: DelayedOptions['delayed']): Promise<DelayedRequest> {
  return sendDelayed(
    target,
    {
      method: 'GET',
      url: target.url([], query, queryParams(query)),
      // A page size (or page) makes it a paged batch: every page from the one named (or 1) arrives,
      // each a message; naming neither asks for one bulk answer (Base Architecture §5.4.1).
      headers: {
        navigationPageSize: query.pageSize === undefined ? undefined : String(query.pageSize),
        navigationPage: query.page === undefined ? undefined : String(query.page),
        queryIntention: query.intention,
      },
      expect: [202],
      what: `GET ${target.plural} (delayed)`,
    },
    delayed,
  );
}
