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
  SifLogger,
} from './config/options';
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
  QueryRequest,
  QueryResult,
  QueryFeatures,
  ServicePathHandler,
  CreateOptions,
  ChangeAction,
} from './services/types';
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
  InternalServiceError,
  SifConfigError,
} from './errors';
export type { SifErrorOptions } from './errors';
export { SifEvents } from './events';
export type { SifEventMap, ObjectsChanged } from './events';
export type {
  SifStore,
  EnvironmentRecord,
  AlertRecord,
  CreateEnvironmentResult,
  ChangeEntry,
  ChangeRetention,
  ChangeLogState,
  ChangedObject,
  QuerySnapshot,
  SnapshotPage,
} from './store/store';
export { SqliteStore } from './store/sqlite';
export { MemoryStore } from './store/memory';
export type { GoessnerObject, GoessnerValue } from './payload/goessner';
export type { AuthMethod, RightType, RightValue, ServiceType, InfrastructureVersion } from './protocol/enums';
export { sifHmac } from './auth/verify';
export type { OrderTerm, WhereCondition, WhereJunction, WhereNode, WhereOperator } from './protocol/query';
export { parseWhere, parseOrder, exampleToWhere, matchesWhere, compareByOrder, valuesAt, asNumber } from './protocol/query';
