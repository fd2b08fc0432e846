import type { Request } from 'express';
import type { ParsedUrlQuery } from 'node:querystring';
import { parse } from 'node:querystring';

/**
 * A SIF parameter that may come as a header or a query parameter: the header wins (Base
 * Architecture §4.3.2). Header names are case-insensitive; query names are case-sensitive.
 *
 * @example
 * headerOrQuery(req, 'navigationPage'); // '2'
 */
export function headerOrQuery(req: Request, name: string): string | undefined {
  return header(req, name) ?? queryParam(req, name);
}

/** A request header (case-insensitive name); the first value when repeated. */
export function header(req: Request, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** A query parameter (case-sensitive name); the first value when repeated. */
export function queryParam(req: Request, name: string): string | undefined {
  const value = parsedQuery(req)[name];
  return Array.isArray(value) ? value[0] : value;
}

// Express 5's `req.query` parses the query string again on every access: parse it once per request.
const parsedQueries = new WeakMap<Request, ParsedUrlQuery>();

function parsedQuery(req: Request): ParsedUrlQuery {
  let query = parsedQueries.get(req);
  if (!query) {
    const q = req.url.indexOf('?');
    query = q < 0 ? {} : parse(req.url.slice(q + 1));
    parsedQueries.set(req, query);
  }
  return query;
}
