import express from 'express';
import { randomUUID } from 'node:crypto';
import type { ConsumerEntry, ServiceHandlers, SifProvider, SifProviderOptions } from 'sif3-direct';
import { createSifProvider, dataModel } from 'sif3-direct';

/**
 * An Australian SIS in a few lines: StudentPersonals and SchoolInfos from the shipped AU 3.4.8
 * model (names, namespace, RefId, every repeating element, schema order, validation), kept in
 * memory. `createAuApp().app` is an Express app with the provider at `/sif3`.
 *
 * @example
 * const { app } = createAuApp({ database: './data/au-state.db' });
 * app.listen(3001);
 */
export function createAuApp(options: { database: string } & Partial<SifProviderOptions>): { app: express.Express; provider: SifProvider } {
  const au = dataModel('au-3.4.8');
  const provider = createSifProvider({
    consumers: AU_CONSUMERS,
    ...options,
    services: {
      StudentPersonals: au.service('StudentPersonal', { handlers: inMemory(), validate: true, validateOutput: 'log' }),
      SchoolInfos: au.service('SchoolInfo', { handlers: inMemory(), validate: true, validateOutput: 'log' }),
    },
  });
  const app = express();
  app.use('/sif3', provider.router);
  return { app, provider };
}

/** The AU example's consumer: everything on both services. */
export const AU_CONSUMERS: ConsumerEntry[] = [
  {
    applicationKey: 'AuApp',
    secret: 'AuSecret',
    environment: {
      defaultZone: {
        id: 'Campus',
        services: [
          { name: 'StudentPersonals', rights: ['QUERY', 'CREATE', 'UPDATE', 'DELETE'] },
          { name: 'SchoolInfos', rights: ['QUERY', 'CREATE', 'UPDATE', 'DELETE'] },
        ],
      },
    },
  },
];

/** Handlers over a Map: typed objects in, the same objects out (the library orders and shapes them). */
function inMemory<O extends { '@RefId'?: string }>(): ServiceHandlers<O> {
  const key = '@RefId';
  const rows = new Map<string, O>();
  return {
    query: async (_ctx, { offset, pageSize }) => ({ objects: [...rows.values()].slice(offset, offset + pageSize), totalCount: rows.size }),
    read: async (_ctx, refId) => rows.get(refId) ?? null,
    create: async (_ctx, object) => {
      const stored = { ...object, [key]: object[key] && !rows.has(object[key]) ? object[key] : randomUUID() };
      rows.set(stored[key]!, stored);
      return stored;
    },
    update: async (_ctx, refId, partial) => {
      const existing = rows.get(refId);
      if (existing) rows.set(refId, { ...existing, ...partial, [key]: refId });
      return existing !== undefined;
    },
    delete: async (_ctx, refId) => rows.delete(refId),
  };
}
