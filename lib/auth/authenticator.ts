import { randomBytes } from 'node:crypto';
import { sha256Base64 } from '../util/crypto';
import type { Consumer } from '../config/consumers';
import type { BearerIdentity } from '../config/options';
import type { ResolvedConfig } from '../config/resolve';
import { UnauthorizedError } from '../errors';
import type { AuthMethod } from '../protocol/enums';
import { canonicalAuthMethod } from '../protocol/enums';
import { identityKey } from '../protocol/identity';
import type { EnvironmentRecord } from '../store/store';
import type { Credentials } from './credentials';
import { parseAuthorization } from './credentials';
import type { ReplayCache } from './replay-cache';
import type { SessionCache } from './session-cache';
import { hashSessionToken } from './session-token';
import type { TimestampWindow } from './verify';
import { verifySharedSecret } from './verify';

/** The authentication material of one request, wherever it was carried. */
export interface AuthInput {
  /** The Authorization value (or one rebuilt from `access_token` and `authenticationMethod`). */
  authorization: string | undefined;
  /** The `timestamp` header, or the query parameter when the header is absent. */
  timestamp: string | undefined;
}

/** An application proven to be a registered consumer: the outcome for environment creation. */
export interface AuthenticatedApplication {
  consumer: Consumer;
  method: AuthMethod;
  /** The shared secret that was proven (Basic/HMAC), from which the session token is derived. */
  secret: string | undefined;
  /** Set when the application authenticated with Bearer. */
  bearer: BearerIdentity | undefined;
}

/** A request proven to belong to a live environment. */
export interface AuthenticatedSession {
  environment: EnvironmentRecord;
  consumer: Consumer;
  method: AuthMethod;
  /** The session token the request proved (absent with Bearer). */
  sessionToken: string | undefined;
}

/** Basic or SIF_HMACSHA256 credentials: those proven against a shared secret. */
type SharedSecretCredentials = Exclude<Credentials, { method: 'Bearer' }>;

// One message for every credential failure, so that responses do not reveal which keys exist.
const INVALID = 'Invalid credentials';
// Stands in for the secret of an unknown application key; random, so that it never matches.
const UNKNOWN_SECRET = randomBytes(32).toString('base64');

/**
 * Authenticates requests as Infrastructure Services §4.1 and interop.md §1 describe: the
 * application key (on environment create) or the session token (on every other request) as the
 * user, the application's shared secret as the key. A session must use the method its environment
 * agreed at creation. With a `replays` cache (`authentication.rejectReplays`), an HMAC request
 * already accepted is refused. Knows nothing about HTTP.
 *
 * @example
 * const authenticator = new Authenticator(config, new SessionCache(1000), config.rejectReplays ? new ReplayCache() : undefined);
 * const session = await authenticator.session({ authorization, timestamp });
 */
export class Authenticator {
  constructor(
    private readonly config: ResolvedConfig,
    private readonly cache: SessionCache,
    private readonly replays?: ReplayCache,
  ) {}

  /** Authenticates an environment-create request: the user is the application key. */
  async authenticateApplication(input: AuthInput): Promise<AuthenticatedApplication> {
    const credentials = this.credentials(input);
    if (credentials.method === 'Bearer') {
      const bearer = await this.verifyBearer(credentials.token);
      const consumer = await this.consumerFor(bearer.applicationKey, 'Bearer');
      return { consumer, method: 'Bearer', secret: undefined, bearer };
    }
    const consumer = await this.config.findConsumer(credentials.user);
    if (!consumer?.secret) {
      // Do the same work as for a known key, so that timing does not tell which keys exist.
      verifySharedSecret(credentials, UNKNOWN_SECRET, input.timestamp, this.window());
      throw new UnauthorizedError(INVALID);
    }
    const timestampMs = verifySharedSecret(credentials, consumer.secret, input.timestamp, this.window());
    assertMethodAllowed(consumer, credentials.method);
    this.refuseReplay(input, timestampMs);
    return { consumer, method: credentials.method, secret: consumer.secret, bearer: undefined };
  }

  /**
   * Authenticates any request after environment creation: the user is the session token. Without a
   * promise when none is needed: a Basic or HMAC request whose session is in the cache, of a
   * consumer from a fixed list, is answered synchronously (the hot path: no microtask hops);
   * anything that must wait (the store, a lookup function, Bearer) is returned as a promise. The
   * checks and their order are the same either way. Throws (rather than rejects) when the
   * synchronous part refuses the request.
   */
  session(input: AuthInput): AuthenticatedSession | Promise<AuthenticatedSession> {
    const credentials = this.credentials(input);
    if (credentials.method === 'Bearer') return this.bearerSession(credentials.token);
    const hash = hashSessionToken(credentials.user);
    const environment = this.cache.get(hash);
    const findConsumerNow = this.config.findConsumerNow;
    if (environment && findConsumerNow) return this.provenSession(credentials, input, environment, findConsumerNow(environment.applicationKey));
    return this.sharedSecretSession(credentials, input, hash, environment);
  }

  private async bearerSession(token: string): Promise<AuthenticatedSession> {
    const bearer = await this.verifyBearer(token);
    const consumer = await this.consumerFor(bearer.applicationKey, 'Bearer');
    const environment = await this.config.store.findEnvironmentByIdentity(identityKey(bearer));
    if (!environment) throw new UnauthorizedError('No environment is registered for this Bearer identity');
    assertAgreedMethod(environment, 'Bearer');
    return { environment, consumer, method: 'Bearer', sessionToken: undefined };
  }

  /** The asynchronous path of a Basic or HMAC session: the environment from the store, or the consumer from a lookup. */
  private async sharedSecretSession(
    credentials: SharedSecretCredentials,
    input: AuthInput,
    hash: string,
    cached: EnvironmentRecord | undefined,
  ): Promise<AuthenticatedSession> {
    const environment = cached ?? (await this.findSession(hash));
    const consumer = await this.config.findConsumer(environment.applicationKey);
    return this.provenSession(credentials, input, environment, consumer);
  }

  /** Checks Basic or HMAC credentials against the session's consumer. */
  private provenSession(
    credentials: SharedSecretCredentials,
    input: AuthInput,
    environment: EnvironmentRecord,
    consumer: Consumer | undefined,
  ): AuthenticatedSession {
    if (!consumer?.secret) throw new UnauthorizedError(INVALID);
    const timestampMs = verifySharedSecret(credentials, consumer.secret, input.timestamp, this.window());
    assertMethodAllowed(consumer, credentials.method);
    // Checked once the credentials are proven, so that only the session's owner learns the method.
    assertAgreedMethod(environment, credentials.method);
    this.refuseReplay(input, timestampMs);
    return { environment, consumer, method: credentials.method, sessionToken: credentials.user };
  }

  /**
   * The session of a delayed request being run after its 202: the environment it was accepted for,
   * if it and its consumer still exist. Credentials were checked when the request was accepted.
   */
  async replaySession(environmentId: string): Promise<AuthenticatedSession> {
    const environment = await this.config.store.getEnvironment(environmentId);
    const consumer = environment && (await this.config.findConsumer(environment.applicationKey));
    if (!environment || !consumer) throw new UnauthorizedError('The environment of this delayed request is gone');
    // The request was accepted on this environment's session, so with the method it agreed.
    const method = canonicalAuthMethod(environment.authenticationMethod) ?? 'Basic';
    return { environment, consumer, method, sessionToken: undefined };
  }

  /** Forgets cached sessions of an environment whose token changed, or (`deleted`) that is being deleted. */
  forgetEnvironment(environmentId: string, deleted: boolean): void {
    this.cache.evictEnvironment(environmentId, deleted);
  }

  private credentials(input: AuthInput): Credentials {
    if (!input.authorization) throw new UnauthorizedError('This request needs an Authorization header');
    return parseAuthorization(input.authorization);
  }

  /** The environment of a session token's hash, from the store (the cache has already been asked). */
  private async findSession(hash: string): Promise<EnvironmentRecord> {
    // An environment changed while it is read (a provision request decided, its token re-issued)
    // is evicted meanwhile: then this read, maybe of the old record, is used but not cached.
    const lookedUpAt = this.cache.evictionCount;
    const environment = await this.config.store.findEnvironmentBySessionHash(hash);
    if (!environment) throw new UnauthorizedError(INVALID);
    this.cache.set(hash, environment, lookedUpAt);
    return environment;
  }

  private async verifyBearer(token: string): Promise<BearerIdentity> {
    if (!this.config.verifyBearer) throw new UnauthorizedError('Bearer authentication is not enabled');
    const identity = await this.config.verifyBearer(token);
    if (!identity || typeof identity.applicationKey !== 'string') throw new UnauthorizedError(INVALID);
    return identity;
  }

  private async consumerFor(applicationKey: string, method: AuthMethod): Promise<Consumer> {
    const consumer = await this.config.findConsumer(applicationKey);
    if (!consumer) throw new UnauthorizedError(INVALID);
    assertMethodAllowed(consumer, method);
    return consumer;
  }

  /**
   * With `rejectReplays`, refuses an HMAC request whose Authorization and timestamp were accepted
   * before. Only proven requests are remembered: a stranger cannot fill the cache, nor spend a
   * value before its owner sends it. Basic carries no timestamp and repeats by design.
   */
  private refuseReplay(input: AuthInput, timestampMs: number | undefined): void {
    if (!this.replays || timestampMs === undefined) return;
    // A digest keeps every entry the same small size, whatever the header's length.
    const key = sha256Base64(`${input.authorization ?? ''}\n${input.timestamp ?? ''}`);
    if (this.replays.isReplay(key, timestampMs + this.config.timestampPastMs, this.config.clock().getTime())) {
      throw new UnauthorizedError('This request was already received (replay): send a new timestamp and hash');
    }
  }

  private window(): TimestampWindow {
    return { now: this.config.clock(), pastMs: this.config.timestampPastMs, futureMs: this.config.timestampFutureMs };
  }
}

/** A session uses the method its environment agreed at creation (names compared case-insensitively). */
function assertAgreedMethod(environment: EnvironmentRecord, method: AuthMethod): void {
  const agreed = canonicalAuthMethod(environment.authenticationMethod);
  if (agreed !== method) {
    throw new UnauthorizedError(`This environment agreed to authenticate with ${agreed ?? environment.authenticationMethod.slice(0, 40)}, not ${method}`);
  }
}

function assertMethodAllowed(consumer: Consumer, method: AuthMethod): void {
  if (!consumer.authenticationMethods.includes(method)) {
    throw new UnauthorizedError(`Authentication method ${method} is not allowed for this consumer`);
  }
}
