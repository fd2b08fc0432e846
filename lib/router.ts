import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Router } from 'express';
import type { ProviderCore } from './core';
import { createAlert, queryAlerts, readAlert } from './endpoints/alerts';
import { runNamedQuery } from './endpoints/named-queries';
import { createProvisionRequest, deleteProvisionRequest, queryProvisionRequests, readProvisionRequest } from './endpoints/provision-requests';
import { queryProviders, queryTemplates, queryZones, readProvider, readTemplate, readZone } from './endpoints/registries';
import { createEnvironment } from './endpoints/environments/create';
import { deleteEnvironment } from './endpoints/environments/delete';
import { readEnvironment } from './endpoints/environments/read';
import { MethodNotAllowedError, NotFoundError } from './errors';
import { checkDelayedInput, executeOperation } from './endpoints/requests/execute';
import { resolveTarget } from './endpoints/requests/target';
import { authenticateSession } from './http/authenticate';
import { acceptDelayed } from './http/delayed';
import { acceptRemoteAnswer } from './remote/answers';
import { screenRemoteRequest } from './remote/screen';
import { createQueue, deleteQueue, queryQueues, readQueue } from './endpoints/queues/queues';
import { deleteMessage, pollMessages } from './endpoints/queues/messages';
import { createSubscription, deleteSubscription, querySubscriptions, readSubscription } from './endpoints/queues/subscriptions';
import { createJob, createJobs } from './endpoints/services/create';
import { deleteJob, putJob, putJobs } from './endpoints/services/delete';
import { queryJobs, readJob } from './endpoints/services/read';
import { phaseRequest } from './endpoints/services/phase';
import { createState, readStates } from './endpoints/services/states';
import { refuseDelayed } from './endpoints/services/common';
import { createErrorHandler } from './http/error-handler';
import { corsStep } from './http/cors';
import { hostRefusal } from './http/host';
import type { SifContext } from './http/context';
import { replayOf } from './http/replay';
import { requestTypeRefusal } from './http/request-headers';
import { firstSegment, normalizeRequest, objectPathOf } from './http/url';

type Method = 'get' | 'post' | 'put' | 'delete' | 'all';

/** One SIF route: a stable name, method, path below the mount point, and its ordered steps. */
export interface RouteDefinition {
  readonly name: string;
  readonly method: Method;
  readonly path: string;
  readonly steps: (core: ProviderCore) => RequestHandler[];
  /** Routes of the asynchronous side exist only when the `queues` option is on; the services connector's only with a FUNCTIONAL service. */
  readonly requires?: 'queues' | 'jobs';
  /**
   * Matched by one pass over the path (`objectPathOf`) instead of an Express route per shape, ahead
   * of the other routes: the object services are the hot path, and each Express layer a request
   * passes costs a regular-expression match. Names other routes under `/requests/` use are left to them.
   */
  readonly dispatch?: true;
  /** Takes `/requests/{id}` for the ids of the named queries (`xQueryTemplates`) only: the dispatcher leaves those to it. */
  readonly namedQueries?: true;
}

/**
 * Every SIF route of the provider, in matching order: the table of contents of the protocol
 * surface. `GET` routes answer `HEAD` too. A known path with another method is a 405; an unknown
 * path under the same first segments (SIF_ROOTS) a 404; both as SIF errors. Other paths are the host's.
 */
export const ROUTES: readonly RouteDefinition[] = [
  { name: 'environment.create', method: 'post', path: '/environments/environment', steps: (c) => [createEnvironment(c)] },
  { name: 'environment.read', method: 'get', path: '/environments/:environmentId', steps: (c) => [authenticateSession(c), readEnvironment(c)] },
  { name: 'environment.delete', method: 'delete', path: '/environments/:environmentId', steps: (c) => [authenticateSession(c), deleteEnvironment(c)] },
  { name: 'alerts.create', method: 'post', path: '/requests/alerts/alert', steps: (c) => [authenticateSession(c), acceptDelayed(c), createAlert(c)] },
  { name: 'alerts.query', method: 'get', path: '/requests/alerts', steps: (c) => [authenticateSession(c), acceptDelayed(c), queryAlerts(c)] },
  { name: 'alerts.read', method: 'get', path: '/requests/alerts/:alertId', steps: (c) => [authenticateSession(c), acceptDelayed(c), readAlert(c)] },
  // Read-only registries (Utility Services §2, §3, §6).
  { name: 'zones.query', method: 'get', path: '/requests/zones', steps: (c) => [authenticateSession(c), acceptDelayed(c), queryZones(c)] },
  { name: 'zones.read', method: 'get', path: '/requests/zones/:zoneId', steps: (c) => [authenticateSession(c), acceptDelayed(c), readZone(c)] },
  { name: 'providers.query', method: 'get', path: '/requests/providers', steps: (c) => [authenticateSession(c), acceptDelayed(c), queryProviders(c)] },
  { name: 'providers.read', method: 'get', path: '/requests/providers/:providerId', steps: (c) => [authenticateSession(c), acceptDelayed(c), readProvider(c)] },
  { name: 'xQueryTemplates.query', method: 'get', path: '/requests/xQueryTemplates', steps: (c) => [authenticateSession(c), acceptDelayed(c), queryTemplates(c)] },
  { name: 'xQueryTemplates.read', method: 'get', path: '/requests/xQueryTemplates/:templateId', steps: (c) => [authenticateSession(c), acceptDelayed(c), readTemplate(c)] },
  // Named queries (Base Architecture §5.6.2): the dispatcher leaves the registered template ids to this route.
  { name: 'namedQuery.run', method: 'get', path: '/requests/:templateId', namedQueries: true, steps: (c) => [authenticateSession(c), acceptDelayed(c), runNamedQuery(c)] },
  // Object services: the operation comes from the method and methodOverride (endpoints/requests/operations.ts).
  // `{service}`, `{service}/{id}` and service paths `{a}/{id}/{b}[/{id}/{c}…]`, in one dispatcher.
  { name: 'objects', method: 'all', path: '/requests/:service{/:id{/*rest}}', dispatch: true, steps: (c) => [authenticateSession(c), acceptRemoteAnswer(c), resolveTarget(c), screenRemoteRequest, checkDelayedInput(c), acceptDelayed(c), executeOperation(c)] },
  // Provision requests (Infrastructure Services §6): the consumer's own, with no right needed.
  { name: 'provisionRequests.create', method: 'post', path: '/provisionRequests', steps: (c) => [authenticateSession(c), createProvisionRequest(c)] },
  { name: 'provisionRequests.query', method: 'get', path: '/provisionRequests', steps: (c) => [authenticateSession(c), queryProvisionRequests(c)] },
  { name: 'provisionRequests.createOne', method: 'post', path: '/provisionRequests/provisionRequest', steps: (c) => [authenticateSession(c), createProvisionRequest(c)] },
  { name: 'provisionRequests.read', method: 'get', path: '/provisionRequests/:provisionRequestId', steps: (c) => [authenticateSession(c), readProvisionRequest(c)] },
  { name: 'provisionRequests.delete', method: 'delete', path: '/provisionRequests/:provisionRequestId', steps: (c) => [authenticateSession(c), deleteProvisionRequest(c)] },
  // Queues and subscriptions (Infrastructure Services §9–10).
  { name: 'queues.create', method: 'post', path: '/queues', requires: 'queues', steps: (c) => [authenticateSession(c), createQueue(c)] },
  { name: 'queues.query', method: 'get', path: '/queues', requires: 'queues', steps: (c) => [authenticateSession(c), queryQueues(c)] },
  { name: 'queues.createOne', method: 'post', path: '/queues/queue', requires: 'queues', steps: (c) => [authenticateSession(c), createQueue(c)] },
  { name: 'queues.read', method: 'get', path: '/queues/:queueId', requires: 'queues', steps: (c) => [authenticateSession(c), readQueue(c)] },
  { name: 'queues.delete', method: 'delete', path: '/queues/:queueId', requires: 'queues', steps: (c) => [authenticateSession(c), deleteQueue(c)] },
  { name: 'messages.poll', method: 'get', path: '/queues/:queueId/messages', requires: 'queues', steps: (c) => [authenticateSession(c), pollMessages(c)] },
  { name: 'messages.delete', method: 'delete', path: '/queues/:queueId/messages/:messageId', requires: 'queues', steps: (c) => [authenticateSession(c), deleteMessage(c)] },
  { name: 'subscriptions.create', method: 'post', path: '/subscriptions', requires: 'queues', steps: (c) => [authenticateSession(c), createSubscription(c)] },
  { name: 'subscriptions.query', method: 'get', path: '/subscriptions', requires: 'queues', steps: (c) => [authenticateSession(c), querySubscriptions(c)] },
  { name: 'subscriptions.createOne', method: 'post', path: '/subscriptions/subscription', requires: 'queues', steps: (c) => [authenticateSession(c), createSubscription(c)] },
  { name: 'subscriptions.read', method: 'get', path: '/subscriptions/:subscriptionId', requires: 'queues', steps: (c) => [authenticateSession(c), readSubscription(c)] },
  { name: 'subscriptions.delete', method: 'delete', path: '/subscriptions/:subscriptionId', requires: 'queues', steps: (c) => [authenticateSession(c), deleteSubscription(c)] },
  // The services connector: jobs of functional services, their phases and states (Infrastructure Services §11, endpoints/services/).
  { name: 'jobs.query', method: 'get', path: '/services/:service', requires: 'jobs', steps: (c) => [authenticateSession(c), refuseDelayed, queryJobs(c)] },
  { name: 'jobs.createMany', method: 'post', path: '/services/:service', requires: 'jobs', steps: (c) => [authenticateSession(c), refuseDelayed, createJobs(c)] },
  { name: 'jobs.deleteMany', method: 'put', path: '/services/:service', requires: 'jobs', steps: (c) => [authenticateSession(c), refuseDelayed, putJobs(c)] },
  { name: 'jobs.read', method: 'get', path: '/services/:service/:jobId', requires: 'jobs', steps: (c) => [authenticateSession(c), refuseDelayed, readJob(c)] },
  { name: 'jobs.create', method: 'post', path: '/services/:service/:jobId', requires: 'jobs', steps: (c) => [authenticateSession(c), refuseDelayed, createJob(c)] },
  { name: 'jobs.update', method: 'put', path: '/services/:service/:jobId', requires: 'jobs', steps: (c) => [authenticateSession(c), refuseDelayed, putJob(c)] },
  { name: 'jobs.delete', method: 'delete', path: '/services/:service/:jobId', requires: 'jobs', steps: (c) => [authenticateSession(c), refuseDelayed, deleteJob(c)] },
  { name: 'jobs.phase', method: 'all', path: '/services/:service/:jobId/:phase', requires: 'jobs', steps: (c) => [authenticateSession(c), refuseDelayed, phaseRequest(c)] },
  { name: 'jobs.states', method: 'get', path: '/services/:service/:jobId/:phase/states', requires: 'jobs', steps: (c) => [authenticateSession(c), refuseDelayed, readStates(c)] },
  { name: 'jobs.createState', method: 'post', path: '/services/:service/:jobId/:phase/states/state', requires: 'jobs', steps: (c) => [authenticateSession(c), refuseDelayed, createState(c)] },
];

/**
 * The first path segments the provider owns: `environments`, `requests`, `queues`, `subscriptions`
 * (queues and subscriptions even when the option is off, so that they answer a SIF 404 then), and
 * `services`, only with a FUNCTIONAL service: a host's own `/services` stays the host's otherwise.
 */
const SIF_ROOTS: ReadonlySet<string> = new Set(ROUTES.filter((r) => r.requires !== 'jobs').map((r) => firstSegment(r.path)));
const SIF_ROOTS_WITH_JOBS: ReadonlySet<string> = new Set(ROUTES.map((r) => firstSegment(r.path)));

/** Why a method is refused on a path, where the spec gives a reason. */
const REFUSALS: Record<string, string> = {
  'POST /requests/alerts': 'Alerts are created one at a time: POST {requestsConnector}/alerts/alert',
  'PUT /requests/alerts': 'Alerts cannot be updated',
  'DELETE /requests/alerts': 'Alerts cannot be deleted',
  'PUT /requests/alerts/:alertId': 'Alerts cannot be updated',
  'DELETE /requests/alerts/:alertId': 'Alerts cannot be deleted',
  'PUT /provisionRequests/:provisionRequestId': 'A provision request cannot be changed: delete it and make another',
  'POST /requests/:templateId': 'Named queries are run with GET {requestsConnector}/{templateId}?parameter=value',
  'POST /environments/:environmentId': 'Environments are created by POST {mount}/environments/environment',
  'PUT /environments/:environmentId': 'An environment cannot be changed by its consumer',
  'PUT /queues/:queueId': 'Queues are immutable once created',
  'POST /queues/:queueId': 'Queues are created by POST {queues}',
  'PUT /subscriptions/:subscriptionId': 'Subscriptions are immutable once created',
  'POST /queues/:queueId/messages': 'Only the provider puts messages into queues',
  'DELETE /queues/:queueId/messages': 'Delete one message: DELETE {queueUri}/{messageId}, or poll with ;deleteMessageId=',
  'DELETE /services/:service': 'To delete several jobs, send PUT with the header methodOverride: DELETE and a deleteRequest',
  'POST /services/:service/:jobId/:phase/states': 'States are added one at a time: POST {phase}/states/state',
  'PUT /services/:service/:jobId/:phase/states': 'States cannot be changed: add one with POST {phase}/states/state',
  'DELETE /services/:service/:jobId/:phase/states': 'States cannot be deleted',
};

/**
 * Builds the Express router for a provider from the route table. It answers only paths under the
 * SIF roots, and there every request (unknown paths as a SIF 404, other methods as a SIF 405);
 * everything else is passed on, untouched, to the host's later routes. The same rule holds at any
 * mount point: mounted at `/` the router must not swallow the host's `/health`, and mounted at
 * `/sif3` the host may serve `/sif3/docs` after it.
 *
 * @example
 * app.use(createRouter(core)); // GET /health still reaches app.get('/health', …) declared after
 */
export function createRouter(core: ProviderCore): Router {
  const router = Router({ caseSensitive: true, strict: false });
  const available = ROUTES.filter((r) => (r.requires === 'queues' ? core.queues : r.requires === 'jobs' ? core.jobs : true));
  // The names the other requests-connector routes take (`alerts`, the named queries' ids): e.g.
  // PUT /requests/alerts is their 405, not a request to a service named "alerts".
  const reserved = new Set(
    ROUTES.filter((r) => !r.dispatch && !r.namedQueries && firstSegment(r.path) === 'requests').map((r) => r.path.split('/')[2]!),
  );
  for (const id of core.config.xQueryTemplates.keys()) reserved.add(id);
  const dispatched = available.find((r) => r.dispatch);
  const cors = core.config.cors ? corsStep(core.config.cors) : undefined;
  const roots = core.jobs ? SIF_ROOTS_WITH_JOBS : SIF_ROOTS;
  router.use(entry(roots, !core.config.baseUrl, dispatched ? dispatcher(dispatched.steps(core), reserved) : undefined, cors));
  // Each path's routes, then (unless a route takes every method) its 405, before the next path.
  for (const path of new Set(available.filter((r) => !r.dispatch).map((r) => r.path))) {
    const routes = available.filter((r) => r.path === path);
    for (const route of routes) router[route.method](route.path, ...route.steps(core));
    if (routes.some((r) => r.method === 'all')) continue;
    const allowed = routes.map((r) => r.method.toUpperCase());
    if (allowed.includes('GET')) allowed.push('HEAD');
    router.all(path, methodNotAllowed(path, allowed));
  }
  router.use(notFound);
  router.use(createErrorHandler(core.responder, core.config.logger));
  return router;
}

/**
 * The router's one first step, where there were four Express layers (each a regular-expression
 * match and a `next` round), since every SIF request passes it:
 * 1. any path outside the SIF roots (`roots`) leaves the router (`next('router')`) before anything rewrites
 *    its URL, so the host sees the request exactly as it came;
 * 2. with the `cors` option, a browser's preflight is answered (or refused) before authentication,
 *    and an allowed origin's answer gets its CORS headers, errors included (http/cors.ts);
 * 3. with `checkHost` (no `baseUrl` configured, so URLs are built from the Host header), a hostile
 *    Host is refused before anything else happens (http/host.ts);
 * 4. matrix parameters and the format suffix are taken off the URL and the context started
 *    (`normalizeRequest`);
 * 5. an object-service request goes straight to the `dispatch` route's steps; any other goes on to
 *    the Express routes.
 */
function entry(roots: ReadonlySet<string>, checkHost: boolean, dispatch: Dispatcher | undefined, cors: CorsStep | undefined): RequestHandler {
  // The Host last found plain: a consumer sends the same one on every request, so its check is
  // done once, not per request. Per router, as everything the router keeps.
  let plainHost: string | undefined;
  return function sifEntry(req: Request, res: Response, next: NextFunction): void {
    if (!roots.has(firstSegment(req.url))) {
      next('router');
      return;
    }
    if (cors?.(req, res, next)) return;
    if (checkHost && req.headers.host !== plainHost) {
      const refusal = hostRefusal(req);
      if (refusal) {
        next(refusal);
        return;
      }
      if (!replayOf(req)) plainHost = req.headers.host;
    }
    const context = normalizeRequest(req);
    // requestType is checked once for every SIF path; infrastructure services refuse DELAYED.
    const refusal = requestTypeRefusal(req, firstSegment(context.path));
    if (refusal) {
      next(refusal);
      return;
    }
    if (dispatch) dispatch(context, req, res, next);
    else next();
  };
}

/** The CORS part of the entry step: true when it answered or refused the request itself. */
type CorsStep = ReturnType<typeof corsStep>;

/** Runs the object-service steps for a request whose context is started; passes any other on. */
type Dispatcher = (context: SifContext, req: Request, res: Response, next: NextFunction) => void;

/**
 * The requests connector's object services: takes the path apart once and runs the steps in
 * order, as Express runs a route's handlers (a thrown error, a rejected promise or `next(err)` goes
 * to the error handler), without a layer per step.
 */
function dispatcher(steps: readonly RequestHandler[], reserved: ReadonlySet<string>): Dispatcher {
  return function objectsDispatcher(context: SifContext, req: Request, res: Response, next: NextFunction): void {
    const objectPath = objectPathOf(context.path, reserved);
    if (!objectPath) {
      next();
      return;
    }
    context.objectPath = objectPath;
    let i = 0;
    const fail = (e: unknown): void => next(e ?? new Error('Rejected promise'));
    const step = (err?: unknown): void => {
      if (err !== undefined && err !== null && err !== 'route') {
        next(err);
        return;
      }
      const handler = err === 'route' ? undefined : steps[i++];
      if (!handler) {
        next();
        return;
      }
      try {
        const result: unknown = handler(req, res, step);
        if (result instanceof Promise) result.then(undefined, fail);
      } catch (e) {
        next(e);
      }
    };
    step();
  };
}

function methodNotAllowed(path: string, allowed: string[]): RequestHandler {
  return function methodNotAllowedStep(req: Request, _res: Response, next: NextFunction): void {
    const reason = REFUSALS[`${req.method} ${path}`] ?? `${req.method} is not allowed here`;
    next(new MethodNotAllowedError(reason, allowed, { description: `Allowed: ${allowed.join(', ')}` }));
  };
}

function notFound(req: Request, _res: Response, next: NextFunction): void {
  next(new NotFoundError('No such service or resource', { description: `${req.method} ${req.path}`.slice(0, 200) }));
}
