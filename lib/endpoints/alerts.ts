import type { Request, Response } from 'express';
import type { ProviderCore } from '../core';
import { BadRequestError, NotFoundError, QuotaExceededError } from '../errors';
import { getSifContext } from '../http/context';
import { headerOrQuery } from '../http/params';
import { readPayload } from '../http/payload';
import { DEFAULT_CONTEXT, ENVIRONMENT_GLOBAL_ZONE } from '../protocol/enums';
import type { RightType } from '../protocol/enums';
import { pageOffset, pagingHeaders, parsePaging } from '../protocol/paging';
import { requireRight } from '../protocol/rights';
import { newId } from '../util/ids';

// The alerts utility (Utility Services §7): consumers create alerts one at a time and read back
// only their own. Update and delete are prohibited; the route table answers them with 405.

function authorize(req: Request, right: RightType) {
  const session = getSifContext(req).session!;
  requireRight(session.environment, { zoneId: ENVIRONMENT_GLOBAL_ZONE, serviceName: 'alerts', contextId: DEFAULT_CONTEXT }, right);
  return session;
}

/** `POST {rc}/alerts/alert` → 201 with the stored alert and its new id. */
export function createAlert(core: ProviderCore) {
  return async function createAlertStep(req: Request, res: Response): Promise<void> {
    const session = authorize(req, 'CREATE');
    const payload = await readPayload(req, core.config.limits);
    if (!payload) throw new BadRequestError('An alert create request needs an alert payload');
    const alert = core.alertValidator.toAlert(payload, newId());
    const id = alert['@id'] as string;
    const { maxAlertBytes, alertsPerEnvironment } = core.config.limits;
    if (Buffer.byteLength(JSON.stringify(alert)) > maxAlertBytes) {
      throw new QuotaExceededError(413, 'limits.maxAlertBytes', `An alert may take at most ${maxAlertBytes} bytes`, { scope: 'alerts' });
    }
    const stored = await core.config.store.createAlert(
      { id, environmentId: session.environment.id, createdAt: core.config.clock().toISOString(), alert },
      alertsPerEnvironment,
    );
    if (!stored) {
      throw new QuotaExceededError(409, 'limits.alertsPerEnvironment', `An environment may keep at most ${alertsPerEnvironment} alerts`, {
        scope: 'alerts',
        description: 'Alerts are kept until the environment is deleted; report fewer, or ask the provider to raise the limit',
      });
    }
    core.events.emit('alert.created', {
      environmentId: session.environment.id,
      applicationKey: session.environment.applicationKey,
      alert,
    });
    core.responder.payload(req, res, 201, 'alert', alert, {
      headers: { Location: `${core.responder.baseUrl(req)}/requests/alerts/${id}` },
    });
  };
}

/** `GET {rc}/alerts` → a page of the caller's alerts, oldest first; 204 past the last page. */
export function queryAlerts(core: ProviderCore) {
  return async function queryAlertsStep(req: Request, res: Response): Promise<void> {
    const session = authorize(req, 'QUERY');
    const page = parsePaging(headerOrQuery(req, 'navigationPage'), headerOrQuery(req, 'navigationPageSize'), core.config.paging);
    const store = core.config.store;
    const total = await store.countAlerts(session.environment.id);
    const alerts = await store.listAlerts(session.environment.id, { offset: pageOffset(page), limit: page.pageSize });
    const headers = pagingHeaders(page, alerts.length, total);
    if (alerts.length === 0) {
      core.responder.empty(req, res, 204, { headers });
      return;
    }
    core.responder.payload(req, res, 200, 'alerts', { alert: alerts.map((a) => a.alert) }, { headers });
  };
}

/** `GET {rc}/alerts/{id}` → the alert, if it is the caller's own; otherwise 404. */
export function readAlert(core: ProviderCore) {
  return async function readAlertStep(req: Request, res: Response): Promise<void> {
    const session = authorize(req, 'QUERY');
    const alert = await core.config.store.getAlert(session.environment.id, String(req.params.alertId));
    if (!alert) throw new NotFoundError('No such alert', { scope: 'alerts' });
    core.responder.payload(req, res, 200, 'alert', alert.alert);
  };
}
