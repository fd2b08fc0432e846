import type { JobState, PhaseState } from '../../../jobs/types';
import { PHASE_STATES } from '../../../protocol/enums';
import type { FunctionalServiceClient, JobInfo, PhasePayload } from '../../jobs';
import { FINAL_JOB_STATES, jobProperties } from '../../jobs';
import type { SifObject } from '../../types';
import type { Command, CommandContext } from '../command';
import { printJson, scopeOf } from '../command';
import { UsageError } from '../usage-error';

const ACTIONS = ['create', 'list', 'get', 'delete', 'phase', 'states', 'state', 'wait'] as const;
const JOB_STATES: readonly JobState[] = ['NOTSTARTED', 'INPROGRESS', 'COMPLETED', 'FAILED'];

/**
 * `sif3 job <service> <action> …`: a functional service's jobs (Base Architecture §5.16) from the
 * command line: start one, list, read and delete them, talk to a phase, read and add phase states,
 * wait for a job to finish. Jobs belong to the CLI's environment (its `--instance-id`), which
 * outlives each run, so one run creates a job and later runs steer it.
 *
 * @example
 * sif3 job RolloverStudents create --property schoolYear=2027 --init-phase oldYearEnrolment
 * sif3 job RolloverStudents state <jobId> oldYearEnrolment COMPLETED
 * sif3 job RolloverStudents wait <jobId>
 */
export const jobCommand: Command = {
  name: 'job',
  usage: 'job <service> <action> [args]',
  summary: 'start, steer and follow the jobs of a functional service',
  details: [
    '',
    'Actions:',
    '  create                       start a job (--property, --init-phase, --id); prints it',
    '  list                         your jobs, one JSON line each',
    '  get <jobId>                  one job (exit 1 when there is none)',
    '  delete <jobId>               delete a job (exit 1 when there is none)',
    '  phase <jobId> <phase>        a request to a phase (--method, --body); prints status and body',
    '  states <jobId> <phase>       the phase\'s state history, one JSON line each',
    '  state <jobId> <phase> <TYPE> add a state to the phase (e.g. COMPLETED)',
    '  wait <jobId>                 poll until COMPLETED or FAILED (--until, --timeout); exit 1 when FAILED',
  ],
  flags: {
    zone: { type: 'string', help: 'zoneId (default: the environment\'s default zone)' },
    context: { type: 'string', help: 'contextId (default: DEFAULT)' },
    'page-size': { type: 'string', help: 'jobs per page of list (default 100)' },
    property: { type: 'string', help: 'create: initialization properties, name=value,name=value' },
    'init-phase': { type: 'string', help: 'create: the phase the initialization concerns' },
    id: { type: 'string', help: 'create: the job id the provider must use (mustUseAdvisory)' },
    method: { type: 'string', help: 'phase: GET (default), POST, PUT or DELETE' },
    body: { type: 'string', help: 'phase: a JSON body whose one member is the root element, e.g. {"plan":{"year":"2027"}}' },
    namespace: { type: 'string', help: 'phase: the XML namespace of the body (XML format only)' },
    until: { type: 'string', help: 'wait: job states that end the wait, comma-separated (default COMPLETED,FAILED)' },
    timeout: { type: 'string', help: 'wait: seconds before giving up (default 60)' },
    interval: { type: 'string', help: 'wait: seconds between polls (default 1)' },
  },
  positionals: 2,
  async run(context) {
    const [name, action] = context.args as [string, string];
    if (!(ACTIONS as readonly string[]).includes(action)) throw new UsageError(`job: unknown action ${action} (one of ${ACTIONS.join(', ')})`);
    const service = context.client.functionalService(name, scopeOf(context.values));
    return ACTION[action as (typeof ACTIONS)[number]](service, context);
  },
};

type Action = (service: FunctionalServiceClient, context: CommandContext) => Promise<number>;

const ACTION: Record<(typeof ACTIONS)[number], Action> = {
  async create(service, { values, io }) {
    const properties = typeof values.property === 'string' ? parseProperties(values.property) : undefined;
    const phaseName = typeof values['init-phase'] === 'string' ? values['init-phase'] : undefined;
    const initialization = properties || phaseName ? { ...(phaseName ? { phaseName } : {}), payload: jobProperties(properties ?? {}) } : undefined;
    printJson(io, view(await service.create(initialization, typeof values.id === 'string' ? { id: values.id } : {})));
    return 0;
  },
  async list(service, { values, io }) {
    const pageSize = scopeOf(values).pageSize;
    for await (const job of service.list(pageSize === undefined ? {} : { pageSize })) printJson(io, view(job));
    return 0;
  },
  async get(service, { args, io }) {
    const [id] = needed(args, 1, 'get <jobId>');
    const job = await service.get(id);
    if (!job) return missing(io, service, id);
    printJson(io, view(job));
    return 0;
  },
  async delete(service, { args, io }) {
    const [id] = needed(args, 1, 'delete <jobId>');
    if (!(await service.delete(id))) return missing(io, service, id);
    printJson(io, { deleted: id });
    return 0;
  },
  async phase(service, { args, values, io }) {
    const [id, phaseName] = needed(args, 2, 'phase <jobId> <phase>');
    const phase = service.job(id).phase(phaseName);
    const method = (typeof values.method === 'string' ? values.method : 'GET').toUpperCase();
    const payload = typeof values.body === 'string' ? parseBody(values.body, values.namespace) : undefined;
    const answer =
      method === 'GET' ? await phase.get() : method === 'POST' ? await phase.post(payload) : method === 'PUT' ? await phase.put(payload) : method === 'DELETE' ? await phase.delete(payload) : undefined;
    if (!answer) throw new UsageError(`job phase: --method must be GET, POST, PUT or DELETE, not ${method}`);
    printJson(io, { status: answer.status, ...(answer.body ? { [answer.body.root]: answer.body.value } : {}) });
    return 0;
  },
  async states(service, { args, io }) {
    const [id, phaseName] = needed(args, 2, 'states <jobId> <phase>');
    for (const state of await service.job(id).states(phaseName).list()) printJson(io, state);
    return 0;
  },
  async state(service, { args, io }) {
    const [id, phaseName, type] = needed(args, 3, 'state <jobId> <phase> <TYPE>');
    const upper = type.toUpperCase();
    if (!(PHASE_STATES as readonly string[]).includes(upper)) throw new UsageError(`job state: ${type} is not a phase state (${PHASE_STATES.join(', ')})`);
    printJson(io, await service.job(id).states(phaseName).create(upper as PhaseState));
    return 0;
  },
  async wait(service, { args, values, io }) {
    const [id] = needed(args, 1, 'wait <jobId>');
    const until = typeof values.until === 'string' ? values.until.split(',').map((s) => s.trim().toUpperCase()) : [...FINAL_JOB_STATES];
    const unknown = until.find((s) => !(JOB_STATES as readonly string[]).includes(s));
    if (unknown !== undefined) throw new UsageError(`job wait: ${unknown} is not a job state (${JOB_STATES.join(', ')})`);
    const job = await service.job(id).waitFor(until as JobState[], {
      timeoutMs: seconds(values.timeout, 'timeout', 60) * 1000,
      intervalMs: seconds(values.interval, 'interval', 1) * 1000,
      signal: io.signal,
    });
    printJson(io, view(job));
    return job.state === 'FAILED' ? 1 : 0;
  },
};

/** The job as printed: everything but the raw object. */
function view(job: JobInfo): Omit<JobInfo, 'raw'> {
  const { raw: _raw, ...rest } = job;
  return rest;
}

/** The positionals after `<service> <action>`: `count` of them, or a usage error. */
function needed(args: readonly string[], count: 1 | 2 | 3, usage: string): [string, string, string] {
  const rest = args.slice(2);
  if (rest.length < count) throw new UsageError(`usage: sif3 job <service> ${usage}`);
  // Only the first `count` are read.
  return rest as [string, string, string];
}

function missing(io: CommandContext['io'], service: FunctionalServiceClient, id: string): number {
  io.stderr.write(`sif3: no ${service.name} job with id ${id}\n`);
  return 1;
}

function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter((p) => p !== '')) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--property wants name=value pairs, not ${pair}`);
    out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}

function parseBody(text: string, namespace: string | boolean | undefined): PhasePayload {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UsageError('--body must be JSON, e.g. {"plan":{"year":"2027"}}');
  }
  const entries = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? Object.entries(parsed) : [];
  const [root, value] = entries[0] ?? [];
  if (entries.length !== 1 || !value || typeof value !== 'object' || Array.isArray(value)) throw new UsageError('--body must be one JSON object member: {"root":{…}}');
  return { root: root!, value: value as SifObject, ...(typeof namespace === 'string' ? { namespace } : {}) };
}

function seconds(value: string | boolean | undefined, flag: string, fallback: number): number {
  if (typeof value !== 'string') return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${flag} must be a positive number of seconds`);
  return n;
}
