import { pageOf } from './paging';
import type { ServiceTarget } from './service-target';
import type { SendOptions } from './transport';
import type { Page, Scope, SifObject } from './types';

/**
 * What to query: SIF `where` and `order` (with or without their brackets), paging, zone, context,
 * and the query intention (`ALL` asks the provider to pin a snapshot for a consistent walk).
 *
 * @example
 * students.query({ where: '[name/familyName="Smith"]', order: '[name/givenName=ascending]', pageSize: 50 });
 */
export interface QueryOptions extends Scope {
  where?: string;
  order?: string;
  pageSize?: number;
  /** The first page to ask for; default 1. */
  page?: number;
  intention?: 'ALL' | 'ONE-OFF' | 'NO-CACHING';
  signal?: AbortSignal;
}

/**
 * One page of changes since a marker, split into objects changed (in their current state) and ids
 * deleted (the provider sends a deleted object as its id alone).
 *
 * @example
 * for await (const page of students.changesSince(marker)) { upsert(page.changed); remove(page.deleted); }
 */
export interface ChangesPage extends Page {
  changed: SifObject[];
  deleted: string[];
}

/** The page loop shared by queries, query by example and changes since. */
export async function* walk(
  target: ServiceTarget,
  query: { pageSize?: number; page?: number; signal?: AbortSignal },
  request: (page: number, pageSize: number, navigationId: string | undefined) => Omit<SendOptions, 'expect' | 'what'>,
): AsyncIterable<Page> {
  const size = query.pageSize ?? target.pageSize;
  let number = query.page ?? 1;
  let navigationId: string | undefined;
  for (;;) {
    const response = await target.send({
      ...request(number, size, navigationId),
      expect: [200, 204],
      what: `query ${target.plural} page ${number}`,
      ...(query.signal ? { signal: query.signal } : {}),
    });
    const body = response.body?.value;
    const page = pageOf(response.headers, body, target.objectName, number);
    page.objects = page.objects.map((o) => target.shape(o));
    navigationId ??= page.navigationId;
    yield page;
    if (response.status === 204 || page.objects.length === 0) return;
    const last = page.navigationLastPage;
    if (last !== undefined ? page.navigationPage >= last : page.objects.length < size) return;
    number = page.navigationPage + 1;
  }
}

/** A page of changes split into changed objects and deleted ids (an object that is its id alone). */
export function changesPage(page: Page, idOf: (object: SifObject) => string | undefined): ChangesPage {
  const changed: SifObject[] = [];
  const deleted: string[] = [];
  for (const object of page.objects) {
    const id = idOf(object);
    if (id !== undefined && Object.keys(object).length === 1) deleted.push(id);
    else changed.push(object);
  }
  return { ...page, changed, deleted };
}

/** The objects of a page walk, one by one. */
export async function* objectsOf(pages: AsyncIterable<Page>): AsyncIterable<SifObject> {
  for await (const page of pages) yield* page.objects;
}

export function queryParams(query: QueryOptions): Record<string, string | undefined> {
  return { where: bracketed(query.where), order: bracketed(query.order) };
}

function bracketed(text: string | undefined): string | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const t = text.trim();
  return t.startsWith('[') ? t : `[${t}]`;
}

export function pagingHeaders(page: number, size: number, navigationId: string | undefined, intention: string | undefined): Record<string, string | undefined> {
  return { navigationPage: String(page), navigationPageSize: String(size), navigationId, queryIntention: intention };
}
