import { NotAcceptableError, UnsupportedMediaTypeError } from '../../lib/errors';
import { bodyNotation, negotiateProfiles, profiledFormat, responseProfile } from '../../lib/http/profiles';
import type { SifContext } from '../../lib/http/context';
import { dataModelOf, formatProfile, parseProfile, parseProfileList } from '../../lib/payload/profiles/profile';

// The profile grammar and negotiation rules (Version Indication & Negotiation 3.3 §3.1, §3.2;
// ../shared/samples/pesc/README.md "Profile headers").

describe('parseProfile (§3.1 schema identification)', () => {
  test('what the Java framework sends', () => {
    expect(parseProfile('urn:sif:inf/global/3.3+pesc')).toEqual({ model: 'inf', domain: 'global', version: '3.3', type: 'pesc', q: 1 });
    expect(parseProfile('urn:sif:data/au/3.4.6+goessner')).toEqual({ model: 'data', domain: 'au', version: '3.4.6', type: 'goessner', q: 1 });
    expect(parseProfile('urn:sif:data/au/3.4.6')).toEqual({ model: 'data', domain: 'au', version: '3.4.6', type: undefined, q: 1 });
  });

  test('urn: optional, a colon after the model, case, quality values', () => {
    expect(parseProfile('sif:inf/global/3.2.1')?.version).toBe('3.2.1');
    expect(parseProfile('urn:sif:data:au/3.4.6')?.domain).toBe('au');
    expect(parseProfile('URN:SIF:INF/Global/3.3+PESC')).toMatchObject({ model: 'inf', domain: 'global', type: 'pesc' });
    expect(parseProfile('urn:sif:inf/global/3.3+pesc; q=0.5')?.q).toBe(0.5);
    expect(parseProfile('urn:sif:inf/global/3.3;q=1.0')?.q).toBe(1);
    expect(parseProfile('urn:sif:inf/global/3.3;q=2')?.q).toBeNaN();
  });

  test('anything else is not a profile', () => {
    for (const text of ['', 'application/json', 'urn:sif:inf/3.3', 'urn:sif:foo/global/3.3', 'urn:sif:inf/global/3.3+', 'urn:x:inf/global/3.3']) {
      expect(parseProfile(text)).toBeUndefined();
    }
  });

  test('lists, formatting, data models of namespaces', () => {
    expect(parseProfileList('urn:sif:data/au/3.4.6+pesc,urn:sif:inf/global/3.3+pesc, ,x').map((e) => e.profile?.model)).toEqual(['data', 'inf', undefined]);
    expect(formatProfile('data', 'na', '3.6', undefined)).toBe('urn:sif:data/na/3.6');
    expect(formatProfile('inf', 'global', '3.3', 'pesc')).toBe('urn:sif:inf/global/3.3+pesc');
    expect(dataModelOf('http://www.sifassociation.org/datamodel/na/3.6')).toEqual({ domain: 'na', version: '3.6' });
    expect(dataModelOf('urn:example:students')).toBeUndefined();
  });
});

describe('negotiateProfiles (§3.2 Accept-Profile)', () => {
  test('one entry per model; the highest q wins, the first of equals', () => {
    const chosen = negotiateProfiles('urn:sif:data/au/3.4.6+goessner;q=0.2,urn:sif:data/au/3.4.6+pesc;q=0.7,urn:sif:inf/global/3.2.1+pesc,urn:sif:inf/global/3.3+goessner');
    expect(chosen.data?.type).toBe('pesc');
    expect(chosen.inf).toMatchObject({ version: '3.2.1', type: 'pesc' });
  });

  test('entries that cannot be answered are passed over when another of the model can', () => {
    expect(negotiateProfiles('urn:sif:inf/global/3.9+pesc;q=1, urn:sif:inf/global/3.3+goessner;q=0.1, garbage').inf?.version).toBe('3.3');
  });

  test('a model asked for only in entries that cannot be answered, or nothing usable, is a 406', () => {
    for (const header of ['urn:sif:inf/global/3.0', 'urn:sif:inf/local/3.3', 'urn:sif:inf/global/3.3+yaml', 'urn:sif:inf/global/3.3;q=0', 'text/html', 'urn:sif:data/au/3.4.6+bson,urn:sif:inf/global/3.3']) {
      expect(() => negotiateProfiles(header)).toThrow(NotAcceptableError);
    }
    expect(negotiateProfiles(undefined)).toEqual({});
    expect(negotiateProfiles('  ')).toEqual({});
  });

  test('a profile\'s JSON notation asks for JSON only when Accept and the suffix state no format', () => {
    const pesc = negotiateProfiles('urn:sif:inf/global/3.3+pesc');
    expect(profiledFormat(undefined, undefined, pesc)).toBe('json');
    expect(profiledFormat('*/*', undefined, pesc)).toBe('json');
    expect(profiledFormat('application/xml', undefined, pesc)).toBe('xml');
    expect(profiledFormat(undefined, 'xml', pesc)).toBe('xml');
    expect(profiledFormat(undefined, 'json', negotiateProfiles('urn:sif:inf/global/3.3+xml'))).toBe('json');
    expect(profiledFormat(undefined, undefined, negotiateProfiles('urn:sif:inf/global/3.3'))).toBe('xml');
  });
});

describe('bodyNotation (§3.2.1 Content-Profile)', () => {
  test('no profile: Goessner for JSON', () => {
    expect(bodyNotation(undefined, 'json')).toEqual({ format: 'json', notation: 'goessner' });
    expect(bodyNotation(undefined, undefined)).toEqual({ format: 'xml', notation: undefined });
  });

  test('the profile names the notation, and the format when Content-Type does not', () => {
    expect(bodyNotation('urn:sif:data/au/3.4.6+pesc', 'json')).toEqual({ format: 'json', notation: 'pesc' });
    expect(bodyNotation('urn:sif:inf/global/3.3+pesc', undefined)).toEqual({ format: 'json', notation: 'pesc' });
    expect(bodyNotation('urn:sif:inf/global/3.3', 'xml')).toEqual({ format: 'xml', notation: undefined });
    expect(bodyNotation('urn:sif:inf/global/3.0.1', 'xml')).toEqual({ format: 'xml', notation: undefined });
    expect(bodyNotation('urn:sif:inf/global/3.3', 'json')).toEqual({ format: 'json', notation: 'goessner' });
  });

  test('what cannot be read is a 415', () => {
    for (const [profile, format] of [
      ['urn:sif:inf/global/3.3+yaml', 'json'], ['nonsense', 'json'], ['urn:sif:inf/global/3.3+pesc,urn:sif:inf/global/3.3', 'json'],
      ['urn:sif:inf/global/3.3+pesc', 'xml'], ['urn:sif:inf/global/3.3+xml', 'json'], ['urn:sif:inf/global/2.0', 'xml'],
    ] as const) {
      expect(() => bodyNotation(profile, format)).toThrow(UnsupportedMediaTypeError);
    }
  });
});

describe('responseProfile', () => {
  const context = (header: string) => ({ profiles: negotiateProfiles(header) }) as SifContext;

  test('infrastructure answers: the asked version\'s namespace and profile', () => {
    const p = responseProfile(context('urn:sif:inf/global/3.3'), 'xml', 'environment', undefined, '3.2.1');
    expect(p).toMatchObject({ notation: undefined, namespace: 'http://www.sifassociation.org/infrastructure/3.3', contentProfile: 'urn:sif:inf/global/3.3' });
    expect(responseProfile(undefined, 'json', 'error', undefined, '3.2.1').contentProfile).toBe('urn:sif:inf/global/3.2.1+goessner');
  });

  test('data answers: the service\'s model; errors follow the data entry\'s notation when no infrastructure entry is given', () => {
    const ctx = context('urn:sif:data/au/3.4.6+pesc');
    expect(responseProfile(ctx, 'json', 'xStudents', 'http://www.sifassociation.org/datamodel/na/3.6', '3.3').contentProfile).toBe('urn:sif:data/na/3.6+pesc');
    expect(responseProfile(ctx, 'json', 'error', undefined, '3.3').contentProfile).toBe('urn:sif:inf/global/3.3+pesc');
    expect(responseProfile(ctx, 'json', 'x', 'urn:example', '3.3').contentProfile).toBeUndefined();
  });
});
