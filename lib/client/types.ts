import type { GoessnerObject } from '../payload/goessner';

/**
 * An object in Goessner notation, the one shape the client hands out whatever the wire format:
 * `@name` attributes, `#text` beside attributes, arrays for repeated elements, text as strings.
 *
 * @example
 * const student: SifObject = { '@refId': 'c1…', name: { familyName: 'Smith', givenName: 'Amy' } };
 */
export type SifObject = GoessnerObject;

/**
 * How the client authenticates: the shared secret travels (Basic) or only an HMAC of a fresh
 * timestamp does (SIF_HMACSHA256).
 *
 * @example
 * const auth: AuthMethod = 'SIF_HMACSHA256';
 */
export type AuthMethod = 'Basic' | 'SIF_HMACSHA256';

/**
 * The wire format of bodies, both ways. Both decode to the same Goessner shapes.
 *
 * @example
 * const format: Format = 'json';
 */
export type Format = 'xml' | 'json';

/**
 * The part of `fetch` the client uses; pass your own (a polyfill, an instrumented one) in `connect`.
 *
 * @example
 * const logged: FetchLike = (url, init) => { console.log(init?.method, url); return fetch(url, init); };
 */
export type FetchLike = (url: string, init?: RequestInit) => Promise<Response>;

/**
 * One page of a query or of changes since, with the paging headers the provider sent. An empty page
 * (a 204) has no objects.
 *
 * @example
 * for await (const page of students.pages({ pageSize: 500 })) console.log(page.navigationPage, '/', page.navigationLastPage);
 */
export interface Page {
  objects: SifObject[];
  /** 1-based number of this page. */
  navigationPage: number;
  navigationPageSize: number | undefined;
  /** How many objects the whole query matches, when the provider says. */
  navigationCount: number | undefined;
  navigationLastPage: number | undefined;
  /** Pins the walk (a snapshot or a changes-since walk); sent back on the next pages. */
  navigationId: string | undefined;
  /** The provider's changes-since marker, on HEAD answers and the first page of changes since. */
  changesSinceMarker: string | undefined;
  /** Every response header, lower-cased names. */
  headers: Record<string, string>;
}

/** The outcome of one object of a multi-object create, update or delete (see lib/payload/operation-results.ts). */
export type { OperationResult } from '../payload/operation-results';

/**
 * Where a request is served: a zone and a context other than the consumer's defaults.
 *
 * @example
 * students.query({ zoneId: 'HighSchool', contextId: 'DEFAULT' });
 */
export interface Scope {
  zoneId?: string;
  contextId?: string;
}

/**
 * The part of Web Crypto the client uses (HMAC-SHA256 and random ids), written out so the client
 * compiles without DOM or Node typings; `globalThis.crypto` of Node 20 and browsers fits it.
 *
 * @example
 * SifClient.connect({ ...options, crypto: globalThis.crypto });
 */
export interface WebCryptoLike {
  subtle?: {
    importKey(format: 'raw', keyData: Uint8Array, algorithm: { name: 'HMAC'; hash: 'SHA-256' }, extractable: boolean, usages: ['sign']): Promise<unknown>;
    sign(algorithm: 'HMAC', key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
  };
  randomUUID?(): string;
  getRandomValues?<T extends Uint8Array>(array: T): T;
}
