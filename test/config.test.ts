import express from 'express';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { ConsumerEntry, SifProviderOptions } from 'sif3-direct';
import { QUEUE_DEFAULTS, SifConfigError, createSifProvider } from 'sif3-direct';

const consumer = () => ({
  applicationKey: 'App',
  secret: 'Secret',
  environment: { defaultZone: { id: 'Z', services: [{ name: 'xStudents', rights: ['QUERY' as const] }] } },
});
// One function for every configuration, so that two configurations built alike compare equal.
const queryNothing = async () => ({ objects: [] });
const valid = (): SifProviderOptions => ({
  database: ':memory:',
  services: { xStudents: { objectName: 'xStudent', namespace: 'n', handlers: { query: queryNothing } } },
  consumers: [consumer()],
});

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
    ['a maximum page size below the default one', (o) => (o.paging = { maxPageSize: 10, defaultPageSize: 11 }), 'paging.defaultPageSize'],
    ['a default page size above the default maximum', (o) => (o.paging = { defaultPageSize: 1001 }), 'paging.defaultPageSize'],
    ['both database and store', (o) => (o.store = {}), 'store'],
    ['handlers without objectName', (o) => (o.services.xStudents = { namespace: 'n', handlers: { read: async () => null } }), 'services.xStudents.objectName'],
    ['a handler that is not a function', (o) => (o.services.xStudents = { objectName: 'xStudent', namespace: 'n', handlers: { read: 'yes' } }), 'services.xStudents.handlers.read'],
    ['an unknown handler', (o) => (o.services.xStudents = { objectName: 'xStudent', namespace: 'n', handlers: { list: async () => [] } }), 'services.xStudents.handlers.list'],
    ['change tracking without read', (o) => (o.services.xStudents = { changeTracking: true }), 'services.xStudents.changeTracking'],
    ['an unknown query feature', (o) => (o.services.xStudents = { supports: { xquery: true } }), 'services.xStudents.supports.xquery'],
    ['a service path of another service', (o) => (o.services.xStudents = { paths: { 'xSchools/{}/xRosters': async () => ({ objects: [] }) } }), 'services.xStudents.paths.xSchools/{}/xRosters'],
    ['a service path that is not a function', (o) => (o.services.xStudents = { paths: { 'xSchools/{}/xStudents': 1 } }), 'services.xStudents.paths.xSchools/{}/xStudents'],
    ['an attribute path that names no attribute', (o) => (o.services.xStudents = { objectName: 'xStudent', namespace: 'n', attributes: ['name/type'], handlers: { query: async () => ({ objects: [] }) } }), 'services.xStudents.attributes'],
    ['attributes that are not strings', (o) => (o.services.xStudents = { objectName: 'xStudent', namespace: 'n', attributes: [1], handlers: { query: async () => ({ objects: [] }) } }), 'services.xStudents.attributes[0]'],
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
    const options = valid() as Record<string, any>;
    change(options);
    const error = configError(options);
    expect(error.option).toBe(option);
    expect(error.message).toContain(`option ${option} `);
  });

  test('the caller’s options are not modified', async () => {
    const options = valid();
    const provider = createSifProvider(options);
    expect(options).toEqual(valid());
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

describe('start-up refuses configuration that contradicts itself, naming the option', () => {
  const handlers = (...names: string[]) => Object.fromEntries(names.map((n) => [n, async () => null]));
  const service = (...names: string[]) => ({ objectName: 'xStudent', namespace: 'n', handlers: handlers(...names) });
  const grant = (rights: unknown, name = 'xStudents') => [{ name, rights }];
  const RIGHTS = 'consumers[0].environment.defaultZone.services[0].rights';

  test.each<[string, (o: Record<string, any>) => void, string]>([
    ['CREATE on a service without a create handler', (o) => (o.consumers[0].environment.defaultZone.services = grant(['QUERY', 'CREATE'])), `${RIGHTS}.CREATE`],
    ['UPDATE on a service without an update handler', (o) => (o.consumers[0].environment.defaultZone.services = grant(['UPDATE'])), `${RIGHTS}.UPDATE`],
    ['DELETE on a service without a delete handler', (o) => (o.consumers[0].environment.defaultZone.services = grant({ DELETE: 'APPROVED' })), `${RIGHTS}.DELETE`],
    ['an operation stated SUPPORTED that no handler serves', (o) => (o.consumers[0].environment.defaultZone.services = grant({ QUERY: 'APPROVED', CREATE: 'SUPPORTED' })), `${RIGHTS}.CREATE`],
    ['QUERY on a service with neither query nor read', (o) => (o.services.xStudents = service('create')), `${RIGHTS}.QUERY`],
    ['QUERY on a service registered without handlers', (o) => (o.services.xStudents = {}), `${RIGHTS}.QUERY`],
    ['a right in another zone', (o) => (o.consumers[0].environment.zones = [{ id: 'Other', services: grant(['QUERY', 'DELETE']) }]), 'consumers[0].environment.zones[0].services[0].rights.DELETE'],
    ['SUBSCRIBE while queues are off', (o) => (o.consumers[0].environment.defaultZone.services = grant(['QUERY', 'SUBSCRIBE'])), `${RIGHTS}.SUBSCRIBE`],
    ['SUBSCRIBE while queues are false', (o) => ((o.queues = false), (o.consumers[0].environment.defaultZone.services = grant(['SUBSCRIBE']))), `${RIGHTS}.SUBSCRIBE`],
    ['CREATE on a service path (paths are only queried)', (o) => {
      o.services.xStudents.paths = { 'xSchools/{}/xStudents': queryNothing };
      o.services.xSchools = {};
      o.consumers[0].environment.defaultZone.services = grant(['QUERY', 'CREATE'], 'xSchools/{}/xStudents');
    }, `${RIGHTS}.CREATE`],
    ['supports.where without a query handler', (o) => ((o.services.xStudents = { ...service('read'), supports: { where: true } })), 'services.xStudents.supports.where'],
    ['supports.order without a query handler', (o) => ((o.services.xStudents = { ...service('read'), supports: { order: true } })), 'services.xStudents.supports.order'],
    ['supports.queryByExample without a query handler', (o) => ((o.services.xStudents = { ...service('read'), supports: { queryByExample: true } })), 'services.xStudents.supports.queryByExample'],
  ])('%s', (_why, change, option) => {
    const options = valid() as Record<string, any>;
    change(options);
    const error = configError(options);
    expect(error.option).toBe(option);
    expect(error.message).toContain(`option ${option} `);
  });

  test.each<[string, (o: Record<string, any>) => void]>([
    ['QUERY served by read alone', (o) => (o.services.xStudents = service('read'))],
    ['rights stated REJECTED or UNSUPPORTED on operations without handlers', (o) => (o.consumers[0].environment.defaultZone.services = grant({ QUERY: 'APPROVED', CREATE: 'REJECTED', DELETE: 'UNSUPPORTED', SUBSCRIBE: 'REJECTED' }))],
    ['SUBSCRIBE with queues on', (o) => ((o.queues = true), (o.consumers[0].environment.defaultZone.services = grant(['QUERY', 'SUBSCRIBE'])))],
    ['every right a complete service serves', (o) => {
      o.services.xStudents = { ...service('query', 'read', 'create', 'update', 'delete'), supports: { where: true, order: true, queryByExample: true } };
      o.consumers[0].environment.defaultZone.services = grant(['QUERY', 'CREATE', 'UPDATE', 'DELETE']);
    }],
    ['a service without handlers that is granted nothing', (o) => (o.services.xSchools = {})],
  ])('%s starts', async (_why, change) => {
    const options = valid() as Record<string, any>;
    change(options);
    const provider = createSifProvider(options as SifProviderOptions);
    await provider.close();
  });

  test('a refused configuration leaves no database file behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sif3-config-'));
    try {
      const options = { ...valid(), database: join(dir, 'state.db'), services: { xStudents: { ...service('read'), supports: { where: true } } } };
      expect(configError(options).option).toBe('services.xStudents.supports.where');
      expect(existsSync(join(dir, 'state.db'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('a looked-up consumer whose template contradicts the services is a logged 500, its secret and the option kept from the consumer', async () => {
    const logged: unknown[][] = [];
    const provider = createSifProvider({
      database: ':memory:',
      services: valid().services,
      consumers: async (key) =>
        key === 'X' ? ({ ...consumer(), applicationKey: 'X', environment: { defaultZone: { id: 'Z', services: grant(['QUERY', 'DELETE']) } } } as ConsumerEntry) : undefined,
      logger: { warn: () => undefined, error: (...args: unknown[]) => logged.push(args) },
    });
    try {
      const app = express().use(provider.router);
      const res = await request(app).post('/environments/environment').set('Authorization', `Basic ${Buffer.from('X:Secret').toString('base64')}`);
      expect(res.status).toBe(500);
      expect(res.text).not.toMatch(/consumers\(|rights|DELETE|Secret|at /);
      expect(logged).toHaveLength(1);
      const error = logged[0]!.find((a) => a instanceof SifConfigError) as SifConfigError;
      expect(error.option).toBe('consumers("X").environment.defaultZone.services[0].rights.DELETE');
      expect(error.message).toContain('no delete handler');
    } finally {
      await provider.close();
    }
  });
});
