/**
 * HTTP to one API server: TLS, authentication, timeouts and error mapping. Bodies are plain JSON
 * in both directions, so no field is ever dropped by a model serializer.
 * @module
 */
import { readFileSync } from 'node:fs';
import type { Dispatcher } from 'undici';
import { Agent, request, errors as undiciErrors } from 'undici';
import { SlipwayError } from '../util/errors.ts';
import { ApiError, type ApiStatus } from './errors.ts';
import { type ExecCredential, runExecPlugin } from './exec-credential.ts';
import type { ClusterConnection } from './kubeconfig.ts';

export interface TransportOptions {
  /** Time to open a TCP+TLS connection; default 5 s. */
  connectTimeoutMs?: number;
  /** Default time for a whole non-streaming request; default 30 s. */
  requestTimeoutMs?: number;
  /** Connections kept per server; default 32. */
  connections?: number;
}

export interface RequestOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  accept?: string;
  signal?: AbortSignal;
  /** Overrides the transport's default request timeout. */
  timeoutMs?: number;
  /** Text used as the error's subject, e.g. `ConfigMap/ns/name`; default the path. */
  subject?: string;
}

export interface StreamResponse {
  body: AsyncIterable<Buffer>;
  /** Ends the stream (and its connection). */
  close(): void;
}

function buildQuery(query: RequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

export class KubeTransport {
  readonly connection: ClusterConnection;
  readonly #options: Required<TransportOptions>;
  #agent: Agent;
  #exec: ExecCredential | undefined;
  #execInFlight: Promise<ExecCredential> | undefined;
  #tokenFile: { token: string; readAt: number } | undefined;

  constructor(connection: ClusterConnection, options: TransportOptions = {}) {
    this.connection = connection;
    this.#options = {
      connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      connections: options.connections ?? 32,
    };
    this.#agent = this.#makeAgent();
  }

  #makeAgent(exec?: ExecCredential): Agent {
    const { tls } = this.connection;
    const connect: Record<string, unknown> = {
      timeout: this.#options.connectTimeoutMs,
      rejectUnauthorized: !tls.insecureSkipVerify,
    };
    if (tls.ca) connect['ca'] = tls.ca;
    if (tls.serverName) connect['servername'] = tls.serverName;
    const cert = exec?.clientCertificateData ? Buffer.from(exec.clientCertificateData) : tls.cert;
    const key = exec?.clientKeyData ? Buffer.from(exec.clientKeyData) : tls.key;
    if (cert && key) {
      connect['cert'] = cert;
      connect['key'] = key;
    }
    return new Agent({
      connect,
      connections: this.#options.connections,
      keepAliveTimeout: 30_000,
      // Watches are long-lived; their liveness is checked by the watch's own inactivity timer.
      bodyTimeout: 0,
      headersTimeout: 0,
    });
  }

  async #execCredential(force: boolean, signal?: AbortSignal): Promise<ExecCredential> {
    const { auth } = this.connection;
    if (auth.kind !== 'exec') throw new Error('not an exec user');
    const fresh =
      this.#exec &&
      !force &&
      (this.#exec.expiresAt === undefined || this.#exec.expiresAt - Date.now() > 10_000);
    if (fresh) return this.#exec!;
    // One plugin run serves every request that is waiting for it.
    this.#execInFlight ??= runExecPlugin(auth.exec, this.connection.server, signal).finally(() => {
      this.#execInFlight = undefined;
    });
    const credential = await this.#execInFlight;
    const certChanged = credential.clientCertificateData !== this.#exec?.clientCertificateData;
    this.#exec = credential;
    if (certChanged && credential.clientCertificateData) {
      const old = this.#agent;
      this.#agent = this.#makeAgent(credential);
      void old.close().catch(() => undefined);
    }
    return credential;
  }

  async #authHeaders(forceRefresh: boolean, signal?: AbortSignal): Promise<Record<string, string>> {
    const headers: Record<string, string> = {};
    const { auth, impersonate } = this.connection;
    switch (auth.kind) {
      case 'token':
        headers['authorization'] = `Bearer ${auth.token}`;
        break;
      case 'tokenFile': {
        // Projected service-account tokens rotate; re-read the file at most once a minute.
        if (!this.#tokenFile || forceRefresh || Date.now() - this.#tokenFile.readAt > 60_000) {
          this.#tokenFile = { token: readFileSync(auth.path, 'utf8').trim(), readAt: Date.now() };
        }
        headers['authorization'] = `Bearer ${this.#tokenFile.token}`;
        break;
      }
      case 'basic':
        headers['authorization'] =
          `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
        break;
      case 'exec': {
        const credential = await this.#execCredential(forceRefresh, signal);
        if (credential.token) headers['authorization'] = `Bearer ${credential.token}`;
        break;
      }
      case 'none':
        break;
    }
    if (impersonate) {
      headers['impersonate-user'] = impersonate.user;
      if (impersonate.uid) headers['impersonate-uid'] = impersonate.uid;
      // undici joins array values into repeated headers.
      if (impersonate.groups.length > 0)
        (headers as Record<string, string | string[]>)['impersonate-group'] = impersonate.groups;
    }
    return headers;
  }

  #unreachable(err: unknown, timeoutMs: number): SlipwayError {
    const server = this.connection.server;
    if (err instanceof SlipwayError) return err;
    const code = (err as { code?: string }).code;
    if (err instanceof undiciErrors.ConnectTimeoutError || code === 'UND_ERR_CONNECT_TIMEOUT') {
      return new SlipwayError(
        `cannot reach the API server: connect timeout after ${this.#options.connectTimeoutMs} ms`,
        {
          subject: server,
          reason: 'ServerUnreachable',
          transient: true,
          cause: err,
        },
      );
    }
    if ((err as Error)?.name === 'TimeoutError' || (err as Error)?.name === 'AbortError') {
      const timedOut = (err as Error).name === 'TimeoutError';
      return new SlipwayError(
        timedOut ? `no answer from the API server within ${timeoutMs} ms` : 'request aborted',
        {
          subject: server,
          reason: timedOut ? 'ServerTimeout' : 'Aborted',
          transient: timedOut,
          cause: err,
        },
      );
    }
    const detail = code ?? (err instanceof Error ? err.message : String(err));
    return new SlipwayError(`cannot reach the API server: ${detail}`, {
      subject: server,
      reason: 'ServerUnreachable',
      transient: true,
      cause: err,
    });
  }

  async #send(
    options: RequestOptions,
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<Dispatcher.ResponseData> {
    const url = this.connection.server + options.path + buildQuery(options.query);
    let retriedAuth = false;
    for (;;) {
      const headers: Record<string, string> = {
        accept: options.accept ?? 'application/json',
        ...(await this.#authHeaders(retriedAuth, signal)),
      };
      let body: string | null = null;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['content-type'] = options.contentType ?? 'application/json';
      }
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, {
          method: options.method ?? 'GET',
          headers,
          body,
          signal,
          dispatcher: this.#agent,
        });
      } catch (err) {
        throw this.#unreachable(signal.reason ?? err, timeoutMs);
      }
      // A rotated exec/token-file credential shows up as 401: refresh once and retry.
      if (
        res.statusCode === 401 &&
        !retriedAuth &&
        (this.connection.auth.kind === 'exec' || this.connection.auth.kind === 'tokenFile')
      ) {
        await res.body.dump();
        retriedAuth = true;
        continue;
      }
      return res;
    }
  }

  async #toError(res: Dispatcher.ResponseData, subject: string): Promise<ApiError> {
    const text = await res.body.text().catch(() => '');
    let status: ApiStatus = {};
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed && typeof parsed === 'object') status = parsed as ApiStatus;
    } catch {
      // Not a Status (e.g. a proxy's HTML page): keep the text as the message.
      status = { message: text.trim().slice(0, 500) || `HTTP ${res.statusCode}` };
    }
    return new ApiError(res.statusCode, status, subject);
  }

  /** Sends one request and returns its parsed JSON body; any non-2xx becomes an {@link ApiError}. */
  async request<T = unknown>(options: RequestOptions): Promise<T> {
    const timeoutMs = options.timeoutMs ?? this.#options.requestTimeoutMs;
    const signal = options.signal
      ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs);
    const res = await this.#send(options, timeoutMs, signal);
    if (res.statusCode < 200 || res.statusCode >= 300)
      throw await this.#toError(res, options.subject ?? options.path);
    let text: string;
    try {
      text = await res.body.text();
    } catch (err) {
      throw this.#unreachable(signal.reason ?? err, timeoutMs);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Sends one request and returns its body as text (health endpoints such as `/readyz` answer `ok`). */
  async requestText(options: RequestOptions): Promise<string> {
    const timeoutMs = options.timeoutMs ?? this.#options.requestTimeoutMs;
    const signal = options.signal
      ? AbortSignal.any([options.signal, AbortSignal.timeout(timeoutMs)])
      : AbortSignal.timeout(timeoutMs);
    const res = await this.#send({ accept: 'text/plain, */*', ...options }, timeoutMs, signal);
    if (res.statusCode < 200 || res.statusCode >= 300)
      throw await this.#toError(res, options.subject ?? options.path);
    try {
      return await res.body.text();
    } catch (err) {
      throw this.#unreachable(signal.reason ?? err, timeoutMs);
    }
  }

  /**
   * Opens a streaming GET (a watch). Only the wait for response headers is bounded by the timeout;
   * the body runs until the server ends it, `close()` is called or `signal` aborts.
   */
  async stream(options: RequestOptions): Promise<StreamResponse> {
    const timeoutMs = options.timeoutMs ?? this.#options.requestTimeoutMs;
    const controller = new AbortController();
    const onAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const headerTimer = setTimeout(
      () => controller.abort(new DOMException('headers timeout', 'TimeoutError')),
      timeoutMs,
    );
    let res: Dispatcher.ResponseData;
    try {
      res = await this.#send(options, timeoutMs, controller.signal);
    } catch (err) {
      options.signal?.removeEventListener('abort', onAbort);
      throw err;
    } finally {
      clearTimeout(headerTimer);
    }
    if (res.statusCode < 200 || res.statusCode >= 300) {
      options.signal?.removeEventListener('abort', onAbort);
      throw await this.#toError(res, options.subject ?? options.path);
    }
    return {
      body: res.body,
      close: () => {
        options.signal?.removeEventListener('abort', onAbort);
        controller.abort(new DOMException('closed', 'AbortError'));
      },
    };
  }

  /** Closes idle connections; the transport must not be used afterwards. */
  async close(): Promise<void> {
    await this.#agent.close();
  }
}
