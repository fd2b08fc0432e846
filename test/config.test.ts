import type { SifProviderOptions } from 'sif3-direct';
import { QUEUE_DEFAULTS, SifConfigError, createSifProvider } from 'sif3-direct';

const consumer = () => ({
  applicationKey: 'App',
  secret: 'Secret',
  environment: { defaultZone: { id: 'Z', services: [{ name: 'xStudents', rights: ['QUERY' as const] }] } },
});
const valid = (): SifProviderOptions => ({ database: ':memory:', services: { xStudents: {} }, consumers: [consumer()] });

function configError(options: unknown): SifConfigError {
  try {
    createSifProvider(options as SifProviderOptions);
  } catch (err) {
    expect(err).toBeInstanceOf(SifConfigError);
    return err as SifConfigError;
  }
  throw new Error('expected a SifConfigError');
}

describe('options are validated once, with errors that name the option', () => {
  test('a valid configuration starts', async () => {
    const provider = createSifProvider(valid());
    expect(typeof provider.router).toBe('function');
    await provider.close();
  });

  test('queues: true starts with the documented defaults; a lower maximum lowers the default idle timeout', async () => {
    for (const queues of [true, { maxIdleTimeoutSeconds: 10 }, false]) {
      const provider = createSifProvider({ ...valid(), queues });
      await provider.close();
    }
    expect(QUEUE_DEFAULTS).toMatchObject({ maxIdleTimeoutSeconds: 60, defaultIdleTimeoutSeconds: 30, immediateBudgetSeconds: 25 });
  });

  test.each<[string, (o: Record<string, any>) => void, string]>([
    ['no database or store', (o) => delete o.database, 'database'],
    ['an unknown option', (o) => (o.databse = 'x'), 'databse'],
    ['a bad infrastructure version', (o) => (o.infrastructureVersion = '2.6'), 'infrastructureVersion'],
    ['a relative baseUrl', (o) => (o.baseUrl = '/sif3'), 'baseUrl'],
    ['consumers of the wrong type', (o) => (o.consumers = 'DemoApp'), 'consumers'],
    ['a consumer without secret', (o) => delete o.consumers[0].secret, 'consumers[0].secret'],
    ['a repeated application key', (o) => o.consumers.push(consumer()), 'consumers[1].applicationKey'],
    ['an unknown method', (o) => (o.consumers[0].authenticationMethods = ['Digest']), 'consumers[0].authenticationMethods[0]'],
    ['a grant on an unregistered service', (o) => (o.consumers[0].environment.defaultZone.services[0].name = 'xTeachers'), 'consumers[0].environment.defaultZone.services[0].name'],
    ['an unknown right', (o) => (o.consumers[0].environment.defaultZone.services[0].rights = ['READ']), 'consumers[0].environment.defaultZone.services[0].rights[0]'],
    ['an unknown right value', (o) => (o.consumers[0].environment.defaultZone.services[0].rights = { QUERY: 'YES' }), 'consumers[0].environment.defaultZone.services[0].rights.QUERY'],
    ['no rights at all', (o) => (o.consumers[0].environment.defaultZone.services[0].rights = []), 'consumers[0].environment.defaultZone.services[0].rights'],
    ['a type other than the registered one', (o) => (o.consumers[0].environment.defaultZone.services[0].type = 'UTILITY'), 'consumers[0].environment.defaultZone.services[0].type'],
    ['a zone named environment-global', (o) => (o.consumers[0].environment.defaultZone.id = 'environment-global'), 'consumers[0].environment.defaultZone.id'],
    ['a repeated zone', (o) => (o.consumers[0].environment.zones = [{ id: 'Z' }]), 'consumers[0].environment.zones[0].id'],
    ['a bad service type', (o) => (o.services.xStudents = { type: 'TABLE' }), 'services.xStudents.type'],
    ['a service named alerts', (o) => (o.services.alerts = {}), 'services.alerts'],
    ['a negative timestamp window', (o) => (o.authentication = { timestampWindow: { pastSeconds: -1 } }), 'authentication.timestampWindow.pastSeconds'],
    ['a non-function Bearer verifier', (o) => (o.authentication = { verifyBearer: 'yes' }), 'authentication.verifyBearer'],
    ['a zero body limit', (o) => (o.limits = { maxBodyBytes: 0 }), 'limits.maxBodyBytes'],
    ['a default page size above the maximum', (o) => (o.paging = { defaultPageSize: 50, maxPageSize: 10 }), 'paging.defaultPageSize'],
    ['both database and store', (o) => (o.store = {}), 'store'],
    ['handlers without objectName', (o) => (o.services.xStudents = { namespace: 'n', handlers: { read: async () => null } }), 'services.xStudents.objectName'],
    ['a handler that is not a function', (o) => (o.services.xStudents = { objectName: 'xStudent', namespace: 'n', handlers: { read: 'yes' } }), 'services.xStudents.handlers.read'],
    ['an unknown handler', (o) => (o.services.xStudents = { objectName: 'xStudent', namespace: 'n', handlers: { list: async () => [] } }), 'services.xStudents.handlers.list'],
    ['change tracking without read', (o) => (o.services.xStudents = { changeTracking: true }), 'services.xStudents.changeTracking'],
    ['an unknown query feature', (o) => (o.services.xStudents = { supports: { xquery: true } }), 'services.xStudents.supports.xquery'],
    ['a service path of another service', (o) => (o.services.xStudents = { paths: { 'xSchools/{}/xRosters': async () => ({ objects: [] }) } }), 'services.xStudents.paths.xSchools/{}/xRosters'],
    ['a service path that is not a function', (o) => (o.services.xStudents = { paths: { 'xSchools/{}/xStudents': 1 } }), 'services.xStudents.paths.xSchools/{}/xStudents'],
    ['a negative change log size', (o) => (o.changeLog = { maxEntries: -5 }), 'changeLog.maxEntries'],
    ['a zero snapshot lifetime', (o) => (o.paging = { snapshotTtlSeconds: 0 }), 'paging.snapshotTtlSeconds'],
    ['an unopenable database', (o) => (o.database = '/nonexistent/dir/state.db'), 'database'],
    ['queues of the wrong type', (o) => (o.queues = 'yes'), 'queues'],
    ['an unknown queue option', (o) => (o.queues = { maxQueues: 3 }), 'queues.maxQueues'],
    ['a zero queue depth', (o) => (o.queues = { maxMessagesPerQueue: 0 }), 'queues.maxMessagesPerQueue'],
    ['a default idle timeout above the maximum', (o) => (o.queues = { defaultIdleTimeoutSeconds: 90, maxIdleTimeoutSeconds: 60 }), 'queues.defaultIdleTimeoutSeconds'],
    ['a delayed handler that is not a function', (o) => (o.services.xStudents = { objectName: 'xStudent', namespace: 'n', handlers: { query: async () => ({ objects: [] }) }, delayed: { query: 1 } }), 'services.xStudents.delayed.query'],
    ['a delayed createMany without create', (o) => (o.services.xStudents = { objectName: 'xStudent', namespace: 'n', handlers: { query: async () => ({ objects: [] }) }, delayed: { createMany: async () => undefined } }), 'services.xStudents.delayed.createMany'],
    ['a store without queue methods when queues are on', (o) => { delete o.database; o.store = { createEnvironment() {}, getEnvironment() {}, deleteEnvironment() {}, createAlert() {}, close() {} }; o.queues = true; }, 'store'],
  ])('%s', (_why, change, option) => {
    const options = structuredClone(valid()) as Record<string, any>;
    change(options);
    const error = configError(options);
    expect(error.option).toBe(option);
    expect(error.message).toContain(`option ${option} `);
  });

  test('the caller’s options are not modified', async () => {
    const options = valid();
    const before = structuredClone(options);
    const provider = createSifProvider(options);
    expect(options).toEqual(before);
    await provider.close();
  });

  test('a consumer lookup is validated when it answers', async () => {
    const logged: unknown[] = [];
    const provider = createSifProvider({
      database: ':memory:',
      consumers: async () => ({ applicationKey: 'X' }) as never,
      logger: { warn: () => undefined, error: (message) => logged.push(message) },
    });
    const request = (await import('supertest')).default;
    const express = (await import('express')).default;
    const app = express().use(provider.router);
    const res = await request(app).post('/environments/environment').set('Authorization', `Basic ${Buffer.from('X:y').toString('base64')}`);
    expect(res.status).toBe(500);
    expect(res.text).not.toContain('consumers(');
    expect(logged).toHaveLength(1);
    await provider.close();
  });
});
