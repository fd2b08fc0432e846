/** A deep copy of plain records; Buffers stay Buffers (structuredClone would make them Uint8Arrays). */
export function copy<T>(value: T): T {
  if (Buffer.isBuffer(value)) return Buffer.from(value) as T;
  if (Array.isArray(value)) return value.map(copy) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)])) as T;
  }
  return value;
}

export function copyMaybe<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : copy(value);
}
