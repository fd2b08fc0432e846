import type { GoessnerObject } from '../payload/goessner';
import { isElement } from '../payload/goessner';
import type { CompiledModel, ComplexTypeModel, ElementModel } from './model';
import type { ScalarCheck } from './scalars';
import { scalarCheck } from './scalars';

/** How an object is checked: a create needs every mandatory element; a partial update does not. */
export type CheckMode = 'full' | 'partial';

/** What is wrong with an object: one line per offending path, e.g. `StudentPersonal/PersonInfo/Name/FamilyName is missing`. */
export type Problems = string[];

// An object this far down is refused rather than walked further (the parsers stop deeper input anyway).
const MAX_DEPTH = 64;
// A message names at most this many paths; the count of the rest is added.
const MAX_PROBLEMS = 25;

/** One complex type, prepared for checking: elements and attributes by name. */
interface TypePlan {
  readonly name: string;
  readonly model: ComplexTypeModel;
  readonly elements: ReadonlyMap<string, ElementModel>;
  readonly attributes: ReadonlyMap<string, { type: string; required: boolean }>;
  readonly required: readonly string[];
}

/**
 * Checks objects against a compiled model: unknown elements and attributes, values of the wrong
 * scalar type or outside their enumeration, elements that repeat where the model says once, and
 * (in `full` mode) missing mandatory elements and attributes. Plans per type and checks per simple
 * type are made on first use and kept, so a request walks only the object.
 *
 * @example
 * const checker = new ModelChecker(model);
 * checker.check(student, 'StudentPersonal', 'StudentPersonalType', 'full', 'RefId'); // ['StudentPersonal/LocalId is missing', …]
 */
export class ModelChecker {
  private readonly plans = new Map<string, TypePlan>();
  private readonly scalars = new Map<string, ScalarCheck>();

  constructor(readonly model: CompiledModel) {}

  /** The problems of `object` (the root element `root`, of complex type `type`); empty when it is valid. The id attribute may be absent. */
  check(object: GoessnerObject, root: string, type: string, mode: CheckMode, idAttribute?: string): Problems {
    const problems: Problems = [];
    const state = { problems, mode, idAttribute, count: 0 };
    this.complex(object, this.plan(type), root, state, 0, true);
    if (state.count > MAX_PROBLEMS) problems.push(`and ${state.count - MAX_PROBLEMS} more`);
    return problems;
  }

  private complex(value: GoessnerObject, plan: TypePlan, path: string, state: State, depth: number, isRoot: boolean, nillable = false): void {
    if (depth > MAX_DEPTH) return report(state, `${path} nests too deeply`);
    // Attributes without text: the text is empty, which its type may not allow.
    if (plan.model.text && value['#text'] === undefined && !nillable) this.text('', plan.model.text, path, state);
    for (const key of Object.keys(value)) {
      const child = value[key]!;
      if (key.startsWith('@')) {
        const attr = plan.attributes.get(key.slice(1));
        if (!attr) report(state, `${path}/${key} is not an attribute of ${plan.name}`);
        else if (typeof child !== 'string') report(state, `${path}/${key} must be text`);
        else this.text(child, attr.type, `${path}/${key}`, state);
      } else if (key === '#text') {
        if (plan.model.text) this.text(typeof child === 'string' ? child : '', plan.model.text, path, state);
        else if (!plan.model.open && typeof child === 'string' && child.trim() !== '') report(state, `${path} holds text; ${plan.name} holds elements`);
      } else {
        const element = plan.elements.get(key);
        if (!element) {
          if (!plan.model.open) report(state, `${path}/${key} is not an element of ${plan.name}`);
          continue;
        }
        if (Array.isArray(child)) {
          if (!element.repeat && child.length > 1) report(state, `${path}/${key} occurs ${child.length} times; it does not repeat`);
          child.forEach((item, i) => this.element(item, element, element.repeat ? `${path}/${key}[${i + 1}]` : `${path}/${key}`, state, depth + 1));
        } else this.element(child, element, `${path}/${key}`, state, depth + 1);
      }
    }
    if (state.mode === 'partial') return;
    for (const [name, attr] of plan.attributes) {
      if (attr.required && value[`@${name}`] === undefined && !(isRoot && name === state.idAttribute)) report(state, `${path}/@${name} is missing`);
    }
    for (const name of plan.required) if (value[name] === undefined) report(state, `${path}/${name} is missing`);
  }

  private element(value: unknown, element: ElementModel, path: string, state: State, depth: number): void {
    const type = this.model.types[element.type];
    if (typeof value === 'string') {
      // An empty element stands for xsi:nil (the parsers drop xsi attributes) where the model allows it.
      if (value === '' && element.nillable) return;
      if (!type) return this.text(value, element.type, path, state);
      // Text alone is the element without attributes: checked as such (its text, its required attributes).
      if (type.text) return this.complex({ '#text': value }, this.plan(element.type), path, state, depth, false);
      if (value.trim() === '' || type.open) return this.complex({}, this.plan(element.type), path, state, depth, false);
      return report(state, `${path} must hold elements, not text`);
    }
    if (!isElement(value)) return report(state, `${path} must be ${type ? 'an element' : 'text'}`);
    if (!type) return report(state, `${path} must be text, without attributes or elements`);
    this.complex(value, this.plan(element.type), path, state, depth, false, element.nillable === true);
  }

  private text(value: string, type: string, path: string, state: State): void {
    const problem = this.scalar(type)(value);
    if (problem) report(state, `${path}: ${problem}`);
  }

  private scalar(type: string): ScalarCheck {
    let check = this.scalars.get(type);
    if (!check) {
      const scalar = type.startsWith('#') ? { kind: type.slice(1) as 'string' } : this.model.scalars[type] ?? { kind: 'string' as const };
      check = scalarCheck(KIND_OF_BUILTIN[type] ?? scalar);
      this.scalars.set(type, check);
    }
    return check;
  }

  private plan(name: string): TypePlan {
    let plan = this.plans.get(name);
    if (!plan) {
      const model = this.model.types[name] ?? {};
      const elements = model.elements ?? [];
      plan = {
        name,
        model,
        elements: new Map(elements.map((e) => [e.name, e])),
        attributes: new Map((model.attributes ?? []).map((a) => [a.name, { type: a.type, required: a.required === true }])),
        required: elements.filter((e) => e.required).map((e) => e.name),
      };
      this.plans.set(name, plan);
    }
    return plan;
  }
}

// Built-in references (`#positiveInteger`) that carry a bound besides their kind.
const KIND_OF_BUILTIN: Readonly<Record<string, { kind: 'integer'; minInclusive?: string; maxInclusive?: string }>> = {
  '#positiveInteger': { kind: 'integer', minInclusive: '1' },
  '#nonNegativeInteger': { kind: 'integer', minInclusive: '0' },
  '#unsignedLong': { kind: 'integer', minInclusive: '0' },
  '#unsignedInt': { kind: 'integer', minInclusive: '0' },
  '#unsignedShort': { kind: 'integer', minInclusive: '0' },
  '#unsignedByte': { kind: 'integer', minInclusive: '0' },
  '#negativeInteger': { kind: 'integer', maxInclusive: '-1' },
  '#nonPositiveInteger': { kind: 'integer', maxInclusive: '0' },
};

interface State {
  readonly problems: Problems;
  readonly mode: CheckMode;
  readonly idAttribute: string | undefined;
  count: number;
}

// Paths carry the consumer's element names, which no limit keeps short: a line is cut at this length.
const MAX_PROBLEM_LENGTH = 300;

function report(state: State, problem: string): void {
  if (++state.count <= MAX_PROBLEMS) state.problems.push(problem.length > MAX_PROBLEM_LENGTH ? `${problem.slice(0, MAX_PROBLEM_LENGTH)}…` : problem);
}
