import { SifConfigError } from '../errors';

// Small checks used while resolving options. Each names the option path in its error.

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function requireObject(value: unknown, path: string): Record<string, unknown> {
  if (!isPlainObject(value)) throw new SifConfigError(path, 'must be an object');
  return value;
}

export function requireString(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new SifConfigError(path, 'must be a non-empty string');
  return value;
}

export function optionalString(value: unknown, path: string): string | undefined {
  return value === undefined ? undefined : requireString(value, path);
}

export function optionalStringList(value: unknown, path: string): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw new SifConfigError(path, 'must be an array of strings');
  return Object.freeze(value.map((item, i) => {
    if (typeof item !== 'string') throw new SifConfigError(`${path}[${i}]`, 'must be a string');
    return item;
  }));
}

export function oneOf<T extends string>(value: unknown, allowed: readonly T[], path: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new SifConfigError(path, `must be one of ${allowed.join(', ')} (got ${JSON.stringify(value)})`);
  }
  return value as T;
}

export function optionalPositiveInt(value: unknown, path: string, { allowZero = false } = {}): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
    throw new SifConfigError(path, `must be a${allowZero ? ' non-negative' : ' positive'} integer`);
  }
  return value;
}

export function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') throw new SifConfigError(path, 'must be true or false');
  return value;
}

export function optionalFunction<T>(value: unknown, path: string): T | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new SifConfigError(path, 'must be a function');
  return value as T;
}

export function rejectUnknownKeys(value: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const key of Object.keys(value)) {
    if (!known.includes(key)) {
      throw new SifConfigError(path ? `${path}.${key}` : key, `is not a known option (known: ${known.join(', ')})`);
    }
  }
}
