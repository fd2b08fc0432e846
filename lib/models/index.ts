// `sif3-direct/models`: data models and the compiler that makes them from official SIF XSDs.
export { dataModel } from './data-model';
export { repeatablePaths } from './plan';
export type { DataModel, ModelServiceDefinition } from './data-model';
export type { ModelBinding } from './binding';
export { readModel, checkModel, SHIPPED_MODELS } from './load';
export type { ShippedModel } from './load';
export { compileSchema } from './compiler';
export type { CompiledSchema } from './compiler';
export { MODEL_FORMAT } from './model';
export type { CompiledModel, ObjectModel, ComplexTypeModel, ElementModel, AttributeModel, ScalarModel, ScalarKind } from './model';
export type { CheckMode, Problems } from './check';
