import type { Request, Response } from 'express';
import type { ProviderCore } from '../core';
import { BadRequestError, NotFoundError, QuotaExceededError } from '../errors';
import { getSifContext } from '../http/context';
import { header, headerOrQuery, queryParam } from '../http/params';
import { checkServiceType, isBulkQuery } from '../http/request-headers';
import { readPayload } from '../http/payload';
import { DEFAULT_CONTEXT, ENVIRONMENT_GLOBAL_ZONE } from '../protocol/enums';
import type { RightType } from '../protocol/enums';
import { pageOffset, pagingHeaders, parsePaging } from '../protocol/paging';
import { requireUtilityRight } from '../protocol/rights';
import { newId } from '../util/ids';
import { wholeAsOnePage } from './requests/bulk';

// The alerts utility (Utility Services §7): consumers create alerts one at a time and read back
// only those of their own application (§7.1), with no dynamic query. Update and delete are
// prohibited; the route table answers them with 405.

/**
 * The session, once the consumer has `right` on alerts where the request aims: the
 * environment-global zone and DEFAULT context unless `;zoneId=`/`;contextId=` (or the headers)
 * name others, where alerts are not provisioned (404). `serviceType`, if sent, must be UTILITY.
 */
function authorize(req: Request, right: RightType) {
  const context = getSifContext(req);
  const session = context.session!;
  const zoneId = context.matrix.zoneId || header(req, 'zoneId') || ENVIRONMENT_GLOBAL_ZONE;
  const contextId = context.matrix.contextId || header(req, 'contextId') || DEFAULT_CONTEXT;
  if (zoneId !== ENVIRONMENT_GLOBAL_ZONE || contextId !== DEFAULT_CONTEXT) {
    throw new NotFoundError(`No service alerts in zone ${zoneId.slice(0, 80)}, context ${contextId.slice(0, 80)}`, {
      scope: 'alerts',
      description: `Alerts live in the ${ENVIRONMENT_GLOBAL_ZONE} zone, ${DEFAULT_CONTEXT} context`,
    });
  }
  requireUtilityRight(session.environment, 'alerts', right);
  context.serviceType = checkServiceType(req, 'alerts', 'UTILITY', ['UTILITY']);
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

/** `GET {rc}/alerts` → a page of the caller's application's alerts, oldest first; 204 past the last page. */
export function queryAlerts(core: ProviderCore) {
  return async function queryAlertsStep(req: Request, res: Response): Promise<void> {
    const session = authorize(req, 'QUERY');
    if (queryParam(req, 'where') !== undefined || queryParam(req, 'order') !== undefined) {
      throw new BadRequestError('Alerts support no dynamic query: no where or order (Utility Services §7.1)', { scope: 'alerts' });
    }
    const store = core.config.store;
    const application = session.environment.applicationKey;
    const total = await store.countApplicationAlerts(application);
    // Without paging, a bulk query (Base Architecture §5.4.1): every alert, as one page, or a 413.
    const page = isBulkQuery(req) ? wholeAsOnePage(core, total, 'alerts') : parsePaging(headerOrQuery(req, 'navigationPage'), headerOrQuery(req, 'navigationPageSize'), core.config.paging);
    const alerts = await store.listApplicationAlerts(application, { offset: pageOffset(page), limit: page.pageSize });
    const headers = pagingHeaders(page, alerts.length, total);
    if (alerts.length === 0) {
      core.responder.empty(req, res, 204, { headers });
      return;
    }
    core.responder.payload(req, res, 200, 'alerts', { alert: alerts.map((a) => a.alert) }, { headers });
  };
}

/** `GET {rc}/alerts/{id}` → the alert, if the caller's application created it; otherwise 404. */
export function readAlert(core: ProviderCore) {
  return async function readAlertStep(req: Request, res: Response): Promise<void> {
    const session = authorize(req, 'QUERY');
    const alert = await core.config.store.getApplicationAlert(session.environment.applicationKey, String(req.params.alertId));
    if (!alert) throw new NotFoundError('No such alert', { scope: 'alerts' });
    core.responder.payload(req, res, 200, 'alert', alert.alert);
  };
}
