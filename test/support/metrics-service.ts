/**
 * One version of a service as Prometheus sees it: a node:http server on a free loopback port whose
 * `/metrics` exposes `http_requests_total{service,status}` counters growing at a fixed request rate,
 * a given fraction of them status 500. A test runs one per version it deploys, so a bad version's
 * errors show in the seed's success-rate query once that version serves.
 *
 * The counters follow the clock (requests = seconds serving × rate) rather than a timer, so the
 * ratio Prometheus computes is the configured one, whatever the scrape timing.
 */
import { createServer, type Server } from 'node:http';
import { freePort } from '../../src/devcluster/processes.ts';

/** A running version service. */
export interface VersionService {
  /** The version it stands for (e.g. the image tag). */
  version: string;
  /** `127.0.0.1:<port>`, for Prometheus' `static_configs`. */
  target: string;
  /** Fraction of its requests that fail with status 500. */
  errorRatio: number;
  /** Requests per second while serving. */
  requestsPerSecond: number;
  /** True once {@link serve} was called. */
  readonly serving: boolean;
  /**
   * Starts counting requests, as when the version's pods take traffic; until then `/metrics` has
   * no series. There is no way back: a range query such as `rate(…[2m])` keeps seeing a series
   * for two minutes after it disappears, so a retired version would not leave the query at once.
   */
  serve(): void;
  /** Closes the server. */
  stop(): Promise<void>;
}

/** Options of {@link startVersionService}. */
export interface VersionServiceOptions {
  version: string;
  /** The `service` label; default `my-service` (the seed's analysis argument). */
  service?: string;
  /** Fraction of requests that fail with status 500, 0..1; default 0. */
  errorRatio?: number;
  /** Requests per second while serving; default 1000. */
  requestsPerSecond?: number;
  /** Serve from the start; default false (call {@link VersionService.serve}). */
  serving?: boolean;
}

/** Starts a version service on a free loopback port. */
export async function startVersionService(options: VersionServiceOptions): Promise<VersionService> {
  const service = options.service ?? 'my-service';
  const ratio = options.errorRatio ?? 0;
  const rate = options.requestsPerSecond ?? 1000;
  if (ratio < 0 || ratio > 1) throw new RangeError(`errorRatio ${ratio} is not within 0..1`);
  // When serving began (undefined: not yet).
  let since: number | undefined = options.serving === true ? performance.now() : undefined;

  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    const lines = ['# HELP http_requests_total Requests served.', '# TYPE http_requests_total counter'];
    if (since !== undefined) {
      const requests = Math.floor(((performance.now() - since) * rate) / 1000);
      const failed = Math.floor(requests * ratio);
      lines.push(
        `http_requests_total{service="${service}",status="200"} ${requests - failed}`,
        `http_requests_total{service="${service}",status="500"} ${failed}`,
      );
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(`${lines.join('\n')}\n`);
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    version: options.version,
    target: `127.0.0.1:${port}`,
    errorRatio: ratio,
    requestsPerSecond: rate,
    get serving() {
      return since !== undefined;
    },
    serve() {
      since ??= performance.now();
    },
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
