/**
 * The one rule for names in Goessner notation, used on input (XML and JSON parsers) and on output
 * (XML and JSON writers): an element name is an XML NCName (a name without a colon), an attribute
 * key is `@` followed by an NCName, and `#text` is an element's text. Nothing else can become a
 * name in a document, so no key can inject markup into XML that other consumers read.
 */

// The common case, checked first: plain ASCII names such as `localId` or `otherId`.
const ASCII_NCNAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

// XML 1.0 (fifth edition) NameStartChar and NameChar, without the colon.
const NCNAME =
  /^[A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}][A-Z_a-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C\u200D\u2070-\u218F\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\u{10000}-\u{EFFFF}\-.0-9\u00B7\u0300-\u036F\u203F\u2040]*$/u;

/**
 * True when `name` may be an element name or an attribute's local name. `__proto__` is a valid XML
 * name but is refused: as an object key it changes an object's prototype in any code that copies it.
 *
 * @example
 * isXmlName('otherId'); // true
 * isXmlName('a/><b'); // false
 * isXmlName('sif:name'); // false (a prefix never reaches Goessner keys)
 */
export function isXmlName(name: string): boolean {
  if (ASCII_NCNAME.test(name)) return name !== '__proto__';
  return NCNAME.test(name);
}

/** What a Goessner key stands for. */
export type KeyKind = 'element' | 'attribute' | 'text' | 'invalid';

/**
 * Classifies a Goessner object key: `#text`, `@` + name (attribute), name (element), or invalid.
 *
 * @example
 * keyKind('@refId'); // 'attribute'
 * keyKind('@x="1" y'); // 'invalid'
 */
export function keyKind(key: string): KeyKind {
  const first = key.charCodeAt(0);
  if (first === 0x40 /* @ */) return isXmlName(key.slice(1)) ? 'attribute' : 'invalid';
  if (first === 0x23 /* # */) return key === '#text' ? 'text' : 'invalid';
  return isXmlName(key) ? 'element' : 'invalid';
}

/**
 * A name as it may be quoted in an error message: short, and in JSON quotes so that spaces and
 * markup in it are visible (the error writers escape it).
 *
 * @example
 * quoteName('a/><b'); // '"a/><b"'
 */
export function quoteName(name: string): string {
  return JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
}
