/**
 * The grammar of one step of an element path, shared by `where`, `order` and query by example: an
 * element name, or `@` and an attribute name. Names are plain XML-like names, so that a step can
 * never carry quotes, slashes or brackets into a translation such as a JSON path in SQL.
 *
 * @example
 * new RegExp(`^${STEP_PATTERN}$`).test('@refId'); // true
 */
export const STEP_PATTERN = '@?[A-Za-z_][A-Za-z0-9_.-]*';

const STEP = new RegExp(`^${STEP_PATTERN}$`);

/**
 * Why `steps` is not a valid element path, or undefined when it is: every step must follow the step
 * grammar, and an attribute (`@name`) can only be the last step.
 *
 * @example
 * pathProblem(['name', '@type']);    // undefined
 * pathProblem(['@type', 'name']);    // 'an attribute can only be the last step of a path'
 * pathProblem(['name', 'given name']); // 'step "given name" is not an element or attribute name'
 */
export function pathProblem(steps: readonly string[]): string | undefined {
  if (steps.length === 0) return 'it is empty';
  const bad = steps.find((step) => !STEP.test(step));
  if (bad !== undefined) return `step "${bad.slice(0, 40)}" is not an element or attribute name`;
  if (steps.slice(0, -1).some((s) => s.startsWith('@'))) return 'an attribute can only be the last step of a path';
  return undefined;
}
