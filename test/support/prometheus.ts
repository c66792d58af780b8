/**
 * A real Prometheus (Debian `prometheus`, /usr/bin/prometheus) for tests, scraping a small
 * in-process app whose `http_requests_total{service,status}` counters grow at a chosen error
 * ratio. Each test starts its own on free loopback ports and stops exactly what it started.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  freePort,
  logTail,
  type ServiceProcess,
  startService,
  stopService,
} from '../../src/devcluster/processes.ts';
import { waitFor } from '../../src/util/abort.ts';

export const PROMETHEUS_BINARY = '/usr/bin/prometheus';

/** The scraped app: counters for `service` that grow by `perTick` requests every 100 ms. */
export interface MetricsApp {
  url: string;
  /** host:port, for Prometheus' static_configs. */
  target: string;
  /** Fraction of new requests counted as status 500 from now on. */
  setErrorRatio(ratio: number): void;
  stop(): Promise<void>;
}

/** Starts the app on a free loopback port. */
export async function startMetricsApp(
  options: { service?: string; errorRatio?: number; perTick?: number } = {},
): Promise<MetricsApp> {
  const service = options.service ?? 'my-service';
  const perTick = options.perTick ?? 100;
  let ratio = options.errorRatio ?? 0;
  let ok = 0;
  let failed = 0;
  const timer = setInterval(() => {
    const errors = Math.round(perTick * ratio);
    failed += errors;
    ok += perTick - errors;
  }, 100);
  const server: Server = createServer((req, res) => {
    if (req.url !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(
      [
        '# TYPE http_requests_total counter',
        `http_requests_total{service="${service}",status="200"} ${ok}`,
        `http_requests_total{service="${service}",status="500"} ${failed}`,
        '',
      ].join('\n'),
    );
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    target: `127.0.0.1:${port}`,
    setErrorRatio: (r) => {
      ratio = r;
    },
    stop: async () => {
      clearInterval(timer);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface TestPrometheus {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Runs an instant query directly (to wait for data before a test measures). */
  query(q: string): Promise<{ resultType: string; result: unknown }>;
  stop(): Promise<void>;
}

/** Starts Prometheus scraping `targets` every second; resolves once it is ready. */
export async function startPrometheus(targets: string[]): Promise<TestPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), 'slipway-prom-'));
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: app',
      '    static_configs:',
      `      - targets: [${targets.map((t) => JSON.stringify(t)).join(', ')}]`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = join(dir, 'prometheus.log');
  const proc: ServiceProcess = startService(
    'prometheus',
    PROMETHEUS_BINARY,
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    log,
  );
  const stop = async () => {
    await stopService(proc);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      async () => {
        try {
          return (await fetch(`${url}/-/ready`)).ok ? true : undefined;
        } catch {
          return undefined;
        }
      },
      {
        timeoutMs: 30_000,
        intervalMs: 200,
        onTimeout: () => new Error(`prometheus did not become ready:\n${logTail(log)}`),
      },
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    url,
    async query(q) {
      const res = await fetch(`${url}/api/v1/query`, {
        method: 'POST',
        body: new URLSearchParams({ query: q }),
      });
      const body = (await res.json()) as { data: { resultType: string; result: unknown } };
      return body.data;
    },
    stop,
  };
}
