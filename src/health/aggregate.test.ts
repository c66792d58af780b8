/**
 * Argo CD's `controller/health_test.go` (argo-cd 37ee0097), with its fixtures in
 * `testdata/controller/`, and gitops-engine's ordering.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeObject } from '../kube/types.ts';
import {
  type AppResource,
  aggregateHealth,
  formatHealthCauses,
  HEALTH_ORDER,
  type HealthStatusCode,
  isWorse,
  MAX_HEALTH_CAUSES_SHOWN,
  worstHealth,
} from './index.ts';

const load = (file: string): KubeObject =>
  parse(readFileSync(new URL(`./testdata/controller/${file}`, import.meta.url), 'utf8')) as KubeObject;

function withMetadata(obj: KubeObject, metadata: Record<string, unknown>): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, ...metadata } };
}

const podResource = (name: string, live?: KubeObject, target?: KubeObject): AppResource => ({
  group: '',
  kind: 'Pod',
  namespace: 'default',
  name,
  live,
  target,
});

/** `newAppLiveObj`: a child Application whose own health is `status`. */
const childApp = (status: HealthStatusCode): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'foo' },
  status: { health: { status } },
});

const appResource = (live: KubeObject): AppResource => ({
  group: 'argoproj.io',
  kind: 'Application',
  namespace: 'default',
  name: 'foo',
  live,
  target: live,
});

describe('health_test.go', () => {
  const failedJob = load('job-failed.yaml');
  const runningPod = load('pod-running-restart-always.yaml');
  const failedJobResource: AppResource = {
    group: 'batch',
    kind: 'Job',
    namespace: 'default',
    name: 'failed-job',
    live: failedJob,
  };

  it('TestSetApplicationHealth: a failed Job degrades the app and is its cause', () => {
    const health = aggregateHealth([podResource('running-pod', runningPod), failedJobResource]);
    expect(health.status).toBe('Degraded');
    expect(health.resources.map((r) => r?.status)).toEqual(['Healthy', 'Degraded']);
    expect(health.message).toBe('Caused by batch/Job:default/failed-job');
  });

  it('TestSetApplicationHealth: a failed PreSync hook does not count', () => {
    const hook = withMetadata(failedJob, { annotations: { 'argocd.argoproj.io/hook': 'PreSync' } });
    const health = aggregateHealth([
      podResource('running-pod', runningPod),
      { ...failedJobResource, live: hook },
    ]);
    expect(health).toEqual({ status: 'Healthy', resources: [{ status: 'Healthy' }, undefined] });
  });

  it('TestSetApplicationHealth: ignore-healthcheck leaves the failed Job out', () => {
    const ignored = load('job-failed-ignore-healthcheck.yaml');
    const health = aggregateHealth([
      podResource('running-pod', runningPod),
      { ...failedJobResource, live: ignored },
    ]);
    expect(health.status).toBe('Healthy');
    expect(health.message).toBeUndefined();
  });

  it('TestSetApplicationHealth_ResourceHealthNotPersisted: causes are still reported', () => {
    expect(aggregateHealth([failedJobResource]).message).toBe('Caused by batch/Job:default/failed-job');
  });

  it('TestSetApplicationHealth_NoResource', () => {
    expect(aggregateHealth([])).toEqual({ status: 'Healthy', resources: [] });
  });

  it('TestSetApplicationHealth_OnlyHooks', () => {
    const hook = withMetadata(runningPod, { annotations: { 'argocd.argoproj.io/hook': 'Sync' } });
    expect(aggregateHealth([podResource('', hook, hook)])).toEqual({
      status: 'Healthy',
      resources: [undefined],
    });
  });

  it('TestSetApplicationHealth_MissingResource: a missing resource does not degrade the app', () => {
    const pod2 = withMetadata(runningPod, { name: 'pod2' });
    const health = aggregateHealth([podResource('', undefined, runningPod), podResource('', pod2, pod2)]);
    expect(health).toEqual({ status: 'Healthy', resources: [{ status: 'Missing' }, { status: 'Healthy' }] });
  });

  it('TestSetApplicationHealth_MissingResource_WithIgnoreHealthcheck', () => {
    const pod2 = withMetadata(runningPod, {
      name: 'pod2',
      annotations: { 'argocd.argoproj.io/ignore-healthcheck': 'true' },
    });
    const health = aggregateHealth([podResource('', undefined, runningPod), podResource('', pod2, pod2)]);
    expect(health.status).toBe('Healthy');
    expect(health.message).toBeUndefined();
  });

  it('TestSetApplicationHealth_MissingResource_WithChildApp: an Unknown child app does not count', () => {
    const health = aggregateHealth([
      appResource(childApp('Unknown')),
      podResource('', undefined, runningPod),
    ]);
    expect(health.status).toBe('Healthy');
    expect(health.message).toBeUndefined();
  });

  it('TestSetApplicationHealth_AllMissingResources: the app is Missing, without causes', () => {
    const pod2 = withMetadata(runningPod, { name: 'pod2' });
    const health = aggregateHealth([
      podResource('pod', undefined, runningPod),
      podResource('pod2', undefined, pod2),
    ]);
    expect(health.status).toBe('Missing');
    expect(health.message).toBeUndefined();
  });

  it('TestSetApplicationHealth_AllMissingResources_WithHooks', () => {
    const hook = withMetadata(runningPod, {
      name: 'pod2',
      annotations: { 'argocd.argoproj.io/hook': 'Sync' },
    });
    const health = aggregateHealth([podResource('', undefined, runningPod), podResource('', hook, hook)]);
    expect(health.status).toBe('Missing');
    expect(health.message).toBeUndefined();
  });

  it('TestSetApplicationHealth_MultipleCauses', () => {
    const failedJob2 = withMetadata(failedJob, { name: 'failed-job-2' });
    const health = aggregateHealth([
      podResource('running-pod', runningPod),
      failedJobResource,
      { ...failedJobResource, name: 'failed-job-2', live: failedJob2 },
    ]);
    expect(health.status).toBe('Degraded');
    expect(health.message).toBe('Caused by batch/Job:default/failed-job, batch/Job:default/failed-job-2');
  });

  describe('TestSetApplicationHealth_HealthImproves', () => {
    const cases: Array<[HealthStatusCode, HealthStatusCode]> = [
      ['Unknown', 'Degraded'],
      ['Degraded', 'Progressing'],
      ['Missing', 'Progressing'],
      ['Progressing', 'Suspended'],
      ['Suspended', 'Healthy'],
    ];
    it.each(cases)('%s to %s', (_old, next) => {
      // Upstream overrides Pod health with a Lua script returning `next`.
      const health = aggregateHealth([podResource('running-pod', runningPod)], {
        assess: () => ({ status: next }),
      });
      expect(health.status).toBe(next);
      expect(health.message).toBe(next === 'Healthy' ? undefined : 'Caused by Pod:default/running-pod');
    });
  });

  describe('TestChildAppHealth (with the docs health script for Applications)', () => {
    const options = { applicationHealth: true };
    const empty: AppResource = { group: '', kind: '', name: '' };

    it('ChildAppDegraded', () => {
      const health = aggregateHealth([appResource(childApp('Degraded')), empty], options);
      expect(health.status).toBe('Degraded');
      expect(health.message).toBe('Caused by argoproj.io/Application:default/foo');
    });

    it.each(['Missing', 'Unknown'] as const)('ChildApp%s does not affect the parent', (status) => {
      const health = aggregateHealth([appResource(childApp(status)), empty], options);
      expect(health.status).toBe('Healthy');
      expect(health.message).toBeUndefined();
    });
  });
});

describe('TestFormatHealthCauses', () => {
  it('empty', () => {
    expect(formatHealthCauses([])).toBe('');
  });

  it('single namespaced resource', () => {
    expect(
      formatHealthCauses([{ group: 'apps', kind: 'Deployment', namespace: 'default', name: 'frontend' }]),
    ).toBe('Caused by apps/Deployment:default/frontend');
  });

  it('cluster-scoped resource omits namespace and empty group', () => {
    expect(formatHealthCauses([{ group: '', kind: 'PersistentVolume', name: 'pv-1' }])).toBe(
      'Caused by PersistentVolume:pv-1',
    );
  });

  it('truncates after max with count', () => {
    const causes = Array.from({ length: 8 }, (_, i) => ({
      group: '',
      kind: 'Pod',
      namespace: 'default',
      name: `pod-${i}`,
    }));
    const out = formatHealthCauses(causes);
    expect(out).toContain('and 5 more');
    expect(out.split('Pod:default/').length - 1).toBe(MAX_HEALTH_CAUSES_SHOWN);
  });
});

describe('aggregation rules read from controller/health.go', () => {
  const runningPod = load('pod-running-restart-always.yaml');

  it('leaves out Skip targets entirely, so they cannot make the app Missing', () => {
    const skip = withMetadata(runningPod, { annotations: { 'argocd.argoproj.io/hook': 'Skip' } });
    expect(aggregateHealth([podResource('p', undefined, skip)])).toEqual({
      status: 'Healthy',
      resources: [undefined],
    });
  });

  it('leaves out live objects with unknown hook types', () => {
    const garbage = withMetadata(runningPod, {
      annotations: { 'argocd.argoproj.io/hook': 'Garbage' },
      deletionTimestamp: '2024-01-01T00:00:00Z',
    });
    expect(aggregateHealth([podResource('p', garbage)]).status).toBe('Healthy');
  });

  it('leaves out the Application that manages itself', () => {
    const self = { ...childApp('Degraded'), metadata: { name: 'foo', namespace: 'argocd', uid: 'u1' } };
    const resources = [{ ...appResource(self), namespace: 'argocd' }];
    const options = { applicationHealth: true };
    expect(
      aggregateHealth(resources, { ...options, self: { name: 'foo', namespace: 'argocd', uid: 'u1' } }),
    ).toEqual({
      status: 'Healthy',
      resources: [undefined],
    });
    expect(
      aggregateHealth(resources, { ...options, self: { name: 'foo', namespace: 'argocd', uid: 'u2' } })
        .status,
    ).toBe('Degraded');
  });

  it('ignores resources without a health check', () => {
    const configMap: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } };
    expect(aggregateHealth([{ group: '', kind: 'ConfigMap', name: 'c', live: configMap }])).toEqual({
      status: 'Healthy',
      resources: [undefined],
    });
  });

  it('names every resource at the worst status, in order', () => {
    const statuses: HealthStatusCode[] = ['Progressing', 'Degraded', 'Progressing', 'Degraded'];
    const resources = statuses.map((_, i) => podResource(`p${i}`, runningPod));
    let next = 0;
    const health = aggregateHealth(resources, { assess: () => ({ status: statuses[next++] ?? 'Healthy' }) });
    expect(health.message).toBe('Caused by Pod:default/p1, Pod:default/p3');
  });
});

describe('IsWorse ordering', () => {
  it('orders Healthy < Suspended < Progressing < Missing < Degraded < Unknown', () => {
    expect(HEALTH_ORDER).toEqual(['Healthy', 'Suspended', 'Progressing', 'Missing', 'Degraded', 'Unknown']);
    for (const [i, better] of HEALTH_ORDER.entries()) {
      for (const [j, worse] of HEALTH_ORDER.entries()) expect(isWorse(better, worse)).toBe(j > i);
    }
  });

  it('worstHealth picks the worst, Healthy for none', () => {
    expect(worstHealth([])).toBe('Healthy');
    expect(worstHealth(['Suspended', 'Missing', 'Progressing'])).toBe('Missing');
    expect(worstHealth(['Degraded', 'Unknown', 'Healthy'])).toBe('Unknown');
  });
});
