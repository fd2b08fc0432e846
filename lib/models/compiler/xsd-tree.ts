/**
 * A small, strict XML reader for schema documents. The project's payload parser gives Goessner
 * objects, which group siblings by name and so lose the order of `xs:element`, `xs:choice` and
 * `xs:sequence` inside a content model; an XSD needs that order, so it is read into a plain tree of
 * elements with ordered children. Text is kept only where schemas carry meaning in it (none of the
 * compiler's concerns do), so text and comments are read past. A DOCTYPE is refused: nothing is ever
 * expanded or fetched.
 */

/** One element of a schema document. */
export interface XsdNode {
  /** The local name, e.g. `complexType` for `xs:complexType`. */
  readonly name: string;
  /** The namespace of the element, resolved from its prefix. */
  readonly ns: string | undefined;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XsdNode[];
  /** Prefix → namespace declarations in scope, for resolving QName attribute values (`type="xs:string"`). */
  readonly scope: ReadonlyMap<string, string>;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Reads a schema document into a tree. Throws an Error naming the offset of malformed markup.
 *
 * @example
 * const root = readXsdTree('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"/>');
 * root.name; // 'schema'
 */
export function readXsdTree(text: string, file = 'schema'): XsdNode {
  let pos = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const fail = (what: string): never => {
    throw new Error(`${file}: ${what} at offset ${pos}`);
  };
  const skipMisc = (): void => {
    for (;;) {
      while (pos < text.length && /\s/.test(text[pos]!)) pos++;
      if (text.startsWith('<?', pos)) pos = endOf('?>');
      else if (text.startsWith('<!--', pos)) pos = endOf('-->');
      else if (text.startsWith('<!DOCTYPE', pos)) fail('a DOCTYPE is not accepted');
      else return;
    }
  };
  const endOf = (marker: string): number => {
    const end = text.indexOf(marker, pos);
    if (end < 0) fail(`unterminated ${marker}`);
    return end + marker.length;
  };
  const decode = (value: string): string =>
    value.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (whole, ref: string) => {
      if (ref.startsWith('#x')) return String.fromCodePoint(parseInt(ref.slice(2), 16));
      if (ref.startsWith('#')) return String.fromCodePoint(parseInt(ref.slice(1), 10));
      return ENTITIES[ref] ?? fail(`unknown entity ${whole}`);
    });

  const element = (parentScope: ReadonlyMap<string, string>): XsdNode => {
    const open = /^<([A-Za-z_][\w.:-]*)/.exec(text.slice(pos, pos + 200));
    if (!open) fail('expected an element');
    const qname = open![1]!;
    pos += open![0].length;
    const attrs: Record<string, string> = {};
    let scope = parentScope;
    const attr = /\s*([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/y;
    for (;;) {
      attr.lastIndex = pos;
      const m = attr.exec(text);
      if (!m) break;
      pos = attr.lastIndex;
      const value = decode(m[3] ?? m[4] ?? '');
      if (m[1] === 'xmlns' || m[1]!.startsWith('xmlns:')) {
        if (scope === parentScope) scope = new Map(parentScope);
        (scope as Map<string, string>).set(m[1] === 'xmlns' ? '' : m[1]!.slice(6), value);
      } else attrs[m[1]!] = value;
    }
    while (/\s/.test(text[pos] ?? '')) pos++;
    const colon = qname.indexOf(':');
    const name = colon < 0 ? qname : qname.slice(colon + 1);
    const ns = scope.get(colon < 0 ? '' : qname.slice(0, colon));
    const children: XsdNode[] = [];
    if (text.startsWith('/>', pos)) {
      pos += 2;
      return { name, ns, attrs, children, scope };
    }
    if (text[pos] !== '>') fail(`malformed start tag <${qname}>`);
    pos++;
    for (;;) {
      const lt = text.indexOf('<', pos);
      if (lt < 0) fail(`<${qname}> is not closed`);
      pos = lt;
      if (text.startsWith('</', pos)) {
        const close = `</${qname}`;
        if (!text.startsWith(close, pos)) fail(`expected ${close}>`);
        pos = endOf('>');
        return { name, ns, attrs, children, scope };
      }
      if (text.startsWith('<!--', pos)) pos = endOf('-->');
      else if (text.startsWith('<![CDATA[', pos)) pos = endOf(']]>');
      else if (text.startsWith('<?', pos)) pos = endOf('?>');
      else children.push(element(scope));
    }
  };

  skipMisc();
  const root = element(new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]));
  skipMisc();
  if (pos < text.length) fail('content after the root element');
  return root;
}
