import type { PhaseState } from '../jobs/types';
import { INFRASTRUCTURE_NAMESPACE } from './codec';
import type { FunctionalTarget } from './job-target';
import type { JobStateEntry } from './job-shapes';
import { parseState, parseStates } from './job-shapes';
import type { SifObject } from './types';

/**
 * A body sent to a phase: any element, in the namespace of its own data model (phase payloads are
 * the provider's business; SIF does not read them).
 *
 * @example
 * await job.phase('newYearEnrolment').post({ root: 'StudentPersonals', value: { StudentPersonal: [...] }, namespace: AU });
 */
export interface PhasePayload {
  root: string;
  value: SifObject;
  namespace?: string;
}

/**
 * What a phase answered: its status (a provider may answer 202 for work it started), its body
 * decoded (undefined for none, e.g. a 204) and its headers (lower-cased names).
 *
 * @example
 * const { status, body } = await job.phase('oldYearEnrolment').get(); // body?.root === 'rolloverPlan'
 */
export interface PhaseAnswer {
  status: number;
  body: { root: string; value: SifObject } | undefined;
  headers: Record<string, string>;
}

/** Every success a phase may answer with: the phase's code chooses. */
const PHASE_SUCCESS = [200, 201, 202, 204] as const;

/**
 * Requests to one phase of a job (`{services}/{service}/{jobId}/{phase}`), each allowed by the phase's
 * `rights` (QUERY, CREATE, UPDATE, DELETE; a 403 otherwise) and answered by the provider's phase code.
 *
 * @example
 * const plan = await rollover.job(id).phase('oldYearEnrolment').get();
 */
export class PhaseClient {
  constructor(
    private readonly target: FunctionalTarget,
    readonly jobId: string,
    readonly name: string,
  ) {}

  /** GET: the phase's query, with paging headers when a page is asked for. */
  get(page: { page?: number; pageSize?: number } = {}): Promise<PhaseAnswer> {
    const headers: Record<string, string> = page.pageSize === undefined ? {} : { navigationPage: String(page.page ?? 1), navigationPageSize: String(page.pageSize) };
    return this.send('GET', 'QUERY', undefined, headers);
  }

  /** POST: the phase's create. */
  post(payload?: PhasePayload): Promise<PhaseAnswer> {
    return this.send('POST', 'CREATE', payload, {});
  }

  /** PUT: the phase's update. */
  put(payload?: PhasePayload): Promise<PhaseAnswer> {
    return this.send('PUT', 'UPDATE', payload, {});
  }

  /** The phase's delete, sent as the A4L framework expects it: PUT with `methodOverride: DELETE`. */
  delete(payload?: PhasePayload): Promise<PhaseAnswer> {
    return this.send('PUT', 'DELETE', payload, { methodOverride: 'DELETE' });
  }

  private async send(method: 'GET' | 'POST' | 'PUT', operation: string, payload: PhasePayload | undefined, headers: Record<string, string>): Promise<PhaseAnswer> {
    const response = await this.target.send({
      method,
      url: this.target.url([this.jobId, this.name]),
      headers,
      ...(payload ? { body: payload } : {}),
      expect: PHASE_SUCCESS,
      what: `${operation} ${this.target.plural}/${this.jobId}/${this.name}`,
    });
    return { status: response.status, body: response.body, headers: response.headers };
  }
}

/**
 * A phase's state history (`…/{phase}/states`), under the phase's `statesRights`: read it, or add a
 * state, the consumer's own way to move a phase on.
 *
 * @example
 * await rollover.job(id).states('oldYearEnrolment').create('COMPLETED');
 */
export class StatesClient {
  constructor(
    private readonly target: FunctionalTarget,
    readonly jobId: string,
    readonly phase: string,
  ) {}

  /** The history, oldest first; the last entry is the phase's current state. */
  async list(): Promise<JobStateEntry[]> {
    const response = await this.target.send({
      method: 'GET',
      url: this.target.url([this.jobId, this.phase, 'states']),
      expect: [200],
      what: `GET ${this.target.plural}/${this.jobId}/${this.phase}/states`,
    });
    return parseStates(response.body?.value);
  }

  /** Adds a state (it becomes the phase's state); resolves with it as stored (id, times). */
  async create(type: PhaseState, options: { id?: string } = {}): Promise<JobStateEntry> {
    const value: SifObject = options.id ? { '@id': options.id, type } : { type };
    const response = await this.target.send({
      method: 'POST',
      url: this.target.url([this.jobId, this.phase, 'states', 'state']),
      body: { root: 'state', value, namespace: INFRASTRUCTURE_NAMESPACE },
      expect: [201, 200],
      what: `POST ${this.target.plural}/${this.jobId}/${this.phase}/states/state`,
    });
    return response.body ? parseState(response.body.value) : parseState(value);
  }
}
