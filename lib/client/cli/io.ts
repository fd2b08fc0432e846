/**
 * What a command may touch of its process: output streams, the environment, and a signal that
 * aborts on Ctrl-C. Passed in so that commands hold no process-wide state of their own.
 *
 * @example
 * await runCli(['query', 'xStudents'], { stdout: process.stdout, stderr: process.stderr, env: process.env, signal });
 */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  env: Record<string, string | undefined>;
  signal: AbortSignal;
}
