import express from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type {
  ConsumerEntry,
  GoessnerObject,
  RightType,
  ServiceDefinition,
  ServiceGrant,
  ServiceHandlers,
  SifProvider,
  SifProviderOptions,
  ZoneTemplate,
} from 'sif3-direct';
import { createSifProvider } from 'sif3-direct';
import { basicAuth } from './consumer-auth';
import { memoryService } from './memory-service';

export const INFRA_NS = 'http://www.sifassociation.org/infrastructure/3.2.1';

/** Consumers used across the endpoint tests. */
export const TEST_CONSUMERS: ConsumerEntry[] = [
  {
    applicationKey: 'DemoApp',
    secret: 'DemoSecret',
    environment: {
      defaultZone: {
        id: 'District',
        description: 'Springfield School District',
        properties: { state: 'IL' },
        services: [{ name: 'xStudents', rights: ['QUERY', 'CREATE', 'UPDATE', 'DELETE'] }],
      },
      zones: [{ id: 'Elementary', services: [{ name: 'xStudents', rights: ['QUERY'] }] }],
    },
  },
  {
    applicationKey: 'HmacOnly',
    secret: 'HmacSecret',
    authenticationMethods: ['SIF_HMACSHA256'],
    environment: { defaultZone: { id: 'District', services: [{ name: 'xStudents', rights: { QUERY: 'APPROVED', DELETE: 'REJECTED' } }] } },
  },
  {
    applicationKey: 'Kiosk',
    secret: 'KioskSecret',
    instanceIds: ['kiosk-1', 'kiosk-2'],
    environment: { defaultZone: { id: 'District' } },
  },
];

/** The handlers that serve each right (start-up refuses a grant that no handler serves). */
const SERVED_BY: Partial<Record<RightType, (keyof ServiceHandlers)[]>> = {
  QUERY: ['query', 'read'],
  CREATE: ['create', 'createMany'],
  UPDATE: ['update', 'updateMany'],
  DELETE: ['delete', 'deleteMany'],
};

/**
 * TEST_CONSUMERS with each grant narrowed to the rights the given services' handlers serve, so that
 * a test of a read-only service can keep the usual consumers: they are granted what it offers.
 */
export function consumersFor(services: Record<string, ServiceDefinition>): ConsumerEntry[] {
  const servable = (name: string, right: RightType) => {
    const needs = SERVED_BY[right];
    const handlers = services[name]?.handlers ?? {};
    return !needs || needs.some((h) => handlers[h] !== undefined);
  };
  const narrow = (grant: ServiceGrant): ServiceGrant => ({
    ...grant,
    rights: Array.isArray(grant.rights)
      ? grant.rights.filter((r) => servable(grant.name, r))
      : Object.fromEntries(Object.entries(grant.rights).filter(([r, v]) => v === 'REJECTED' || v === 'UNSUPPORTED' || servable(grant.name, r as RightType))),
  });
  const zone = (z: ZoneTemplate): ZoneTemplate => (z.services ? { ...z, services: z.services.map(narrow) } : z);
  return TEST_CONSUMERS.map((c) => ({
    ...c,
    environment: { defaultZone: zone(c.environment.defaultZone), ...(c.environment.zones ? { zones: c.environment.zones.map(zone) } : {}) },
  }));
}

/** A host app with the provider mounted, backed by a real SQLite file in a temporary folder. */
export interface TestHost {
  app: express.Express;
  provider: SifProvider;
  /** The objects behind the default xStudents service. */
  students: Map<string, GoessnerObject>;
  mount: string;
  dbFile: string;
  close(): Promise<void>;
}

export interface TestHostOptions {
  mount?: string;
  /** Mount the host's own body parsers before the provider, as many real apps do. */
  hostParsers?: boolean;
}

/**
 * Builds an Express app like a vendor's: its own routes, optionally its own body parsers, and the
 * provider mounted at `/sif3` (or `mount`).
 */
export function createTestHost(overrides: Partial<SifProviderOptions> = {}, options: TestHostOptions = {}): TestHost {
  const dir = mkdtempSync(join(tmpdir(), 'sif3-test-'));
  const dbFile = join(dir, 'state.db');
  const students = memoryService({ objectName: 'xStudent', repeatable: ['otherIds/otherId', 'otherEmails/email'] });
  const provider = createSifProvider({
    database: dbFile,
    logger: { warn: () => undefined, error: () => undefined },
    ...overrides,
    services: overrides.services ?? { xStudents: students.definition },
    consumers: overrides.consumers ?? consumersFor(overrides.services ?? { xStudents: students.definition }),
  });
  const app = express();
  if (options.hostParsers) {
    app.use(express.json());
    app.use(express.text({ type: ['application/xml', 'text/xml'] }));
  }
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  const mount = options.mount ?? '/sif3';
  if (mount === '/') app.use(provider.router);
  else app.use(mount, provider.router);
  return {
    app,
    provider,
    students: students.objects,
    mount: mount === '/' ? '' : mount,
    dbFile,
    close: async () => {
      await provider.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What a consumer keeps after registering. */
export interface Registered {
  id: string;
  sessionToken: string;
  body: Record<string, unknown>;
}

/** Registers an environment for `applicationKey` with Basic auth and returns its id and token. */
export async function register(host: TestHost, applicationKey = 'DemoApp', secret = 'DemoSecret', instanceId?: string): Promise<Registered> {
  let req = request(host.app)
    .post(`${host.mount}/environments/environment`)
    .set('Authorization', basicAuth(applicationKey, secret))
    .set('Accept', 'application/json');
  if (instanceId) req = req.set('instanceId', instanceId);
  const res = await req;
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${res.text}`);
  const env = res.body.environment;
  return { id: env['@id'], sessionToken: env.sessionToken, body: env };
}

/**
 * A `createTestHost` whose hosts are all closed after each test of the file that calls this (at
 * its top level): for test files that build a host per test with its own options.
 *
 * @example
 * const host = hostPerTest();
 * test('…', async () => { const h = host({ limits: { maxBodyBytes: 200 } }); … });
 */
export function hostPerTest(): (...args: Parameters<typeof createTestHost>) => TestHost {
  const hosts: TestHost[] = [];
  afterEach(async () => {
    await Promise.all(hosts.splice(0).map((h) => h.close()));
  });
  return (...args) => {
    const h = createTestHost(...args);
    hosts.push(h);
    return h;
  };
}
