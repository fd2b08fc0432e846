import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The shared public samples (`../shared/samples`, or `SIF_SAMPLES_DIR`), read where they are: never
 * copied into this repository.
 */
export const SAMPLES_DIR = resolve(process.env.SIF_SAMPLES_DIR ?? join(__dirname, '..', '..', '..', 'shared', 'samples'));

/** True when the samples folder is there. */
export function haveSamples(sub: string): boolean {
  return existsSync(join(SAMPLES_DIR, sub));
}

/** One sample file's text. */
export function sample(...path: string[]): string {
  return readFileSync(join(SAMPLES_DIR, ...path), 'utf8');
}
