import type { Job, JobOwner } from '../jobs/types';

/** A stored job of a functional service: the job, who owns it, when it expires, and its version. */
export interface JobRecord {
  readonly job: Job;
  readonly owner: JobOwner;
  /** ISO-8601 time after which housekeeping removes it; undefined: never. */
  readonly expiresAt: string | undefined;
  /** 1 when created, one more with every replacement (see `SifStore.replaceJob`). */
  readonly version: number;
}

/** The outcome of `SifStore.createJob`. */
export type CreateJobResult = 'created' | 'taken' | 'full';

/** Which jobs a consumer lists: its own, of one service, in one zone and context. */
export interface JobFilter {
  readonly serviceName: string;
  readonly environmentId: string;
  readonly zoneId: string;
  readonly contextId: string;
}
