import assert from 'node:assert/strict';
import type { Exchange, Harness, Session } from '../harness';

// What the requirement files share: the documents they cite, unique instance ids, a consumer's
// credentials, and creating and draining a queue.

/** The documents most requirements cite, as their `source` names them. */
export const IS = 'Infrastructure Services 3.2.1';
export const BA = 'Base Architecture 3.2.1';
export const US = 'Utility Services 3.2.1';
/** The example SIS's data model namespace. */
export const NA = 'http://www.sifassociation.org/datamodel/na/3.6';

/**
 * A maker of instance ids no other environment of this audit run has, so that every register
 * makes a new environment.
 *
 * @example
 * const fresh = freshInstances('audit-jobs');
 * const s = await h.register('DemoApp', 'DemoSecret', fresh());
 */
export function freshInstances(prefix: string): () => string {
  let instance = 0;
  return () => `${prefix}-${process.pid}-${++instance}`;
}

/**
 * The credentials of a registered consumer, for `h.call(…, { auth })`.
 *
 * @example
 * await h.call('/requests/xStudents', { auth: demoAuth(demo) });
 */
export const demoAuth = (s: Session) => ({ user: s.token, secret: s.secret });

/**
 * Creates a queue for a consumer; its id and the path of its messages service below the mount.
 *
 * @example
 * const q = await queue(h, demo, { polling: 'LONG' });
 */
export async function queue(h: Harness, s: Session, options: Record<string, unknown> = {}): Promise<{ id: string; messages: string }> {
  const res = await h.call('/queues/queue', { method: 'POST', headers: { 'Content-Type': 'application/json', Accept: 'application/json' }, auth: demoAuth(s), body: JSON.stringify({ queue: options }) });
  assert.equal(res.status, 201, res.text);
  return { id: res.json.queue['@id'], messages: res.json.queue.queueUri.slice(h.base.length) };
}

/**
 * Get-next-and-pop until `count` messages (waiting through about a second of empty polls for
 * ones still to come), or, without a count, until the queue answers empty.
 *
 * @example
 * const [event] = await drainQueue(h, demo, q.messages, 1);
 */
export async function drainQueue(h: Harness, s: Session, messages: string, count = Infinity): Promise<Exchange[]> {
  const out: Exchange[] = [];
  let previous: string | null = null;
  for (let empty = 0; out.length < count && empty < 20; ) {
    const res = await h.call(previous ? `${messages};deleteMessageId=${previous}` : messages, { headers: { Accept: 'application/json' }, auth: demoAuth(s) });
    if (res.status === 204) {
      if (count === Infinity) break;
      previous = null;
      empty++;
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    assert.equal(res.status, 200, res.text);
    out.push(res);
    previous = res.headers.get('messageId');
  }
  return out;
}
