import type { Harness, Session } from '../harness';

/** What every check is given: the harness and two registered consumers. */
export interface AuditContext {
  h: Harness;
  demo: Session;
  readOnly: Session;
}

/** One requirement of the specification, with the check that exercises it over HTTP. */
export interface Requirement {
  /** Stable id: never reused for another requirement. */
  id: string;
  /** Document and section. */
  source: string;
  level: 'MUST' | 'SHOULD';
  text: string;
  check(ctx: AuditContext): Promise<void>;
}
