import { asArray, isElement } from '../payload/goessner';
import type { Page, SifObject } from './types';

/**
 * A `Page` from a response's headers and its decoded collection (`<xStudents><xStudent/>…`); a 204
 * (no body) is an empty page. `requested` is the page number asked for, used when the provider
 * sends no `navigationPage` header.
 *
 * @example
 * const page = pageOf(response.headers, response.body?.value, 'xStudent', 1);
 */
export function pageOf(headers: Record<string, string>, collection: SifObject | undefined, objectName: string, requested: number): Page {
  const objects = collection ? asArray(collection[objectName]).filter(isElement) : [];
  return {
    objects,
    navigationPage: int(headers.navigationpage) ?? requested,
    navigationPageSize: int(headers.navigationpagesize),
    navigationCount: int(headers.navigationcount),
    navigationLastPage: int(headers.navigationlastpage),
    navigationId: headers.navigationid,
    changesSinceMarker: headers.changessincemarker,
    headers,
  };
}

function int(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d+$/.test(text.trim())) return undefined;
  return Number(text);
}
