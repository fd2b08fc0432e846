import { BadRequestError } from '../../lib/errors';
import { decodePayload } from '../../lib/payload/codec';
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
    ['not xml', 'text'],
    ['', 'empty'],
    ['<a>&undefined;</a>', 'undefined entity'],
  ])('%j is a 400 (%s)', (xml) => {
    expect(() => parseXml(xml)).toThrow(BadRequestError);
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

describe('toXml', () => {
  test('writes keys in order, attributes first, arrays as repeats, and escapes', () => {
    expect(toXml('x', { '@id': 'a"b', c: '1 < 2', r: ['p', { '@k': 'v', '#text': 'q' }], e: {} }, NS)).toBe(
      `<?xml version="1.0" encoding="UTF-8"?><x xmlns="${NS}" id="a&quot;b"><c>1 &lt; 2</c><r>p</r><r k="v">q</r><e/></x>`,
    );
  });

  test('never writes characters XML cannot carry', () => {
    expect(toXml('x', 'a\u0000b\u001Fc')).toContain('<x>a\uFFFDb\uFFFDc</x>');
  });

  test('round-trips through parseXml', () => {
    const value = { '@id': '1', name: { family: "O'Neil & Sons", given: ['A', 'B'] } };
    expect(parseXml(toXml('person', value, NS)).value).toEqual(value);
  });
});
