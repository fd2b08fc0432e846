import request from 'supertest';
import type { ConsumerEntry, Job, PhaseRequest, ServiceDefinition, SifProvider } from 'sif3-direct';
import type { TestHost } from './host';
import type { Session } from './queues';

// A functional service for the library's own tests (Base Architecture §5.16): a grade export with
// two phases, whose handlers record what they were handed, and consumers that hold various rights.

export const JOBS_NS = 'http://www.sifassociation.org/infrastructure/3.2.1';

/** What the test service's handlers and hooks saw. */
export interface JobCalls {
  phase: PhaseRequest[];
  init: Job[];
  stateChanged: { jobId: string; phase: string; state: string }[];
  deleted: string[];
  /** Makes the next init throw this. */
  failInit?: Error;
}

/**
 * `GradeExports`: phase `select` (QUERY, UPDATE; consumers may add states) and phase `export`
 * (CREATE, DELETE; states readable only), timeout one day. `provider()` gives the hooks the provider.
 */
export function gradeExports(calls: JobCalls, provider: () => SifProvider): ServiceDefinition {
  return {
    type: 'FUNCTIONAL',
    job: {
      name: 'gradeExport',
      description: 'Export final grades',
      stateDescription: 'Waiting for the consumer',
      timeout: 'P1D',
      phases: {
        select: {
          statesRights: ['QUERY', 'CREATE'],
          handlers: {
            query: async (_ctx, r) => {
              calls.phase.push(r);
              return { payload: { root: 'selection', value: { term: 'T1', page: String(r.page?.page) } } };
            },
            update: async (_ctx, r) => {
              calls.phase.push(r);
            },
          },
        },
        export: {
          handlers: {
            create: async (_ctx, r) => {
              calls.phase.push(r);
              await provider().jobs.setPhaseState(r.job.id, 'export', 'INPROGRESS');
              return { status: 202, payload: { root: 'exportStarted', value: { '@jobId': r.job.id } } };
            },
            delete: async (_ctx, r) => {
              calls.phase.push(r);
            },
          },
        },
      },
      async init(_ctx, job) {
        if (calls.failInit) throw calls.failInit;
        calls.init.push(job);
      },
      async stateChanged(_ctx, job, phase, state) {
        calls.stateChanged.push({ jobId: job.id, phase, state });
      },
      async deleted(job) {
        calls.deleted.push(job.id);
      },
    },
  };
}

export function newCalls(): JobCalls {
  return { phase: [], init: [], stateChanged: [], deleted: [] };
}

/** Consumers: `Exporter` (create, query, delete, subscribe), `Other` (the same), `Viewer` (query only). */
export const JOB_CONSUMERS: ConsumerEntry[] = [
  ...['Exporter', 'Other'].map((key) => ({
    applicationKey: key,
    secret: `${key}Secret`,
    environment: {
      defaultZone: { id: 'District', services: [{ name: 'GradeExports', rights: ['QUERY', 'CREATE', 'DELETE', 'SUBSCRIBE'] as ('QUERY' | 'CREATE' | 'DELETE' | 'SUBSCRIBE')[] }] },
      zones: [{ id: 'Elementary', services: [{ name: 'GradeExports', rights: ['QUERY', 'CREATE'] as ('QUERY' | 'CREATE')[] }] }],
    },
  })),
  {
    applicationKey: 'Viewer',
    secret: 'ViewerSecret',
    environment: { defaultZone: { id: 'District', services: [{ name: 'GradeExports', rights: { QUERY: 'APPROVED', CREATE: 'REJECTED' } }] } },
  },
];

/** The XML job a consumer creates, as the A4L Java consumer sends it (its template plus an id). */
export function jobXml(id?: string, ns = JOBS_NS): string {
  return (
    `<job${id ? ` id="${id}"` : ''} xmlns="${ns}"><name>gradeExport</name><description>ignored</description>` +
    '<initialization><phaseName>select</phaseName><payload xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="propertiesType">' +
    '<property name="term">T1</property></payload></initialization></job>'
  );
}

/** `POST {services}/GradeExports/GradeExport` with an XML job. */
export function createJob(host: TestHost, who: Session, body = jobXml(), headers: Record<string, string> = {}) {
  return request(host.app).post(`${host.mount}/services/GradeExports/GradeExport`).set('Authorization', who.auth).set(headers).type('application/xml').send(body);
}

/** The id of a new job (JSON answer). */
export async function newJobId(host: TestHost, who: Session): Promise<string> {
  const res = await createJob(host, who).set('Accept', 'application/json');
  if (res.status !== 201) throw new Error(`job create failed: ${res.status} ${res.text}`);
  return res.body.job['@id'] as string;
}

/** A request to a job's URL below the services connector, with the consumer's credentials and JSON answers. */
export function jobRequest(host: TestHost, who: Session, method: 'get' | 'post' | 'put' | 'delete' | 'head', path: string) {
  return request(host.app)[method](`${host.mount}/services/GradeExports${path}`).set('Authorization', who.auth).set('Accept', 'application/json');
}
