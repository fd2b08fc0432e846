import type { Command } from '../command';
import { SCOPE_FLAGS, printJson, scopeOf, serviceOf } from '../command';

/**
 * `sif3 head <service>`: the count and the changes-since marker, as JSON.
 *
 * @example
 * sif3 head xStudents   # {"navigationCount":2000,"changesSinceMarker":"…"}
 */
export const headCommand: Command = {
  name: 'head',
  usage: 'head <service>',
  summary: 'print the object count and the current changes-since marker',
  flags: { ...SCOPE_FLAGS },
  positionals: 1,
  async run({ client, args, values, io }) {
    const page = await serviceOf(client, args[0]!, values).head(scopeOf(values));
    printJson(io, { navigationCount: page.navigationCount, navigationLastPage: page.navigationLastPage, navigationPageSize: page.navigationPageSize, changesSinceMarker: page.changesSinceMarker });
    return 0;
  },
};
