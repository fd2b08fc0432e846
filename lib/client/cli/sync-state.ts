import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/**
 * What `sif3 sync` remembers between runs: the marker to ask for changes since, and which service
 * of which provider it belongs to (so one state file is never applied to another copy).
 *
 * @example
 * writeSyncState('students.jsonl.state.json', { service: 'xStudents', url, marker, syncedAt: new Date().toISOString(), objects: 2000 });
 */
export interface SyncState {
  service: string;
  url: string;
  marker: string | undefined;
  syncedAt: string;
  objects: number;
}

/**
 * The state file's contents, or undefined when there is none yet.
 *
 * @example
 * const state = readSyncState(path);
 */
export function readSyncState(path: string): SyncState | undefined {
  if (!existsSync(path)) return undefined;
  const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<SyncState>;
  if (typeof value.service !== 'string' || typeof value.url !== 'string') throw new Error(`${path} is not a sif3 sync state file`);
  return value as SyncState;
}

/**
 * Writes the state through a temporary file and a rename: a crash leaves the old state or the new.
 *
 * @example
 * writeSyncState(path, state);
 */
export function writeSyncState(path: string, state: SyncState): void {
  const temporary = `${path}.partial`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(temporary, path);
}
