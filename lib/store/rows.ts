import type { ProvisionedZone } from '../config/consumers';
import type { DeferredRequestSummary, DelayedRequestRecord, MessageBody, QueueMessage, QueueState, SubscriptionRecord } from './queue-records';
import type { ProvisionAssertion } from '../protocol/provisioning';
import { mergeDecision } from '../protocol/provisioning';
import type { AlertRecord, EnvironmentRecord, ProvisionRequestFilter, ProvisionRequestRecord } from './store';

// The rows of the SQL stores (SQLite and PostgreSQL share table and column names) and their
// mapping to and from the store's records: one definition, so that the two stores cannot drift.

/** An `environments` row. */
export interface EnvironmentRow {
  id: string;
  fingerprint: string;
  session_token_hash: string | null;
  token_salt: string;
  identity_key: string;
  application_key: string;
  instance_id: string | null;
  user_token: string | null;
  solution_id: string | null;
  authentication_method: string;
  consumer_name: string | null;
  application_info: string;
  provisioning: string;
  created_at: string;
}

/**
 * An environment's column values, keyed by parameter name and in column order (`Object.values`
 * gives positional parameters).
 *
 * @example
 * insert.run(environmentParams(record)); // SQLite, named parameters
 */
export function environmentParams(r: EnvironmentRecord) {
  return {
    id: r.id,
    fingerprint: r.fingerprint,
    sessionTokenHash: r.sessionTokenHash,
    tokenSalt: r.tokenSalt,
    identityKey: r.identityKey,
    applicationKey: r.applicationKey,
    instanceId: r.instanceId ?? null,
    userToken: r.userToken ?? null,
    solutionId: r.solutionId ?? null,
    authenticationMethod: r.authenticationMethod,
    consumerName: r.consumerName ?? null,
    applicationInfo: JSON.stringify(r.applicationInfo),
    provisioning: JSON.stringify({ defaultZone: r.defaultZone, zones: r.zones }),
    createdAt: r.createdAt,
  };
}

/**
 * The environment a row holds (undefined for no row).
 *
 * @example
 * toEnvironment(statement.get(id) as EnvironmentRow | undefined);
 */
export function toEnvironment(row: EnvironmentRow | undefined): EnvironmentRecord | undefined {
  if (!row) return undefined;
  const provisioning = JSON.parse(row.provisioning) as { defaultZone: ProvisionedZone; zones: ProvisionedZone[] };
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    sessionTokenHash: row.session_token_hash,
    tokenSalt: row.token_salt,
    identityKey: row.identity_key,
    applicationKey: row.application_key,
    instanceId: row.instance_id ?? undefined,
    userToken: row.user_token ?? undefined,
    solutionId: row.solution_id ?? undefined,
    authenticationMethod: row.authentication_method,
    consumerName: row.consumer_name ?? undefined,
    applicationInfo: JSON.parse(row.application_info),
    defaultZone: provisioning.defaultZone,
    zones: provisioning.zones,
    createdAt: row.created_at,
  };
}

/** An `alerts` row. */
export interface AlertRow {
  id: string;
  environment_id: string;
  created_at: string;
  body: string;
}

/**
 * The alert a row holds.
 *
 * @example
 * rows.map(toAlert);
 */
export function toAlert(row: AlertRow): AlertRecord {
  return { id: row.id, environmentId: row.environment_id, createdAt: row.created_at, alert: JSON.parse(row.body) };
}

/** A `provision_requests` row. */
export interface ProvisionRequestRow {
  id: string;
  environment_id: string;
  created_at: string;
  decided_at: string | null;
  assertions: string;
}

/**
 * The provision request a row holds.
 *
 * @example
 * rows.map(toProvisionRequest);
 */
export function toProvisionRequest(row: ProvisionRequestRow): ProvisionRequestRecord {
  return {
    id: row.id,
    environmentId: row.environment_id,
    createdAt: row.created_at,
    decidedAt: row.decided_at ?? undefined,
    assertions: JSON.parse(row.assertions) as ProvisionAssertion[],
  };
}

/**
 * An environment's `provisioning` column with a decided provision request merged in (the default
 * zone is kept in step with its entry among the zones).
 *
 * @example
 * update.run(provisioningWithDecision(row.provisioning, record.assertions), row.id);
 */
export function provisioningWithDecision(provisioning: string, assertions: readonly ProvisionAssertion[]): string {
  const current = JSON.parse(provisioning) as { defaultZone: ProvisionedZone; zones: ProvisionedZone[] };
  const zones = mergeDecision(current.zones, assertions);
  return JSON.stringify({ defaultZone: zones.find((z) => z.id === current.defaultZone.id) ?? current.defaultZone, zones });
}

/**
 * The WHERE clause of a provision-request filter: fixed text, values as parameters (`placeholder`
 * numbers them for PostgreSQL).
 *
 * @example
 * const { where, params } = provisionRequestConditions({ pendingOnly: true }, (n) => `$${n}`);
 */
export function provisionRequestConditions(filter: ProvisionRequestFilter, placeholder: (n: number) => string = () => '?'): { where: string; params: string[] } {
  const clauses: string[] = [];
  const params: string[] = [];
  if (filter.environmentId !== undefined) {
    params.push(filter.environmentId);
    clauses.push(`environment_id = ${placeholder(params.length)}`);
  }
  if (filter.pendingOnly) clauses.push('decided_at IS NULL');
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** A `queues` row with its message count and oldest message time. */
export interface QueueRow {
  id: string;
  environment_id: string;
  name: string | null;
  polling: 'IMMEDIATE' | 'LONG';
  idle_timeout: number;
  min_wait_time: number;
  max_connections: number;
  created: string;
  last_accessed: string;
  last_modified: string;
  last_polled: string;
  alerted_at: string | null;
  message_count: number;
  oldest_message: string | null;
}

/**
 * The queue a row holds.
 *
 * @example
 * rows.map(toQueueState);
 */
export function toQueueState(row: QueueRow): QueueState {
  return {
    id: row.id,
    environmentId: row.environment_id,
    name: row.name ?? undefined,
    polling: row.polling,
    idleTimeout: row.idle_timeout,
    minWaitTime: row.min_wait_time,
    maxConcurrentConnections: row.max_connections,
    created: row.created,
    lastAccessed: row.last_accessed,
    lastModified: row.last_modified,
    lastPolled: row.last_polled,
    alertedAt: row.alerted_at ?? undefined,
    messageCount: row.message_count,
    oldestMessage: row.oldest_message ?? undefined,
  };
}

/** A `queue_messages` row (`seq` when the statement selects it). */
export interface MessageRow {
  seq?: number;
  id: string;
  queue_id: string;
  created_at: string;
  headers: string;
  body_kind: MessageBody['kind'];
  content_type: string | null;
  body: Buffer | null;
  connection_id: string | null;
}

/**
 * A message body as its three columns: encoded bytes as they are, a payload as JSON, nothing.
 *
 * @example
 * const { kind, contentType, body } = bodyColumns(message.body);
 */
export function bodyColumns(body: MessageBody): { kind: MessageBody['kind']; contentType: string | null; body: Buffer | null } {
  switch (body.kind) {
    case 'encoded':
      return { kind: 'encoded', contentType: body.contentType, body: body.bytes };
    case 'payload':
      return { kind: 'payload', contentType: null, body: Buffer.from(JSON.stringify({ root: body.root, namespace: body.namespace, value: body.value })) };
    default:
      return { kind: 'empty', contentType: null, body: null };
  }
}

/**
 * The message a row holds.
 *
 * @example
 * row ? toMessage(row) : undefined;
 */
export function toMessage(row: MessageRow): QueueMessage {
  let body: MessageBody;
  if (row.body_kind === 'encoded') body = { kind: 'encoded', contentType: row.content_type ?? 'application/octet-stream', bytes: row.body ?? Buffer.alloc(0) };
  else if (row.body_kind === 'payload') body = { kind: 'payload', ...JSON.parse(row.body!.toString('utf8')) };
  else body = { kind: 'empty' };
  return {
    id: row.id,
    queueId: row.queue_id,
    createdAt: row.created_at,
    headers: JSON.parse(row.headers),
    body,
    connectionId: row.connection_id ?? undefined,
  };
}

/** A `subscriptions` row. */
export interface SubscriptionRow {
  id: string;
  environment_id: string;
  queue_id: string;
  zone_id: string;
  context_id: string;
  service_type: string;
  service_name: string;
  created_at: string;
  message_type: string | null;
  service_sub_type: string | null;
}

/**
 * The subscription a row holds.
 *
 * @example
 * rows.map(toSubscription);
 */
export function toSubscription(row: SubscriptionRow): SubscriptionRecord {
  return {
    id: row.id,
    environmentId: row.environment_id,
    queueId: row.queue_id,
    zoneId: row.zone_id,
    contextId: row.context_id,
    serviceType: row.service_type,
    serviceName: row.service_name,
    createdAt: row.created_at,
    ...(row.message_type === 'EVENT' || row.message_type === 'REQUEST' ? { messageType: row.message_type } : {}),
    ...(row.service_sub_type !== null && row.service_sub_type !== undefined ? { serviceSubType: row.service_sub_type } : {}),
  };
}

/** A `delayed_requests` row; the lease columns are read by the stores, not by `toDelayed`. */
export interface DelayedRow {
  id: string;
  environment_id: string;
  queue_id: string;
  created_at: string;
  method: string;
  url: string;
  headers: string;
  body: Buffer;
  base_url: string;
  state: 'pending' | 'deferred';
  progress: string;
  lease_owner: string | null;
  lease_until: string | null;
}

/** The columns of a deferred request that housekeeping scans: no body, headers or URL. */
export type DeferredSummaryRow = Pick<DelayedRow, 'id' | 'environment_id' | 'queue_id' | 'created_at' | 'progress'>;

/** The SELECT list of a `DeferredSummaryRow`. */
export const DEFERRED_SUMMARY_COLUMNS = 'id, environment_id, queue_id, created_at, progress';

/**
 * A deferred request's summary from its row.
 *
 * @example
 * const summaries = rows.map(toDeferredSummary);
 */
export function toDeferredSummary(row: DeferredSummaryRow): DeferredRequestSummary {
  return { id: row.id, environmentId: row.environment_id, queueId: row.queue_id, createdAt: row.created_at, progress: JSON.parse(row.progress) };
}

/**
 * The delayed request a row holds.
 *
 * @example
 * rows.map(toDelayed);
 */
export function toDelayed(row: DelayedRow): DelayedRequestRecord {
  return {
    id: row.id,
    environmentId: row.environment_id,
    queueId: row.queue_id,
    createdAt: row.created_at,
    method: row.method,
    url: row.url,
    headers: JSON.parse(row.headers),
    body: Buffer.from(row.body),
    baseUrl: row.base_url,
    state: row.state,
    progress: JSON.parse(row.progress),
  };
}
