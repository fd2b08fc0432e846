import type { SifObject } from './types';

/**
 * Every failure the client reports: an HTTP status other than the one expected (with the SIF
 * `error` object the provider sent, when it sent one), a body that is not SIF, or a network failure
 * (`status` 0). `message` is the provider's message, or a description of what went wrong.
 *
 * @example
 * try { await students.create(student) } catch (e) {
 *   if (e instanceof SifClientError && e.status === 409) console.log(e.error?.description);
 * }
 */
export class SifClientError extends Error {
  /** HTTP status; 0 when no answer arrived. */
  readonly status: number;
  /** The SIF `error` object (`@id`, `code`, `scope`, `message`, `description`), when there was one. */
  readonly error: SifObject | undefined;
  /** What was asked, e.g. `GET xStudents/1234`. */
  readonly request: string | undefined;

  constructor(status: number, message: string, options: { error?: SifObject; request?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SifClientError';
    this.status = status;
    this.error = options.error;
    this.request = options.request;
  }

  /** The SIF error's `description`, when it has one (limits and rights name themselves there). */
  get description(): string | undefined {
    const d = this.error?.description;
    return typeof d === 'string' ? d : undefined;
  }
}
