import type { InfrastructureVersion } from '../../lib/protocol/enums';
import { basicAuth, hmacAuth } from '../helpers/consumer-auth';
import { listen, startExample } from '../helpers/example';

/** One HTTP exchange as the audit saw it. */
export interface Exchange {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed JSON body, when the answer was JSON. */
  json: any;
}

/** Options of one request. */
export interface Call {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** `basic` (default when a user is given) or `hmac`. */
  auth?: { user: string; secret: string; method?: 'basic' | 'hmac'; timestampIn?: 'header' | 'query' };
}

/**
 * The audit's view of the example SIS: started on a free loopback port with its own data folder,
 * spoken to over real HTTP with credentials computed from interop.md §1, every infrastructure XML
 * payload it answers kept for schema validation.
 */
export class Harness {
  /** Infrastructure XML answers, with the version their namespace names (a 3.3 answer to a 3.3 `Accept-Profile`). */
  readonly payloads: { root: string; xml: string; version: InfrastructureVersion }[] = [];
  private constructor(
    readonly version: InfrastructureVersion,
    readonly base: string,
    private readonly example: ReturnType<typeof startExample>,
    private readonly server: Awaited<ReturnType<typeof listen>>,
    private readonly skew: { ms: number },
  ) {}

  static async start(version: InfrastructureVersion): Promise<Harness> {
    // The provider's clock runs `skew.ms` ahead of the system's: 0 except inside `later`.
    const skew = { ms: 0 };
    const example = startExample({ seed: { students: 300 }, provider: { infrastructureVersion: version, clock: () => new Date(Date.now() + skew.ms) } });
    const server = await listen(example.app);
    return new Harness(version, `${server.base}/sif3`, example, server, skew);
  }

  /**
   * Runs `work` (host calls on `provider`, no HTTP: signatures would be stale) with the provider's
   * clock `ms` ahead, for checks of what happens in time (job timeouts), then sets it right again.
   */
  async later<T>(ms: number, work: () => Promise<T>): Promise<T> {
    this.skew.ms = ms;
    try {
      return await work();
    } finally {
      this.skew.ms = 0;
    }
  }

  async stop(): Promise<void> {
    await this.server.close();
    await this.example.close();
  }

  /** The provider object, for checks that act as the host's administrator (deciding provision requests). */
  get provider() {
    return this.example.provider;
  }

  /** The SIS database, for checks that compare answers with the data. */
  get sis() {
    return this.example.sis;
  }

  async call(path: string, options: Call = {}): Promise<Exchange> {
    const headers: Record<string, string> = { ...options.headers };
    let url = `${this.base}${path}`;
    if (options.auth) {
      const { user, secret } = options.auth;
      if (options.auth.method === 'hmac') {
        const timestamp = new Date().toISOString();
        headers.Authorization = hmacAuth(user, secret, timestamp);
        if (options.auth.timestampIn === 'query') url += `${url.includes('?') ? '&' : '?'}timestamp=${encodeURIComponent(timestamp)}`;
        else headers.timestamp = timestamp;
      } else {
        headers.Authorization = basicAuth(user, secret);
      }
    }
    const res = await fetch(url, { method: options.method ?? 'GET', headers, body: options.body });
    const text = await res.text();
    const type = res.headers.get('content-type') ?? '';
    const exchange: Exchange = { status: res.status, headers: res.headers, text, json: type.includes('json') && text ? JSON.parse(text) : undefined };
    const [, root, version] = /^<\?xml[^>]*\?><(\w+) xmlns="http:\/\/www\.sifassociation\.org\/infrastructure\/(3\.2\.1|3\.3)"/.exec(text) ?? [];
    if (root && this.payloads.filter((p) => p.root === root && p.version === version).length < 5) this.payloads.push({ root, xml: text, version: version as InfrastructureVersion });
    return exchange;
  }

  /** Registers a consumer and returns what later requests need. */
  async register(applicationKey: string, secret: string, instanceId: string): Promise<Session> {
    const res = await this.call('/environments/environment', {
      method: 'POST',
      headers: { Accept: 'application/json', instanceId },
      auth: { user: applicationKey, secret },
    });
    if (res.status !== 201) throw new Error(`registration of ${applicationKey} answered ${res.status}`);
    const env = res.json.environment;
    return { id: env['@id'], token: env.sessionToken, secret, environment: env };
  }
}

/** A registered consumer's session. */
export interface Session {
  id: string;
  token: string;
  secret: string;
  environment: any;
}
