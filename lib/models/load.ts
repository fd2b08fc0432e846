import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { CompiledModel } from './model';
import { MODEL_FORMAT } from './model';

/** The models shipped with the package, by name (each a folder beside this file). */
export const SHIPPED_MODELS = ['au-3.4.8'] as const;

/** A shipped model's name. */
export type ShippedModel = (typeof SHIPPED_MODELS)[number];

/**
 * Reads a compiled model: a shipped one by name (`au-3.4.8`), a `model.json` written by
 * `sif3-direct model compile`, or the folder holding it. Throws an Error naming the file when it
 * is not a compiled model of this format.
 *
 * @example
 * const model = readModel('au-3.4.8');
 * const own = readModel('./models/na-3.6');  // the --out folder of `model compile`
 */
export function readModel(source: string): CompiledModel {
  const shipped = (SHIPPED_MODELS as readonly string[]).includes(source);
  let file = shipped ? join(__dirname, source, 'model.json') : source;
  if (!shipped && existsSync(file) && statSync(file).isDirectory()) file = join(file, 'model.json');
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read the data model ${source}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return checkModel(parsed, file);
}

/**
 * Checks that a value is a compiled model of this format (a hand-made model, too): its format tag,
 * namespace, and that every object names a type the model defines.
 *
 * @example
 * const model = checkModel(JSON.parse(text), 'my-model.json');
 */
export function checkModel(value: unknown, where: string): CompiledModel {
  const m = value as Partial<CompiledModel> | null;
  const fail = (what: string): never => {
    throw new Error(`${where} is not a usable data model: ${what}`);
  };
  if (typeof m !== 'object' || m === null) return fail('not an object');
  if (m.format !== MODEL_FORMAT) fail(`format must be "${MODEL_FORMAT}"`);
  if (typeof m.name !== 'string' || typeof m.namespace !== 'string' || !m.namespace) fail('name and namespace must be text');
  for (const key of ['objects', 'types', 'scalars'] as const) if (typeof m[key] !== 'object' || m[key] === null) fail(`${key} must be an object`);
  for (const [name, object] of Object.entries(m.objects!)) {
    if (!object || typeof object.plural !== 'string' || typeof object.idAttribute !== 'string' || !m.types![object.type]) {
      fail(`objects.${name} needs plural, idAttribute and a type defined in types`);
    }
  }
  return m as CompiledModel;
}
