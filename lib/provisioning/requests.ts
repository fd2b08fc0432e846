import type { Authenticator } from '../auth/authenticator';
import type { ServiceOffer } from '../config/consistency';
import type { ResolvedConfig } from '../config/resolve';
import type { Coordinator } from '../coordination/coordinator';
import { QuotaExceededError } from '../errors';
import type { SifEvents } from '../events';
import type { AskedService } from '../payload/provision-request';
import type { AssertionValue, ProvisionAssertion } from '../protocol/provisioning';
import { completionStatus } from '../protocol/provisioning';
import type { EnvironmentRecord, ProvisionRequestRecord } from '../store/store';
import { newId } from '../util/ids';
import type { ProvisionDecision, ProvisionRequestInfo } from './decisions';
import { answered, checkedDecision, openChoices } from './decisions';

/** What provision requests work with. */
export interface ProvisionRequestsDeps {
  readonly config: ResolvedConfig;
  readonly authenticator: Authenticator;
  readonly coordinator: Coordinator;
  readonly events: SifEvents;
}

/**
 * Provision requests (Infrastructure Services §6) between the endpoints, the host's `decide`
 * option and the provider object: each request is screened (what the provider cannot grant is
 * refused, what is granted already is approved), the rest put to the host, and the answer merged
 * into the environment at once; a pending one waits for `decide`.
 *
 * @example
 * const record = await provisioning.create(session.environment, asked);
 * await provisioning.decide(record.id, 'approve'); // later, for a pending one
 */
export class ProvisionRequests {
  constructor(private readonly deps: ProvisionRequestsDeps) {}

  /**
   * Stores a new request from this environment, decided by the host's `decide` (rejected without
   * one) unless it answers 'pending'. A `decide` that throws stores nothing: the error goes on.
   * 409 when the environment has `limits.provisionRequestsPerEnvironment` requests.
   */
  async create(environment: EnvironmentRecord, asked: readonly AskedService[]): Promise<ProvisionRequestRecord> {
    const { config } = this.deps;
    const now = config.clock().toISOString();
    const assertions = asked.map((a) => screened(a, environment, config.offer));
    const record: ProvisionRequestRecord = { id: newId(), environmentId: environment.id, createdAt: now, decidedAt: undefined, assertions };
    const requested = openChoices(assertions);
    const decision: ProvisionDecision =
      requested.length === 0 ? 'reject' : config.provisionRequests.decide ? checkedDecision(await config.provisionRequests.decide(info(record, environment))) : 'reject';
    if (decision !== 'pending') {
      record.assertions = answered(assertions, decision);
      record.decidedAt = now;
    }
    const max = config.limits.provisionRequestsPerEnvironment;
    if (!(await config.store.createProvisionRequest(record, max))) {
      throw new QuotaExceededError(409, 'limits.provisionRequestsPerEnvironment', `An environment may keep at most ${max} provision requests`, {
        scope: 'provisionRequests',
        description: 'Delete the provision requests you have read',
      });
    }
    if (record.decidedAt !== undefined) await this.environmentChanged(environment.id);
    this.deps.events.emit('provisionRequest.created', {
      id: record.id,
      environmentId: environment.id,
      applicationKey: environment.applicationKey,
      completionStatus: record.decidedAt === undefined ? 'PENDING' : completionStatus(record.assertions)!,
    });
    return record;
  }

  /**
   * Decides a pending request (see `SifProvider.provisionRequests`). False when there is no pending
   * request with this id; `'pending'` changes nothing and says whether it is still pending.
   */
  async decide(id: string, decision: ProvisionDecision): Promise<boolean> {
    const checked = checkedDecision(decision);
    const { store, clock } = this.deps.config;
    const record = await store.getProvisionRequest(id);
    if (!record || record.decidedAt !== undefined) return false;
    if (checked === 'pending') return true;
    const decided = await store.decideProvisionRequest(id, answered(record.assertions, checked), clock().toISOString());
    if (!decided) return false;
    await this.environmentChanged(decided.environmentId);
    this.deps.events.emit('provisionRequest.decided', {
      id,
      environmentId: decided.environmentId,
      completionStatus: completionStatus(decided.assertions)!,
    });
    return true;
  }

  /** Pending requests, oldest first, as `decide` would see them (requests of deleted environments are gone). */
  async pending(page: { offset: number; limit: number }): Promise<ProvisionRequestInfo[]> {
    const { store } = this.deps.config;
    const records = await store.listProvisionRequests({ pendingOnly: true }, page);
    const out: ProvisionRequestInfo[] = [];
    for (const record of records) {
      const environment = await store.getEnvironment(record.environmentId);
      if (environment) out.push(info(record, environment));
    }
    return out;
  }

  /** The environment's rights changed: cached sessions of it, here and in other instances, are read again. */
  private async environmentChanged(environmentId: string): Promise<void> {
    this.deps.authenticator.forgetEnvironment(environmentId, false);
    await this.deps.coordinator.announce({ kind: 'env', environmentId, deleted: false });
  }
}

/**
 * One service asked for, screened: each right REJECTED when the provider cannot grant it (a zone
 * the environment does not have, environment-global included; a service not offered or of another
 * type; an operation nothing serves), APPROVED when the environment has it already, else REQUESTED.
 */
function screened(asked: AskedService, environment: EnvironmentRecord, offer: ServiceOffer): ProvisionAssertion {
  const zone = environment.zones.find((z) => z.id === asked.zoneId);
  const offered = offer.type(asked.serviceName);
  const serviceType = asked.serviceType ?? offered ?? 'OBJECT';
  const current = zone?.services.find((s) => s.name === asked.serviceName && s.contextId === asked.contextId);
  const rights: ProvisionAssertion['rights'] = {};
  for (const right of asked.rights) {
    let value: AssertionValue = 'REQUESTED';
    if (!zone || offered === undefined || serviceType !== offered || offer.cannotServe(asked.serviceName, right)) value = 'REJECTED';
    else if (current?.rights[right] === 'APPROVED') value = 'APPROVED';
    rights[right] = value;
  }
  return { zoneId: asked.zoneId, serviceName: asked.serviceName, serviceType, contextId: asked.contextId, rights };
}

function info(record: ProvisionRequestRecord, environment: EnvironmentRecord): ProvisionRequestInfo {
  return Object.freeze({
    id: record.id,
    environmentId: record.environmentId,
    createdAt: record.createdAt,
    requested: openChoices(record.assertions),
    consumer: Object.freeze({
      applicationKey: environment.applicationKey,
      instanceId: environment.instanceId,
      userToken: environment.userToken,
      solutionId: environment.solutionId,
      consumerName: environment.consumerName,
    }),
  });
}
