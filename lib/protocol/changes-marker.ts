import { BadRequestError, ConflictError } from '../errors';
import type { ChangeLogState } from '../store/store';

// Changes-since markers are opaque to consumers: `<store epoch>.<sequence>`. The epoch makes a
// marker from another database (or from before a reset) recognisable, so that it is refused rather
// than misread.

/** The marker for a position of the change log. */
export function formatMarker(state: Pick<ChangeLogState, 'epoch'>, seq: number): string {
  return `${state.epoch}.${seq}`;
}

/**
 * The sequence number a marker stands for. A marker that was never issued here, or whose changes
 * are no longer kept, is a 409 telling the consumer to resynchronise.
 */
export function parseMarker(text: string, state: ChangeLogState): number {
  const m = /^([0-9a-f]{16})\.(\d{1,15})$/.exec(text.trim());
  if (!m) throw new BadRequestError('changesSinceMarker is not a marker this provider issued');
  const seq = Number(m[2]);
  if (m[1] !== state.epoch || seq > state.latest) {
    throw new ConflictError('changesSinceMarker was not issued by this provider: resynchronise with a full query, then HEAD for a new marker');
  }
  if (seq < state.prunedThrough) {
    throw new ConflictError('changesSinceMarker is older than the change history kept: resynchronise with a full query, then HEAD for a new marker');
  }
  return seq;
}

/** The `navigationId` that pins the upper end of a paged changes-since walk. */
export function formatChangesNavigation(state: Pick<ChangeLogState, 'epoch'>, upTo: number): string {
  return `changes.${state.epoch}.${upTo}`;
}

/** The upper end pinned by a changes-since `navigationId`; a 400 for anything else. */
export function parseChangesNavigation(text: string, state: ChangeLogState, after: number): number {
  const m = /^changes\.([0-9a-f]{16})\.(\d{1,15})$/.exec(text.trim());
  const upTo = m ? Number(m[2]) : NaN;
  if (!m || m[1] !== state.epoch || upTo > state.latest || upTo < after) {
    throw new BadRequestError('navigationId does not belong to this changes-since walk');
  }
  return upTo;
}
