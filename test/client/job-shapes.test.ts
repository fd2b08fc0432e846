import { SifClientError } from 'sif3-direct/client';
import { decode } from '../../lib/client/codec';
import { parseJob, parseStates } from '../../lib/client/job-shapes';
import { haveSamples, sample } from '../helpers/samples';

// The client reads jobs as the A4L Java framework writes them (functional-services.md §5): a single
// `state` or `right` as an object rather than an array, every scalar text, in Goessner JSON and XML.
// The framework's own sample job (samples/jobs, read where it is) with the id a provider's answer has.

const describeIfSamples = haveSamples('jobs') ? describe : describe.skip;
const ID = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';

describeIfSamples('the A4L sample job, as a provider answers it', () => {
  const fromJson = () => {
    const { value } = decode(sample('jobs', 'rolloverStudentJob-GOESSNER.json'), 'application/json', 'json', 200);
    return { '@id': ID, ...value };
  };
  const fromXml = () => {
    const { value } = decode(sample('jobs', 'rolloverStudentJob.xml').replace('<job ', `<job id="${ID}" `), 'application/xml', 'xml', 200);
    return value;
  };

  test.each([['Goessner JSON', fromJson], ['XML', fromXml]])('%s: phases with their current state and approved rights, the timeout, the initialization', (_format, read) => {
    const job = parseJob(read());
    expect(job).toMatchObject({ id: ID, name: 'rolloverStudent', state: 'NOTSTARTED', stateDescription: 'Not Started', timeout: 'P3D' });
    expect(job.phases.map((p) => [p.name, p.state, p.states.length, p.required, p.rights, p.statesRights])).toEqual([
      ['oldYearEnrolment', 'NOTSTARTED', 1, true, ['UPDATE'], ['QUERY', 'CREATE']],
      ['newYearEnrolment', 'NOTSTARTED', 1, true, ['CREATE'], ['QUERY', 'CREATE']],
    ]);
    // (The JSON sample's `created` has an offset the XML one lacks.)
    expect(job.phases[0]!.states[0]).toMatchObject({ id: undefined, type: 'NOTSTARTED', lastModified: '2016-03-09T09:00:01+08:00', description: 'Not yet started' });
    expect(job.initialization?.phaseName).toBe('initial-parameters');
  });
});

test('a job without an id is refused; a states collection of one state reads as a list', () => {
  expect(() => parseJob({ name: 'rolloverStudent' })).toThrow(SifClientError);
  expect(parseStates({ state: { '@id': ID, type: 'PENDING' } })).toEqual([{ id: ID, type: 'PENDING', created: undefined, lastModified: undefined, description: undefined }]);
  expect(parseStates(undefined)).toEqual([]);
});
