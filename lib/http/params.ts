import type { Request } from 'express';

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
  const value: unknown = (req.query as Record<string, unknown>)[name];
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  return undefined;
}
