import request from 'supertest';
import { basicAuth } from '../helpers/consumer-auth';
import { startExample } from '../helpers/example';

// Red team on provision requests (Infrastructure Services §6), against the example SIS over real
// HTTP and a real SQLite file: a consumer that asks for what it may not have, floods, races, and
// reaches for other consumers' requests. Its environment must change only by what was granted.

let example: ReturnType<typeof startExample>;
const J = 'application/json';

beforeAll(() => {
  example = startExample({ seed: { students: 20 }, provider: { limits: { provisionRequestsPerEnvironment: 5 }, logger: { warn: () => undefined, error: () => undefined } } });
});
afterAll(async () => example.close());

async function session(applicationKey: string, secret: string, instanceId?: string): Promise<{ auth: string; id: string }> {
  let req = request(example.app).post('/sif3/environments/environment').set('Authorization', basicAuth(applicationKey, secret)).set('Accept', J);
  if (instanceId) req = req.type('json').send({ environment: { solutionId: 'red-team', instanceId } });
  const res = await req;
  expect(res.status).toBe(201);
  return { auth: basicAuth(res.body.environment.sessionToken, secret), id: res.body.environment['@id'] };
}

type Asked = { zone: string; name: string; rights: string[]; type?: string; contextId?: string };

function ask(items: Asked[]): object {
  const zones = [...new Set(items.map((i) => i.zone))].map((zone) => ({
    '@id': zone,
    services: {
      service: items
        .filter((i) => i.zone === zone)
        .map((i) => ({
          '@name': i.name,
          ...(i.type ? { '@type': i.type } : {}),
          ...(i.contextId ? { '@contextId': i.contextId } : {}),
          rights: { right: i.rights.map((r) => ({ '@type': r, '#text': 'REQUESTED' })) },
        })),
    },
  }));
  return { provisionRequest: { provisionedZones: { provisionedZone: zones } } };
}

const post = (who: { auth: string }, body: object) => request(example.app).post('/sif3/provisionRequests').set('Authorization', who.auth).set('Accept', J).type('json').send(body);

/** The environment's services, as `zone/name/context` → rights, read back over HTTP. */
async function services(who: { auth: string; id: string }): Promise<Record<string, unknown>> {
  const res = await request(example.app).get(`/sif3/environments/${who.id}`).set('Authorization', who.auth).set('Accept', J);
  expect(res.status).toBe(200);
  const out: Record<string, unknown> = {};
  for (const zone of [res.body.environment.provisionedZones.provisionedZone].flat()) {
    for (const s of [zone.services?.service ?? []].flat()) out[`${zone['@id']}/${s['@name']}/${s['@contextId']}`] = s.rights;
  }
  return out;
}

describe('provision requests: what cannot be granted leaves the environment as it was (§6.1)', () => {
  test('services that do not exist, utilities, other zones and wrong service types are refused in the request and not written into the environment', async () => {
    const me = await session('ReadOnlyApp', 'ReadOnlySecret', 'pollution');
    const before = await services(me);
    const junk: Asked[] = [
      ...Array.from({ length: 40 }, (_, i) => ({ zone: 'District', name: `xNothing${i}`, rights: ['QUERY', 'CREATE'] })),
      { zone: 'District', name: 'zones', type: 'UTILITY', rights: ['QUERY'] },
      { zone: 'District', name: 'provisionRequests', type: 'UTILITY', rights: ['QUERY', 'DELETE'] },
      { zone: 'District', name: 'xStudents', type: 'FUNCTIONAL', rights: ['CREATE'] },
      { zone: 'District', name: 'xStudents', contextId: 'Archive', type: 'FUNCTIONAL', rights: ['QUERY'] },
      { zone: 'OtherDistrict', name: 'xStudents', rights: ['QUERY'] },
    ];
    const res = await post(me, ask(junk));
    expect(res.status).toBe(201);
    expect(res.body.provisionRequest['@completionStatus']).toBe('REJECTED');
    // The answer tells what was refused; the environment is not the place to list services that do not exist.
    expect(await services(me)).toEqual(before);
    // Rights that were refused are still refused.
    expect((await request(example.app).post('/sif3/requests/xStudents/xStudent').set('Authorization', me.auth).type('json').send({ xStudent: {} })).status).toBe(403);
  });

  test('a consumer cannot grow its environment without bound by asking again after deleting its requests', async () => {
    const me = await session('ReadOnlyApp', 'ReadOnlySecret', 'growth');
    const before = JSON.stringify(await services(me)).length;
    for (let round = 0; round < 3; round++) {
      const res = await post(me, ask(Array.from({ length: 200 }, (_, i) => ({ zone: 'District', name: `x${round}n${i}`, rights: ['QUERY'] }))));
      expect(res.status).toBe(201);
      expect((await request(example.app).delete(`/sif3/provisionRequests/${res.body.provisionRequest['@id']}`).set('Authorization', me.auth)).status).toBe(204);
    }
    expect(JSON.stringify(await services(me)).length).toBe(before);
  });

  test('a right the host approves is granted; what it was refused on an offered service is stated (REJECTED) without taking away a grant', async () => {
    const me = await session('ReadOnlyApp', 'ReadOnlySecret', 'granted');
    const res = await post(me, ask([{ zone: 'District', name: 'xStaffs', rights: ['QUERY'] }]));
    expect(res.body.provisionRequest['@completionStatus']).toBe('ACCEPTED');
    const pending = await post(me, ask([{ zone: 'District', name: 'xStudents', rights: ['CREATE', 'QUERY'] }]));
    const id = pending.body.provisionRequest['@id'];
    expect(pending.status).toBe(201);
    expect(await example.provider.provisionRequests.decide(id, 'reject')).toBe(true);
    const after = await services(me);
    expect(after['District/xStaffs/DEFAULT']).toEqual({ right: [{ '@type': 'QUERY', '#text': 'APPROVED' }] });
    // QUERY on xStudents was granted before the refusal and stays granted.
    expect((await request(example.app).get('/sif3/requests/xStudents?navigationPageSize=1').set('Authorization', me.auth)).status).toBe(200);
  });
});

describe('provision requests: other consumers, races and floods', () => {
  test("another consumer's request cannot be read or deleted (404, as for one that does not exist)", async () => {
    const owner = await session('DemoApp', 'DemoSecret', 'owner');
    const other = await session('ReadOnlyApp', 'ReadOnlySecret', 'other');
    const sameApp = await session('DemoApp', 'DemoSecret', 'owner-second-instance');
    const mine = await post(owner, ask([{ zone: 'District', name: 'xStaffs', rights: ['PROVIDE'] }]));
    const id = mine.body.provisionRequest['@id'];
    for (const who of [other, sameApp]) {
      for (const method of ['get', 'delete'] as const) {
        const res = await request(example.app)[method](`/sif3/provisionRequests/${id}`).set('Authorization', who.auth).set('Accept', J);
        expect([res.status, res.body.error.code]).toEqual([404, '404']);
      }
      const list = await request(example.app).get('/sif3/provisionRequests').set('Authorization', who.auth).set('Accept', J);
      expect(JSON.stringify(list.body ?? {})).not.toContain(id);
    }
    expect((await request(example.app).get(`/sif3/provisionRequests/${id}`).set('Authorization', owner.auth)).status).toBe(202);
  });

  test('two decisions racing: exactly one applies, and the request keeps its outcome', async () => {
    const me = await session('DemoApp', 'DemoSecret', 'race');
    const res = await post(me, ask([{ zone: 'District', name: 'xStaffs', rights: ['PROVIDE'] }]));
    const id = res.body.provisionRequest['@id'];
    const outcomes = await Promise.all([example.provider.provisionRequests.decide(id, 'approve'), example.provider.provisionRequests.decide(id, 'reject')]);
    expect(outcomes.filter(Boolean)).toHaveLength(1);
    const read = await request(example.app).get(`/sif3/provisionRequests/${id}`).set('Authorization', me.auth).set('Accept', J);
    expect(read.body.provisionRequest['@completionStatus']).toBe(outcomes[0] ? 'ACCEPTED' : 'REJECTED');
    expect(await example.provider.provisionRequests.decide(id, 'reject')).toBe(false);
  });

  test('a flood of concurrent requests stops at limits.provisionRequestsPerEnvironment with 409, never more stored', async () => {
    const me = await session('ReadOnlyApp', 'ReadOnlySecret', 'flood');
    const body = ask([{ zone: 'District', name: 'xStudents', rights: ['DELETE'] }]);
    const answers = await Promise.all(Array.from({ length: 15 }, () => post(me, body)));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(5);
    for (const r of answers.filter((a) => a.status !== 201)) {
      expect([r.status, r.body.error.message]).toEqual([409, expect.stringContaining('at most 5')]);
    }
    const list = await request(example.app).get('/sif3/provisionRequests').set('Authorization', me.auth).set('Accept', J);
    expect(list.body.provisionRequests.provisionRequest).toHaveLength(5);
  });

  test('hostile payloads are 400s that store nothing', async () => {
    const me = await session('ReadOnlyApp', 'ReadOnlySecret', 'payloads');
    for (const raw of [
      '{"provisionRequest":{"__proto__":{"x":"1"}}}',
      '{"provisionRequest":{"provisionedZones":{"provisionedZone":{"@id":"District","services":{"service":{"@name":"xStudents","rights":{"right":{"@type":"ROOT","#text":"REQUESTED"}}}}}}}}',
      `{"provisionRequest":{"provisionedZones":{"provisionedZone":{"@id":"District","services":{"service":{"@name":"xStudents","@contextId":"${'c'.repeat(5000)}","rights":{"right":{"@type":"QUERY","#text":"REQUESTED"}}}}}}}}`,
      `{"provisionRequest":${'{"a":'.repeat(200)}"x"${'}'.repeat(200)}}`,
      '{"provisionRequest":{"provisionedZones":{"provisionedZone":{"@id":{"x":"1"}}}}}',
    ]) {
      const res = await request(example.app).post('/sif3/provisionRequests').set('Authorization', me.auth).set('Accept', J).type('json').send(raw);
      expect([res.status, res.body.error?.code]).toEqual([400, '400']);
    }
    const list = await request(example.app).get('/sif3/provisionRequests').set('Authorization', me.auth);
    expect(list.status).toBe(204);
  });
});
