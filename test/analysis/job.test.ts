/**
 * The job provider on the real control plane. KWOK's `pod-complete` stage marks pods owned by a
 * Job as Succeeded, and kube-controller-manager's job controller then sets `Complete`; a Job
 * whose pod cannot be scheduled fails by `activeDeadlineSeconds` (`DeadlineExceeded`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalysisRunController } from '../../src/analysis/controller.ts';
import { jobProvider } from '../../src/analysis/providers/index.ts';
import type { AnalysisRun, Metric } from '../../src/analysis/types.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { ensureCrds, loadCrds } from '../../src/kube/crds.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import { createNamespace, eventually, sharedClient, uniqueName } from '../cluster/helpers.ts';
import { providerSuite } from './provider-suite.ts';

const AR = { apiVersion: 'argoproj.io/v1alpha1', kind: 'AnalysisRun' } as const;

let client: KubeClient;
let ns: { name: string; remove: () => Promise<void> };
let owner: AnalysisRun;

const jobMetric = (o: 'pass' | 'fail' | 'error'): Metric => ({
  name: `job-${o}`,
  provider: {
    job: {
      spec: {
        backoffLimit: 0,
        ...(o === 'fail' ? { activeDeadlineSeconds: 2 } : {}),
        template: {
          spec: {
            restartPolicy: 'Never',
            ...(o === 'fail' ? { nodeSelector: { 'slipway.dev/no-such-node': 'true' } } : {}),
            containers: [{ name: 'check', image: 'busybox', command: ['true'] }],
          },
        },
      },
    },
  },
});

beforeAll(async () => {
  client = sharedClient();
  await ensureCrds(
    client,
    loadCrds(new URL('../../src/rollouts/crds/analysis-run-crd.yaml', import.meta.url)),
  );
  ns = await createNamespace(client, 'ajob');
  // Jobs are owned by a real AnalysisRun (no controller runs on it in the shared suite).
  const created = await client.create<KubeObject>({
    ...AR,
    metadata: { name: 'owner', namespace: ns.name },
    spec: { metrics: [jobMetric('pass')] },
  });
  owner = created as unknown as AnalysisRun;
});

afterAll(async () => {
  await ns?.remove();
  await client?.close();
});

providerSuite('job', () => ({
  provider: () => jobProvider(client),
  // "error": a job spec the API server rejects, so the Job cannot be created.
  run: () => owner,
  metric: (o) =>
    o === 'error'
      ? { ...jobMetric('pass'), provider: { job: { spec: { template: 'not-an-object' } } } }
      : jobMetric(o),
}));

describe('job metric through the controller', () => {
  it('creates a Job owned by the run, records job-name, ends Successful', async () => {
    const name = uniqueName('jobrun');
    await client.create({
      ...AR,
      metadata: { name, namespace: ns.name },
      spec: { metrics: [jobMetric('pass')] },
    });
    const controller = createAnalysisRunController({ client, namespace: ns.name });
    await controller.start();
    try {
      const run = await eventually(
        async () => {
          const r = await client.get<AnalysisRun & KubeObject>({ ...AR, name, namespace: ns.name });
          if (r?.status?.phase !== 'Successful') throw new Error(JSON.stringify(r?.status));
          return r;
        },
        90_000,
        500,
      );
      const m = run.status?.metricResults?.[0]?.measurements?.[0];
      expect(m?.phase).toBe('Successful');
      const job = await client.get({
        apiVersion: 'batch/v1',
        kind: 'Job',
        name: m?.metadata?.['job-name'] ?? '',
        namespace: ns.name,
      });
      expect(job?.metadata.ownerReferences?.[0]).toMatchObject({
        kind: 'AnalysisRun',
        name,
        controller: true,
      });
      expect(job?.metadata.annotations?.['analysisrun.argoproj.io/metric-name']).toBe('job-pass');
      expect(job?.metadata.name).toBe(`${run.metadata.uid}.job-pass.1`);
    } finally {
      await controller.stop();
    }
  });
  it('a Job that fails (activeDeadlineSeconds) ends the run Failed', async () => {
    const name = uniqueName('jobfail');
    await client.create({
      ...AR,
      metadata: { name, namespace: ns.name },
      spec: { metrics: [jobMetric('fail')] },
    });
    const controller = createAnalysisRunController({ client, namespace: ns.name });
    await controller.start();
    try {
      const run = await eventually(
        async () => {
          const r = await client.get<AnalysisRun & KubeObject>({ ...AR, name, namespace: ns.name });
          if (!['Failed', 'Error', 'Successful'].includes(r?.status?.phase ?? ''))
            throw new Error(JSON.stringify(r?.status));
          return r;
        },
        90_000,
        500,
      );
      expect(run?.status?.phase).toBe('Failed');
      expect(run?.status?.message).toBe(
        'Metric "job-fail" assessed Failed due to failed (1) > failureLimit (0): "Error Message: Job was active longer than specified deadline"',
      );
    } finally {
      await controller.stop();
    }
  });

  it('terminating a run deletes its in-flight Job and ends Successful ("Metric Terminated")', async () => {
    const name = uniqueName('jobterm');
    const stuck = jobMetric('fail');
    delete (stuck.provider['job'] as { spec: Record<string, unknown> }).spec['activeDeadlineSeconds'];
    await client.create({ ...AR, metadata: { name, namespace: ns.name }, spec: { metrics: [stuck] } });
    const controller = createAnalysisRunController({ client, namespace: ns.name });
    await controller.start();
    try {
      const running = await eventually(async () => {
        const r = await client.get<AnalysisRun & KubeObject>({ ...AR, name, namespace: ns.name });
        if (r?.status?.metricResults?.[0]?.measurements?.[0]?.phase !== 'Running')
          throw new Error(JSON.stringify(r?.status));
        return r;
      });
      const jobName = running?.status?.metricResults?.[0]?.measurements?.[0]?.metadata?.['job-name'] ?? '';
      await client.patch({ ...AR, name, namespace: ns.name }, { spec: { terminate: true } });
      const run = await eventually(async () => {
        const r = await client.get<AnalysisRun & KubeObject>({ ...AR, name, namespace: ns.name });
        if (r?.status?.phase !== 'Successful') throw new Error(JSON.stringify(r?.status));
        return r;
      });
      expect(run?.status?.metricResults?.[0]?.measurements?.[0]).toMatchObject({
        phase: 'Successful',
        message: 'Metric Terminated',
      });
      await eventually(async () => {
        const job = await client.get({
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: jobName,
          namespace: ns.name,
        });
        if (job && !job.metadata.deletionTimestamp) throw new Error('job still there');
      });
    } finally {
      await controller.stop();
    }
  });
});
