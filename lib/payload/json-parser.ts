import { LIMIT_DEFAULTS } from '../limits';
import { BadRequestError } from '../errors';
import type { GoessnerObject, GoessnerValue } from './goessner';
import type { PayloadLimits } from './limits';
import { tooDeep, tooManyAttributes, tooManyElements } from './limits';
import { keyKind, quoteName } from './names';

/** A parsed Goessner JSON document: `{"root": {...}}`. */
export interface ParsedJson {
  root: string;
  value: GoessnerObject;
}

/**
 * Parses a Goessner JSON document straight into Goessner notation, in one linear pass. The top
 * level must be an object with exactly one key, the root element's name; a scalar root value is
 * taken as the element's text. Numbers and booleans become their text (as XML gives them), nulls
 * are left out. Every key must be an element name, `@` and an attribute name, or `#text`; a bad
 * name, `__proto__`, a duplicate key, an array inside an array or an attribute that is not text is a
 * 400 naming its path. `@xmlns*` and `@xsi:*` keys are dropped, as XML input drops those attributes.
 * `limits` are enforced as the parser goes.
 *
 * @example
 * parseJson('{"alert":{"reporter":"x"}}'); // { root: 'alert', value: { reporter: 'x' } }
 */
export function parseJson(text: string, limits: PayloadLimits = LIMIT_DEFAULTS): ParsedJson {
  return new JsonReader(text, limits).document();
}

/** What a JSON value is, before it is given its Goessner form. */
type Scalar = string | undefined;

// JSON number syntax (RFC 8259), checked on the run of number characters found by the scanner.
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** One parse: the reader's state lives in this object and nowhere else. */
class JsonReader {
  private pos = 0;
  private elements = 0;
  private attributes = 0;
  // The element names from the root down to the object being read, for error messages.
  private readonly path: string[] = [];

  constructor(
    private readonly src: string,
    private readonly limits: PayloadLimits,
  ) {}

  document(): ParsedJson {
    this.skipSpace();
    if (this.src.charCodeAt(this.pos) !== 0x7b /* { */) {
      this.value(); // a malformed document says so before it says it is not an object
      throw new BadRequestError('A JSON payload must be an object with one root element');
    }
    this.pos++;
    this.skipSpace();
    if (this.src.charCodeAt(this.pos) === 0x7d /* } */) {
      throw new BadRequestError('A JSON payload must be an object with exactly one root element', { description: 'found 0 top-level keys' });
    }
    const root = this.string();
    if (keyKind(root) !== 'element') this.invalidName(root);
    this.colon();
    const value = this.element(root, 1);
    this.skipSpace();
    if (this.src.charCodeAt(this.pos) === 0x2c /* , */) {
      throw new BadRequestError('A JSON payload must be an object with exactly one root element', { description: 'found more than one top-level key' });
    }
    this.expect(0x7d, '"}"');
    this.skipSpace();
    if (this.pos < this.src.length) this.fail('Unexpected text after the JSON document');
    if (Array.isArray(value)) throw new BadRequestError(`The JSON root element "${root}" must be an object`);
    return { root, value: value === undefined || typeof value === 'string' ? rootText(value) : value };
  }

  /** The value of an element `name` at `depth` (the root is depth 1): text, an object or repeats. */
  private element(name: string, depth: number): GoessnerValue | undefined {
    if (++this.elements > this.limits.maxElements) throw tooManyElements(this.limits);
    this.skipSpace();
    const c = this.src.charCodeAt(this.pos);
    if (c === 0x7b /* { */) {
      if (depth > this.limits.maxDepth) throw tooDeep(this.limits);
      this.path.push(name);
      const object = this.object(depth);
      this.path.pop();
      return object;
    }
    if (c === 0x5b /* [ */) return this.repeats(name, depth);
    return this.scalar();
  }

  /** `[…]`: the repeats of one element; their count is the array's length. */
  private repeats(name: string, depth: number): GoessnerValue[] {
    this.elements--; // the items are the elements, not the array
    this.pos++;
    const items: GoessnerValue[] = [];
    this.skipSpace();
    if (this.src.charCodeAt(this.pos) === 0x5d /* ] */) {
      this.pos++;
      return items;
    }
    for (;;) {
      this.skipSpace();
      if (this.src.charCodeAt(this.pos) === 0x5b) this.fail(`${this.where(name)}: an array inside an array has no XML form`);
      const item = this.element(name, depth);
      if (item !== undefined) items.push(item);
      this.skipSpace();
      const c = this.src.charCodeAt(this.pos++);
      if (c === 0x5d /* ] */) return items;
      if (c !== 0x2c /* , */) this.fail('Expected "," or "]" in an array', this.pos - 1);
    }
  }

  /** `{…}` after its `{`: an element's attributes, text and children. */
  private object(depth: number): GoessnerObject {
    this.pos++;
    const out: GoessnerObject = {};
    this.skipSpace();
    if (this.src.charCodeAt(this.pos) === 0x7d /* } */) {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      const at = this.pos;
      const key = this.string();
      this.colon();
      const kind = keyKind(key);
      if (kind === 'invalid' && !isDroppedAttribute(key)) this.invalidName(key, at);
      if (Object.hasOwn(out, key)) this.fail(`${this.where(key)}: the key appears twice in one object`, at);
      if (kind === 'element') {
        const value = this.element(key, depth + 1);
        if (value !== undefined) out[key] = value;
      } else {
        if (kind === 'attribute' || kind === 'invalid') {
          if (++this.attributes > this.limits.maxAttributes) throw tooManyAttributes(this.limits);
        }
        this.skipSpace();
        const c = this.src.charCodeAt(this.pos);
        if (c === 0x7b || c === 0x5b) this.fail(`${this.where(key)}: an attribute or #text must be text, not an object or array`);
        const text = this.scalar();
        // Namespace declarations and xsi attributes are dropped, as XML input drops them.
        if (text !== undefined && kind !== 'invalid' && key !== '@xmlns') out[key] = text;
      }
      this.skipSpace();
      const c = this.src.charCodeAt(this.pos++);
      if (c === 0x7d /* } */) return out;
      if (c !== 0x2c /* , */) this.fail('Expected "," or "}" in an object', this.pos - 1);
    }
  }

  /** A string, number, boolean or null: its text, undefined for null. */
  private scalar(): Scalar {
    const src = this.src;
    const c = src.charCodeAt(this.pos);
    if (c === 0x22 /* " */) return this.string();
    if (src.startsWith('true', this.pos)) return this.word('true');
    if (src.startsWith('false', this.pos)) return this.word('false');
    if (src.startsWith('null', this.pos)) {
      this.word('null');
      return undefined;
    }
    // The run of characters a number can hold, then the grammar on it.
    let end = this.pos;
    while (isNumberChar(src.charCodeAt(end))) end++;
    const number = src.slice(this.pos, end);
    if (!NUMBER.test(number)) this.fail(this.pos >= src.length ? 'Unexpected end of the JSON document' : 'Expected a JSON value');
    this.pos = end;
    // As JSON.parse and String() give it, so "1.0" is "1" whatever the format it came in.
    return String(Number(number));
  }

  /** Any JSON value, only to report the first syntax error of a document that is not an object. */
  private value(): void {
    this.skipSpace();
    const c = this.src.charCodeAt(this.pos);
    if (c === 0x5b || c === 0x7b) return;
    this.scalar();
    this.skipSpace();
    if (this.pos < this.src.length) this.fail('Unexpected text after the JSON value');
  }

  private word(word: string): string {
    this.pos += word.length;
    return word;
  }

  /** A string at `"`; fast when it has no escapes. */
  private string(): string {
    const src = this.src;
    if (src.charCodeAt(this.pos) !== 0x22) this.fail(this.pos >= src.length ? 'Unexpected end of the JSON document' : 'Expected a string');
    const start = ++this.pos;
    let i = start;
    for (;;) {
      const c = src.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return src.slice(start, i);
      }
      if (c === 0x5c /* \ */) return this.escapedString(start, i);
      if (c < 0x20 || i >= src.length) this.fail(i >= src.length ? 'A string is not closed' : 'A control character must be escaped in a JSON string', i);
      i++;
    }
  }

  private escapedString(start: number, firstEscape: number): string {
    const src = this.src;
    let out = src.slice(start, firstEscape);
    let i = firstEscape;
    for (;;) {
      const c = src.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return out;
      }
      if (i >= src.length) this.fail('A string is not closed', i);
      if (c < 0x20) this.fail('A control character must be escaped in a JSON string', i);
      if (c !== 0x5c) {
        out += src[i];
        i++;
        continue;
      }
      const e = src[i + 1] ?? '';
      if (e === 'u') {
        const hex = src.slice(i + 2, i + 6);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) this.fail('Invalid \\u escape in a string', i);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else {
        const escaped = Object.hasOwn(ESCAPES, e) ? ESCAPES[e] : undefined;
        if (escaped === undefined) this.fail('Invalid escape in a string', i);
        out += escaped;
        i += 2;
      }
    }
  }

  private colon(): void {
    this.skipSpace();
    this.expect(0x3a, '":"');
  }

  private expect(code: number, what: string): void {
    if (this.src.charCodeAt(this.pos) !== code) this.fail(this.pos >= this.src.length ? 'Unexpected end of the JSON document' : `Expected ${what}`);
    this.pos++;
  }

  private skipSpace(): void {
    const src = this.src;
    let c = src.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = src.charCodeAt(++this.pos);
  }

  /** The path of a key in the object being read, e.g. `xStudent/name/"a b"`. */
  private where(key: string): string {
    return [...this.path, quoteName(key)].join('/');
  }

  private invalidName(key: string, at = this.pos): never {
    const problem = key === '__proto__' ? 'is not allowed as a key' : key.startsWith('@') ? 'is not "@" and an XML attribute name' : 'is not an XML element name';
    throw new BadRequestError('The JSON payload has a key that is not a valid name', { description: `${this.where(key)} ${problem} (at offset ${at})` });
  }

  private fail(problem: string, at: number = this.pos): never {
    throw new BadRequestError('The JSON payload is not well-formed', { description: `${problem} (at offset ${at})` });
  }
}

function isNumberChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;
}

/** `@xmlns`, `@xmlns:prefix` and `@xsi:…`: read past and dropped, never an error. */
function isDroppedAttribute(key: string): boolean {
  return key.startsWith('@xmlns:') || key.startsWith('@xsi:');
}

function rootText(text: string | undefined): GoessnerObject {
  return text === undefined || text === '' ? {} : { '#text': text };
}
