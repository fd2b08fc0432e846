import type { Request, Response } from 'express';
import type { ProviderCore } from '../../core';
import { headerOrQuery } from '../../http/params';
import { jobObject } from '../../payload/job';
import { pageOffset, pagingHeaders, parsePaging } from '../../protocol/paging';
import { functionalTarget, ownedJob } from './common';

/** `GET {services}/{service}/{jobId}` → 200 with the job, if it is the caller's (else 404). */
export function readJob(core: ProviderCore) {
  return async function readJobStep(req: Request, res: Response): Promise<void> {
    const target = functionalTarget(core, req, 'QUERY');
    const record = await ownedJob(core.jobs!, target, String(req.params.jobId));
    core.responder.payload(req, res, 200, 'job', jobObject(record.job));
  };
}

/**
 * `GET {services}/{service}` (and HEAD) → 200 with a page of the caller's jobs in this zone and
 * context, oldest first, with the paging headers; an empty page is `<jobs/>` (200), as the A4L
 * framework answers, since a Java consumer expects the collection.
 */
export function queryJobs(core: ProviderCore) {
  return async function queryJobsStep(req: Request, res: Response): Promise<void> {
    const target = functionalTarget(core, req, 'QUERY');
    const page = parsePaging(headerOrQuery(req, 'navigationPage'), headerOrQuery(req, 'navigationPageSize'), core.config.paging);
    const filter = { serviceName: target.serviceName, ...target.owner };
    const total = await core.config.store.countJobs(filter);
    const records = req.method === 'HEAD' ? [] : await core.config.store.listJobs(filter, { offset: pageOffset(page), limit: page.pageSize });
    const onPage = req.method === 'HEAD' ? Math.max(0, Math.min(page.pageSize, total - pageOffset(page))) : records.length;
    const headers = pagingHeaders(page, onPage, total);
    if (req.method === 'HEAD') {
      core.responder.head(req, res, 200, { headers });
      return;
    }
    core.responder.payload(req, res, 200, 'jobs', { job: records.map((r) => jobObject(r.job)) }, { headers });
  };
}
