import express from 'express';
import type { Router } from 'express';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Replay } from '../http/replay';
import { markReplay } from '../http/replay';

/** What a request run inside the provider answered. */
export interface CapturedResponse {
  status: number;
  /** Header names as written. */
  headers: Record<string, string>;
  body: Buffer;
}

/** A request to run: as the consumer sent it, minus credentials. */
export interface RequestToRun {
  method: string;
  /** Path below the mount point, with matrix parameters and query string. */
  url: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Runs requests through the provider's own router without a network connection: the delayed
 * request after its 202, with exactly the code an immediate request goes through. The request is
 * marked as a replay so that it is authenticated as the session that sent it.
 */
export class InProcessRunner {
  private readonly app: express.Express;

  constructor(router: Router) {
    this.app = express();
    this.app.disable('x-powered-by');
    this.app.disable('etag');
    this.app.use(router);
  }

  run(request: RequestToRun, replay: Replay): Promise<CapturedResponse> {
    return new Promise((resolve, reject) => {
      const req = new IncomingMessage(new Socket());
      req.method = request.method;
      req.url = request.url;
      req.headers = { ...request.headers, 'content-length': String(request.body.length) };
      if (request.body.length > 0) req.push(request.body);
      req.push(null);
      markReplay(req, replay);

      const res = new ServerResponse(req);
      const captured: CapturedResponse = { status: 200, headers: {}, body: Buffer.alloc(0) };
      const chunks: Buffer[] = [];
      const writeHead = res.writeHead.bind(res);
      res.writeHead = ((status: number, ...rest: unknown[]) => {
        captured.status = status;
        const list = rest.find((r) => typeof r === 'object' && r !== null);
        if (Array.isArray(list)) for (let i = 0; i + 1 < list.length; i += 2) captured.headers[String(list[i])] = String(list[i + 1]);
        else if (list) for (const [k, v] of Object.entries(list)) captured.headers[k] = String(v);
        for (const [k, v] of Object.entries(res.getHeaders())) if (v !== undefined) captured.headers[k] ??= String(v);
        return writeHead(status, ...(rest as []));
      }) as typeof res.writeHead;
      res.write = ((chunk: unknown) => {
        if (chunk) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
        return true;
      }) as typeof res.write;
      res.end = ((chunk?: unknown) => {
        if (!res.headersSent) res.writeHead(res.statusCode);
        if (chunk && typeof chunk !== 'function') chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
        captured.body = Buffer.concat(chunks);
        resolve(captured);
        return res;
      }) as typeof res.end;
      this.app(req as express.Request, res as express.Response, (err?: unknown) => {
        reject(err instanceof Error ? err : new Error('sif3-direct: a delayed request was not answered'));
      });
    });
  }
}
