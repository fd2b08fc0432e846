import { MemoryStore } from '../../lib/store/memory';
import type { ServiceDefinition } from 'sif3-direct';
import { SifConfigError, createSifProvider } from 'sif3-direct';
import { addDuration, isDuration } from '../../lib/jobs/duration';
import { derivedState } from '../../lib/jobs/model';
import type { JobPhase, PhaseState } from '../../lib/jobs/types';

// The job state machine and the validation of functional-service definitions at start-up.

function phase(state: PhaseState, required = true): JobPhase {
  return { name: 'p', states: [{ id: undefined, type: state, created: undefined, lastModified: undefined, description: undefined }], required, rights: [], statesRights: [] };
}

describe('the job state derived from its phases (jobStateType from phaseStateType)', () => {
  test.each([
    [['NOTSTARTED', 'NOTSTARTED'], 'NOTSTARTED'],
    [['PENDING', 'NOTSTARTED'], 'INPROGRESS'],
    [['COMPLETED', 'NOTSTARTED'], 'INPROGRESS'],
    [['COMPLETED', 'INPROGRESS'], 'INPROGRESS'],
    [['COMPLETED', 'COMPLETED'], 'COMPLETED'],
    [['COMPLETED', 'SKIPPED'], 'COMPLETED'],
    [['NOTAPPLICABLE', 'COMPLETED'], 'COMPLETED'],
    [['COMPLETED', 'FAILED'], 'FAILED'],
    [['FAILED', 'NOTSTARTED'], 'FAILED'],
  ] as [PhaseState[], string][])('%j → %s', (states, job) => {
    expect(derivedState(states.map((s) => phase(s)))).toBe(job);
  });

  test('an optional phase not started does not hold the job back; a running one does', () => {
    expect(derivedState([phase('COMPLETED'), phase('NOTSTARTED', false)])).toBe('COMPLETED');
    expect(derivedState([phase('COMPLETED'), phase('INPROGRESS', false)])).toBe('INPROGRESS');
  });
});

describe('xs:duration timeouts', () => {
  test.each([
    ['P30D', '2026-01-31T10:00:00.000Z', '2026-03-02T10:00:00.000Z'],
    ['P1M', '2026-01-15T10:00:00.000Z', '2026-02-15T10:00:00.000Z'],
    ['PT12H30M', '2026-01-31T10:00:00.000Z', '2026-01-31T22:30:00.000Z'],
    ['P1Y2DT1.5S', '2026-01-31T10:00:00.000Z', '2027-02-02T10:00:01.500Z'],
  ])('%s after %s is %s', (duration, from, to) => {
    expect(addDuration(from, duration)).toBe(to);
  });

  test.each(['P', 'PT', '30D', 'P-1D', 'P1H', 'P1DT', 'forever'])('%s is not a duration', (text) => {
    expect(isDuration(text)).toBe(false);
    expect(addDuration('2026-01-01T00:00:00.000Z', text)).toBeUndefined();
  });
});

describe('functional services are validated at start-up (SifConfigError naming the option)', () => {
  const job = { name: 'export', phases: { run: { handlers: { create: async () => undefined } } } };
  const start = (service: unknown, rights: string[] = ['QUERY']) =>
    createSifProvider({
      database: ':memory:',
      services: { Exports: service as ServiceDefinition },
      consumers: [{ applicationKey: 'A', secret: 's', environment: { defaultZone: { id: 'Z', services: [{ name: 'Exports', rights: rights as never }] } } }],
    });

  test.each([
    ['FUNCTIONAL without a job', { type: 'FUNCTIONAL' }, 'services.Exports.job'],
    ['a job on an OBJECT service', { job }, 'services.Exports.job'],
    ['handlers on a FUNCTIONAL service', { type: 'FUNCTIONAL', job, handlers: {} }, 'services.Exports.handlers'],
    ['no phases', { type: 'FUNCTIONAL', job: { name: 'export', phases: {} } }, 'services.Exports.job.phases'],
    ['a phase name that is no URL segment', { type: 'FUNCTIONAL', job: { name: 'export', phases: { 'a.b': {} } } }, 'services.Exports.job.phases.a.b'],
    ['an unknown phase handler', { type: 'FUNCTIONAL', job: { name: 'export', phases: { run: { handlers: { patch: async () => undefined } } } } }, 'services.Exports.job.phases.run.handlers'],
    ['a statesRights value', { type: 'FUNCTIONAL', job: { name: 'export', phases: { run: { statesRights: ['UPDATE'] } } } }, 'services.Exports.job.phases.run.statesRights[0]'],
    ['a timeout that is no xs:duration', { type: 'FUNCTIONAL', job: { ...job, timeout: '30 days' } }, 'services.Exports.job.timeout'],
    ['a hook that is no function', { type: 'FUNCTIONAL', job: { ...job, init: 'yes' } }, 'services.Exports.job.init'],
  ])('%s', (_what, service, option) => {
    expect(() => start(service)).toThrow(SifConfigError);
    expect(() => start(service)).toThrow(option);
  });

  test('UPDATE granted on a functional service is refused (jobs are never updated); QUERY, CREATE, DELETE, SUBSCRIBE are not', () => {
    expect(() => start({ type: 'FUNCTIONAL', job }, ['QUERY', 'UPDATE'])).toThrow(/rights\.UPDATE/);
    const ok = createSifProvider({
      database: ':memory:',
      queues: true,
      services: { Exports: { type: 'FUNCTIONAL', job } },
      consumers: [{ applicationKey: 'A', secret: 's', environment: { defaultZone: { id: 'Z', services: [{ name: 'Exports', rights: ['QUERY', 'CREATE', 'DELETE', 'SUBSCRIBE'] }] } } }],
    });
    return ok.close();
  });

  test('a store of one\'s own must keep jobs when a service is FUNCTIONAL: the missing method is named', async () => {
    const store = new MemoryStore();
    const partial = Object.assign(Object.create(store) as MemoryStore, { environmentJobs: undefined });
    const open = (s: MemoryStore, services: Record<string, ServiceDefinition>) => createSifProvider({ store: s, services, consumers: [] });
    expect(() => open(partial, { Exports: { type: 'FUNCTIONAL', job } })).toThrow(/store.*missing environmentJobs/);
    await open(partial, {}).close();
    await open(store, { Exports: { type: 'FUNCTIONAL', job } }).close();
    await store.close();
  });

  test('provider.jobs without a FUNCTIONAL service says so', async () => {
    const provider = createSifProvider({ database: ':memory:', consumers: [] });
    expect(() => provider.jobs.get('x')).toThrow(/FUNCTIONAL/);
    await provider.close();
  });
});
