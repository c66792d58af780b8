/**
 * gitops-engine's own fixtures (`pkg/health/testdata`, as vendored in argo-cd at 37ee0097) with the
 * statuses `health_test.go` asserts, plus vectors recorded by running gitops-engine's
 * `GetResourceHealth` on each object (`testdata/recorded/gitops-engine.json`, see testdata/README.md).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeObject } from '../kube/types.ts';
import { assessHealth, type HealthStatus, type HealthStatusCode, healthCheckFor } from './index.ts';

const fixtureDir = new URL('./testdata/gitops-engine/', import.meta.url);
// statefulset-ondelete.yaml repeats a key; Go's YAML reader keeps the last value, and so does this.
const load = (file: string): KubeObject =>
  parse(readFileSync(new URL(file, fixtureDir), 'utf8'), { uniqueKeys: false }) as KubeObject;

/**
 * [fixture, status asserted by health_test.go (undefined: asserted nil), message]. health_test.go
 * asserts only the status (and the `job-suspended` message); the other messages were recorded from
 * gitops-engine itself.
 */
const FIXTURES: ReadonlyArray<readonly [string, HealthStatusCode | undefined, string?]> = [
  ['nginx.yaml', 'Healthy'], // ../utils/kube/testdata/nginx.yaml in upstream
  [
    'deployment-progressing.yaml',
    'Progressing',
    'Waiting for rollout to finish: 1 old replicas are pending termination...',
  ],
  ['deployment-suspended.yaml', 'Suspended', 'Deployment is paused'],
  ['deployment-degraded.yaml', 'Degraded', 'Deployment "guestbook-ui" exceeded its progress deadline'],
  ['statefulset.yaml', 'Healthy', 'statefulset has 1 ready pods'],
  ['statefulset-ondelete.yaml', 'Healthy', 'statefulset has 1 ready pods'],
  ['daemonset-ondelete.yaml', 'Healthy', 'daemon set 0 out of 1 new pods have been updated'],
  ['pvc-bound.yaml', 'Healthy'],
  ['pvc-pending.yaml', 'Progressing'],
  ['svc-clusterip.yaml', 'Healthy'],
  ['svc-loadbalancer.yaml', 'Healthy'],
  ['svc-loadbalancer-unassigned.yaml', 'Progressing'],
  ['svc-loadbalancer-nonemptylist.yaml', 'Healthy'],
  ['ingress.yaml', 'Healthy'],
  ['ingress-unassigned.yaml', 'Progressing'],
  ['ingress-nonemptylist.yaml', 'Healthy'],
  ['knative-service.yaml', undefined],
  ['job-running.yaml', 'Progressing'],
  ['job-failed.yaml', 'Degraded', 'Job has reached the specified backoff limit'],
  ['job-succeeded.yaml', 'Healthy'],
  ['job-suspended.yaml', 'Suspended', 'Job suspended'],
  ['hpa-v2-healthy.yaml', 'Healthy', 'recommended size matches current size'],
  [
    'hpa-v2-degraded.yaml',
    'Degraded',
    `the HPA controller was unable to get the target's current scale: deployments/scale.apps "sandbox-test-app-8" not found`,
  ],
  ['hpa-v2-progressing.yaml', 'Progressing', 'Waiting to Autoscale'],
  ['hpa-v1-degraded.yaml', 'Degraded', `the HPA controller was unable to get the target's current scale`],
  [
    'hpa-v1-degraded-failedgetobjectmetric.yaml',
    'Degraded',
    'the HPA was unable to compute the replica count: unable to get metric tomcat_sessions_active_current_sessions: Service on namespace sample-service/unable to fetch metrics from custom metrics API: the server could not find the metric tomcat_sessions_active_current_sessions for services',
  ],
  [
    'hpa-v1-healthy.yaml',
    'Healthy',
    'recent recommendations were higher than current one, applying the highest recent recommendation',
  ],
  ['hpa-v1-healthy-toofew.yaml', 'Healthy', 'recommended size matches current size'],
  ['hpa-v1-progressing.yaml', 'Progressing', 'Waiting to Autoscale'],
  ['hpa-v1-progressing-with-no-annotations.yaml', 'Progressing', 'Waiting to Autoscale'],
  ['pod-pending.yaml', 'Progressing'],
  ['pod-running-not-ready.yaml', 'Progressing'],
  [
    'pod-crashloop.yaml',
    'Degraded',
    'Back-off 40s restarting failed container=main pod=my-pod_argocd(63674389-f613-11e8-a057-fe5f49266390)',
  ],
  [
    'pod-imagepullbackoff.yaml',
    'Degraded',
    'Back-off pulling image "gcr.io/heptio-images/ks-guestbook-demo:0.3"',
  ],
  ['pod-error.yaml', 'Degraded'],
  ['pod-running-restart-always.yaml', 'Healthy'],
  ['pod-running-restart-never.yaml', 'Progressing'],
  ['pod-running-restart-never-with-ignore-annotation.yaml', 'Healthy'],
  ['pod-running-restart-never-hook-with-ignore-annotation.yaml', 'Progressing'],
  [
    'pod-running-restart-never-with-ignore-annotation-backoff.yaml',
    'Degraded',
    'Back-off pulling image "alpine:3.21"',
  ],
  ['pod-running-restart-onfailure.yaml', 'Progressing'],
  ['pod-failed.yaml', 'Degraded', 'container "main" failed with exit code 1'],
  ['pod-succeeded.yaml', 'Healthy'],
  ['pod-deletion.yaml', 'Progressing', 'Pending deletion'],
  ['application-healthy.yaml', undefined],
  ['application-degraded.yaml', undefined],
  ['apiservice-v1-true.yaml', 'Healthy', 'Passed: all checks passed'],
  [
    'apiservice-v1-false.yaml',
    'Progressing',
    'MissingEndpoints: endpoints for service/cert-manager-webhook in "external-dns" have no addresses',
  ],
  ['apiservice-v1beta1-true.yaml', 'Healthy', 'Passed: all checks passed'],
  [
    'apiservice-v1beta1-false.yaml',
    'Progressing',
    'MissingEndpoints: endpoints for service/cert-manager-webhook in "external-dns" have no addresses',
  ],
];

describe('gitops-engine pkg/health/testdata', () => {
  it('covers every fixture file', () => {
    const files = readdirSync(fixtureDir).filter((f) => f.endsWith('.yaml'));
    expect(files.sort()).toEqual(FIXTURES.map(([file]) => file).sort());
  });

  const rows = FIXTURES.map(([file, status, message]) => ({ file, status, message }));
  it.each(rows)('$file', ({ file, status, message }) => {
    const want: HealthStatus | undefined =
      status === undefined ? undefined : message ? { status, message } : { status };
    expect(assessHealth(load(file))).toEqual(want);
  });
});

interface Recorded {
  name: string;
  object: KubeObject;
  health: { status: HealthStatusCode; message?: string } | null;
}

/**
 * Where only the start of the message can match: the rest is Go's JSON syntax error text, which
 * Slipway does not imitate (it gives JavaScript's).
 */
const MESSAGE_PREFIX_ONLY: ReadonlyMap<string, string> = new Map([
  ['hpa v1 invalid json', 'failed to convert conditions annotation to typed: '],
]);

const recorded: Recorded[] = JSON.parse(
  readFileSync(new URL('./testdata/recorded/gitops-engine.json', import.meta.url), 'utf8'),
);

describe('vectors recorded from gitops-engine GetResourceHealth', () => {
  it('has the recorded corpus', () => {
    expect(recorded.length).toBeGreaterThan(150);
  });

  it.each(recorded)('$name', ({ name, object, health }) => {
    const got = assessHealth(object);
    const prefix = MESSAGE_PREFIX_ONLY.get(name);
    if (prefix === undefined) {
      expect(got).toEqual(health ?? undefined);
    } else {
      expect(got?.status).toBe(health?.status);
      expect(health?.message?.startsWith(prefix)).toBe(true);
      expect(got?.message?.startsWith(prefix)).toBe(true);
    }
  });
});

describe('assessHealth dispatch', () => {
  const childApp = load('application-degraded.yaml');

  it('gives child Applications no health unless asked, as Argo CD since 1.8', () => {
    expect(assessHealth(childApp)).toBeUndefined();
    expect(assessHealth(childApp, { applicationHealth: true })).toEqual({ status: 'Degraded' });
  });

  it('routes Rollouts and CronJobs of any version to the Lua ports', () => {
    const rollout = { apiVersion: 'argoproj.io/v1beta1', kind: 'Rollout', metadata: { name: 'r' } };
    expect(assessHealth(rollout)).toEqual({
      status: 'Progressing',
      message: 'Waiting for rollout spec update to be observed',
    });
    const cronJob = { apiVersion: 'batch/v1beta1', kind: 'CronJob', metadata: { name: 'c' }, spec: {} };
    expect(assessHealth(cronJob)).toEqual({ status: 'Progressing', message: 'Waiting for CronJob' });
  });

  it('checks deletion before any health script', () => {
    const rollout = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'r', deletionTimestamp: '2024-05-01T10:00:00Z' },
    };
    expect(assessHealth(rollout)).toEqual({ status: 'Progressing', message: 'Pending deletion' });
  });

  it('answers Unknown instead of throwing for values that are not objects', () => {
    for (const value of [null, 'x', 3, [], undefined]) {
      expect(assessHealth(value as unknown as KubeObject)?.status).toBe('Unknown');
    }
  });

  it('has no check for kinds without one', () => {
    expect(healthCheckFor({ group: '', version: 'v1', kind: 'ConfigMap' })).toBeUndefined();
    expect(healthCheckFor({ group: 'apps', version: 'v1', kind: 'Deployment' })).toBeTypeOf('function');
  });
});
