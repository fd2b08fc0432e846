import { LIMIT_DEFAULTS } from '../limits';
import { BadRequestError, QuotaExceededError } from '../errors';
import type { WhereCondition, WhereNode, WhereOperator } from './ast';
import { STEP_PATTERN, pathProblem } from './path';

/**
 * Longest `where` clause accepted. With it, and groups that cannot nest, parsing is linear in the
 * text and never recurses more than two levels, whatever a consumer sends.
 */
export const WHERE_LIMITS = { length: 4000 } as const;

/** How a caller bounds a `where` clause (the router passes `limits.maxWhereConditions`). */
export interface WhereOptions {
  /** Most conditions in one clause; more is a 400 naming `limits.maxWhereConditions`. Default 100. */
  readonly maxConditions?: number;
}

type Token =
  | { type: '[' | ']' | '(' | ')'; at: number }
  | { type: 'path'; text: string; at: number }
  | { type: 'operator'; text: WhereOperator; at: number }
  | { type: 'string' | 'number'; text: string; at: number }
  | { type: 'junction'; text: 'and' | 'or'; at: number };

const PATH = new RegExp(`^${STEP_PATTERN}(?:/${STEP_PATTERN})*`);
const NUMBER = /^-?\d+(?:\.\d+)?(?![A-Za-z0-9_])/;
const OPERATORS = ['!=', '<=', '>=', '=', '<', '>'] as const;
const QUOTES: Record<string, string> = { '"': '"', "'": "'", '\u201C': '\u201D', '\u201D': '\u201D' };

/**
 * Parses a `where` clause (Base Architecture §5.7, interop.md §3a): conditions joined all by `and` or
 * all by `or`, each optionally in parentheses; a parenthesised group may itself join conditions with
 * one operator, and groups are joined with one operator. Anything else is a 400 that names the
 * position (1-based) of the problem. More than `maxConditions` conditions is a 400 that names
 * `limits.maxWhereConditions`, refused as soon as the parser counts one too many.
 *
 * @example
 * parseWhere('[(name/familyName="Smith") and (name/givenName="Amy" or name/givenName="Eve")]');
 * parseWhere(text, { maxConditions: core.config.limits.maxWhereConditions });
 */
export function parseWhere(text: string, options: WhereOptions = {}): WhereNode {
  const maxConditions = options.maxConditions ?? LIMIT_DEFAULTS.maxWhereConditions;
  if (text.length > WHERE_LIMITS.length) throw invalid(`it is longer than ${WHERE_LIMITS.length} characters`, 1);
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const take = () => tokens[i++];
  const end = text.length + 1;
  let conditions = 0;

  const bracketed = peek()?.type === '[';
  if (bracketed) take();
  const top = junction(() => term(), 'conditions');
  if (bracketed) {
    const close = take();
    if (close?.type !== ']') throw invalid('expected "]"', close?.at ?? end);
  }
  const rest = peek();
  if (rest) throw invalid(`unexpected ${describe(rest)}`, rest.at);
  return top;

  // items joined by one junction; mixing `and` and `or` needs parentheses
  function junction(item: () => WhereNode, what: string): WhereNode {
    const children = [item()];
    let kind: 'and' | 'or' | undefined;
    for (let t = peek(); t?.type === 'junction'; t = peek()) {
      take();
      if (kind && t.text !== kind) throw invalid(`mixing "and" and "or" between ${what} needs parentheses`, t.at);
      kind = t.text;
      children.push(item());
    }
    return kind ? { kind, children } : children[0]!;
  }

  function term(): WhereNode {
    const t = peek();
    if (t?.type === '(') {
      take();
      const group = junction(() => condition(), 'conditions in a group');
      const close = take();
      if (close?.type !== ')') throw invalid('expected ")"', close?.at ?? end);
      return group;
    }
    return condition();
  }

  function condition(): WhereCondition {
    if (++conditions > maxConditions) throw tooManyConditions('The where clause', maxConditions);
    const path = take();
    if (path?.type !== 'path') throw invalid(path ? `expected an element path, found ${describe(path)}` : 'expected a condition', path?.at ?? end);
    const operator = take();
    if (operator?.type !== 'operator') throw invalid('expected an operator (= != < > <= >=)', operator?.at ?? end);
    const value = take();
    if (value?.type !== 'string' && value?.type !== 'number') {
      throw invalid('expected a value: a quoted string or a number', value?.at ?? end);
    }
    const steps = path.text.split('/');
    const problem = pathProblem(steps);
    if (problem) throw invalid(problem, path.at);
    return { kind: 'condition', path: steps, operator: operator.text, value: value.text, valueType: value.type };
  }
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const at = i + 1;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '[' || c === ']' || c === '(' || c === ')') {
      tokens.push({ type: c, at });
      i++;
    } else if (QUOTES[c]) {
      const close = text.indexOf(QUOTES[c]!, i + 1);
      if (close < 0) throw invalid('a quoted value is not closed', at);
      tokens.push({ type: 'string', text: text.slice(i + 1, close), at });
      i = close + 1;
    } else if (c === '!' || c === '<' || c === '>' || c === '=') {
      const op = OPERATORS.find((o) => text.startsWith(o, i));
      if (!op) throw invalid(`"${c}" is not an operator`, at);
      tokens.push({ type: 'operator', text: op, at });
      i += op.length;
    } else if (/[-\d]/.test(c)) {
      const m = NUMBER.exec(text.slice(i));
      if (!m) throw invalid('not a number', at);
      tokens.push({ type: 'number', text: m[0], at });
      i += m[0].length;
    } else {
      const m = PATH.exec(text.slice(i));
      if (!m) throw invalid(`unexpected "${c}"`, at);
      const word = m[0].toLowerCase();
      // `and`/`or` are keywords where a junction can stand (after a value or a ")").
      const prev = tokens[tokens.length - 1];
      const junctionPlace = prev && (prev.type === 'string' || prev.type === 'number' || prev.type === ')');
      if (junctionPlace && (word === 'and' || word === 'or')) tokens.push({ type: 'junction', text: word, at });
      else tokens.push({ type: 'path', text: m[0], at });
      i += m[0].length;
    }
  }
  return tokens;
}

function describe(token: Token): string {
  return 'text' in token ? `"${token.text.slice(0, 40)}"` : `"${token.type}"`;
}

/**
 * The conditions in a tree, as counted against `limits.maxWhereConditions`.
 *
 * @example
 * countConditions(parseWhere('[a="1" or (b="2" and c="3")]')); // 3
 */
export function countConditions(node: WhereNode): number {
  return node.kind === 'condition' ? 1 : node.children.reduce((n, c) => n + countConditions(c), 0);
}

/**
 * The 400 for a clause or example with more conditions than `limits.maxWhereConditions` allows.
 *
 * @example
 * throw tooManyConditions('A query by example', 100);
 */
export function tooManyConditions(what: string, max: number): QuotaExceededError {
  return new QuotaExceededError(
    400,
    'limits.maxWhereConditions',
    `${what} has more than ${max} conditions, this provider's limit (limits.maxWhereConditions)`,
    { scope: 'Query' },
  );
}

function invalid(problem: string, position: number): BadRequestError {
  return new BadRequestError(`Invalid where clause at position ${position}: ${problem}`, { scope: 'Query' });
}
