import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { SifObject } from '../types';

/**
 * A service's objects kept as a JSON-lines file, one object a line, keyed by id. Read whole, changed
 * in memory (replace or append by id, remove deletions), written back whole through a temporary
 * file and a rename, so an interrupted sync never leaves half a file.
 *
 * @example
 * const copy = JsonlCopy.load('students.jsonl', (o) => o['@refId'] as string);
 * copy.put(student); copy.remove(id); copy.save();
 */
export class JsonlCopy {
  private constructor(
    private readonly path: string,
    private readonly objects: Map<string, SifObject>,
  ) {}

  /** The file's objects, or none when it does not exist. */
  static load(path: string, idOf: (object: SifObject) => string | undefined): JsonlCopy {
    const objects = new Map<string, SifObject>();
    if (existsSync(path)) {
      for (const line of readFileSync(path, 'utf8').split('\n')) {
        if (line.trim() === '') continue;
        const object = JSON.parse(line) as SifObject;
        const id = idOf(object);
        if (id !== undefined) objects.set(id, object);
      }
    }
    return new JsonlCopy(path, objects);
  }

  get size(): number {
    return this.objects.size;
  }

  clear(): void {
    this.objects.clear();
  }

  put(id: string, object: SifObject): void {
    this.objects.set(id, object);
  }

  remove(id: string): void {
    this.objects.delete(id);
  }

  save(): void {
    let text = '';
    for (const object of this.objects.values()) text += `${JSON.stringify(object)}\n`;
    const temporary = `${this.path}.partial`;
    writeFileSync(temporary, text);
    renameSync(temporary, this.path);
  }
}
