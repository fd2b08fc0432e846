/**
 * A command line the CLI cannot run (a missing argument, an unknown flag): exit status 2, with the
 * message and a pointer to `--help`.
 *
 * @example
 * throw new UsageError('sync needs --out <file.jsonl>');
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
