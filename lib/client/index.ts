/**
 * sif3-direct/client: a SIF 3 consumer for Node 20, browsers and React Native (fetch and Web Crypto
 * only). Nothing here touches Node APIs; the `sif3` command line lives in `cli/`.
 *
 * @example
 * import { SifClient } from 'sif3-direct/client';
 * const client = await SifClient.connect({ url: 'http://localhost:3000/sif3', applicationKey: 'DemoApp', secret: 'DemoSecret' });
 */
export { SifClient } from './client';
export type { CreateQueueOptions, SubscribeOptions } from './client';
export type { ConnectOptions } from './transport';
export type { JsonNotation } from './profiles';
export type { Environment } from './environment';
export { SifClientError } from './errors';
export { ServiceClient, DEFAULT_DATA_MODEL_NAMESPACE } from './service';
export type { ServiceOptions, QueryOptions, DelayedOptions, DelayedRequest, ChangesPage } from './service';
export type { SyncOptions, SyncResult, SyncChange, SyncProgress } from './sync';
export type { ProvideHandlers, ProvideOptions, Provision } from './provide';
export { FunctionalServiceClient, JobClient, PhaseClient, StatesClient, FINAL_JOB_STATES, jobProperties } from './jobs';
export type { FunctionalServiceOptions, JobInitializationInput, JobInfo, JobPhaseInfo, JobStateEntry, PhaseAnswer, PhasePayload, WaitOptions } from './jobs';
export { QueueClient } from './queue';
export type { QueueInfo, QueueMessage, MessagesOptions } from './queue';
export { normaliseRepeatable } from './repeatable';
export { authorization } from './auth';
export type { AuthMethod, FetchLike, Format, OperationResult, Page, Scope, SifObject, WebCryptoLike } from './types';
