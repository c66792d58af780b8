/**
 * Slipway's HTTP endpoint for git webhooks: `POST /api/webhook` (GitHub push events, HMAC
 * verified) and `GET /healthz`. Plain `node:http`, bound to the address it is given.
 * @module
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage, SlipwayError } from '../util/errors.ts';
import { type PushEvent, parseGitHubPush, verifyGitHubSignature } from './webhook.ts';

export interface WebhookServerOptions {
  /** Address to bind; default 127.0.0.1. */
  host?: string;
  /** Port; 0 picks a free one. */
  port?: number;
  /**
   * The shared secret GitHub signs payloads with. Required unless `allowUnsigned`, because an
   * unsigned endpoint lets anyone trigger refreshes.
   */
  githubSecret?: string | undefined;
  allowUnsigned?: boolean;
  /** Bodies over this are refused with 413; default 50 MiB (Argo CD's default). */
  maxPayloadBytes?: number;
  /** Called for each verified push; returns how many apps it refreshed. */
  onPush: (event: PushEvent) => Promise<number> | number;
  log?: (line: string) => void;
}

export interface WebhookServer {
  url: string;
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new HttpError(413, `payload larger than ${limit} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
  });
  res.end(text);
}

/** Starts the webhook server; resolves once it listens. */
export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  if (!options.githubSecret && !options.allowUnsigned) {
    throw new SlipwayError('a webhook secret is required (or allow unsigned webhooks explicitly)', {
      subject: 'webhook server',
      reason: 'InvalidConfig',
    });
  }
  const limit = options.maxPayloadBytes ?? 50 * 1024 * 1024;
  const log = options.log ?? (() => undefined);

  const handleWebhook = async (req: IncomingMessage): Promise<[number, unknown]> => {
    const event = req.headers['x-github-event'];
    const body = await readBody(req, limit);
    if (options.githubSecret) {
      const signature = req.headers['x-hub-signature-256'];
      if (
        !verifyGitHubSignature(
          body,
          Array.isArray(signature) ? signature[0] : signature,
          options.githubSecret,
        )
      ) {
        throw new HttpError(401, 'webhook signature verification failed');
      }
    }
    if (event === 'ping') return [200, 'pong'];
    if (event !== 'push') return [202, `ignored event ${JSON.stringify(event ?? '')}`];
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'payload is not JSON');
    }
    const push = parseGitHubPush(payload);
    if (!push) throw new HttpError(400, 'not a GitHub push payload');
    const refreshed = await options.onPush(push);
    log(`webhook: push to ${push.webURLs.join(', ')} ${push.revision} refreshed ${refreshed} app(s)`);
    return [200, { refreshed }];
  };

  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/healthz') return send(res, 200, 'ok');
    if (path !== '/api/webhook') return send(res, 404, 'not found');
    if (req.method !== 'POST') return send(res, 405, 'method not allowed');
    handleWebhook(req).then(
      ([status, body]) => send(res, status, body),
      (err: unknown) => {
        if (err instanceof HttpError) return send(res, err.status, err.message);
        log(`webhook: ${errorMessage(err)}`);
        return send(res, 500, 'internal error');
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
