import { createHash } from 'node:crypto';
import type { GoessnerObject } from '../../payload/goessner';
import { textOf } from '../../payload/goessner';
import type { OrderTerm, WhereNode } from '../../query';
import { valuesAt } from '../../query';
import type { QueryPosition } from '../../services/types';

/** Walks remembered per provider: enough for every consumer paging at once, bounded whatever they do. */
export const MAX_WALKS = 4096;
/**
 * A position longer than this (id and order values together, in characters) is not kept: the next
 * page is then served by offset. Bounds the map's memory at about MAX_WALKS × 2 KB × 2 bytes.
 */
export const MAX_POSITION_LENGTH = 1024;

/** What identifies one walk: the same query, asked by the same consumer, page after page. */
export interface WalkIdentity {
  readonly environmentId: string;
  readonly serviceName: string;
  /** The service path and the ids in its URL, for `{a}/{id}/{b}` queries. */
  readonly servicePath?: { readonly name: string; readonly parentIds: readonly string[] };
  readonly zoneId: string;
  readonly contextId: string;
  readonly where: WhereNode | undefined;
  readonly order: readonly OrderTerm[] | undefined;
  readonly pageSize: number;
  /** The `navigationId` the consumer sent, if any: a walk it names is a walk of its own. */
  readonly navigationId: string | undefined;
}

/** What a page of a walk is given beyond its offset. */
export interface WalkContinuation {
  after?: QueryPosition;
  knownTotal?: number;
}

interface WalkEntry {
  page: number;
  position: QueryPosition | undefined;
  total: number | undefined;
  /** Epoch milliseconds after which the entry is not used. */
  expiresAt: number;
}

/**
 * Where each walk through a query's pages stands, so that the page right after the last one served
 * can seek past where that one ended instead of skipping rows (OFFSET gets slower with every page:
 * a walk of n pages costs O(n²)), and can reuse the total counted on an earlier page. Only the
 * exact next page continues a walk: a jump, a repeat or a page of another size is served by offset.
 *
 * A bounded LRU: at most `maxWalks` walks, each forgotten `ttlMs` after its last page. Keys are
 * hashes of everything that identifies a walk, the consumer's environment first, so one consumer
 * can never be handed another's position, and a long where clause costs no more memory than a short one.
 *
 * @example
 * const walks = new WalkPositions(MAX_WALKS, 15 * 60_000);
 * const key = walkKey({ environmentId, serviceName: 'xStudents', zoneId, contextId, where, order, pageSize: 100, navigationId: undefined });
 * const { after, knownTotal } = walks.continuing(key, 2, Date.now());
 * // … serve page 2, then:
 * walks.record(key, 2, positionOf(lastObject, 'refId', order), totalCount, Date.now());
 */
export class WalkPositions {
  /** In least recently used order: a Map iterates in insertion order, and a use re-inserts. */
  private readonly entries = new Map<string, WalkEntry>();

  constructor(
    private readonly maxWalks: number,
    private readonly ttlMs: number,
  ) {}

  /** How many walks are remembered. */
  get size(): number {
    return this.entries.size;
  }

  /** What page `page` of walk `key` continues from: nothing unless the walk's last page was `page - 1`. */
  continuing(key: string, page: number, now: number): WalkContinuation {
    const entry = this.entries.get(key);
    if (!entry) return {};
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return {};
    }
    if (entry.page !== page - 1) return {};
    return { ...(entry.position ? { after: entry.position } : {}), ...(entry.total !== undefined ? { knownTotal: entry.total } : {}) };
  }

  /**
   * Records that page `page` of walk `key` was served and ended at `position` (undefined when it
   * was empty or its last object cannot be located: the next page is then served by offset).
   */
  record(key: string, page: number, position: QueryPosition | undefined, total: number | undefined, now: number): void {
    this.entries.delete(key);
    if (position === undefined && total === undefined) return;
    this.entries.set(key, { page, position, total, expiresAt: now + this.ttlMs });
    while (this.entries.size > this.maxWalks) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}

/**
 * The key of a walk: a SHA-256 of its identity, so that keys are short whatever the where clause,
 * and two walks share one only if they are the same walk of the same consumer.
 *
 * @example
 * walkKey({ environmentId: env.id, serviceName: 'xStudents', zoneId: 'District', contextId: 'DEFAULT', where: undefined, order: undefined, pageSize: 100, navigationId: undefined });
 */
export function walkKey(identity: WalkIdentity): string {
  const parts = [
    identity.environmentId,
    identity.serviceName,
    identity.servicePath ? [identity.servicePath.name, identity.servicePath.parentIds] : null,
    identity.zoneId,
    identity.contextId,
    identity.where ?? null,
    identity.order ?? null,
    identity.pageSize,
    identity.navigationId ?? null,
  ];
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64');
}

/**
 * Where a page ended: its last object's id and the values its `order` terms read on it (the first
 * value at each path, as `compareByOrder` reads them). Undefined when the page is empty, the object
 * has no id, or the position is too long to keep.
 *
 * @example
 * positionOf(students, 'refId', [{ path: ['name', 'familyName'], direction: 'ascending' }]); // { id: '…', orderValues: ['Smith'] }
 */
export function positionOf(objects: readonly GoessnerObject[], idAttribute: string, order: readonly OrderTerm[] | undefined): QueryPosition | undefined {
  const last = objects[objects.length - 1];
  if (!last) return undefined;
  const id = textOf(last[`@${idAttribute}`]);
  if (!id) return undefined;
  const orderValues = (order ?? []).map((term) => valuesAt(last, term.path)[0]);
  const length = orderValues.reduce((n, v) => n + (v?.length ?? 0), id.length);
  return length > MAX_POSITION_LENGTH ? undefined : { id, orderValues };
}
