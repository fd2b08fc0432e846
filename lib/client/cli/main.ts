import { parseArgs } from 'node:util';
import { SifClient } from '../client';
import { SifClientError } from '../errors';
import type { Command } from './command';
import { getCommand } from './commands/get';
import { headCommand } from './commands/head';
import { jobCommand } from './commands/job';
import { queryCommand } from './commands/query';
import { registerCommand } from './commands/register';
import { syncCommand } from './commands/sync';
import { tailCommand } from './commands/tail';
import type { CliIo } from './io';
import { CONNECTION_FLAGS, connectOptions } from './settings';
import { UsageError } from './usage-error';

const COMMANDS: readonly Command[] = [registerCommand, getCommand, queryCommand, headCommand, syncCommand, tailCommand, jobCommand];

/**
 * Runs one `sif3` command line and resolves with its exit status: 0 done, 1 failed (one line on
 * stderr: `sif3: …`), 2 a command line it cannot run. Never calls `process.exit`.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal });
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(overview());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) return usageFailure(io, `unknown command ${name}`);
  let client: SifClient | undefined;
  try {
    const options = { help: { type: 'boolean' as const, short: 'h' }, ...flagOptions(CONNECTION_FLAGS), ...flagOptions(command.flags) };
    const parsed = parseArgs({ args: [...rest], options, allowPositionals: true, strict: true });
    if (parsed.values.help) {
      io.stdout.write(commandHelp(command));
      return 0;
    }
    if (parsed.positionals.length < command.positionals) throw new UsageError(`usage: sif3 ${command.usage}`);
    const values = parsed.values as Record<string, string | boolean | undefined>;
    client = await SifClient.connect(connectOptions(values, io.env));
    return await command.run({ client, args: parsed.positionals, values, io });
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) return usageFailure(io, (error as Error).message);
    if (io.signal.aborted) return 130;
    io.stderr.write(`sif3: ${oneLine(error)}\n`);
    return 1;
  }
}

function flagOptions(flags: Record<string, { type: 'string' | 'boolean' }>): Record<string, { type: 'string' | 'boolean' }> {
  return Object.fromEntries(Object.entries(flags).map(([name, flag]) => [name, { type: flag.type }]));
}

function usageFailure(io: CliIo, message: string): number {
  io.stderr.write(`sif3: ${oneLine(message)} (sif3 --help for usage)\n`);
  return 2;
}

function isParseArgsError(error: unknown): boolean {
  return typeof (error as { code?: unknown })?.code === 'string' && String((error as { code: string }).code).startsWith('ERR_PARSE_ARGS');
}

/** Errors are one line: the SIF message, with its description when the provider sent one. */
function oneLine(error: unknown): string {
  if (error instanceof SifClientError) {
    const description = error.description ? ` (${error.description})` : '';
    return `${error.message}${description}`.replace(/\s+/g, ' ');
  }
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, ' ');
}

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.usage.length));
  return [
    'sif3: a SIF 3 consumer on the command line',
    '',
    'Usage: sif3 <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    '',
    'Connection (flags, or the environment variables):',
    ...flagLines(CONNECTION_FLAGS, true),
    '',
    'sif3 <command> --help describes one command.',
    '',
  ].join('\n');
}

function commandHelp(command: Command): string {
  return [
    `Usage: sif3 ${command.usage}`,
    '',
    command.summary,
    ...(command.details ?? []),
    '',
    ...(Object.keys(command.flags).length > 0 ? ['Options:', ...flagLines(command.flags, false), ''] : []),
    'Connection (flags, or the environment variables):',
    ...flagLines(CONNECTION_FLAGS, true),
    '',
  ].join('\n');
}

function flagLines(flags: Record<string, { type: string; help: string; env?: string }>, withEnv: boolean): string[] {
  return Object.entries(flags).map(([name, flag]) => {
    const left = `  --${name}${flag.type === 'string' ? ' <value>' : ''}`;
    return `${left.padEnd(26)} ${flag.help}${withEnv && flag.env ? ` [${flag.env}]` : ''}`;
  });
}
