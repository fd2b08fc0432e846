import type { SifProvider } from 'sif3-direct';
import { dataModel } from 'sif3-direct';
import type { SchoolInfo, StudentPersonal } from 'sif3-direct/models/au-3.4.8';
import { scalarCheck } from '../../lib/models/scalars';

// Handlers of a service from the shipped model are typed for its object: these lines compile only
// while the generated types say what the AU schema says (ts-jest type-checks this file).

describe('typed handlers from the shipped AU model', () => {
  const au = dataModel('au-3.4.8');

  test('a handler returns the object type; a wrong element, type or code is a compile error', () => {
    const student: StudentPersonal = {
      '@RefId': 'A1B2C3D4-0000-4000-8000-000000000001',
      LocalId: 'S1',
      PersonInfo: { Name: { '@Type': 'LGL', FamilyName: 'Lee', GivenName: 'Ann' }, OtherNames: { Name: [{ '@Type': 'AKA', FamilyName: 'L' }] } },
    };
    const service = au.service('StudentPersonal', {
      handlers: {
        read: async () => student,
        create: async (_ctx, object) => ({ ...object, '@RefId': 'x' }),
      },
    });
    // @ts-expect-error LGL is the only code of a name of record
    const badCode: StudentPersonal = { PersonInfo: { Name: { '@Type': 'NICK' } } };
    // @ts-expect-error no such element in StudentPersonal
    const unknown: StudentPersonal = { Nickname: 'x' };
    // @ts-expect-error OtherNames/Name repeats: an array
    const single: StudentPersonal = { PersonInfo: { OtherNames: { Name: { '@Type': 'AKA' } } } };
    // @ts-expect-error a SchoolInfo element in a StudentPersonal
    const school: StudentPersonal = { SchoolName: 'x' } satisfies SchoolInfo;
    // @ts-expect-error the model has no such object (and at run time it throws)
    expect(() => au.service('Student', {})).toThrow(/has no object Student/);
    // Service paths and host-reported changes take the typed objects too.
    const withPath = au.service('StudentPersonal', { paths: { 'SchoolInfos/{}/StudentPersonals': async () => ({ objects: [student], totalCount: 1 }) } });
    const report: SifProvider['changed'] = async () => undefined;
    void report('StudentPersonals', 'UPDATE', [student]);
    expect(Object.keys(withPath.paths!)).toEqual(['SchoolInfos/{}/StudentPersonals']);
    expect([badCode, unknown, single, school].length).toBe(4);
    expect(service).toMatchObject({ objectName: 'StudentPersonal', idAttribute: 'RefId', namespace: 'http://www.sifassociation.org/datamodel/au/3.4' });
  });
});

describe('scalar checks (XSD built-in kinds and facets)', () => {
  test.each([
    [{ kind: 'integer' }, ['7', '-3', '+0'], ['7.5', 'x', '']],
    [{ kind: 'decimal' }, ['1.5', '-2', '.5', '1e3'], ['1,5', 'abc']],
    [{ kind: 'boolean' }, ['true', 'false', '1', '0'], ['yes', 'TRUE']],
    [{ kind: 'date' }, ['2024-02-29', '2024-01-01Z', '2024-01-01+10:00'], ['2024-1-1', '2024-13-01', '01/02/2024']],
    [{ kind: 'dateTime' }, ['2024-02-29T08:30:00', '2024-02-29T08:30:00.123Z'], ['2024-02-29', '2024-02-29 08:30:00']],
    [{ kind: 'gYear' }, ['2031'], ['31', 'soon']],
    [{ kind: 'duration' }, ['P1Y2M', 'PT15M', 'P1DT2H'], ['P', '15M', 'PT']],
    [{ kind: 'integer', minInclusive: '1', maxInclusive: '12' }, ['1', '12'], ['0', '13']],
    [{ kind: 'string', enum: ['Y', 'N'] }, ['Y', ' N '], ['y', 'Maybe']],
    [{ kind: 'string', maxLength: 3, pattern: ['[A-Z]+'] }, ['ABC'], ['ABCD', 'ab']],
  ] as const)('%j accepts %j and refuses %j', (scalar, good, bad) => {
    const check = scalarCheck(scalar);
    for (const v of good) expect(check(v)).toBeUndefined();
    for (const v of bad) expect(check(v)).toEqual(expect.any(String));
  });
});

describe('the checker on text with attributes', () => {
  const model = dataModel({
    format: 'sif3-direct-model/1',
    name: 't',
    namespace: 'urn:t',
    objects: { Thing: { plural: 'Things', idAttribute: 'RefId', type: 'ThingType' } },
    types: {
      ThingType: { elements: [{ name: 'Code', type: 'CodeType', required: true }, { name: 'Maybe', type: 'CodeType', nillable: true }] },
      CodeType: { text: 'Letters', attributes: [{ name: 'System', type: '#string', required: true }] },
    },
    scalars: { Letters: { kind: 'string', enum: ['A', 'B'] } },
  }).object('Thing');

  test('text alone misses the required attribute; attributes alone leave the text empty (unless the element is nillable)', () => {
    expect(model.check({ Code: 'A' }, 'full')).toEqual(['Thing/Code/@System is missing']);
    expect(model.check({ Code: 'A' }, 'partial')).toEqual([]);
    expect(model.check({ Code: { '@System': 's' } }, 'full')).toEqual(['Thing/Code: "" is not one of A, B']);
    expect(model.check({ Code: { '@System': 's', '#text': 'B' }, Maybe: { '@System': 's' } }, 'full')).toEqual([]);
    expect(model.check({ Code: 'C', Maybe: '' }, 'full')).toEqual(['Thing/Code: "C" is not one of A, B', 'Thing/Code/@System is missing']);
  });
});

describe('the checker against hostile objects', () => {
  const sp = dataModel('au-3.4.8').object('StudentPersonal');
  test('messages stay short: at most 25 paths, each cut at 300 characters', () => {
    const object = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`E${i}${'x'.repeat(5000)}`, 'v']));
    const problems = sp.check(object, 'partial');
    expect(problems).toHaveLength(26);
    expect(problems[25]).toBe('and 75 more');
    expect(Math.max(...problems.map((p) => p.length))).toBeLessThanOrEqual(301);
  });
});
