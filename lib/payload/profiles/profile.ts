/**
 * SIF 3.3 schema identification (Version Indication & Negotiation §3.1): a profile names the
 * infrastructure (`inf`) or a data model (`data`), its domain and version, the JSON notation of the
 * payload and, in `Accept-Profile`, a quality value, e.g. `urn:sif:data/au/3.4.6+pesc;q=0.5`.
 */
export interface SifProfile {
  model: 'inf' | 'data';
  /** `global` for the infrastructure, the locale for a data model (`au`, `na`, `uk`). */
  domain: string;
  version: string;
  /** The `+type` suffix, lower case (`goessner`, `pesc`, `xml`), when there is one. */
  type: string | undefined;
  /** The quality value, 1 when none is given; NaN when it is not a number from 0 to 1. */
  q: number;
}

/** The JSON notations a payload can be written in. */
export type JsonNotation = 'goessner' | 'pesc';

const QVALUE = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/;

/**
 * Parses one profile. The `urn:` prefix may be left out; the model may follow `sif` and be followed
 * by its domain with a slash (what the A4L framework sends) or a colon. Undefined when it is not a
 * SIF profile at all.
 *
 * @example
 * parseProfile('urn:sif:inf/global/3.3+pesc'); // { model: 'inf', domain: 'global', version: '3.3', type: 'pesc', q: 1 }
 */
export function parseProfile(text: string): SifProfile | undefined {
  const [identifier = '', ...params] = text.split(';').map((p) => p.trim());
  const match = /^(?:urn:)?sif:(inf|data)[/:]([A-Za-z0-9_.-]+)\/([0-9][0-9A-Za-z.]*)(?:\+([A-Za-z]+))?$/i.exec(identifier);
  if (!match) return undefined;
  let q = 1;
  for (const param of params) {
    const [name = '', value = ''] = param.split('=').map((p) => p.trim());
    if (name.toLowerCase() === 'q') q = QVALUE.test(value) ? Number(value) : Number.NaN;
  }
  return { model: match[1]!.toLowerCase() as SifProfile['model'], domain: match[2]!.toLowerCase(), version: match[3]!, type: match[4]?.toLowerCase(), q };
}

/**
 * The entries of a profile header: comma-separated, each parsed (undefined for one that is not a
 * SIF profile), with its text for error messages.
 *
 * @example
 * parseProfileList('urn:sif:data/au/3.4.6+pesc,urn:sif:inf/global/3.3+pesc').length; // 2
 */
export function parseProfileList(header: string): { text: string; profile: SifProfile | undefined }[] {
  return header
    .split(',')
    .map((text) => text.trim())
    .filter((text) => text !== '')
    .map((text) => ({ text, profile: parseProfile(text) }));
}

/**
 * The profile a payload is written in, for `Content-Profile`: no `+type` for XML (as the reference
 * framework writes it), the notation for JSON.
 *
 * @example
 * formatProfile('inf', 'global', '3.3', 'pesc'); // 'urn:sif:inf/global/3.3+pesc'
 */
export function formatProfile(model: SifProfile['model'], domain: string, version: string, notation: JsonNotation | undefined): string {
  return `urn:sif:${model}/${domain}/${version}${notation ? `+${notation}` : ''}`;
}

/**
 * The data-model profile of a SIF data model namespace (`http://www.sifassociation.org/datamodel/na/3.6`
 * → domain `na`, version `3.6`); undefined for a namespace of another form.
 *
 * @example
 * dataModelOf('http://www.sifassociation.org/datamodel/au/3.4'); // { domain: 'au', version: '3.4' }
 */
export function dataModelOf(namespace: string): { domain: string; version: string } | undefined {
  const match = /\/datamodel\/([A-Za-z0-9_.-]+)\/([0-9][0-9A-Za-z.]*)\/?$/.exec(namespace);
  return match ? { domain: match[1]!.toLowerCase(), version: match[2]! } : undefined;
}
