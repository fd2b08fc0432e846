import fc from 'fast-check';
import request from 'supertest';
import type { WhereCondition } from '../../lib/query';
import { exampleToWhere, foldAscii, matchesWhere, satisfies, valuesAt } from '../../lib/query';
import { basicAuth } from '../helpers/consumer-auth';
import { startExample } from '../helpers/example';
import { createTestHost, register } from '../helpers/host';

// The reference evaluator runs on the event loop of the host's process, with values and patterns
// chosen by consumers: matching must be linear in pattern × text whatever they send, and paths must
// only ever see the object's own data.

const like = (value: string): WhereCondition => ({ kind: 'condition', path: ['x'], operator: 'like', value, valueType: 'string' });

/** The semantics `like` had when it was a regular expression: kept as the oracle of the new matcher. */
function regexLike(pattern: string, text: string): boolean {
  const body = foldAscii(pattern)
    .split('%')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[\\s\\S]*');
  return new RegExp(`^${body}$`).test(foldAscii(text));
}

describe('like matching', () => {
  // Small alphabets make matches likely, so both outcomes are exercised; regex metacharacters,
  // case pairs and a non-ASCII letter (never folded) are in them on purpose.
  const alphabet = fc.constantFrom('a', 'A', 'b', 'B', '%', '.', '*', '\\', '(', '[', '$', '\n', 'É', 'é', '_');
  const text = fc.array(alphabet.filter((c) => c !== '%'), { maxLength: 12 }).map((cs) => cs.join(''));
  const withPercent = fc.array(fc.constantFrom('a', 'A', 'b', '%', '.', '\n', 'é'), { maxLength: 12 }).map((cs) => cs.join(''));
  const pattern = fc.oneof(fc.array(alphabet, { maxLength: 10 }).map((cs) => cs.join('')), withPercent);

  test('property: the same answers as the regular expression it replaces', () => {
    fc.assert(
      fc.property(pattern, fc.oneof(text, withPercent), (p, t) => {
        expect(satisfies(t, like(p))).toBe(regexLike(p, t));
      }),
      { numRuns: 5000 },
    );
  });

  test('property: a text always matches itself, and itself with % anywhere', () => {
    fc.assert(
      fc.property(text, fc.nat(), (t, at) => {
        const i = t.length === 0 ? 0 : at % (t.length + 1);
        expect(satisfies(t, like(t))).toBe(true);
        expect(satisfies(t, like(`${t.slice(0, i)}%${t.slice(i)}`))).toBe(true);
      }),
    );
  });

  test('30 wildcards over 100 KB of text: answered, not frozen', () => {
    // With the regular expression, 10 wildcards over 40 characters took 73 s of blocked event loop.
    const hostile = `${'%a'.repeat(30)}%b`;
    const big = 'a'.repeat(100_000);
    expect(satisfies(big, like(hostile))).toBe(false);
    expect(satisfies(`${big}b`, like(hostile))).toBe(true);
    expect(satisfies(big, like(`${'%a'.repeat(30)}%`))).toBe(true);
    expect(satisfies(big, like(`${'%'.repeat(30)}${'a'.repeat(50_001)}`))).toBe(true);
    expect(satisfies(big, like(`${'%aa'.repeat(30)}b%`))).toBe(false);
  });

  test('over HTTP: a hostile query by example over a large value is answered, and the server keeps serving', async () => {
    const host = createTestHost();
    try {
      host.students.set('r1', { '@refId': 'r1', name: { familyName: 'a'.repeat(100_000) } });
      host.students.set('r2', { '@refId': 'r2', name: { familyName: `${'a'.repeat(100_000)}b` } });
      const auth = basicAuth((await register(host)).sessionToken, 'DemoSecret');
      const res = await hostileExample(host.app, auth);
      expect(res.status).toBe(200);
      expect(res.body.xStudents.xStudent.map((s: { '@refId': string }) => s['@refId'])).toEqual(['r2']);
      expect((await request(host.app).get('/health')).status).toBe(200);
    } finally {
      await host.close();
    }
  });
});

/** A query by example whose `like` pattern has 30 wildcards: exponential for a backtracking matcher. */
function hostileExample(app: Parameters<typeof request>[0], auth: string) {
  return request(app)
    .post('/sif3/requests/xStudents')
    .set('Authorization', auth)
    .set('methodOverride', 'GET')
    .set('Accept', 'application/json')
    .type('json')
    .send({ xStudent: { name: { familyName: `${'%a'.repeat(30)}%b` } } });
}

describe('the example SIS, which pushes like down to SQLite', () => {
  test('the same hostile example over its 2,000 students and one long name is answered', async () => {
    // SQLite's LIKE gives up a wildcard search as soon as a later one cannot match (no backtracking
    // blow-up), and the translation compiles no regular expression of its own.
    const example = startExample();
    try {
      const env = await request(example.app).post('/sif3/environments/environment').set('Authorization', basicAuth('DemoApp', 'DemoSecret')).set('Accept', 'application/json');
      const auth = basicAuth(env.body.environment.sessionToken, 'DemoSecret');
      const long = `${'a'.repeat(50_000)}b`;
      const created = await request(example.app)
        .post('/sif3/requests/xStudents/xStudent')
        .set('Authorization', auth)
        .type('json')
        .send({ xStudent: { name: { type: 'LegalName', familyName: long, givenName: 'Long' } } });
      expect(created.status).toBe(201);
      const res = await hostileExample(example.app, auth);
      expect(res.status).toBe(200);
      expect(res.body.xStudents.xStudent.map((s: { name: { givenName: string } }) => s.name.givenName)).toEqual(['Long']);
    } finally {
      await example.close();
    }
  });
});

describe('limits.maxWhereConditions over HTTP', () => {
  test('a where clause, an example, or both together past the limit are a 400 naming it; at the limit they run', async () => {
    const host = createTestHost({ limits: { maxWhereConditions: 3 } });
    try {
      const auth = basicAuth((await register(host)).sessionToken, 'DemoSecret');
      const query = (where: string | undefined, example?: Record<string, string>) => {
        const url = `/sif3/requests/xStudents${where === undefined ? '' : `?where=${encodeURIComponent(where)}`}`;
        const call = example
          ? request(host.app).post(url).set('methodOverride', 'GET').type('json').send({ xStudent: example })
          : request(host.app).get(url);
        return call.set('Authorization', auth).set('Accept', 'application/json');
      };
      const refused = (res: request.Response) => {
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain('limits.maxWhereConditions');
        expect(res.body.error.description).toBe('Limit: limits.maxWhereConditions');
      };
      expect((await query('[a="1" or b="2" or c="3"]')).status).toBe(204);
      refused(await query('[a="1" or b="2" or c="3" or d="4"]'));
      expect((await query(undefined, { a: '1', b: '2', c: '3' })).status).toBe(204);
      refused(await query(undefined, { a: '1', b: '2', c: '3', d: '4' }));
      expect((await query('[a="1" or b="2"]', { c: '3' })).status).toBe(204);
      refused(await query('[a="1" or b="2"]', { c: '3', d: '4' }));
    } finally {
      await host.close();
    }
  });
});

describe('paths see own properties only', () => {
  test('an inherited property is not a value, nor a step', () => {
    const object = Object.assign(Object.create({ familyName: 'Smith', name: { familyName: 'Smith' } }), { localId: '1' });
    expect(valuesAt(object, ['familyName'])).toEqual([]);
    expect(valuesAt(object, ['name', 'familyName'])).toEqual([]);
    expect(matchesWhere(object, exampleToWhere({ familyName: 'Smith' }))).toBe(false);
    const note = Object.assign(Object.create({ '#text': 'inherited' }), { '@lang': 'en' });
    expect(valuesAt({ note }, ['note'])).toEqual([]);
  });

  test('steps such as constructor, toString or __proto__ never reach Object.prototype', () => {
    const polluted = Object.prototype as Record<string, unknown>;
    try {
      // A prototype polluted elsewhere in the host's process must not become data of every object.
      polluted.sifPolluted = 'yes';
      expect(valuesAt({}, ['sifPolluted'])).toEqual([]);
      expect(valuesAt({}, ['__proto__', 'sifPolluted'])).toEqual([]);
      expect(valuesAt({ a: 'x' }, ['constructor', 'prototype', 'sifPolluted'])).toEqual([]);
      expect(valuesAt({}, ['toString'])).toEqual([]);
    } finally {
      delete polluted.sifPolluted;
    }
  });
});

// A query-by-example value is bounded like a where clause: SQL engines refuse long LIKE patterns
// (SQLite: 50,000 bytes), which would otherwise surface as a 500 from the host's SQL.
describe('query-by-example value length', () => {
  test('a value longer than a where clause may be is a 400 naming its path', () => {
    expect(() => exampleToWhere({ name: { familyName: 'x'.repeat(4001) } })).toThrow(/name\/familyName is longer than 4000/);
    expect(exampleToWhere({ name: { familyName: 'x'.repeat(4000) } })).toMatchObject({ kind: 'condition' });
  });
});
