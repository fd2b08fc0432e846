import type { GoessnerValue } from '../payload/goessner';
import { textOf } from '../payload/goessner';
import { authorization } from './auth';
import { INFRASTRUCTURE_NAMESPACE, decode, encode, mediaType } from './codec';
import type { Environment } from './environment';
import { environmentRequest, parseEnvironment } from './environment';
import { SifClientError } from './errors';
import type { JsonNotation } from './profiles';
import { ShapeBook, acceptProfile, contentProfile, encodePesc, isPesc, readPesc } from './profiles';
import type { AuthMethod, FetchLike, Format, SifObject, WebCryptoLike } from './types';

/**
 * Everything `SifClient.connect` needs: where the provider is, who the consumer is, and how it
 * speaks. Only `url`, `applicationKey` and `secret` are required.
 *
 * @example
 * const options: ConnectOptions = { url: 'http://localhost:3000/sif3', applicationKey: 'DemoApp', secret: 'DemoSecret',
 *   authMethod: 'SIF_HMACSHA256', format: 'json' };
 */
export interface ConnectOptions {
  /** The provider's mount point: environments are registered at `{url}/environments/environment`. */
  url: string;
  applicationKey: string;
  secret: string;
  /** Default `Basic`. */
  authMethod?: AuthMethod;
  /** Default `xml` (`json` with `json: 'pesc'`). */
  format?: Format;
  /**
   * The JSON notation: `goessner` (default) or `pesc` (SIF 3.3 content profiles: `Accept-Profile` and
   * `Content-Profile` say `+pesc`; answers in PESC are read back into the same Goessner shapes).
   */
  json?: JsonNotation;
  instanceId?: string;
  userToken?: string;
  solutionId?: string;
  consumerName?: string;
  /** Default `globalThis.fetch`. */
  fetch?: FetchLike;
  /** Default `globalThis.crypto`: Web Crypto, for SIF_HMACSHA256 and request ids. */
  crypto?: WebCryptoLike;
}

/**
 * One request as the rest of the client describes it. `url` is built from the environment, so a
 * request retried after re-registering goes to the new environment's URLs.
 *
 * @example
 * transport.send({ method: 'GET', url: (env) => `${env.urls.requestsConnector}/xStudents`, expect: [200, 204], what: 'GET xStudents' });
 */
export interface SendOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'HEAD';
  url: (env: Environment) => string;
  expect: readonly number[];
  /** How the request appears in errors, e.g. `GET xStudents/1234`. */
  what: string;
  headers?: Record<string, string | undefined>;
  body?: { root: string; value: GoessnerValue; namespace?: string };
  /** The namespace of the service's objects, on data requests: its data profile is asked for first. */
  dataNamespace?: string;
  signal?: AbortSignal;
}

/**
 * An answer whose status was expected: its headers (lower-cased names) and its decoded body, if any.
 *
 * @example
 * const { status, headers, body } = await transport.send(request);
 */
export interface SifResponse {
  status: number;
  headers: Record<string, string>;
  body: { root: string; value: SifObject } | undefined;
}

/**
 * The session with one provider: registers the environment on first use (a 409 that carries the
 * existing environment is success), signs every request afresh (a new timestamp each time, so
 * SIF_HMACSHA256 never replays), re-registers once when the session is gone (401) and retries, and
 * turns unexpected answers into `SifClientError`s. All state is per instance.
 *
 * @example
 * const transport = new Transport({ url, applicationKey: 'DemoApp', secret: 'DemoSecret' });
 * const env = await transport.environment();
 */
export class Transport {
  readonly format: Format;
  readonly json: JsonNotation;
  /** The PESC shapes of the services declared on this client (`client.service(…)`). */
  readonly shapes = new ShapeBook();
  readonly authMethod: AuthMethod;
  private readonly fetchFn: FetchLike;
  private readonly crypto: WebCryptoLike | undefined;
  private current: Environment | undefined;
  // One registration at a time: concurrent requests that all met a 401 share it.
  private registering: Promise<Environment> | undefined;

  constructor(private readonly options: ConnectOptions) {
    if (options.json !== undefined && options.json !== 'goessner' && options.json !== 'pesc') throw new Error(`json must be 'goessner' or 'pesc', not ${String(options.json)}`);
    this.json = options.json ?? 'goessner';
    if (this.json === 'pesc' && options.format === 'xml') throw new Error("json: 'pesc' is a JSON notation: it needs format 'json' (or none)");
    this.format = options.format ?? (this.json === 'pesc' ? 'json' : 'xml');
    this.authMethod = options.authMethod ?? 'Basic';
    const fetchFn = options.fetch ?? globalThis.fetch;
    if (typeof fetchFn !== 'function') throw new Error('No fetch on this platform: pass `fetch` to connect()');
    // Called unbound, some platforms' fetch throws "Illegal invocation".
    this.fetchFn = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
    this.crypto = options.crypto ?? (globalThis as { crypto?: WebCryptoLike }).crypto;
  }

  /** The current environment, registering first when there is none. */
  async environment(): Promise<Environment> {
    return this.current ?? this.register();
  }

  /** The environment if one is registered, without registering. */
  get registered(): Environment | undefined {
    return this.current;
  }

  /** A fresh request id (a v4 UUID), for delayed requests. */
  newRequestId(): string {
    if (this.crypto?.randomUUID) return this.crypto.randomUUID();
    const bytes = new Uint8Array(16);
    if (this.crypto?.getRandomValues) this.crypto.getRandomValues(bytes);
    else for (let i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** Registers (or re-attaches to) the environment; 201 and 409-with-environment both succeed. */
  register(): Promise<Environment> {
    this.registering ??= this.registerOnce().finally(() => {
      this.registering = undefined;
    });
    return this.registering;
  }

  private async registerOnce(): Promise<Environment> {
    const o = this.options;
    const url = `${o.url.replace(/\/+$/, '')}/environments/environment`;
    const body = environmentRequest({ ...o, authMethod: this.authMethod });
    const response = await this.exchange('POST', url, o.applicationKey, { root: 'environment', value: body, namespace: INFRASTRUCTURE_NAMESPACE }, {}, undefined, 'Register environment', undefined);
    const decoded = await this.read(response, 'Register environment');
    if ((response.status === 201 || response.status === 409) && decoded?.root === 'environment') {
      const env = parseEnvironment(decoded.value);
      // An existing environment keeps the method it was created with, and refuses requests signed
      // another way (401): say so now rather than fail every request after.
      if (env.authenticationMethod && env.authenticationMethod.toLowerCase() !== this.authMethod.toLowerCase()) {
        throw new SifClientError(409, `Register environment: this identity's environment uses ${env.authenticationMethod}, not ${this.authMethod}; connect with authMethod ${env.authenticationMethod} or another instanceId`, { request: 'Register environment' });
      }
      this.current = env;
      return this.current;
    }
    throw failure(response.status, decoded, 'Register environment');
  }

  /**
   * Sends one request in the environment's session. A 401 means the session is gone (the
   * environment was deleted, or the secret changed): it re-registers and tries once more.
   */
  async send(request: SendOptions): Promise<SifResponse> {
    let env = await this.environment();
    let response = await this.attempt(request, env);
    if (response.status === 401) {
      // Another request may have re-registered already; only a stale token starts a new registration.
      env = this.current && this.current.sessionToken !== env.sessionToken ? this.current : await this.register();
      response = await this.attempt(request, env);
    }
    const decoded = request.method === 'HEAD' ? undefined : await this.read(response, request.what);
    if (!request.expect.includes(response.status)) throw failure(response.status, decoded, request.what);
    return { status: response.status, headers: headersOf(response), body: decoded };
  }

  /** Deletes the environment (its queues and subscriptions go with it) and forgets the session. */
  async close(): Promise<void> {
    const env = this.current;
    if (!env) return;
    const url = env.urls.environment ?? `${this.options.url.replace(/\/+$/, '')}/environments/${encodeURIComponent(env.id)}`;
    const response = await this.exchange('DELETE', url, env.sessionToken, undefined, {}, undefined, 'Delete environment', undefined);
    this.current = undefined;
    if (response.status !== 204 && response.status !== 200 && response.status !== 401 && response.status !== 404) {
      throw failure(response.status, await this.read(response, 'Delete environment'), 'Delete environment');
    }
  }

  private attempt(request: SendOptions, env: Environment): Promise<Response> {
    return this.exchange(request.method, request.url(env), env.sessionToken, request.body, request.headers ?? {}, request.signal, request.what, request.dataNamespace);
  }

  /** One HTTP exchange, signed now. */
  private async exchange(
    method: string,
    url: string,
    user: string,
    body: SendOptions['body'],
    extra: Record<string, string | undefined>,
    signal: AbortSignal | undefined,
    what: string,
    dataNamespace: string | undefined,
  ): Promise<Response> {
    const timestamp = new Date().toISOString();
    const headers: Record<string, string> = {
      Authorization: await authorization(this.authMethod, user, this.options.secret, timestamp, this.crypto?.subtle),
      timestamp,
      Accept: mediaType(this.format),
    };
    const pesc = this.json === 'pesc';
    if (pesc) headers['Accept-Profile'] = acceptProfile(dataNamespace);
    for (const [name, value] of Object.entries(extra)) if (value !== undefined) headers[name] = value;
    const init: RequestInit = { method, headers };
    if (body) {
      headers['Content-Type'] = mediaType(this.format);
      if (pesc) headers['Content-Profile'] = contentProfile(body.namespace);
      init.body = pesc ? encodePesc(body.root, body.value, this.shapes) : encode(this.format, body.root, body.value, body.namespace);
    }
    if (signal) init.signal = signal;
    try {
      return await this.fetchFn(url, init);
    } catch (cause) {
      if (signal?.aborted) throw cause;
      throw new SifClientError(0, `${what}: no answer from ${url} (${cause instanceof Error ? cause.message : String(cause)})`, { request: what, cause });
    }
  }

  private async read(response: Response, what: string): Promise<{ root: string; value: SifObject } | undefined> {
    const text = await response.text();
    if (text.trim() === '') return undefined;
    try {
      const decoded = decode(text, response.headers.get('content-type'), this.format, response.status);
      const json = response.headers.get('content-type')?.includes('json') ?? this.format === 'json';
      if (!json || !isPesc(response.headers.get('content-profile'), this.json)) return decoded;
      return { root: decoded.root, value: readPesc(decoded.root, decoded.value, this.shapes) };
    } catch (error) {
      // An unexpected status with a body that is not SIF (a proxy's HTML page) still reports the status.
      if (response.status >= 400) return undefined;
      throw Object.assign(error as Error, { request: what });
    }
  }
}

/** The error for an unexpected answer, with the SIF error object when the body is one. */
function failure(status: number, decoded: { root: string; value: SifObject } | undefined, what: string): SifClientError {
  if (decoded?.root === 'error') {
    const message = textOf(decoded.value.message) ?? `HTTP ${status}`;
    return new SifClientError(status, `${what}: ${status} ${message}`, { error: decoded.value, request: what });
  }
  return new SifClientError(status, `${what}: unexpected HTTP ${status}`, { request: what });
}

function headersOf(response: Response): Record<string, string> {
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}
