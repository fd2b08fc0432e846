import type { Command } from '../command';
import { SCOPE_FLAGS, printJson, scopeOf, serviceOf } from '../command';

/**
 * `sif3 get <service> <id>`: one object as JSON; exit status 1 when there is none.
 *
 * @example
 * sif3 get xStudents 5e2b0c1a-…
 */
export const getCommand: Command = {
  name: 'get',
  usage: 'get <service> <id>',
  summary: 'print one object as JSON',
  flags: { ...SCOPE_FLAGS },
  positionals: 2,
  async run({ client, args, values, io }) {
    const object = await serviceOf(client, args[0]!, values).read(args[1]!, scopeOf(values));
    if (object === null) {
      io.stderr.write(`sif3: no ${args[0]} object with id ${args[1]}\n`);
      return 1;
    }
    printJson(io, object);
    return 0;
  },
};
