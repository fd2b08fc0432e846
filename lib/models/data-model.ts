import type { Objects as Au348Objects } from './au-3.4.8/types';
import type { GoessnerObject } from '../payload/goessner';
import type { RepeatableTree } from '../payload/objects';
import type { DelayedHandlers, ServiceDefinition, ServiceHandlers, ServicePathHandler } from '../services/types';
import type { ModelBinding } from './binding';
import { ModelChecker } from './check';
import { checkModel, readModel } from './load';
import type { CompiledModel } from './model';
import { typeTree } from './plan';

/**
 * A service declared from a model: everything a `ServiceDefinition` takes but what the model gives
 * (objectName, namespace, model), with handlers typed for the object.
 */
export type ModelServiceDefinition<O extends object> = Omit<ServiceDefinition, 'objectName' | 'namespace' | 'model' | 'handlers' | 'delayed' | 'paths'> & {
  handlers?: ServiceHandlers<O>;
  delayed?: DelayedHandlers<O>;
  paths?: Record<string, ServicePathHandler<O>>;
};

/**
 * A loaded data model: its objects, bound for services. `T` maps object names to their types
 * (the `Objects` interface of the generated types).
 *
 * @example
 * const au = dataModel('au-3.4.8');
 * const services = { StudentPersonals: au.service('StudentPersonal', { handlers, validate: true }) };
 */
export interface DataModel<T extends object = Record<string, GoessnerObject>> {
  readonly name: string;
  readonly namespace: string;
  readonly compiled: CompiledModel;
  /** The object names, in schema order. */
  readonly objectNames: readonly string[];
  /** One object bound for a `ServiceDefinition`'s `model` field. Throws for a name the model lacks. */
  object(objectName: keyof T & string): ModelBinding;
  /**
   * A service of one object: objectName, namespace, idAttribute and repeatable paths from the model,
   * output in schema order, handlers typed for the object. Register it under its plural name
   * (`binding.pluralName`, e.g. `StudentPersonals`).
   */
  service<K extends keyof T & string>(objectName: K, definition?: ModelServiceDefinition<T[K] & object>): ServiceDefinition;
}

/**
 * Loads a data model: a shipped one by name (`'au-3.4.8'`, typed), the output folder or
 * `model.json` of `sif3-direct model compile`, or a compiled (or hand-made) model object. Load it
 * once at start-up: trees and checks are prepared per object and kept.
 *
 * @example
 * const au = dataModel('au-3.4.8');
 * const na = dataModel<NaObjects>('./models/na-3.6');
 */
export function dataModel(source: 'au-3.4.8'): DataModel<Au348Objects>;
export function dataModel<T extends object = Record<string, GoessnerObject>>(source: string | CompiledModel): DataModel<T>;
export function dataModel<T extends object>(source: string | CompiledModel): DataModel<T> {
  const compiled = typeof source === 'string' ? readModel(source) : checkModel(source, 'the data model');
  const trees = new Map<string, RepeatableTree>();
  const bindings = new Map<string, ModelBinding>();
  let checker: ModelChecker | undefined;
  const object = (objectName: string): ModelBinding => {
    const known = bindings.get(objectName);
    if (known) return known;
    const entry = Object.hasOwn(compiled.objects, objectName) ? compiled.objects[objectName] : undefined;
    if (!entry) throw new Error(`The data model ${compiled.name} has no object ${objectName}`);
    const binding: ModelBinding = Object.freeze({
      modelName: compiled.name,
      objectName,
      pluralName: entry.plural,
      namespace: compiled.namespace,
      idAttribute: entry.idAttribute,
      compiled,
      type: entry.type,
      tree: typeTree(compiled, entry.type, trees),
      check: (value: GoessnerObject, mode: 'full' | 'partial') => (checker ??= new ModelChecker(compiled)).check(value, objectName, entry.type, mode, entry.idAttribute),
    });
    bindings.set(objectName, binding);
    return binding;
  };
  return Object.freeze({
    name: compiled.name,
    namespace: compiled.namespace,
    compiled,
    objectNames: Object.freeze(Object.keys(compiled.objects)),
    object,
    service(objectName: string, definition: ModelServiceDefinition<object> = {}): ServiceDefinition {
      const binding = object(objectName);
      return {
        ...(definition as ServiceDefinition),
        objectName,
        namespace: binding.namespace,
        idAttribute: definition.idAttribute ?? binding.idAttribute,
        model: binding,
      };
    },
  }) as DataModel<T>;
}
