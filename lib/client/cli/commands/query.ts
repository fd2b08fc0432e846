import type { Command } from '../command';
import { SCOPE_FLAGS, printJson, scopeOf, serviceOf } from '../command';

/**
 * `sif3 query <service>`: every matching object, one JSON line each.
 *
 * @example
 * sif3 query xStudents --where '[name/familyName="Smith"]' --order '[name/givenName=ascending]'
 */
export const queryCommand: Command = {
  name: 'query',
  usage: 'query <service> [--where …] [--order …]',
  summary: 'print every matching object, one JSON line each',
  details: ['A service path works too: query xSchools/<id>/xStudents'],
  flags: {
    where: { type: 'string', help: 'SIF where, e.g. [name/familyName="Smith"]' },
    order: { type: 'string', help: 'SIF order, e.g. [name/givenName=ascending]' },
    ...SCOPE_FLAGS,
  },
  positionals: 1,
  async run({ client, args, values, io }) {
    const query = { ...scopeOf(values), signal: io.signal, ...(typeof values.where === 'string' ? { where: values.where } : {}), ...(typeof values.order === 'string' ? { order: values.order } : {}) };
    for await (const object of serviceOf(client, args[0]!, values).query(query)) printJson(io, object);
    return 0;
  },
};
