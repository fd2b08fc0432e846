import autocannon from 'autocannon';
import { cpuMicros } from './proc';
import { sign } from './sign';

/** One request shape: each request gets a fresh signature when `signAs` is given. */
export interface LoadRequest {
  method: 'GET' | 'POST' | 'DELETE' | 'HEAD';
  /** The path, or a function giving each request its own (e.g. a different id to delete). */
  path: string | (() => string);
  headers?: Record<string, string>;
  body?: string;
  /** Session token and secret to sign every request with (SIF_HMACSHA256, timestamp = now). */
  signAs?: { user: string; secret: string };
}

export interface LoadFigures {
  rps: number;
  /** Server CPU (user + system) per request answered, µs. */
  cpuPerRequest: number;
  requests: number;
  p50: number;
  p99: number;
  /** Non-2xx answers, errors and timeouts. */
  bad: number;
  /**
   * Count of each status that was not 2xx in the measured run, e.g. { '404': 3 }; a 2xx answer of a
   * multi-object request with any object refused counts as `item-failed` (it did not do the work).
   */
  statuses: Record<string, number>;
}

/** A createResponse/updateResponse/deleteResponse item with a 4xx or 5xx status (XML or JSON). */
const ITEM_FAILED = /statusCode="[45]\d\d"|"@?statusCode":\s*"?[45]\d\d/;

/**
 * One untimed warm-up and one measured autocannon run against `base` (both bounded in time), with
 * the server process's CPU read from /proc before and after the measured run.
 */
export async function measureLoad(base: string, pid: number, request: LoadRequest, opts: { connections: number; warmup: number; duration: number }): Promise<LoadFigures> {
  const statuses: Record<string, number> = {};
  const options = (duration: number): autocannon.Options => ({
    url: base,
    connections: opts.connections,
    duration,
    timeout: 30,
    requests: [
      {
        method: request.method as autocannon.Request['method'],
        ...(request.body !== undefined ? { body: request.body } : {}),
        setupRequest: (req) => ({
          ...req,
          path: typeof request.path === 'function' ? request.path() : request.path,
          headers: { ...req.headers, ...request.headers, ...(request.signAs ? sign(request.signAs.user, request.signAs.secret) : {}) },
        }),
        onResponse: (status, body) => {
          if (status < 200 || status > 299) statuses[status] = (statuses[status] ?? 0) + 1;
          else if (body && ITEM_FAILED.test(body)) statuses['item-failed'] = (statuses['item-failed'] ?? 0) + 1;
        },
      },
    ],
  });
  if (opts.warmup > 0) await autocannon(options(opts.warmup));
  for (const status of Object.keys(statuses)) delete statuses[status]; // count the measured run only
  const cpu0 = cpuMicros(pid);
  const result = await autocannon(options(opts.duration));
  const cpu1 = cpuMicros(pid);
  const requests = result.requests.total;
  return {
    rps: result.requests.average,
    cpuPerRequest: (cpu1 - cpu0) / Math.max(1, requests),
    requests,
    p50: result.latency.p50,
    p99: result.latency.p99,
    bad: result.non2xx + result.errors + result.timeouts + (statuses['item-failed'] ?? 0),
    statuses,
  };
}
