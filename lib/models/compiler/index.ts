import type { CompiledModel } from '../model';
import { emitModel } from './emit-model';
import { emitTypes } from './emit-ts';
import { TypeResolver } from './resolve';
import { readSchema } from './xsd-schema';

/** What compiling a schema gives: the model and its TypeScript declarations, file text by path relative to the output directory (`types.ts`, `types/common.ts`, `types/<Object>.ts`). */
export interface CompiledSchema {
  readonly model: CompiledModel;
  readonly types: Readonly<Record<string, string>>;
}

/**
 * Compiles an official SIF data-model XSD (any region and version; `xs:include`s followed) into a
 * compact model and TypeScript types. Every named type is compiled, referenced or not.
 *
 * @example
 * const { model, types } = compileSchema('SIF_AU_3.4.8_SIF_Message.xsd', 'au-3.4.8');
 * Object.keys(model.objects).length; // 78
 */
export function compileSchema(entry: string, name: string): CompiledSchema {
  const resolver = new TypeResolver(readSchema(entry));
  resolver.resolveAll();
  const model = emitModel(name, resolver);
  return { model, types: emitTypes(model) };
}
