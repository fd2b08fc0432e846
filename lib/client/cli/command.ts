import type { SifClient } from '../client';
import type { ServiceClient } from '../service';
import type { CliIo } from './io';

/**
 * One `sif3` command: its flags (besides the connection flags every command takes), its help, and
 * what it does with a connected client.
 *
 * @example
 * export const headCommand: Command = { name: 'head', usage: 'head <service>', summary: '…', flags: {}, run: async (ctx) => 0 };
 */
export interface Command {
  name: string;
  /** The arguments after `sif3`, e.g. `get <service> <id>`. */
  usage: string;
  summary: string;
  /** Lines of help after the usage. */
  details?: string[];
  flags: Record<string, { type: 'string' | 'boolean'; help: string }>;
  /** How many positional arguments it needs. */
  positionals: number;
  /** The exit status. */
  run(context: CommandContext): Promise<number>;
}

/**
 * What a command runs with.
 *
 * @example
 * async run({ client, args, values, io }) { io.stdout.write(JSON.stringify(await client.service(args[0]!).head())); return 0; }
 */
export interface CommandContext {
  client: SifClient;
  args: string[];
  values: Record<string, string | boolean | undefined>;
  io: CliIo;
}

/**
 * One JSON line on stdout.
 *
 * @example
 * printJson(io, { refId: '…' });
 */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

/**
 * The zone, context and page size flags shared by the data commands, as client options.
 *
 * @example
 * client.service(name).query({ ...scopeOf(values) });
 */
export function scopeOf(values: CommandContext['values']): { zoneId?: string; contextId?: string; pageSize?: number } {
  const out: { zoneId?: string; contextId?: string; pageSize?: number } = {};
  if (typeof values.zone === 'string') out.zoneId = values.zone;
  if (typeof values.context === 'string') out.contextId = values.context;
  if (typeof values['page-size'] === 'string') out.pageSize = Number(values['page-size']);
  return out;
}

/**
 * The service a command names, with the `--repeatable` paths (comma-separated) made arrays and the
 * `--attributes` paths read as attributes from PESC JSON.
 *
 * @example
 * const students = serviceOf(client, 'xStudents', { repeatable: 'otherIds/otherId,otherEmails/email' });
 */
export function serviceOf(client: SifClient, name: string, values: CommandContext['values']): ServiceClient {
  const list = (value: unknown) => (typeof value === 'string' ? value.split(',').map((p) => p.trim()).filter((p) => p !== '') : []);
  return client.service(name, { repeatable: list(values.repeatable), attributes: list(values.attributes) });
}

/** The flags of `scopeOf` and `serviceOf`. */
export const SCOPE_FLAGS = {
  repeatable: { type: 'string', help: 'element paths that are always arrays, comma-separated (e.g. otherIds/otherId)' },
  attributes: { type: 'string', help: 'with --json pesc: attribute paths besides the id, comma-separated (e.g. name/@type)' },
  zone: { type: 'string', help: 'zoneId (default: the environment\'s default zone)' },
  context: { type: 'string', help: 'contextId (default: DEFAULT)' },
  'page-size': { type: 'string', help: 'objects per page (default 100)' },
} as const;
