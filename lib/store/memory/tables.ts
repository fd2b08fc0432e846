import type { EnvironmentRecord } from '../store';

// The shape every group of memory tables shares (queues, jobs, provision requests): each sits
// beside the store's environments and is built from what it needs of the store.

/**
 * What a group of memory tables needs of the store that holds it.
 *
 * @example
 * const owner: MemoryTableOwner = { environment: (id) => environments.get(id), assertOpen: () => undefined };
 */
export interface MemoryTableOwner {
  environment(id: string): EnvironmentRecord | undefined;
  assertOpen(): void;
}

/**
 * A group of memory tables: the store methods it implements, and how it forgets what an
 * environment owned when the environment is deleted.
 *
 * @example
 * const jobs: MemoryTables<JobTables> = memoryJobTables(owner);
 * Object.assign(store, jobs.tables);
 */
export interface MemoryTables<T> {
  readonly tables: T;
  dropEnvironment(environmentId: string): void;
}
