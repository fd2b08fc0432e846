import { LIMIT_DEFAULTS } from '../limits';
import { BadRequestError } from '../errors';
import type { GoessnerObject, GoessnerValue } from './goessner';
import type { PayloadLimits } from './limits';
import { tooDeep, tooManyAttributes, tooManyElements } from './limits';
import { isXmlName, quoteName } from './names';
import type { ForeignName, NamespacedTag } from './xml-namespaces';
import { NamespaceScope } from './xml-namespaces';

export type { ForeignName } from './xml-namespaces';

/** A parsed XML document: its root element's local name and namespace, and its content. */
export interface ParsedXml {
  root: string;
  namespace: string | undefined;
  value: GoessnerObject;
  /** The first element or attribute (`xmlns*` and `xsi:*` aside) outside the root's namespace, if any. */
  foreign?: ForeignName;
}

/**
 * Parses XML into Goessner notation in one pass, in time linear in the input: a hand-written,
 * non-validating, strict parser. Element names lose their prefix (the root's namespace is reported
 * from its `xmlns` or `xmlns:prefix`, and the first name in another namespace as `foreign`: namespaces
 * are only resolved once a child declares one or a prefix appears, so plain documents pay nothing),
 * `xmlns*` and `xsi:*` attributes are dropped, other attributes
 * become `@name`, text beside attributes or children becomes `#text`, repeated siblings an array and
 * an empty element `''`. A DOCTYPE and any entity but the five predefined ones and character
 * references are refused, so nothing is ever expanded or fetched. Malformed input is a 400 that
 * says what and where; `limits` are enforced as the parser goes (413 for elements and attributes,
 * 400 for depth), so a hostile document is refused before it is built.
 *
 * @example
 * parseXml('<environment xmlns="http://www.sifassociation.org/infrastructure/3.2.1"/>');
 * // { root: 'environment', namespace: 'http://…/3.2.1', value: {} }
 */
export function parseXml(text: string, limits: PayloadLimits = LIMIT_DEFAULTS): ParsedXml {
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  return new XmlReader(source, limits).document();
}

/** An element being read: its children and attributes gather in `value`, made on first need. */
interface Frame extends NamespacedTag {
  value: GoessnerObject | undefined;
  text: string;
  cdata: boolean;
}

// Characters XML 1.0 does not allow anywhere, lone surrogates included; one scan of the whole input.
// eslint-disable-next-line no-control-regex
const INVALID_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// What xml2js (the parser this one replaced) took for blank text: kept identical so that every
// document reads as it did.
const BLANK = /^\s*$/;

const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['amp', '&'],
  ['lt', '<'],
  ['gt', '>'],
  ['quot', '"'],
  ['apos', "'"],
]);

/** One parse: the reader's state lives in this object and nowhere else. */
class XmlReader {
  private pos = 0;
  private elements = 0;
  private attributes = 0;
  private readonly stack: Frame[] = [];
  private readonly namespaces = new NamespaceScope(this.stack);
  // The root element's value when it closed within its own start tag (`<root/>`).
  private rootValue: GoessnerValue = '';

  constructor(
    private readonly src: string,
    private readonly limits: PayloadLimits,
  ) {}

  document(): ParsedXml {
    const src = this.src;
    const invalid = INVALID_CHAR.exec(src);
    if (invalid) this.fail(`Character U+${invalid[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`, invalid.index);
    // Strictly the declaration comes first; clients that send a line break before it were always served.
    this.skipSpace();
    if (src.startsWith('<?xml', this.pos) && (src.charCodeAt(this.pos + 5) === 0x3f || isSpace(src.charCodeAt(this.pos + 5)))) this.declaration();
    this.misc('before');
    if (this.pos >= src.length) throw new BadRequestError('The XML payload has no root element');
    if (src.charCodeAt(this.pos) !== 0x3c) this.fail('Text before the root element');
    const root = this.openTag();
    const value = this.stack.length === 0 ? this.rootValue : this.content();
    this.misc('after');
    if (this.pos < src.length) this.fail('Text or markup after the root element');
    const parsed: ParsedXml = { root: root.local, namespace: this.namespaces.rootNamespace, value: asRootObject(value) };
    if (this.namespaces.foreign) parsed.foreign = this.namespaces.foreign;
    return parsed;
  }

  /** `<?xml …?>`: read past; its encoding is moot, the body is decoded as UTF-8. */
  private declaration(): void {
    const end = this.src.indexOf('?>', this.pos + 5);
    if (end < 0) this.fail('Unterminated XML declaration');
    this.pos = end + 2;
  }

  /** Whitespace, comments and processing instructions outside the root element. */
  private misc(where: 'before' | 'after'): void {
    const src = this.src;
    for (;;) {
      this.skipSpace();
      if (!src.startsWith('<', this.pos)) return;
      if (src.startsWith('<!--', this.pos)) this.comment();
      else if (src.startsWith('<?', this.pos)) this.instruction();
      else if (src.startsWith('<!', this.pos)) {
        if (where === 'before' && src.slice(this.pos + 2, this.pos + 9).toUpperCase() === 'DOCTYPE') {
          throw new BadRequestError('XML payloads must not contain a DOCTYPE declaration');
        }
        this.fail('Markup outside the root element');
      } else return;
    }
  }

  /** The content of the elements on the stack, up to the end of the root; returns the root's value. */
  private content(): GoessnerValue {
    const src = this.src;
    for (;;) {
      const lt = src.indexOf('<', this.pos);
      if (lt < 0) this.fail(`The element <${this.top().qname}> is not closed`, src.length);
      if (lt > this.pos) this.top().text += this.decode(src.slice(this.pos, lt), this.pos);
      this.pos = lt;
      const next = src.charCodeAt(lt + 1);
      if (next === 0x2f /* / */) {
        const value = this.closeTag();
        if (this.stack.length === 0) return value;
      } else if (next === 0x21 /* ! */) {
        if (src.startsWith('<!--', lt)) this.comment();
        else if (src.startsWith('<![CDATA[', lt)) this.cdataSection();
        else if (src.slice(lt + 2, lt + 9).toUpperCase() === 'DOCTYPE') throw new BadRequestError('XML payloads must not contain a DOCTYPE declaration');
        else this.fail('Unknown markup');
      } else if (next === 0x3f /* ? */) this.instruction();
      else this.openTag();
    }
  }

  /** A start tag at `<`; pushes the element, or adds it at once when it closes itself. */
  private openTag(): Frame {
    const start = this.pos;
    this.pos++;
    const qname = this.name('element');
    const local = this.localOf(qname, 'element', start);
    if (++this.elements > this.limits.maxElements) throw tooManyElements(this.limits);
    if (this.stack.length >= this.limits.maxDepth) throw tooDeep(this.limits);
    const frame: Frame = { qname, local, value: undefined, text: '', cdata: false, decls: undefined, prefixedAttributes: undefined };
    const isRoot = this.stack.length === 0 && this.elements === 1;
    const src = this.src;
    for (;;) {
      const spaced = this.skipSpace();
      const c = src.charCodeAt(this.pos);
      if (c === 0x3e /* > */) {
        this.pos++;
        this.namespaces.endOfStartTag(frame, isRoot);
        this.stack.push(frame);
        return frame;
      }
      if (c === 0x2f /* / */ && src.charCodeAt(this.pos + 1) === 0x3e) {
        this.pos += 2;
        this.namespaces.endOfStartTag(frame, isRoot);
        const value = frame.value ?? '';
        if (this.stack.length === 0) this.rootValue = value;
        else this.addChild(this.top(), local, value);
        return frame;
      }
      if (this.pos >= src.length) this.fail(`The start tag <${qname}> is not closed`);
      if (!spaced) this.fail(`Expected whitespace, ">" or "/>" in the start tag <${qname}>`);
      this.attribute(frame, isRoot);
    }
  }

  /** One `name="value"` of a start tag. */
  private attribute(frame: Frame, isRoot: boolean): void {
    const src = this.src;
    const at = this.pos;
    const qname = this.name('attribute');
    if (++this.attributes > this.limits.maxAttributes) throw tooManyAttributes(this.limits);
    this.skipSpace();
    if (src.charCodeAt(this.pos) !== 0x3d /* = */) this.fail(`Expected "=" after the attribute ${quoteName(qname)}`);
    this.pos++;
    this.skipSpace();
    const quote = src.charCodeAt(this.pos);
    if (quote !== 0x22 && quote !== 0x27) this.fail(`The value of the attribute ${quoteName(qname)} must be quoted`);
    const end = src.indexOf(quote === 0x22 ? '"' : "'", this.pos + 1);
    if (end < 0) this.fail(`The value of the attribute ${quoteName(qname)} is not closed`);
    const raw = src.slice(this.pos + 1, end);
    const lt = raw.indexOf('<');
    if (lt >= 0) this.fail(`"<" is not allowed in the value of the attribute ${quoteName(qname)}`, this.pos + 1 + lt);
    const value = this.decode(raw, this.pos + 1);
    this.pos = end + 1;
    // An element with only dropped attributes is still an object ({}), as it always was.
    frame.value ??= {};
    if (qname === 'xmlns' || qname.startsWith('xmlns:')) {
      // Namespace declarations never reach Goessner; they tell which namespace each name is in.
      this.namespaces.declare(frame, qname === 'xmlns' ? '' : qname.slice(6), value, isRoot);
      return;
    }
    if (qname.startsWith('xsi:')) return;
    const local = this.localOf(qname, 'attribute', at);
    // Only a prefixed attribute is in a namespace; its prefix may be declared later in the tag.
    if (local.length !== qname.length) (frame.prefixedAttributes ??= []).push(qname);
    const key = `@${local}`;
    if (Object.hasOwn(frame.value, key)) this.fail(`The attribute ${quoteName(qname)} appears twice in <${frame.qname}>`, at);
    frame.value[key] = value;
  }

  /** An end tag at `</`: closes the top element and adds it to its parent; returns its value. */
  private closeTag(): GoessnerValue {
    const at = this.pos;
    this.pos += 2;
    const qname = this.name('element');
    this.skipSpace();
    if (this.src.charCodeAt(this.pos) !== 0x3e) this.fail(`Expected ">" to end the end tag </${qname}>`);
    this.pos++;
    const frame = this.stack.pop()!;
    if (qname !== frame.qname) this.fail(`The end tag </${qname}> does not match the start tag <${frame.qname}>`, at);
    const value = valueOf(frame);
    if (this.stack.length > 0) this.addChild(this.top(), frame.local, value);
    return value;
  }

  private addChild(parent: Frame, name: string, value: GoessnerValue): void {
    parent.value ??= {};
    const existing = Object.hasOwn(parent.value, name) ? parent.value[name] : undefined;
    if (existing === undefined) parent.value[name] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else parent.value[name] = [existing, value];
  }

  private comment(): void {
    const end = this.src.indexOf('--', this.pos + 4);
    if (end < 0) this.fail('A comment is not closed');
    if (this.src.charCodeAt(end + 2) !== 0x3e) this.fail('"--" is not allowed inside a comment', end);
    this.pos = end + 3;
  }

  private instruction(): void {
    const at = this.pos;
    this.pos += 2;
    const target = this.name('processing instruction');
    if (target.toLowerCase() === 'xml') this.fail('An XML declaration is only allowed at the very start', at);
    const end = this.src.indexOf('?>', this.pos);
    if (end < 0) this.fail('A processing instruction is not closed', at);
    this.pos = end + 2;
  }

  private cdataSection(): void {
    const start = this.pos + 9;
    const end = this.src.indexOf(']]>', start);
    if (end < 0) this.fail('A CDATA section is not closed');
    const frame = this.top();
    // Non-blank text beside children or attributes is kept; CDATA keeps even blank text, unless
    // empty (xml2js was never told of an empty section).
    if (end > start) {
      frame.text += this.src.slice(start, end);
      frame.cdata = true;
    }
    this.pos = end + 3;
  }

  /** A name (with any prefix) at the current position. */
  private name(what: string): string {
    const src = this.src;
    const start = this.pos;
    let i = start;
    for (;;) {
      const c = src.charCodeAt(i);
      // Names end at whitespace, "/", ">", "=", "?" or the end of the input; the rest is checked after.
      if (c !== c || c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d || c === 0x2f || c === 0x3e || c === 0x3d || c === 0x3f) break;
      i++;
    }
    if (i === start) this.fail(`Expected the name of an ${what}`);
    this.pos = i;
    return src.slice(start, i);
  }

  /** The local part of a (prefixed) name, after checking both parts are names. */
  private localOf(qname: string, what: 'element' | 'attribute', at: number): string {
    const colon = qname.indexOf(':');
    const local = colon < 0 ? qname : qname.slice(colon + 1);
    if (!isXmlName(local) || (colon >= 0 && !isXmlName(qname.slice(0, colon)))) {
      this.fail(`${quoteName(qname)} is not a valid ${what} name`, at);
    }
    return local;
  }

  /** Text with its entity and character references replaced. */
  private decode(raw: string, offset: number): string {
    let amp = raw.indexOf('&');
    if (amp < 0) return raw;
    let out = '';
    let last = 0;
    while (amp >= 0) {
      const semi = raw.indexOf(';', amp + 1);
      if (semi < 0 || semi - amp > 12) this.fail('"&" must start an entity reference such as &amp;', offset + amp);
      const ref = raw.slice(amp + 1, semi);
      out += raw.slice(last, amp) + this.reference(ref, offset + amp);
      last = semi + 1;
      amp = raw.indexOf('&', last);
    }
    return out + raw.slice(last);
  }

  private reference(ref: string, at: number): string {
    const predefined = PREDEFINED.get(ref);
    if (predefined !== undefined) return predefined;
    const code = /^#[0-9]+$/.test(ref) ? Number(ref.slice(1)) : /^#x[0-9A-Fa-f]+$/.test(ref) ? parseInt(ref.slice(2), 16) : undefined;
    if (code === undefined) this.fail(`The entity &${ref.slice(0, 20)}; is not defined`, at);
    if (!isXmlChar(code)) this.fail(`&${ref}; is not a character XML allows`, at);
    return String.fromCodePoint(code);
  }

  /** Skips whitespace; true when there was some. */
  private skipSpace(): boolean {
    const src = this.src;
    const start = this.pos;
    let c = src.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d) c = src.charCodeAt(++this.pos);
    return this.pos > start;
  }

  private top(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  /** A 400 saying what is wrong and where (line and column, counted only now). */
  private fail(problem: string, at: number = this.pos): never {
    let line = 1;
    let lineStart = 0;
    for (let i = this.src.indexOf('\n'); i >= 0 && i < at; i = this.src.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    throw new BadRequestError('The XML payload is not well-formed', { description: `${problem} (line ${line}, column ${at - lineStart + 1})` });
  }
}

/** An element's value once closed, in xml2js's shapes (see the module comment of `parseXml`). */
function valueOf(frame: Frame): GoessnerValue {
  const { value, text } = frame;
  if (value === undefined) return text;
  if (!frame.cdata && BLANK.test(text)) return value;
  // Text comes first, as xml2js created it before any attribute or child.
  const withText: GoessnerObject = { '#text': text };
  for (const key of Object.keys(value)) withText[key] = value[key]!;
  return withText;
}

function asRootObject(value: GoessnerValue): GoessnerObject {
  if (typeof value === 'string') return value === '' ? {} : { '#text': value };
  return value as GoessnerObject;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

/** XML 1.0 `Char`. */
function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}
