/**
 * An OCI distribution client for one registry host: tags (paginated), manifests and indexes,
 * digests, blobs, image configs, and monolithic uploads.
 *
 * - **Transport.** undici with one keep-alive pool per client. HTTPS by default; plain HTTP only for
 *   loopback hosts or hosts marked `insecure`, found by falling back when the TLS handshake meets a
 *   plain-HTTP server (as Docker does for its insecure registries), or chosen up front with `scheme`.
 * - **Auth.** Anonymous, Basic, and the distribution token flow: a 401 `Bearer realm,service,scope`
 *   challenge is answered by fetching a token from the realm (with the Basic credentials, if any),
 *   cached per scope until it expires.
 * - **Integrity.** Every manifest and blob is hashed and compared with the digest that names it
 *   (the one asked for, or the registry's `Docker-Content-Digest`); a mismatch is an error.
 * - **Errors.** {@link RegistryError}s that name the host and say what went wrong: refused,
 *   timed out, unauthorized, forbidden, not found. No credential or token is ever put in a message.
 * @module
 */
import type { Dispatcher } from 'undici';
import { Agent, request } from 'undici';
import { z } from 'zod';
import { limit } from '../util/limit.ts';
import { type AuthChallenge, parseWwwAuthenticate } from './challenge.ts';
import { computeDigest, digestAlgorithm, matchesDigest, parseDigest } from './digest.ts';
import { RegistryError, type RegistryErrorReason } from './errors.ts';
import { nextLink } from './link.ts';
import {
  type Descriptor,
  type ImageConfig,
  ImageConfigSchema,
  isImageMediaType,
  MANIFEST_ACCEPT,
  type ParsedManifest,
  type Platform,
  parseManifest,
} from './manifest.ts';
import { InvalidReferenceError, isLoopbackHost, isValidTag, registryApiHost } from './reference.ts';

/** Credentials for Basic auth, or for the token server of a Bearer registry. */
export interface RegistryCredentials {
  username: string;
  password: string;
}

export interface RegistryClientOptions {
  /** The registry as written in image references: `host[:port]`; `docker.io` means Docker Hub. */
  host: string;
  /** Omit for anonymous access. */
  credentials?: RegistryCredentials;
  /**
   * Allow plain HTTP and skip TLS verification for a host that is not loopback. Loopback hosts
   * (localhost, 127.0.0.0/8, [::1]) may always fall back to plain HTTP. Default false.
   */
  insecure?: boolean;
  /** Use this scheme without probing. Default: HTTPS, falling back to HTTP where allowed. */
  scheme?: 'https' | 'http';
  /** Extra CA certificates (PEM) to trust for this registry and its token server. */
  ca?: string | Buffer;
  /** Time for a whole request, headers and body; default 30 s. */
  timeoutMs?: number;
  /** Time to open TCP+TLS; default the smaller of 10 s and `timeoutMs`. */
  connectTimeoutMs?: number;
  /** Clock for token expiry, in ms; default `Date.now`. */
  now?: () => number;
}

/** Options every call takes. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** A fetched, verified manifest or index. */
export interface FetchedManifest {
  /** The digest of `bytes`, verified. */
  digest: string;
  mediaType: string;
  bytes: Buffer;
  parsed: ParsedManifest;
}

/** An image's config, found through its manifest (and, for an index, its platform manifests). */
export interface ImageConfigInfo {
  /** Digest of the manifest (or index) the reference resolved to. */
  digest: string;
  /** Build time: the config's `created`; for an index, the newest of its platform images (or the chosen platform's). */
  created: Date | undefined;
  /** Configs read, one per platform image. */
  configs: ImageConfig[];
}

/** Limits on what Slipway reads into memory, per kind of answer. */
export const RESPONSE_LIMITS = {
  manifest: 4 * 1024 * 1024,
  config: 8 * 1024 * 1024,
  tags: 16 * 1024 * 1024,
  token: 1024 * 1024,
  error: 64 * 1024,
} as const;

/** At most this many pages of tags (or repositories) are followed; a registry looping forever is an error. */
const MAX_PAGES = 10_000;

/** Platform images whose configs are read when a build time is asked of an index. */
const MAX_INDEX_CHILDREN = 32;

const TokenResponseSchema = z.object({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
  issued_at: z.string().optional(),
});

const TagListSchema = z.object({
  name: z.string().optional(),
  tags: z.array(z.string()).nullable().optional(),
});
const CatalogSchema = z.object({ repositories: z.array(z.string()).nullable().optional() });
const ErrorBodySchema = z.object({
  errors: z.array(z.object({ code: z.string().optional(), message: z.string().optional() })).optional(),
});

const REPOSITORY_PATH = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;

type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** What a request is about, for auth scopes and for error messages. */
interface Target {
  /** The auth scope, e.g. `repository:app:pull`; absent for `/v2/`. */
  scope?: string;
  /** Shown after the host in errors, e.g. `app:1.2.3`. */
  label?: string;
  /** What a 404 means here. */
  notFound?: 'repository' | 'manifest' | 'blob';
  /** The repository path, for not-found messages. */
  repository?: string;
}

interface SendOptions {
  method: Method;
  /** A path from `/v2/…` (with query), or an absolute URL from a `Location` or `Link` header. */
  path: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  target: Target;
  signal: AbortSignal;
  timeoutMs: number;
  /** Statuses that are success; anything else becomes an error. */
  ok: readonly number[];
}

interface Response {
  status: number;
  headers: Dispatcher.ResponseData['headers'];
  body: Dispatcher.ResponseData['body'];
  url: string;
}

/** The first value of a response header. */
function header(res: { headers: Dispatcher.ResponseData['headers'] }, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function allHeaders(res: { headers: Dispatcher.ResponseData['headers'] }, name: string): string[] {
  const v = res.headers[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object' && 'code' in err && typeof err.code === 'string') return err.code;
  return undefined;
}

function errorName(err: unknown): string | undefined {
  return err instanceof Error || err instanceof DOMException ? err.name : undefined;
}

/** True when a TLS handshake met something that does not speak TLS (e.g. a plain-HTTP server). */
function isTlsProtocolError(err: unknown): boolean {
  const code = errorCode(err) ?? '';
  return code.startsWith('ERR_SSL_') || code === 'EPROTO';
}

/** True for a certificate the client does not trust (self-signed, unknown CA, wrong name, expired). */
function isCertificateError(err: unknown): boolean {
  const code = errorCode(err) ?? '';
  return (
    code.includes('CERT') ||
    code.includes('SELF_SIGNED') ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'ERR_TLS_CERT_ALTNAME_INVALID'
  );
}

/** A tag or a digest, checked, ready to put in a URL. */
function checkReference(reference: string): string {
  if (reference.includes(':')) {
    parseDigest(reference);
    return reference;
  }
  if (!isValidTag(reference)) throw new InvalidReferenceError('TagInvalidFormat', reference);
  return reference;
}

function formatTarget(repository: string, reference: string): string {
  return reference.includes(':') ? `${repository}@${reference}` : `${repository}:${reference}`;
}

/**
 * A client for one registry host.
 *
 * @example
 * const client = new RegistryClient({ host: '127.0.0.1:5000' });
 * const tags = await client.listTags('app');
 * const { digest } = await client.headManifest('app', 'latest');
 * await client.close();
 */
export class RegistryClient {
  /** The host as given (used in every error message). */
  readonly host: string;
  readonly #apiHost: string;
  readonly #options: RegistryClientOptions;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #agent: Agent;
  #scheme: 'https' | 'http' | undefined;
  /** The registry asked for Basic: send it up front from now on. */
  #basic = false;
  /** The registry's Bearer realm and service, once it has challenged. */
  #bearer: { realm: string; service: string | undefined } | undefined;
  readonly #tokens = new Map<string, { token: string; expiresAt: number }>();
  readonly #tokenFetches = new Map<string, Promise<string>>();

  constructor(options: RegistryClientOptions) {
    this.host = options.host;
    this.#apiHost = registryApiHost(options.host);
    this.#options = options;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    this.#scheme = options.scheme;
    if (options.scheme === 'http' && !this.#plainHttpAllowed()) {
      throw new RegistryError(
        'plain HTTP is allowed only for loopback registries or registries marked insecure',
        { host: this.host, reason: 'InsecureRegistry' },
      );
    }
    const connect: Record<string, unknown> = {
      timeout: options.connectTimeoutMs ?? Math.min(10_000, this.#timeoutMs),
      rejectUnauthorized: !options.insecure,
    };
    if (options.ca) connect['ca'] = options.ca;
    this.#agent = new Agent({
      connect,
      connections: 8,
      keepAliveTimeout: 30_000,
      // Whole-request time is bounded by the AbortSignal of each call instead.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
  }

  #plainHttpAllowed(): boolean {
    return isLoopbackHost(this.#apiHost) || this.#options.insecure === true;
  }

  #signal(options: CallOptions | undefined): { signal: AbortSignal; timeoutMs: number } {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    return {
      signal: options?.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      timeoutMs: this.#timeoutMs,
    };
  }

  #error(
    message: string,
    reason: RegistryErrorReason,
    target: Target,
    extra: Partial<{ status: number; code: string; cause: unknown }> = {},
  ): RegistryError {
    return new RegistryError(message, {
      host: this.host,
      ...(target.label ? { target: target.label } : {}),
      reason,
      ...extra,
    });
  }

  /** What a thrown transport error means, in words and as a reason. */
  #describeTransport(
    err: unknown,
    signal: AbortSignal,
    timeoutMs: number,
  ): { message: string; reason: RegistryErrorReason } {
    const reason = signal.aborted ? signal.reason : undefined;
    if (
      errorName(reason) === 'TimeoutError' ||
      errorName(err) === 'TimeoutError' ||
      errorCode(err) === 'UND_ERR_CONNECT_TIMEOUT'
    ) {
      return { message: `no answer within ${timeoutMs} ms`, reason: 'RegistryTimeout' };
    }
    if (signal.aborted) return { message: 'request aborted', reason: 'Aborted' };
    const code = errorCode(err);
    if (code === 'ECONNREFUSED')
      return { message: 'connection refused (is it running?)', reason: 'RegistryUnreachable' };
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
      return { message: `unknown host (${code})`, reason: 'RegistryUnreachable' };
    }
    if (isCertificateError(err)) {
      return {
        message: `its TLS certificate is not trusted (${code}); give its CA or mark it insecure`,
        reason: 'RegistryUnreachable',
      };
    }
    if (isTlsProtocolError(err)) {
      return {
        message: `the TLS handshake failed (${code}); if it serves plain HTTP, mark it insecure`,
        reason: 'RegistryUnreachable',
      };
    }
    return {
      message: code ?? (err instanceof Error ? err.message : String(err)),
      reason: 'RegistryUnreachable',
    };
  }

  /** Turns a thrown transport error into a RegistryError naming the host. */
  #transportError(err: unknown, target: Target, signal: AbortSignal, timeoutMs: number): RegistryError {
    if (err instanceof RegistryError) return err;
    const { message, reason } = this.#describeTransport(err, signal, timeoutMs);
    const text =
      reason === 'RegistryTimeout'
        ? `the registry did not answer: ${message}`
        : reason === 'Aborted'
          ? message
          : `cannot reach the registry: ${message}`;
    return this.#error(text, reason, target, { cause: signal.aborted ? (signal.reason ?? err) : err });
  }

  #origin(scheme: 'https' | 'http'): string {
    return `${scheme}://${this.#apiHost}`;
  }

  /** Sends one HTTP request (no auth logic), choosing the scheme on first use. */
  async #raw(
    method: Method,
    pathOrUrl: string,
    headers: Record<string, string>,
    body: Uint8Array | undefined,
    signal: AbortSignal,
  ): Promise<Response> {
    const absolute = /^https?:\/\//.test(pathOrUrl);
    for (;;) {
      const scheme = this.#scheme ?? 'https';
      const url = absolute ? pathOrUrl : this.#origin(scheme) + pathOrUrl;
      try {
        const res = await request(url, {
          method,
          headers,
          body: body ? Buffer.from(body.buffer, body.byteOffset, body.byteLength) : null,
          signal,
          dispatcher: this.#agent,
        });
        if (!absolute && this.#scheme === undefined) this.#scheme = scheme;
        return { status: res.statusCode, headers: res.headers, body: res.body, url };
      } catch (err) {
        // A plain-HTTP registry answers a TLS handshake with HTTP: retry over HTTP where that is allowed.
        if (!absolute && this.#scheme === undefined && isTlsProtocolError(err) && this.#plainHttpAllowed()) {
          this.#scheme = 'http';
          continue;
        }
        throw err;
      }
    }
  }

  /** True when `url` is this registry (so it may receive the registry's credentials). */
  #sameRegistry(url: string): boolean {
    if (!/^https?:\/\//.test(url)) return true;
    const u = new URL(url);
    return u.host === new URL(this.#origin(this.#scheme ?? 'https')).host;
  }

  async #authorization(
    target: Target,
    signal: AbortSignal,
  ): Promise<{ header?: string; kind: 'none' | 'basic' | 'cached' | 'fresh' }> {
    const creds = this.#options.credentials;
    if (this.#bearer && target.scope !== undefined) {
      const cached = this.#tokens.get(this.#tokenKey(target.scope));
      if (cached && cached.expiresAt - this.#now() > 10_000)
        return { header: `Bearer ${cached.token}`, kind: 'cached' };
      const token = await this.#token([target.scope], target, signal);
      return { header: `Bearer ${token}`, kind: 'fresh' };
    }
    if (this.#bearer && target.scope === undefined) {
      // `/v2/` itself: a token for no scope proves the credentials (Docker login does the same).
      const token = await this.#token([], target, signal);
      return { header: `Bearer ${token}`, kind: 'fresh' };
    }
    if (this.#basic && creds) {
      return {
        header: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`,
        kind: 'basic',
      };
    }
    return { kind: 'none' };
  }

  #tokenKey(scope: string): string {
    return `${this.#bearer?.realm ?? ''}\n${this.#bearer?.service ?? ''}\n${scope}`;
  }

  /** A token for `scopes` from the Bearer realm; one fetch serves concurrent callers. */
  #token(scopes: string[], target: Target, signal: AbortSignal): Promise<string> {
    const key = this.#tokenKey(scopes.join(' '));
    let pending = this.#tokenFetches.get(key);
    if (!pending) {
      pending = this.#fetchToken(scopes, target, signal).finally(() => this.#tokenFetches.delete(key));
      this.#tokenFetches.set(key, pending);
    }
    return pending;
  }

  async #fetchToken(scopes: string[], target: Target, signal: AbortSignal): Promise<string> {
    const bearer = this.#bearer;
    if (!bearer) throw new Error('no bearer challenge');
    let realm: URL;
    try {
      realm = new URL(bearer.realm);
    } catch (err) {
      throw this.#error(
        `the registry's token realm is not a URL: ${bearer.realm}`,
        'InvalidResponse',
        target,
        {
          cause: err,
        },
      );
    }
    // Credentials go to the realm; over plain HTTP only where plain HTTP is allowed at all.
    if (realm.protocol === 'http:' && !isLoopbackHost(realm.host) && !this.#options.insecure) {
      throw this.#error(
        `refusing to fetch a token over plain HTTP from ${realm.host}; mark the registry insecure to allow it`,
        'InsecureRegistry',
        target,
      );
    }
    if (realm.protocol !== 'http:' && realm.protocol !== 'https:') {
      throw this.#error(
        `the registry's token realm has an unsupported scheme: ${realm.protocol}`,
        'InvalidResponse',
        target,
      );
    }
    const creds = this.#options.credentials;
    if (bearer.service !== undefined) realm.searchParams.set('service', bearer.service);
    for (const scope of scopes) realm.searchParams.append('scope', scope);
    if (creds) realm.searchParams.set('account', creds.username);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (creds)
      headers['authorization'] =
        `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    let res: Dispatcher.ResponseData;
    try {
      res = await request(realm.toString(), { method: 'GET', headers, signal, dispatcher: this.#agent });
    } catch (err) {
      const { message, reason } = this.#describeTransport(err, signal, this.#timeoutMs);
      throw this.#error(`cannot reach the token server ${realm.host}: ${message}`, reason, target, {
        cause: err,
      });
    }
    const bytes = await this.#readBody(
      { ...res, status: res.statusCode, url: realm.toString() },
      RESPONSE_LIMITS.token,
      target,
      signal,
    );
    if (res.statusCode === 401 || res.statusCode === 403) {
      throw this.#error(
        creds
          ? `token server ${realm.host} refused the credentials of user ${JSON.stringify(creds.username)}`
          : `token server ${realm.host} requires credentials; none were given`,
        'RegistryUnauthorized',
        target,
        { status: res.statusCode },
      );
    }
    if (res.statusCode !== 200) {
      throw this.#error(
        `token server ${realm.host} answered HTTP ${res.statusCode}`,
        'RegistryError',
        target,
        {
          status: res.statusCode,
        },
      );
    }
    let parsed: z.infer<typeof TokenResponseSchema>;
    try {
      parsed = TokenResponseSchema.parse(JSON.parse(bytes.toString('utf8')));
    } catch (err) {
      throw this.#error(
        `token server ${realm.host} sent an answer that is not a token`,
        'InvalidResponse',
        target,
        {
          cause: err,
        },
      );
    }
    const token = parsed.token || parsed.access_token;
    if (!token) throw this.#error(`token server ${realm.host} sent no token`, 'InvalidResponse', target);
    // The distribution spec: expires_in defaults to, and is at least, 60 seconds.
    const lifetime = Math.max(60, parsed.expires_in ?? 60) * 1000;
    const issued = parsed.issued_at ? Date.parse(parsed.issued_at) : Number.NaN;
    const start = Number.isFinite(issued) ? Math.min(issued, this.#now()) : this.#now();
    this.#tokens.set(this.#tokenKey(scopes.join(' ')), { token, expiresAt: start + lifetime });
    return token;
  }

  /** Records what a 401 asked for; returns false when there is nothing more to try. */
  #learnChallenge(
    challenges: AuthChallenge[],
    sent: 'none' | 'basic' | 'cached' | 'fresh',
    target: Target,
  ): boolean {
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params['realm']);
    if (bearer) {
      const realm = bearer.params['realm'] ?? '';
      const service = bearer.params['service'];
      const changed = this.#bearer?.realm !== realm || this.#bearer?.service !== service;
      this.#bearer = { realm, service };
      if (sent === 'cached' && target.scope !== undefined) {
        // An expired or revoked token: drop it and fetch a new one once.
        this.#tokens.delete(this.#tokenKey(target.scope));
        return true;
      }
      return sent !== 'fresh' || changed;
    }
    if (challenges.some((c) => c.scheme === 'basic')) {
      if (sent === 'basic' || !this.#options.credentials) return false;
      this.#basic = true;
      return true;
    }
    return false;
  }

  #unauthorized(
    challenges: AuthChallenge[],
    sent: string,
    status: number,
    target: Target,
    detail: string,
  ): RegistryError {
    const creds = this.#options.credentials;
    const bearer = challenges.find((c) => c.scheme === 'bearer');
    let message: string;
    if (bearer && sent === 'fresh') {
      const error = bearer.params['error'];
      message = creds
        ? `the registry refused the token issued for user ${JSON.stringify(creds.username)}${error ? ` (${error})` : ''}`
        : `the registry refused anonymous access${error ? ` (${error})` : ''}; credentials are needed`;
    } else if (!creds) {
      message = 'the registry requires credentials; none were given';
    } else {
      message = `the registry refused the credentials of user ${JSON.stringify(creds.username)}`;
    }
    return this.#error(detail ? `${message}: ${detail}` : message, 'RegistryUnauthorized', target, {
      status,
    });
  }

  /**
   * Sends a request with auth, retrying once per challenge it can answer, and returns the response
   * when its status is in `ok`; any other status is turned into a RegistryError.
   */
  async #send(options: SendOptions): Promise<Response> {
    const { target, signal } = options;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { 'user-agent': 'slipway', ...options.headers };
      let sent: 'none' | 'basic' | 'cached' | 'fresh' = 'none';
      if (this.#sameRegistry(options.path)) {
        const auth = await this.#authorization(target, signal);
        sent = auth.kind;
        if (auth.header) headers['authorization'] = auth.header;
      }
      let res: Response;
      try {
        res = await this.#raw(options.method, options.path, headers, options.body, signal);
      } catch (err) {
        throw this.#transportError(err, target, signal, options.timeoutMs);
      }
      if (options.ok.includes(res.status)) return res;
      if (res.status === 401) {
        const challenges = parseWwwAuthenticate(allHeaders(res, 'www-authenticate'));
        const detail = await this.#errorDetail(res, target, signal);
        if (attempt < 3 && this.#learnChallenge(challenges, sent, target)) continue;
        throw this.#unauthorized(challenges, sent, res.status, target, detail.message);
      }
      throw await this.#statusError(res, target, signal);
    }
  }

  async #readBody(res: Response, max: number, target: Target, signal: AbortSignal): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of res.body) {
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
        total += buf.length;
        if (total > max) {
          res.body.destroy();
          throw this.#error(`the answer is larger than ${max} bytes`, 'ResponseTooLarge', target);
        }
        chunks.push(buf);
      }
    } catch (err) {
      throw this.#transportError(err, target, signal, this.#timeoutMs);
    }
    return Buffer.concat(chunks);
  }

  async #errorDetail(
    res: Response,
    target: Target,
    signal: AbortSignal,
  ): Promise<{ code?: string; message: string }> {
    let text = '';
    try {
      text = (await this.#readBody(res, RESPONSE_LIMITS.error, target, signal)).toString('utf8');
    } catch {
      // The status alone still says what happened; a body we cannot read adds nothing.
      return { message: '' };
    }
    try {
      const first = ErrorBodySchema.parse(JSON.parse(text)).errors?.[0];
      if (first) {
        const out: { code?: string; message: string } = {
          message: [first.code, first.message].filter(Boolean).join(': '),
        };
        if (first.code) out.code = first.code;
        return out;
      }
    } catch {
      // Not the registry's JSON error shape (a proxy's page, say): fall through to the raw text.
    }
    return { message: text.trim().slice(0, 200) };
  }

  async #statusError(res: Response, target: Target, signal: AbortSignal): Promise<RegistryError> {
    const detail = await this.#errorDetail(res, target, signal);
    const extra = { status: res.status, ...(detail.code ? { code: detail.code } : {}) };
    const suffix = detail.message ? ` (${detail.message})` : '';
    if (res.status === 403) {
      const who = this.#options.credentials
        ? `user ${JSON.stringify(this.#options.credentials.username)}`
        : 'anonymous access';
      return this.#error(`the registry denied ${who}${suffix}`, 'RegistryForbidden', target, extra);
    }
    if (res.status === 404) {
      const code = detail.code;
      const repo = target.repository ?? '';
      if (code === 'NAME_UNKNOWN' || (code === undefined && target.notFound === 'repository')) {
        return this.#error(`repository ${repo} not found`, 'RepositoryNotFound', target, extra);
      }
      if (code === 'MANIFEST_UNKNOWN' || (code === undefined && target.notFound === 'manifest')) {
        return this.#error(
          `manifest unknown: no tag or digest ${target.label ?? ''} in this registry`,
          'ManifestNotFound',
          target,
          extra,
        );
      }
      if (code === 'BLOB_UNKNOWN' || target.notFound === 'blob') {
        return this.#error(`blob not found in repository ${repo}`, 'BlobNotFound', target, extra);
      }
      return this.#error(`not found${suffix}`, 'RepositoryNotFound', target, extra);
    }
    return this.#error(`the registry answered HTTP ${res.status}${suffix}`, 'RegistryError', target, extra);
  }

  #repositoryTarget(repository: string, scope: 'pull' | 'pull,push', label?: string): Target {
    if (!REPOSITORY_PATH.test(repository)) {
      throw new RegistryError(`invalid repository path ${JSON.stringify(repository)}`, {
        host: this.host,
        reason: 'InvalidResponse',
        transient: false,
      });
    }
    return { scope: `repository:${repository}:${scope}`, label: label ?? repository, repository };
  }

  /** Checks that the registry speaks the distribution API (and that the credentials work). */
  async ping(options?: CallOptions): Promise<void> {
    const { signal, timeoutMs } = this.#signal(options);
    const res = await this.#send({ method: 'GET', path: '/v2/', target: {}, signal, timeoutMs, ok: [200] });
    await res.body.dump();
  }

  async #paginate(
    firstPath: string,
    key: 'tags' | 'repositories',
    target: Target,
    signal: AbortSignal,
    timeoutMs: number,
  ): Promise<string[]> {
    const out: string[] = [];
    const seen = new Set<string>();
    let path: string | undefined = firstPath;
    for (let page = 0; path !== undefined; page++) {
      if (page >= MAX_PAGES || seen.has(path)) {
        throw this.#error(
          `the registry's ${key} pages do not end (stopped at page ${page})`,
          'InvalidResponse',
          target,
        );
      }
      seen.add(path);
      const res = await this.#send({ method: 'GET', path, target, signal, timeoutMs, ok: [200] });
      const bytes = await this.#readBody(res, RESPONSE_LIMITS.tags, target, signal);
      let items: string[];
      try {
        const json: unknown = JSON.parse(bytes.toString('utf8'));
        items =
          key === 'tags'
            ? (TagListSchema.parse(json).tags ?? [])
            : (CatalogSchema.parse(json).repositories ?? []);
      } catch (err) {
        throw this.#error(`the registry sent a ${key} list that does not parse`, 'InvalidResponse', target, {
          cause: err,
        });
      }
      out.push(...items);
      const next = nextLink(allHeaders(res, 'link'));
      // The next page is relative to the page that named it (usually an absolute path `/v2/…`).
      path = next === undefined ? undefined : this.#resolve(next, res.url);
    }
    return out;
  }

  /** Resolves a Link/Location target against the URL it came from; same-registry URLs become paths. */
  #resolve(target: string, base: string): string {
    const url = new URL(target, base);
    const baseUrl = new URL(base);
    return url.origin === baseUrl.origin ? url.pathname + url.search : url.toString();
  }

  /**
   * Every tag of `repository`, following `Link` pages. `pageSize` sets `n` (registries that do not
   * paginate ignore it and send every tag at once).
   */
  async listTags(repository: string, options?: CallOptions & { pageSize?: number }): Promise<string[]> {
    const target = { ...this.#repositoryTarget(repository, 'pull'), notFound: 'repository' as const };
    const { signal, timeoutMs } = this.#signal(options);
    const n = options?.pageSize ? `?n=${Math.max(1, Math.floor(options.pageSize))}` : '';
    return this.#paginate(`/v2/${repository}/tags/list${n}`, 'tags', target, signal, timeoutMs);
  }

  /** Every repository in the registry's catalog, following `Link` pages of `pageSize`. */
  async listRepositories(options?: CallOptions & { pageSize?: number }): Promise<string[]> {
    const target: Target = { scope: 'registry:catalog:*', label: '_catalog' };
    const { signal, timeoutMs } = this.#signal(options);
    const n = options?.pageSize ? `?n=${Math.max(1, Math.floor(options.pageSize))}` : '';
    return this.#paginate(`/v2/_catalog${n}`, 'repositories', target, signal, timeoutMs);
  }

  /** Sends a HEAD or GET for a manifest, asking for every manifest and index media type. */
  async #requestManifest(
    method: 'HEAD' | 'GET',
    repository: string,
    reference: string,
    options?: CallOptions,
  ) {
    const ref = checkReference(reference);
    const target = {
      ...this.#repositoryTarget(repository, 'pull', formatTarget(repository, ref)),
      notFound: 'manifest' as const,
    };
    const { signal, timeoutMs } = this.#signal(options);
    const res = await this.#send({
      method,
      path: `/v2/${repository}/manifests/${encodeURIComponent(ref)}`,
      headers: { accept: MANIFEST_ACCEPT },
      target,
      signal,
      timeoutMs,
      ok: [200],
    });
    return { ref, target, res, signal };
  }

  /**
   * The digest `reference` (a tag or digest) resolves to, by HEAD (`Docker-Content-Digest`), asking
   * for indexes as well as images so that a multi-arch tag yields its index digest. Falls back to a
   * GET (and hashing) when the registry sends no digest header.
   */
  async headManifest(
    repository: string,
    reference: string,
    options?: CallOptions,
  ): Promise<{ digest: string; mediaType: string | undefined; size: number | undefined }> {
    const { ref, target, res } = await this.#requestManifest('HEAD', repository, reference, options);
    await res.body.dump();
    const digest = header(res, 'docker-content-digest');
    const mediaType = header(res, 'content-type')?.split(';')[0]?.trim();
    const length = Number(header(res, 'content-length'));
    if (digest) {
      try {
        parseDigest(digest);
      } catch (err) {
        throw this.#error(`the registry sent an invalid Docker-Content-Digest`, 'InvalidResponse', target, {
          cause: err,
        });
      }
      if (ref.includes(':') && digest !== ref) {
        throw this.#error(`the registry answered for ${digest}, not ${ref}`, 'DigestMismatch', target);
      }
      return { digest, mediaType, size: Number.isFinite(length) ? length : undefined };
    }
    const fetched = await this.getManifest(repository, ref, options);
    return { digest: fetched.digest, mediaType: fetched.mediaType, size: fetched.bytes.length };
  }

  /** Fetches a manifest or index by tag or digest and verifies its bytes against its digest. */
  async getManifest(repository: string, reference: string, options?: CallOptions): Promise<FetchedManifest> {
    const { ref, target, res, signal } = await this.#requestManifest('GET', repository, reference, options);
    const bytes = await this.#readBody(res, RESPONSE_LIMITS.manifest, target, signal);
    const declared = ref.includes(':') ? ref : header(res, 'docker-content-digest');
    let digest: string;
    if (declared) {
      try {
        digestAlgorithm(declared);
      } catch (err) {
        throw this.#error(`the registry sent an invalid Docker-Content-Digest`, 'InvalidResponse', target, {
          cause: err,
        });
      }
      if (!matchesDigest(bytes, declared)) {
        throw this.#error(
          `the manifest's content does not match its digest ${declared} (got ${computeDigest(bytes, digestAlgorithm(declared))})`,
          'DigestMismatch',
          target,
        );
      }
      digest = declared;
    } else {
      digest = computeDigest(bytes);
    }
    const parsed = parseManifest(bytes, header(res, 'content-type'));
    if (!parsed.ok) {
      throw this.#error(
        `the registry sent a manifest Slipway cannot read: ${parsed.error}`,
        'InvalidResponse',
        target,
      );
    }
    return { digest, mediaType: parsed.mediaType, bytes, parsed: parsed.value };
  }

  /** Fetches a blob (up to `maxBytes`) and verifies it against `digest`. Follows redirects to storage without credentials. */
  async getBlob(
    repository: string,
    digest: string,
    options?: CallOptions & { maxBytes?: number },
  ): Promise<Buffer> {
    parseDigest(digest);
    const target = {
      ...this.#repositoryTarget(repository, 'pull', `${repository}@${digest}`),
      notFound: 'blob' as const,
    };
    const { signal, timeoutMs } = this.#signal(options);
    let path = `/v2/${repository}/blobs/${digest}`;
    for (let hop = 0; ; hop++) {
      const res = await this.#send({
        method: 'GET',
        path,
        target,
        signal,
        timeoutMs,
        ok: [200, 301, 302, 303, 307, 308],
      });
      if (res.status !== 200) {
        await res.body.dump();
        const location = header(res, 'location');
        if (!location || hop >= 5)
          throw this.#error(`too many redirects fetching a blob`, 'InvalidResponse', target);
        path = this.#resolve(location, res.url);
        continue;
      }
      const bytes = await this.#readBody(res, options?.maxBytes ?? RESPONSE_LIMITS.config, target, signal);
      if (!matchesDigest(bytes, digest)) {
        throw this.#error(`the blob's content does not match its digest`, 'DigestMismatch', target);
      }
      return bytes;
    }
  }

  /**
   * The config of the image `reference` names, for its build time. For an index, reads the config
   * of each platform image (at most 32, 4 at a time) and reports the newest `created`, or only the
   * one matching `platform` when given.
   */
  async getImageConfig(
    repository: string,
    reference: string,
    options?: CallOptions & { platform?: Platform },
  ): Promise<ImageConfigInfo> {
    const top = await this.getManifest(repository, reference, options);
    let images: Array<{ digest: string; manifest: Extract<ParsedManifest, { kind: 'image' }>['manifest'] }>;
    if (top.parsed.kind === 'image') {
      images = [{ digest: top.digest, manifest: top.parsed.manifest }];
    } else {
      const children = this.#platformChildren(top.parsed.index.manifests, options?.platform);
      if (children.length === 0) {
        const what = options?.platform
          ? `no image for ${options.platform.os}/${options.platform.architecture}`
          : 'no images';
        throw new RegistryError(`the index ${top.digest} has ${what}`, {
          host: this.host,
          target: formatTarget(repository, reference),
          reason: 'ManifestNotFound',
          transient: false,
        });
      }
      const run = limit(4);
      images = await Promise.all(
        children.map((child) =>
          run(async () => {
            const m = await this.getManifest(repository, child.digest, options);
            if (m.parsed.kind !== 'image') {
              throw new RegistryError(`index entry ${child.digest} is not an image manifest`, {
                host: this.host,
                target: formatTarget(repository, reference),
                reason: 'InvalidResponse',
              });
            }
            return { digest: m.digest, manifest: m.parsed.manifest };
          }),
        ),
      );
    }
    const run = limit(4);
    const configs = await Promise.all(
      images.map((image) =>
        run(async () => {
          const bytes = await this.getBlob(repository, image.manifest.config.digest, options);
          try {
            return ImageConfigSchema.parse(JSON.parse(bytes.toString('utf8')));
          } catch (err) {
            throw new RegistryError(`the config of ${image.digest} does not parse`, {
              host: this.host,
              target: formatTarget(repository, reference),
              reason: 'InvalidResponse',
              cause: err,
            });
          }
        }),
      ),
    );
    let created: Date | undefined;
    for (const config of configs) {
      const t = config.created ? new Date(config.created) : undefined;
      if (t && !Number.isNaN(t.getTime()) && (!created || t > created)) created = t;
    }
    return { digest: top.digest, created, configs };
  }

  /** The image entries of an index: attestations and unknown platforms left out; filtered by platform if given. */
  #platformChildren(manifests: Descriptor[], platform: Platform | undefined): Descriptor[] {
    const images = manifests.filter(
      (d) =>
        isImageMediaType(d.mediaType) &&
        d.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' &&
        !(d.platform?.os === 'unknown' && d.platform.architecture === 'unknown'),
    );
    const chosen = platform
      ? images.filter(
          (d) =>
            d.platform?.os === platform.os &&
            d.platform.architecture === platform.architecture &&
            (platform.variant === undefined || d.platform.variant === platform.variant),
        )
      : images;
    return chosen.slice(0, MAX_INDEX_CHILDREN);
  }

  /** True when the registry already has the blob in `repository`. */
  async blobExists(repository: string, digest: string, options?: CallOptions): Promise<boolean> {
    parseDigest(digest);
    const target = {
      ...this.#repositoryTarget(repository, 'pull', `${repository}@${digest}`),
      notFound: 'blob' as const,
    };
    const { signal, timeoutMs } = this.#signal(options);
    const res = await this.#send({
      method: 'HEAD',
      path: `/v2/${repository}/blobs/${digest}`,
      target,
      signal,
      timeoutMs,
      ok: [200, 404],
    });
    await res.body.dump();
    return res.status === 200;
  }

  /**
   * Uploads `bytes` as a blob in one piece (POST to open an upload, PUT with the digest to close
   * it), unless the registry has it already. Returns its descriptor fields.
   */
  async pushBlob(
    repository: string,
    bytes: Uint8Array,
    options?: CallOptions,
  ): Promise<{ digest: string; size: number }> {
    const digest = computeDigest(bytes);
    if (await this.blobExists(repository, digest, options)) return { digest, size: bytes.length };
    const target = this.#repositoryTarget(repository, 'pull,push', `${repository}@${digest}`);
    const { signal, timeoutMs } = this.#signal(options);
    const opened = await this.#send({
      method: 'POST',
      path: `/v2/${repository}/blobs/uploads/`,
      target,
      signal,
      timeoutMs,
      ok: [202],
    });
    await opened.body.dump();
    const location = header(opened, 'location');
    if (!location)
      throw this.#error('the registry opened an upload without a Location', 'InvalidResponse', target);
    const url = new URL(location, opened.url);
    url.searchParams.set('digest', digest);
    const put = await this.#send({
      method: 'PUT',
      path: this.#resolve(url.toString(), opened.url),
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
      target,
      signal,
      timeoutMs,
      ok: [201],
    });
    await put.body.dump();
    const stored = header(put, 'docker-content-digest');
    if (stored && stored !== digest) {
      throw this.#error(`the registry stored the blob as ${stored}, not ${digest}`, 'DigestMismatch', target);
    }
    return { digest, size: bytes.length };
  }

  /** Stores a manifest or index under `reference` (a tag, or its own digest). Returns its digest. */
  async pushManifest(
    repository: string,
    reference: string,
    bytes: Uint8Array,
    mediaType: string,
    options?: CallOptions,
  ): Promise<string> {
    const ref = checkReference(reference);
    const digest = computeDigest(bytes);
    if (ref.includes(':') && ref !== digest) {
      throw this.#error(`the manifest's digest is ${digest}, not ${ref}`, 'DigestMismatch', {
        label: formatTarget(repository, ref),
      });
    }
    const target = this.#repositoryTarget(repository, 'pull,push', formatTarget(repository, ref));
    const { signal, timeoutMs } = this.#signal(options);
    const res = await this.#send({
      method: 'PUT',
      path: `/v2/${repository}/manifests/${encodeURIComponent(ref)}`,
      headers: { 'content-type': mediaType },
      body: bytes,
      target,
      signal,
      timeoutMs,
      ok: [201],
    });
    await res.body.dump();
    const stored = header(res, 'docker-content-digest');
    if (stored && stored !== digest) {
      throw this.#error(
        `the registry stored the manifest as ${stored}, not ${digest}`,
        'DigestMismatch',
        target,
      );
    }
    return digest;
  }

  /** Closes the connection pool; the client must not be used afterwards. */
  async close(): Promise<void> {
    await this.#agent.close();
  }
}
