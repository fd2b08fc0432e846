import { jobObject, deletedJobObject } from '../payload/job';
import type { EventPublisher } from '../queues/event-publisher';
import type { JobRecord } from '../store/job-records';
import type { ChangeAction } from '../services/types';

/**
 * Publishes job events (Base Architecture §5.16, SIF 3.5 §3.5.2) to the job's owner only, as the A4L
 * framework does: to the owner's subscriptions to the functional service in the job's zone and
 * context, with the `fingerprint` header that marks an event meant for the job's owner (§4.3.2).
 * A change the owner's own request caused is not published: its answer already carried it.
 *
 * @example
 * await new JobEvents(publisher, namespace).publish('UPDATE', record, undefined);
 */
export class JobEvents {
  constructor(
    private readonly publisher: EventPublisher | undefined,
    private readonly namespace: string,
  ) {}

  /**
   * Queues the event of one change to a job; `causedBy` is the environment whose request made it
   * (undefined for the host's own changes and housekeeping).
   */
  async publish(action: ChangeAction, record: JobRecord, causedBy: string | undefined): Promise<void> {
    const { job, owner } = record;
    if (!this.publisher || causedBy === owner.environmentId) return;
    const headers: Record<string, string> = {
      messageType: 'EVENT',
      eventAction: action,
      serviceName: job.serviceName,
      serviceType: 'FUNCTIONAL',
      zoneId: owner.zoneId,
      contextId: owner.contextId,
      fingerprint: owner.fingerprint,
    };
    if (action !== 'DELETE') headers.replacement = 'FULL';
    await this.publisher.publishTo(
      job.serviceName,
      (s) => s.environmentId === owner.environmentId && s.serviceType === 'FUNCTIONAL' && s.zoneId === owner.zoneId && s.contextId === owner.contextId,
      headers,
      { root: 'jobs', namespace: this.namespace, value: { job: [action === 'DELETE' ? deletedJobObject(job) : jobObject(job)] } },
    );
  }
}
