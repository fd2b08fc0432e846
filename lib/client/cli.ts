#!/usr/bin/env node
/**
 * The `sif3` command line (package.json `bin`): runs `runCli` on this process's arguments. Ctrl-C
 * aborts the running command (a long poll or a sync page) and exits 130.
 *
 * @example
 * npx tsx lib/client/cli.ts query xStudents --where '[name/familyName="Smith"]'
 */
import { runCli } from './cli/main';

const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal }).then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    process.stderr.write(`sif3: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
