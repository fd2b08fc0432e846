// The public surface of sif3-direct. No logic lives here.
export { createSifProvider } from './provider';
export type { SifProvider } from './provider';
export type {
  SifProviderOptions,
  AuthenticationOptions,
  BearerVerifier,
  BearerIdentity,
  LimitOptions,
  PagingOptions,
  ChangeLogOptions,
  QueueOptions,
  SifLogger,
  CorsOptions,
  ProvisionRequestOptions,
} from './config/options';
export type { ProvisionChoice, ProvisionConsumer, ProvisionDecision, ProvisionRequestInfo } from './provisioning/decisions';
export type { XQueryTemplateDefinition, XQueryParameter, XQueryHandler } from './services/templates';
export type { ProvisionAssertion, AssertionValue, CompletionStatus } from './protocol/provisioning';
export { CORS_REQUEST_HEADERS, CORS_EXPOSED_HEADERS } from './http/cors';
export { QUEUE_DEFAULTS } from './config/queues';
export { LIMIT_DEFAULTS } from './limits';
export type { HostChangeOptions } from './changes';
export type { DeferredPart, DeferredQueryPart, DeferredResultsPart, DeferredItemResult } from './queues/deferred';
export type {
  ConsumerEntry,
  ConsumerLookup,
  ConsumerRegistry,
  EnvironmentTemplate,
  ZoneTemplate,
  ServiceGrant,
  RightsGrant,
} from './config/consumers';
export { DEFAULTS } from './config/resolve';
export type {
  ServiceDefinition,
  ServiceHandlers,
  SifRequestContext,
  QueryPosition,
  QueryRequest,
  QueryResult,
  QueryFeatures,
  ServicePathHandler,
  CreateOptions,
  ChangeAction,
  DelayedHandlers,
  DeferredRequest,
} from './services/types';
export type {
  Job,
  JobState,
  JobPhase,
  JobPhaseState,
  JobInitialization,
  JobOwner,
  JobDefinition,
  PhaseDefinition,
  PhaseHandlers,
  PhaseHandler,
  PhaseRequest,
  PhaseResult,
  PhaseState,
  PhaseOperation,
  StatesOperation,
  JobsApi,
} from './jobs/types';
export { JOB_STATES, PHASE_STATES } from './protocol/enums';
export type { JobRecord, JobFilter, CreateJobResult } from './store/job-records';
export {
  SifError,
  BadRequestError,
  UnauthorizedError,
  ForbiddenError,
  NotFoundError,
  MethodNotAllowedError,
  ConflictError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  NotAcceptableError,
  InternalServiceError,
  ServiceUnavailableError,
  DelayedOnlyError,
  RequestTimeoutError,
  QuotaExceededError,
  SifConfigError,
} from './errors';
export type { SifErrorOptions } from './errors';
export { SifEvents } from './events';
export type { SifEventMap, ObjectsChanged } from './events';
export type {
  SifStore,
  EnvironmentRecord,
  AlertRecord,
  ProvisionRequestRecord,
  ProvisionRequestFilter,
  CreateEnvironmentResult,
  ChangeEntry,
  ChangeRetention,
  ChangeLogState,
  ChangedObject,
  QuerySnapshot,
  SnapshotPage,
  DelayedUpdate,
  QueueRecord,
  QueueState,
  QueuePolling,
  QueueMessage,
  NewQueueMessage,
  MessageBody,
  SubscriptionRecord,
  CreateSubscriptionResult,
  DelayedRequestRecord,
  DelayedProgress,
} from './store/store';
export { SqliteStore } from './store/sqlite';
export { MemoryStore } from './store/memory';
export { PostgresStore } from './store/postgres';
export type { PostgresStoreOptions } from './store/postgres';
export { InProcessCoordinator } from './coordination/coordinator';
export type { Coordinator, CoordinatingStore } from './coordination/coordinator';
export type { CoordinationSignal } from './coordination/signals';
export type { GoessnerObject, GoessnerValue } from './payload/goessner';
export type { AuthMethod, RightType, RightValue, ServiceType, InfrastructureVersion } from './protocol/enums';
export { sifHmac } from './auth/verify';
export type { OrderTerm, WhereCondition, WhereJunction, WhereNode, WhereOperator } from './query';
export { parseWhere, parseOrder, exampleToWhere, matchesWhere, compareByOrder, valuesAt, asNumber } from './query';
export { dataModel } from './models/data-model';
export { repeatablePaths } from './models/plan';
export type { DataModel, ModelServiceDefinition } from './models/data-model';
export type { ModelBinding } from './models/binding';
export type { CompiledModel, ObjectModel, ComplexTypeModel, ElementModel, AttributeModel, ScalarModel, ScalarKind } from './models/model';
