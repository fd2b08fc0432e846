import type { Request, Response } from 'express';
import type { ProviderCore } from '../core';
import { BadRequestError, NotFoundError } from '../errors';
import { getSifContext } from '../http/context';
import { headerOrQuery } from '../http/params';
import { readPayload } from '../http/payload';
import { parseProvisionRequest, provisionRequestObject } from '../payload/provision-request';
import { pageOffset, pagingHeaders, parsePaging } from '../protocol/paging';

// The provisionRequests infrastructure service (Infrastructure Services §6): a consumer asks for
// more rights in its own environment and reads the answer. No right is needed (like queues, it is
// the consumer's own infrastructure), and each consumer sees only its own requests.

/**
 * `POST {provisionRequests}` (or `…/provisionRequest`) → 201 with the request as stored: decided
 * (`completionStatus`, rights APPROVED or REJECTED, merged into the environment) or pending (rights
 * REQUESTED), and its URL in Location.
 *
 * @example
 * router.post(path, authenticateSession(core), createProvisionRequest(core));
 */
export function createProvisionRequest(core: ProviderCore) {
  return async function createProvisionRequestStep(req: Request, res: Response): Promise<void> {
    const environment = getSifContext(req).session!.environment;
    const payload = await readPayload(req, core.config.limits);
    if (!payload) throw new BadRequestError('A provision request needs a provisionRequest payload');
    const { maxObjectsPerRequest, maxFieldLength } = core.config.limits;
    const asked = parseProvisionRequest(payload, { maxServices: maxObjectsPerRequest, maxFieldLength });
    const record = await core.provisioning.create(environment, asked);
    core.responder.payload(req, res, 201, 'provisionRequest', provisionRequestObject(record), {
      headers: { Location: `${core.responder.baseUrl(req)}/provisionRequests/${record.id}` },
    });
  };
}

/**
 * `GET {provisionRequests}` → a page of the caller's requests, oldest first; 204 past the last page.
 *
 * @example
 * router.get(path, authenticateSession(core), queryProvisionRequests(core));
 */
export function queryProvisionRequests(core: ProviderCore) {
  return async function queryProvisionRequestsStep(req: Request, res: Response): Promise<void> {
    const environmentId = getSifContext(req).session!.environment.id;
    const page = parsePaging(headerOrQuery(req, 'navigationPage'), headerOrQuery(req, 'navigationPageSize'), core.config.paging);
    const { store } = core.config;
    const total = await store.countProvisionRequests({ environmentId });
    const records = await store.listProvisionRequests({ environmentId }, { offset: pageOffset(page), limit: page.pageSize });
    const headers = pagingHeaders(page, records.length, total);
    if (records.length === 0) {
      core.responder.empty(req, res, 204, { headers });
      return;
    }
    core.responder.payload(req, res, 200, 'provisionRequests', { provisionRequest: records.map(provisionRequestObject) }, { headers });
  };
}

/**
 * `GET {provisionRequests}/{id}` → 200 with the decided request; 202 with it as it stands while an
 * operator has still to decide (§6.3: ask again later); 404 unless it is the caller's.
 *
 * @example
 * router.get(path, authenticateSession(core), readProvisionRequest(core));
 */
export function readProvisionRequest(core: ProviderCore) {
  return async function readProvisionRequestStep(req: Request, res: Response): Promise<void> {
    const record = await ownRequest(core, req);
    core.responder.payload(req, res, record.decidedAt === undefined ? 202 : 200, 'provisionRequest', provisionRequestObject(record));
  };
}

/**
 * `DELETE {provisionRequests}/{id}` → 204; the rights it got stay in the environment. A pending one is withdrawn.
 *
 * @example
 * router.delete(path, authenticateSession(core), deleteProvisionRequest(core));
 */
export function deleteProvisionRequest(core: ProviderCore) {
  return async function deleteProvisionRequestStep(req: Request, res: Response): Promise<void> {
    const environmentId = getSifContext(req).session!.environment.id;
    if (!(await core.config.store.deleteProvisionRequest(environmentId, String(req.params.provisionRequestId)))) {
      throw new NotFoundError('No such provision request', { scope: 'provisionRequests' });
    }
    core.responder.empty(req, res, 204);
  };
}

async function ownRequest(core: ProviderCore, req: Request) {
  const environmentId = getSifContext(req).session!.environment.id;
  const record = await core.config.store.getProvisionRequest(String(req.params.provisionRequestId));
  if (!record || record.environmentId !== environmentId) throw new NotFoundError('No such provision request', { scope: 'provisionRequests' });
  return record;
}
