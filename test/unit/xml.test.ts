import fc from 'fast-check';
import { Parser } from 'xml2js';
import { BadRequestError, InternalServiceError, QuotaExceededError } from '../../lib/errors';
import { decodePayload } from '../../lib/payload/codec';
import { parseJson, toJson } from '../../lib/payload/json';
import { parseXml, toXml } from '../../lib/payload/xml';

const NS = 'http://www.sifassociation.org/infrastructure/3.2.1';

describe('parseXml', () => {
  test('produces Goessner notation with the root namespace', () => {
    const parsed = parseXml(
      `<?xml version="1.0"?><environment xmlns="${NS}" id="1"><a>x</a><r n="1">one</r><r n="2">two</r><e/></environment>`,
    );
    expect(parsed).toEqual({
      root: 'environment',
      namespace: NS,
      value: { '@id': '1', a: 'x', r: [{ '@n': '1', '#text': 'one' }, { '@n': '2', '#text': 'two' }], e: '' },
    });
  });

  test('understands a prefixed root and strips prefixes', () => {
    const parsed = parseXml(`<sif:alert xmlns:sif="${NS}"><sif:reporter>me</sif:reporter></sif:alert>`);
    expect(parsed).toEqual({ root: 'alert', namespace: NS, value: { reporter: 'me' } });
  });

  test('tolerates a byte-order mark', () => {
    expect(parseXml('\uFEFF<a>1</a>').value).toEqual({ '#text': '1' });
  });

  test.each([
    ['<a><b></a>', 'mismatched tags'],
    ['<a>', 'truncated'],
    ['<a><b>', 'unclosed tags'],
    ['<a x="1>', 'unclosed attribute value'],
    ['<a x=1/>', 'unquoted attribute value'],
    ['<a x/>', 'attribute without value'],
    ['<a x="1"y="2"/>', 'no space between attributes'],
    ['<a x="1" x="2"/>', 'repeated attribute'],
    ['<a x="<"/>', '< in an attribute value'],
    ['<a/>x', 'text after the root'],
    ['<a/><b/>', 'two roots'],
    ['x<a/>', 'text before the root'],
    ['<a>\u0000</a>', 'a NUL character'],
    ['<a>\u001B</a>', 'an escape character'],
    ['<a>\uD800</a>', 'a lone surrogate'],
    ['<a>&#0;</a>', 'a reference to a character XML does not allow'],
    ['<a>&#xFFFE;</a>', 'a reference to a non-character'],
    ['<a>&nbsp;</a>', 'an HTML entity'],
    ['<a>a & b</a>', 'a bare ampersand'],
    ['<a><!-- a -- b --></a>', 'double hyphen in a comment'],
    ['<a><![CDATA[x</a>', 'unclosed CDATA'],
    ['<a><?xml version="1.0"?></a>', 'a late XML declaration'],
    ['<1a/>', 'a name starting with a digit'],
    ['<a:b:c/>', 'a name with two colons'],
    ['< a/>', 'space before the name'],
    ['<a></a >x', 'text after an end tag with a space'],
    ['not xml', 'text'],
    ['', 'empty'],
    ['<a>&undefined;</a>', 'undefined entity'],
  ])('%j is a 400 (%s)', (xml) => {
    expect(() => parseXml(xml)).toThrow(BadRequestError);
    try {
      parseXml(xml);
    } catch (err) {
      expect((err as BadRequestError).description ?? (err as Error).message).toBeTruthy();
    }
  });

  test.each([
    ['whitespace between elements', '<r>\n  <a>1</a>\n  <b/>\n</r>', { a: '1', b: '' }],
    ['whitespace-only text is kept in a leaf', '<r><a>  </a><b>\t</b></r>', { a: '  ', b: '\t' }],
    ['whitespace-only text is dropped beside attributes', '<r><a x="1">  </a></r>', { a: { '@x': '1' } }],
    ['CDATA keeps even blank text', '<r><a x="1"><![CDATA[ ]]></a><b><![CDATA[<&>]]></b></r>', { a: { '#text': ' ', '@x': '1' }, b: '<&>' }],
    ['entities and character references', '<r a="&lt;&#65;&#x42;&quot;">&amp;&apos;&gt;&#128512;</r>', { '#text': "&'>😀", '@a': '<AB"' }],
    ['attributes with text', '<r><id type="x">7</id></r>', { id: { '#text': '7', '@type': 'x' } }],
    ['mixed text', '<r>a<b/>c</r>', { '#text': 'ac', b: '' }],
    ['comments and instructions', '<?xml version="1.0"?><!--c--><?pi x?><r><!--c-->a<?pi?></r><!--c-->\n', { '#text': 'a' }],
    ['xmlns and xsi attributes', '<r xmlns:xsi="x"><a xsi:nil="true"/><b xmlns="y">t</b></r>', { a: {}, b: { '#text': 't' } }],
    ['an element named like an Object.prototype member', '<r><toString>a</toString><constructor>b</constructor><constructor>c</constructor></r>', { toString: 'a', constructor: ['b', 'c'] }],
  ])('%s', (_name, xml, value) => {
    expect(parseXml(xml).value).toEqual(value);
  });

  test('a prefixed attribute is known by its local name (xml2js kept the prefix)', () => {
    expect(parseXml('<r xmlns:p="u" p:a="1"/>').value).toEqual({ '@a': '1' });
  });

  test('limits are enforced while parsing', () => {
    const limits = { maxElements: 3, maxAttributes: 2, maxDepth: 2 };
    expect(parseXml('<a><b/><b/></a>', limits).value).toEqual({ b: ['', ''] });
    expect(() => parseXml('<a><b/><b/><b/></a>', limits)).toThrow(QuotaExceededError);
    expect(() => parseXml('<a x="1" y="2" z="3"/>', limits)).toThrow(QuotaExceededError);
    expect(() => parseXml('<a><b><c/></b></a>', limits)).toThrow('nests more than 2 levels');
  });

  test('refuses DOCTYPEs, so entities are never expanded (billion laughs, external entities)', () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>';
    const external = '<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><foo>&xxe;</foo>';
    expect(() => parseXml(laughs)).toThrow('must not contain a DOCTYPE');
    expect(() => parseXml(external)).toThrow('must not contain a DOCTYPE');
    expect(() => parseXml('<!-- c --><!DOCTYPE a><a/>')).toThrow('must not contain a DOCTYPE');
  });

  test('invalid UTF-8 is a 400', () => {
    expect(() => decodePayload(Buffer.from([0x3c, 0x61, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x61, 0x3e]), 'xml')).toThrow(
      'not valid UTF-8',
    );
  });
});

describe('parseXml agrees with the xml2js configuration it replaced', () => {
  test('on random well-formed documents', async () => {
    await fc.assert(
      fc.asyncProperty(documentArbitrary(), async (xml) => {
        const expected = await oldParseXml(xml);
        // xml2js knew nothing of foreign namespaces: `foreign` is left out of the comparison.
        const actual = { ...parseXml(xml), foreign: undefined };
        expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
      }),
      { numRuns: 400 },
    );
  });

  test.each([
    '<r>\n  <a>1</a>\n  <b/>\n</r>',
    '<r><a>  </a><b x="1">  </b><c> x </c></r>',
    '<r><a x="1"><![CDATA[ ]]></a><b><![CDATA[]]></b><c>x<![CDATA[<y>]]>z</c></r>',
    '<r a="&lt;&#65;&#x42;&quot;&apos;">&amp;&gt;&#128512;</r>',
    '<r><id type="x">7</id><id type="y">8</id><id>9</id></r>',
    `<p:r xmlns:p="${NS}"><p:a p2:x="1" xmlns:p2="z"/></p:r>`.replace('p2:x', 'x'),
    '<r>\r\n<a>x\r\ny</a></r>',
    '<r xmlns="u">   </r>',
    '<r><a xmlns="u"/><b xsi:nil="true">t</b></r>',
  ])('%j', async (xml) => {
    expect(JSON.stringify({ ...parseXml(xml), foreign: undefined })).toBe(JSON.stringify(await oldParseXml(xml)));
  });
});

describe('parseJson', () => {
  test('gives Goessner notation with text for numbers and booleans and no nulls', () => {
    expect(parseJson('{"r":{"@n":1.50,"a":true,"b":null,"c":[1,null,"x"],"#text":"t"}}')).toEqual({
      root: 'r',
      value: { '@n': '1.5', a: 'true', c: ['1', 'x'], '#text': 't' },
    });
    expect(parseJson(' {"r" : "x"} ').value).toEqual({ '#text': 'x' });
    expect(parseJson('{"r":null}').value).toEqual({});
    expect(parseJson('{"r":{"s":"a\\u0041\\n\\"\\/"}}').value).toEqual({ s: 'aA\n"/' });
  });

  test('agrees with JSON.parse on random documents with valid names and text values', () => {
    const name = fc.constantFrom('a', 'b', 'c_d', 'e-f', 'toString', 'constructor', 'é');
    const text = fc.string({ unit: 'grapheme', maxLength: 8 });
    const tree = fc.letrec<{ node: Record<string, unknown> }>((tie) => ({
      node: fc.dictionary(
        fc.oneof(name, name.map((n) => `@${n}`)),
        fc.oneof({ depthSize: 'small' }, text, tie('node'), fc.array(fc.oneof(text, tie('node')), { minLength: 1, maxLength: 3 })),
        { maxKeys: 4 },
      ),
    })).node;
    fc.assert(
      fc.property(tree, (value) => {
        // Attributes may only be text: give any non-text attribute value a text value instead.
        const clean = JSON.parse(JSON.stringify(value, (k, v) => (k.startsWith('@') && typeof v !== 'string' ? 'x' : v)));
        const json = JSON.stringify({ root: clean });
        expect(parseJson(json).value).toEqual(clean);
        expect(toJson('root', parseJson(json).value)).toBe(json);
      }),
      { numRuns: 300 },
    );
  });

  test.each([
    ['{"r":{"a":"1","a":"2"}}', 'duplicate key'],
    ['{"r":{"__proto__":{}}}', '__proto__'],
    ['{"r":{"a b":"1"}}', 'a space in a name'],
    ['{"r":{"@a":{"b":"1"}}}', 'an attribute that is an object'],
    ['{"r":{"a":[["x"]]}}', 'an array inside an array'],
    ['{"r":{"#x":"1"}}', 'a # key other than #text'],
    ['{"a/><b":{}}', 'a bad root name'],
    ['{"r":{}', 'truncated'],
    ['{"r":{}} x', 'text after the document'],
    ['{"r":"\u0001"}', 'an unescaped control character'],
    ['{"r":01}', 'a leading zero'],
    ['{"r":"\\x"}', 'a bad escape'],
    ['[]', 'an array'],
    ['{}', 'no root'],
    ['{"a":{},"b":{}}', 'two roots'],
  ])('%j is a 400 (%s)', (json) => {
    expect(() => parseJson(json)).toThrow(BadRequestError);
  });

  test('limits are enforced while parsing', () => {
    const limits = { maxElements: 3, maxAttributes: 1, maxDepth: 2 };
    expect(parseJson('{"a":{"b":["1","2"]}}', limits).value).toEqual({ b: ['1', '2'] });
    expect(() => parseJson('{"a":{"b":["1","2","3"]}}', limits)).toThrow(QuotaExceededError);
    expect(() => parseJson('{"a":{"@x":"1","@y":"2"}}', limits)).toThrow(QuotaExceededError);
    expect(() => parseJson('{"a":{"b":{"c":{}}}}', limits)).toThrow('nests more than 2 levels');
  });
});

describe('toJson', () => {
  test('writes the bytes JSON.stringify writes for Goessner values', () => {
    const value = { '@id': 'a"b', c: '1 < 2', r: ['p', { '@k': 'v', '#text': 'q' }], e: {}, u: '\u2028\uD800' };
    expect(toJson('x', value)).toBe(JSON.stringify({ x: value }));
  });

  test('writes scalars as text and leaves out null and undefined', () => {
    expect(toJson('x', { a: 1, b: false, c: 2n, d: new Date(0), e: null, f: undefined, g: [1, null] } as never)).toBe(
      '{"x":{"a":"1","b":"false","c":"2","d":"1970-01-01T00:00:00.000Z","g":["1"]}}',
    );
  });

  test.each([
    [{ 'a/><b': 'x' }, 'a/>'],
    [{ '@x="1" y': 'x' }, 'x=\\"1'],
    [{ a: { b: Number.NaN } }, 'x/a/b'],
    [{ a: [['x']] }, 'x/a'],
    [{ a: new Map() }, 'x/a'],
    [{ '@a': { b: '1' } }, 'x'],
  ])('refuses %p, naming where', (value, where) => {
    expect(() => toJson('x', value as never)).toThrow(InternalServiceError);
    expect(() => toJson('x', value as never)).toThrow(where.replace(/\\\\/g, '\\'));
    expect(() => toXml('x', value as never)).toThrow(InternalServiceError);
  });
});

describe('toXml', () => {
  test('writes keys in order, attributes first, arrays as repeats, and escapes', () => {
    expect(toXml('x', { '@id': 'a"b', c: '1 < 2', r: ['p', { '@k': 'v', '#text': 'q' }], e: {} }, NS)).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><x xmlns="${NS}" id="a&quot;b"><c>1 &lt; 2</c><r>p</r><r k="v">q</r><e/></x>`,
    );
  });

  test('never writes characters XML cannot carry', () => {
    expect(toXml('x', 'a\u0000b\u001Fc')).toContain('<x>a\uFFFDb\uFFFDc</x>');
  });

  test('writes scalars as text and leaves out null and undefined', () => {
    expect(toXml('x', { '@n': 1, a: true, b: 2n, c: new Date(0), d: null, e: undefined, f: [1, null] } as never)).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><x n="1"><a>true</a><b>2</b><c>1970-01-01T00:00:00.000Z</c><f>1</f></x>',
    );
  });

  test('never writes a name that is not an XML name', () => {
    expect(() => toXml('x', { 'a/><b': 'x' })).toThrow(InternalServiceError);
    expect(() => toXml('x', { '@a="1" b': 'x' })).toThrow(InternalServiceError);
    expect(() => toXml('x', { '#comment': 'x' })).toThrow(InternalServiceError);
    expect(() => toXml('a b', {})).toThrow(InternalServiceError);
  });

  test('round-trips through parseXml', () => {
    const value = { '@id': '1', name: { family: "O'Neil & Sons", given: ['A', 'B'] } };
    expect(parseXml(toXml('person', value, NS)).value).toEqual(value);
  });
});

/** The parser this library used before its own: xml2js, configured as it was. */
async function oldParseXml(text: string): Promise<{ root: string; namespace: string | undefined; value: unknown }> {
  let rootTag: string | undefined;
  const localName = (name: string) => (name.includes(':') ? name.slice(name.indexOf(':') + 1) : name);
  const parser = new Parser({
    explicitArray: false,
    explicitRoot: true,
    mergeAttrs: true,
    charkey: '#text',
    emptyTag: '',
    strict: true,
    async: false,
    attrNameProcessors: [(name: string) => `@${name}`],
    tagNameProcessors: [
      (name: string) => {
        rootTag ??= name;
        return localName(name);
      },
    ],
  });
  const result = (await parser.parseStringPromise(text)) as Record<string, unknown>;
  const [root] = Object.keys(result);
  const raw = result[root!];
  const isObject = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
  const value = (isObject ? raw : raw === '' ? {} : { '#text': String(raw) }) as Record<string, unknown>;
  const prefix = rootTag!.includes(':') ? rootTag!.slice(0, rootTag!.indexOf(':')) : undefined;
  const ns = value[prefix ? `@xmlns:${prefix}` : '@xmlns'];
  const strip = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(strip);
    else if (typeof node === 'object' && node !== null) {
      const object = node as Record<string, unknown>;
      for (const key of Object.keys(object)) {
        if (key === '@xmlns' || key.startsWith('@xmlns:') || key.startsWith('@xsi:')) delete object[key];
        else if (!key.startsWith('@')) strip(object[key]);
      }
    }
  };
  strip(value);
  return { root: root!, namespace: typeof ns === 'string' ? ns : undefined, value };
}

/** Random well-formed documents, written in the many ways XML allows. */
function documentArbitrary(): fc.Arbitrary<string> {
  // No names of Object.prototype members and no `cdata`: xml2js mangled those (see the fixed cases).
  const name = fc.constantFrom('a', 'b', 'c', 'otherId', 'x-y', 'e.f', '_g', 'é', 'p:a', 'p:b');
  const attributeName = fc.constantFrom('id', 'type', 'n', 'xmlns', 'xmlns:p', 'xsi:nil');
  const char = fc.constantFrom('a', 'Z', '1', ' ', '  ', '\n', '\t', '\r', '&', '<', '>', '"', "'", 'é', '€', '😀', '\u00A0', ']', ';', '#');
  const rawText = fc.array(char, { maxLength: 8 }).map((cs) => cs.join(''));
  const escapeChar = (c: string, quote: string) => {
    if (c === '&') return fc.constantFrom('&amp;', '&#38;', '&#x26;');
    if (c === '<') return fc.constantFrom('&lt;', '&#60;');
    if (c === quote) return fc.constant(quote === '"' ? '&quot;' : '&apos;');
    if (c === '>') return fc.constantFrom('>', '&gt;');
    if (c === '😀') return fc.constantFrom('😀', '&#128512;', '&#x1F600;');
    return fc.constant(c);
  };
  const escaped = (text: string, quote = '') =>
    fc.tuple(...[...text].map((c) => escapeChar(c, quote))).map((parts) => parts.join(''));
  const textPiece = rawText.chain((t) =>
    fc.oneof(
      escaped(t),
      fc.constant(`<![CDATA[${t.replace(/]]>/g, '')}]]>`),
      fc.constantFrom('<!-- note -->', '<?pi data?>', '\n  ', ''),
    ),
  );
  const attribute = fc.tuple(attributeName, rawText, fc.constantFrom('"', "'"), fc.constantFrom('', ' ', '\n')).chain(([n, v, q, sp]) =>
    escaped(v, q).map((e) => `${sp} ${n}${sp}=${sp}${q}${e}${q}`),
  );
  const attributes = fc.uniqueArray(attribute, { maxLength: 3, selector: (a) => a.trim().split('=')[0]!.trim() }).map((as) => as.join(''));
  const element: fc.Arbitrary<string> = fc.letrec<{ element: string }>((tie) => ({
    element: fc
      .tuple(name, attributes, fc.array(fc.oneof({ depthSize: 'small' }, textPiece, tie('element')), { maxLength: 4 }), fc.boolean(), fc.constantFrom('', ' '))
      .map(([n, attrs, children, selfClose, sp]) =>
        children.length === 0 && selfClose ? `<${n}${attrs}${sp}/>` : `<${n}${attrs}${sp}>${children.join('')}</${n}${sp}>`,
      ),
  })).element;
  return fc
    .tuple(fc.constantFrom('', '<?xml version="1.0" encoding="UTF-8"?>', '<?xml version="1.0"?>\n'), fc.constantFrom('', '<!-- c -->\n', '<?pi?>'), element, fc.constantFrom('', '\n', '<!-- end -->'))
    .map(([declaration, before, root, after]) => `${declaration}${before}${root}${after}`);
}
