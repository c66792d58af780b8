/**
 * The prometheus and web providers against real servers: a real Prometheus (Debian package)
 * scraping an in-process app, and a local HTTP server. No Kubernetes needed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusProvider, webProvider } from '../../src/analysis/providers/index.ts';
import type { AnalysisRun, Metric } from '../../src/analysis/types.ts';
import { ensurePki } from '../../src/devcluster/pki.ts';
import { freePort } from '../../src/devcluster/processes.ts';
import { eventually } from '../cluster/helpers.ts';
import {
  type MetricsApp,
  startMetricsApp,
  startPrometheus,
  type TestPrometheus,
} from '../support/prometheus.ts';
import { measureToEnd, providerSuite } from './provider-suite.ts';

const run = (): AnalysisRun => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisRun',
  metadata: { name: 'r', namespace: 'default', uid: 'u' },
  spec: { metrics: [] },
});

let prom: TestPrometheus;
let app: MetricsApp;
let web: Server;
let webUrl: string;
let deadUrl: string;
const ctx = (metric: Metric) => ({ run: run(), metric, now: Date.now, signal: AbortSignal.timeout(60_000) });

beforeAll(async () => {
  app = await startMetricsApp({ errorRatio: 0 });
  prom = await startPrometheus([app.target]);
  deadUrl = `http://127.0.0.1:${await freePort()}`;
  await eventually(
    async () => {
      const r = await prom.query('http_requests_total');
      if ((r.result as unknown[]).length < 2) throw new Error('no samples yet');
    },
    60_000,
    500,
  );
  web = createServer((req, res) => {
    const body: Record<string, [number, string]> = {
      '/ok': [200, JSON.stringify({ data: { ok: true, rate: 0.995 } })],
      '/bad': [200, JSON.stringify({ data: { ok: false, rate: 0.5 } })],
      '/text': [200, 'plain text'],
      '/500': [500, 'boom'],
      '/list': [200, JSON.stringify({ key: [1, 2, 3, 4, 5, 6] })],
    };
    if (req.url === '/echo') {
      let data = '';
      req.on('data', (c) => {
        data += c;
      });
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ method: req.method, auth: req.headers['authorization'] ?? null, body: data }),
        );
      });
      return;
    }
    const [status, text] = body[req.url ?? ''] ?? [404, 'not found'];
    res.writeHead(status).end(text);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => web.listen(port, '127.0.0.1', resolve));
  webUrl = `http://127.0.0.1:${port}`;
}, 120_000);

afterAll(async () => {
  await prom?.stop();
  await app?.stop();
  await new Promise<void>((resolve) => (web ? web.close(() => resolve()) : resolve()));
});

const promMetric = (query: string, extra: Partial<Metric> = {}, address?: string): Metric => ({
  name: 'm',
  successCondition: 'result[0] >= 0.99',
  provider: { prometheus: { address: address ?? prom.url, query } },
  ...extra,
});

providerSuite('prometheus', () => ({
  provider: prometheusProvider,
  run,
  metric: (o) =>
    o === 'pass'
      ? promMetric('vector(1)')
      : o === 'fail'
        ? promMetric('vector(0.5)')
        : promMetric('vector(1)', {}, deadUrl),
}));

providerSuite('web', () => ({
  provider: webProvider,
  run,
  metric: (o) => ({
    name: 'm',
    successCondition: 'result == true',
    provider: {
      web: {
        url: o === 'error' ? `${webUrl}/500` : `${webUrl}/${o === 'pass' ? 'ok' : 'bad'}`,
        jsonPath: '{$.data.ok}',
      },
    },
  }),
}));

describe('prometheus provider on a real Prometheus', () => {
  it('records a vector as "[x]" and the resolved query as metadata', async () => {
    const m = await prometheusProvider().run(ctx(promMetric('vector(0.995)')));
    expect(m).toMatchObject({ phase: 'Successful', value: '[0.995]' });
    expect(prometheusProvider().metadata?.(promMetric('up'))).toEqual({ ResolvedPrometheusQuery: 'up' });
  });
  it('a scalar is a float: `result == 10`', async () => {
    const m = await prometheusProvider().run(
      ctx(promMetric('scalar(vector(10))', { successCondition: 'result == 10' })),
    );
    expect(m).toMatchObject({ phase: 'Successful', value: '10' });
  });
  it('NaN with both conditions is Inconclusive; `isNaN(result)` can accept it', async () => {
    const both = await prometheusProvider().run(
      ctx(promMetric('0/0', { successCondition: 'result >= 0.9', failureCondition: 'result < 0.9' })),
    );
    expect(both).toMatchObject({ phase: 'Inconclusive', value: 'NaN' });
    const accept = await prometheusProvider().run(
      ctx(promMetric('0/0', { successCondition: 'result >= 0.9 || isNaN(result)' })),
    );
    expect(accept.phase).toBe('Successful');
  });
  it('no data: `result[0]` is an Error naming the empty result; `len(result) == 0 || …` is Successful', async () => {
    const q = 'http_requests_total{service="nobody"}';
    const m = await prometheusProvider().run(ctx(promMetric(q)));
    expect(m.phase).toBe('Error');
    expect(m.value).toBe('[]');
    expect(m.message).toBe(
      'could not evaluate successCondition "result[0] >= 0.99": metric result is nil or empty: no data returned from the metric provider',
    );
    const ok = await prometheusProvider().run(
      ctx(promMetric(q, { successCondition: 'len(result) == 0 || result[0] >= 0.95' })),
    );
    expect(ok.phase).toBe('Successful');
  });
  it('a string result is an Error: Prometheus metric type not supported', async () => {
    const m = await prometheusProvider().run(ctx(promMetric('"hello"')));
    expect(m).toMatchObject({ phase: 'Error', message: 'Prometheus metric type not supported' });
  });
  it('a bad query is an Error carrying Prometheus’ error', async () => {
    const m = await prometheusProvider().run(ctx(promMetric('sum(')));
    expect(m.phase).toBe('Error');
    expect(m.message).toMatch(/^bad_data: .*parse error/);
  });
  it('a Prometheus that is down is an Error naming the address', async () => {
    const m = await prometheusProvider().run(ctx(promMetric('vector(1)', {}, deadUrl)));
    expect(m.phase).toBe('Error');
    expect(m.message).toContain(`Post "${deadUrl}/api/v1/query"`);
  });
  it('a malformed condition is an Error with the condition in the message', async () => {
    const m = await prometheusProvider().run(
      ctx(promMetric('vector(1)', { successCondition: 'result[0] >=' })),
    );
    expect(m.phase).toBe('Error');
    expect(m.message).toMatch(/^could not evaluate successCondition "result\[0\] >=": /);
  });
  it('the seed query computes the success rate of the scraped app', async () => {
    const q = `sum(rate(http_requests_total{service="my-service",status=~"2.."}[2m])) / sum(rate(http_requests_total{service="my-service"}[2m]))`;
    const m = await eventually(
      async () => {
        const r = await measureToEnd(prometheusProvider(), ctx(promMetric(q)));
        if (r.phase !== 'Successful') throw new Error(JSON.stringify(r));
        return r;
      },
      30_000,
      1000,
    );
    expect(m.value).toBe('[1]');
  });
});

describe('web provider on a local server (webmetric vectors)', () => {
  const webMetric = (web: Record<string, unknown>, conditions: Partial<Metric> = {}): Metric => ({
    name: 'm',
    provider: { web: { ...web, url: `${webUrl}${web['url'] as string}` } },
    ...conditions,
  });
  it('jsonPath picks a number; value is its JSON', async () => {
    const m = await webProvider().run(
      ctx(webMetric({ url: '/ok', jsonPath: '{$.data.rate}' }, { successCondition: 'result > 0.99' })),
    );
    expect(m).toMatchObject({ phase: 'Successful', value: '0.995' });
  });
  it('a list result works with any()', async () => {
    const pass = await webProvider().run(
      ctx(webMetric({ url: '/list', jsonPath: '{$.key}' }, { successCondition: 'any(result, {# > 5})' })),
    );
    const fail = await webProvider().run(
      ctx(webMetric({ url: '/list', jsonPath: '{$.key}' }, { successCondition: 'any(result, {# > 6})' })),
    );
    expect([pass.phase, fail.phase]).toEqual(['Successful', 'Failed']);
  });
  it('a non-JSON body is the result as a string', async () => {
    const m = await webProvider().run(
      ctx(webMetric({ url: '/text' }, { successCondition: 'result == "plain text"' })),
    );
    expect(m).toMatchObject({ phase: 'Successful', value: 'plain text' });
  });
  it('a non-2xx status is an Error', async () => {
    const m = await webProvider().run(ctx(webMetric({ url: '/500' })));
    expect(m).toMatchObject({ phase: 'Error', message: 'received non 2xx response code: 500' });
  });
  it('a JSONPath that matches nothing is an Error', async () => {
    const m = await webProvider().run(ctx(webMetric({ url: '/ok', jsonPath: '{$.data.missing}' })));
    expect(m).toMatchObject({
      phase: 'Error',
      message: 'Could not find JSONPath in body: missing is not found',
    });
  });
  it('POST with headers and a body', async () => {
    const m = await webProvider().run(
      ctx(
        webMetric(
          {
            url: '/echo',
            method: 'POST',
            headers: [{ key: 'Authorization', value: 'Bearer t' }],
            body: '{"q":1}',
          },
          {
            successCondition:
              'result.method == "POST" && result.auth == "Bearer t" && result.body == "{\\"q\\":1}"',
          },
        ),
      ),
    );
    expect(m.phase, m.message).toBe('Successful');
  });
  it('a body with GET is rejected', async () => {
    const m = await webProvider().run(ctx(webMetric({ url: '/echo', body: 'x' })));
    expect(m).toMatchObject({
      phase: 'Error',
      message: 'Body can only be used with POST or PUT WebMetric Method types',
    });
  });
});

describe('insecure: a server whose certificate is not trusted', () => {
  let dir: string;
  let server: ReturnType<typeof createHttpsServer>;
  let url: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'slipway-tls-'));
    const pki = await ensurePki(dir);
    server = createHttpsServer(
      { cert: readFileSync(pki.servingCert), key: readFileSync(pki.servingKey) },
      (_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'),
    );
    const port = await freePort();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${port}/`;
  }, 60_000);
  afterAll(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    rmSync(dir, { recursive: true, force: true });
  });
  const metric = (insecure: boolean): Metric => ({
    name: 'm',
    successCondition: 'result == true',
    provider: { web: { url, jsonPath: '{$.ok}', insecure } },
  });
  it('without insecure the measurement is an Error (certificate not trusted)', async () => {
    const m = await webProvider().run(ctx(metric(false)));
    expect(m.phase).toBe('Error');
    expect(m.message).toContain(`Get "${url}"`);
  });
  it('with insecure: true it is measured', async () => {
    const m = await webProvider().run(ctx(metric(true)));
    expect(m.phase, m.message).toBe('Successful');
  });
});
