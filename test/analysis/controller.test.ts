/**
 * The AnalysisRun controller on the real control plane, measuring a real Prometheus that scrapes
 * an in-process app, with the seed's AnalysisTemplate (only its `address` changed).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createAnalysisRunController } from '../../src/analysis/controller.ts';
import { newAnalysisRunSpec } from '../../src/analysis/templates.ts';
import {
  type AnalysisRun,
  type AnalysisRunSpec,
  AnalysisTemplateSpecSchema,
} from '../../src/analysis/types.ts';
import { freePort } from '../../src/devcluster/processes.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { ensureCrds, loadCrds } from '../../src/kube/crds.ts';
import { isConflict } from '../../src/kube/errors.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { createNamespace, eventually, sharedClient, uniqueName } from '../cluster/helpers.ts';
import {
  type MetricsApp,
  startMetricsApp,
  startPrometheus,
  type TestPrometheus,
} from '../support/prometheus.ts';

const AR = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun' } as const;
const SUCCESS_RATE =
  'sum(rate(http_requests_total{service="my-service",status=~"2.."}[2m])) / sum(rate(http_requests_total{service="my-service"}[2m]))';

/** The seed template, verbatim except the Prometheus address. */
function seedTemplate(address: string) {
  const doc = parse(
    readFileSync(new URL('../fixtures/seed/analysis-template.yaml', import.meta.url), 'utf8'),
  ) as {
    spec: { metrics: Array<{ provider: { prometheus: { address: string } } }> };
  };
  doc.spec.metrics[0]!.provider.prometheus.address = address;
  return AnalysisTemplateSpecSchema.parse(doc.spec);
}

let client: KubeClient;
let ns: { name: string; remove: () => Promise<void> };
let okApp: MetricsApp;
let badApp: MetricsApp;
let okProm: TestPrometheus;
let badProm: TestPrometheus;
let deadAddress: string;

beforeAll(async () => {
  client = sharedClient();
  await ensureCrds(
    client,
    ['analysis-template', 'cluster-analysis-template', 'analysis-run'].flatMap((f) =>
      loadCrds(new URL(`../../src/rollouts/crds/${f}-crd.yaml`, import.meta.url)),
    ),
  );
  ns = await createNamespace(client, 'analysis');
  okApp = await startMetricsApp({ errorRatio: 0 });
  badApp = await startMetricsApp({ errorRatio: 0.05 });
  okProm = await startPrometheus([okApp.target]);
  badProm = await startPrometheus([badApp.target]);
  deadAddress = `http://127.0.0.1:${await freePort()}`;
  // Measure only once both servers can compute the rate (two scrapes at least).
  for (const p of [okProm, badProm]) {
    await eventually(
      async () => {
        const r = await p.query(SUCCESS_RATE);
        if ((r.result as unknown[]).length !== 1) throw new Error('no rate yet');
      },
      60_000,
      500,
    );
  }
}, 180_000);

afterAll(async () => {
  await Promise.all([okProm?.stop(), badProm?.stop()]);
  await Promise.all([okApp?.stop(), badApp?.stop()]);
  await ns?.remove();
  await client?.close();
});

async function createRun(name: string, spec: AnalysisRunSpec): Promise<void> {
  await client.create({ ...AR, metadata: { name, namespace: ns.name }, spec });
}

async function getRun(name: string): Promise<AnalysisRun & KubeObject> {
  const run = await client.get<AnalysisRun & KubeObject>({ ...AR, name, namespace: ns.name });
  if (!run) throw new Error(`${name} not found`);
  return run;
}

async function waitForPhase(name: string, phases: string[], timeoutMs = 60_000) {
  return eventually(
    async () => {
      const run = await getRun(name);
      if (!phases.includes(run.status?.phase ?? ''))
        throw new Error(`${name}: ${JSON.stringify(run.status)}`);
      return run;
    },
    timeoutMs,
    250,
  );
}

describe('AnalysisRun controller', () => {
  let stop: (() => Promise<void>) | undefined;
  const errors: unknown[] = [];
  beforeAll(async () => {
    const c = createAnalysisRunController({
      client,
      namespace: ns.name,
      onError: (_k, err) => errors.push(err),
    });
    await c.start();
    stop = () => c.stop();
  });
  afterAll(async () => {
    await stop?.();
  });

  it('seed template, 0% errors: the measurement is Successful ("[1]"), the run keeps Running, terminate → Successful', async () => {
    const name = uniqueName('ok');
    await createRun(
      name,
      newAnalysisRunSpec({
        templates: [seedTemplate(okProm.url)],
        args: [{ name: 'service-name', value: 'my-service' }],
      }),
    );
    const running = await eventually(async () => {
      const run = await getRun(name);
      const m = run.status?.metricResults?.[0]?.measurements?.[0];
      if (m?.phase !== 'Successful') throw new Error(JSON.stringify(run.status));
      return run;
    });
    expect(running.status?.phase).toBe('Running');
    expect(running.status?.metricResults?.[0]).toMatchObject({
      name: 'success-rate',
      count: 1,
      successful: 1,
    });
    expect(running.status?.metricResults?.[0]?.measurements?.[0]?.value).toBe('[1]');
    expect(running.status?.metricResults?.[0]?.metadata?.['ResolvedPrometheusQuery']).toContain(
      'service="my-service"',
    );
    // interval 60s: nothing more happens for a minute; terminating ends it Successful.
    await client.patch({ ...AR, name, namespace: ns.name }, { spec: { terminate: true } });
    const done = await waitForPhase(name, ['Successful']);
    expect(done.status?.message).toBe('Run Terminated');
    expect(done.status?.completedAt).toBeDefined();
  });

  it('seed template, 5% errors: the run is Failed with upstream’s message', async () => {
    const name = uniqueName('bad');
    await createRun(
      name,
      newAnalysisRunSpec({
        templates: [seedTemplate(badProm.url)],
        args: [{ name: 'service-name', value: 'my-service' }],
      }),
    );
    const run = await waitForPhase(name, ['Failed', 'Error']);
    expect(run.status?.phase).toBe('Failed');
    expect(run.status?.message).toBe(
      'Metric "success-rate" assessed Failed due to failed (1) > failureLimit (0)',
    );
    expect(run.status?.metricResults?.[0]?.measurements?.[0]?.value).toMatch(/^\[0\.9[0-9]*\]$/);
    expect(run.status?.runSummary).toEqual({ count: 1, successful: 0, failed: 1, inconclusive: 0, error: 0 });
  });

  it('a Prometheus that is down: Error measurements, then past consecutiveErrorLimit an Error run', async () => {
    const name = uniqueName('down');
    const template = seedTemplate(deadAddress);
    template.metrics![0]!.consecutiveErrorLimit = 1; // two errors, 10s apart, instead of five
    await createRun(
      name,
      newAnalysisRunSpec({ templates: [template], args: [{ name: 'service-name', value: 'my-service' }] }),
    );
    const first = await eventually(async () => {
      const run = await getRun(name);
      if (run.status?.metricResults?.[0]?.measurements?.[0]?.phase !== 'Error')
        throw new Error(JSON.stringify(run.status));
      return run;
    });
    expect(first.status?.phase).toBe('Running');
    expect(first.status?.metricResults?.[0]?.measurements?.[0]?.message).toContain(
      `Post "${deadAddress}/api/v1/query"`,
    );
    const run = await waitForPhase(name, ['Error'], 60_000);
    expect(run.status?.metricResults?.[0]).toMatchObject({ error: 2, consecutiveError: 2 });
    expect(run.status?.metricResults?.[0]?.count ?? 0).toBe(0);
    expect(run.status?.message).toMatch(
      /^Metric "success-rate" assessed Error due to consecutiveErrors \(2\) > consecutiveErrorLimit \(1\): "Error Message: Post /,
    );
  });

  it('a malformed condition: Error run with a clear message', async () => {
    const name = uniqueName('cond');
    const template = seedTemplate(okProm.url);
    template.metrics![0]!.successCondition = 'result[0] >=';
    template.metrics![0]!.consecutiveErrorLimit = 0;
    await createRun(
      name,
      newAnalysisRunSpec({ templates: [template], args: [{ name: 'service-name', value: 'my-service' }] }),
    );
    const run = await waitForPhase(name, ['Error']);
    expect(run.status?.message).toMatch(
      /^Metric "success-rate" assessed Error due to consecutiveErrors \(1\) > consecutiveErrorLimit \(0\): "Error Message: could not evaluate successCondition "result\[0\] >=": /,
    );
  });

  it('an unresolved arg: Error run "Unable to resolve metric arguments"', async () => {
    const name = uniqueName('args');
    const spec = newAnalysisRunSpec({
      templates: [seedTemplate(okProm.url)],
      args: [{ name: 'service-name', value: 'x' }],
    });
    delete spec.args;
    await createRun(name, spec);
    const run = await waitForPhase(name, ['Error']);
    expect(run.status?.message).toBe(
      'Unable to resolve metric arguments: failed to resolve {{args.service-name}}',
    );
  });

  it('a secret arg is read from the Secret and redacted in messages', async () => {
    const name = uniqueName('secret');
    await client.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'prom', namespace: ns.name },
      stringData: { address: deadAddress },
    });
    const template = seedTemplate('{{args.address}}');
    template.args = [
      ...(template.args ?? []),
      { name: 'address', valueFrom: { secretKeyRef: { name: 'prom', key: 'address' } } },
    ];
    template.metrics![0]!.consecutiveErrorLimit = 0;
    await createRun(
      name,
      newAnalysisRunSpec({ templates: [template], args: [{ name: 'service-name', value: 'my-service' }] }),
    );
    const run = await waitForPhase(name, ['Error']);
    const message = run.status?.metricResults?.[0]?.measurements?.[0]?.message ?? '';
    expect(message).toContain('Post "*****/api/v1/query"');
    expect(message).not.toContain(deadAddress);
  });

  it('a secret arg whose Secret is missing: Error run naming the Secret', async () => {
    const name = uniqueName('nosecret');
    const template = seedTemplate('{{args.address}}');
    template.args = [
      ...(template.args ?? []),
      { name: 'address', valueFrom: { secretKeyRef: { name: 'nope', key: 'address' } } },
    ];
    await createRun(
      name,
      newAnalysisRunSpec({ templates: [template], args: [{ name: 'service-name', value: 'my-service' }] }),
    );
    const run = await waitForPhase(name, ['Error']);
    expect(run.status?.message).toBe(
      `Unable to resolve metric arguments: AnalysisRun/${ns.name}/${name}: secret "nope" not found`,
    );
  });

  it('reconciled without errors other than write conflicts from a stale cache (retried)', () => {
    expect(errors.filter((e) => !isConflict(e)).map(String)).toEqual([]);
  });
});

describe('ttlStrategy', () => {
  it('a completed run is deleted once secondsAfterSuccess has passed', async () => {
    const name = uniqueName('ttl');
    const template = seedTemplate(okProm.url);
    delete template.metrics![0]!.interval; // one measurement (EffectiveCount 1)
    const spec = newAnalysisRunSpec({
      templates: [template],
      args: [{ name: 'service-name', value: 'my-service' }],
    });
    await createRun(name, { ...spec, ttlStrategy: { secondsAfterSuccess: 1 } });
    const c = createAnalysisRunController({ client, namespace: ns.name });
    await c.start();
    try {
      await waitForPhase(name, ['Successful']);
      await eventually(
        async () => {
          const run = await client.get({ ...AR, name, namespace: ns.name });
          if (run) throw new Error('still there');
        },
        30_000,
        250,
      );
    } finally {
      await c.stop();
    }
  });
});

describe('restart', () => {
  it('a controller killed mid-run is replaced by a new one that carries on from status', async () => {
    const name = uniqueName('restart');
    const template = seedTemplate(okProm.url);
    template.metrics![0]!.interval = '2s';
    template.metrics![0]!.count = 3;
    await createRun(
      name,
      newAnalysisRunSpec({ templates: [template], args: [{ name: 'service-name', value: 'my-service' }] }),
    );
    const first = createAnalysisRunController({ client, namespace: ns.name });
    await first.start();
    await eventually(async () => {
      const run = await getRun(name);
      if ((run.status?.metricResults?.[0]?.count ?? 0) < 1) throw new Error('no measurement yet');
    });
    await first.stop();
    const counted = (await getRun(name)).status?.metricResults?.[0]?.count ?? 0;
    expect(counted).toBeLessThan(3);
    const second = createAnalysisRunController({ client, namespace: ns.name });
    await second.start();
    try {
      const run = await waitForPhase(name, ['Successful', 'Failed', 'Error']);
      expect(run.status?.phase).toBe('Successful');
      expect(run.status?.metricResults?.[0]).toMatchObject({ count: 3, successful: 3 });
      expect(run.status?.metricResults?.[0]?.measurements).toHaveLength(3);
    } finally {
      await second.stop();
    }
  });
});
