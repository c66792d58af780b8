import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import { containerImages, isWorkload, unpinnedReason } from './workloads.ts';

const D = 'sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3';
const podSpec = {
  initContainers: [{ name: 'migrate', image: 'reg/migrate:v1' }],
  containers: [{ name: 'app', image: 'reg/app:v1' }],
};

const obj = (apiVersion: string, kind: string, spec: unknown): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name: 'x', namespace: 'ns' },
  spec,
});

describe('containerImages', () => {
  it.each([
    ['v1', 'Pod', podSpec, 'spec'],
    ['apps/v1', 'Deployment', { template: { spec: podSpec } }, 'spec.template.spec'],
    ['apps/v1', 'StatefulSet', { template: { spec: podSpec } }, 'spec.template.spec'],
    ['apps/v1', 'DaemonSet', { template: { spec: podSpec } }, 'spec.template.spec'],
    ['batch/v1', 'Job', { template: { spec: podSpec } }, 'spec.template.spec'],
    [
      'batch/v1',
      'CronJob',
      { jobTemplate: { spec: { template: { spec: podSpec } } } },
      'spec.jobTemplate.spec.template.spec',
    ],
    ['argoproj.io/v1alpha1', 'Rollout', { template: { spec: podSpec } }, 'spec.template.spec'],
  ])('%s %s: init containers and containers at %s', (apiVersion, kind, spec, base) => {
    const images = containerImages(obj(apiVersion, kind, spec));
    expect(images.map((i) => [i.path, i.container, i.name, i.tag])).toEqual([
      [`${base}.initContainers[0].image`, 'migrate', 'reg/migrate', 'v1'],
      [`${base}.containers[0].image`, 'app', 'reg/app', 'v1'],
    ]);
    expect(images[0]?.workload).toBe(`${kind}/ns/x`);
  });

  it('ignores kinds that are not workloads, and a Rollout-named kind of another group', () => {
    expect(isWorkload(obj('v1', 'Service', {}))).toBe(false);
    expect(isWorkload(obj('example.com/v1', 'Rollout', {}))).toBe(false);
    expect(containerImages(obj('v1', 'ConfigMap', {}))).toEqual([]);
  });
});

describe('unpinnedReason', () => {
  it.each([
    ['reg/app:v1', undefined],
    [`reg/app@${D}`, undefined],
    [`reg/app:latest@${D}`, undefined],
    ['reg/app:latest', 'uses the :latest tag'],
    ['reg/app', 'has no tag or digest'],
    ['localhost:5000/app', 'has no tag or digest'],
    ['', 'has no image'],
  ])('%j', (image, reason) => {
    const [c] = containerImages(obj('v1', 'Pod', { containers: [{ name: 'a', image }] }));
    const got = unpinnedReason(c!);
    if (reason === undefined) expect(got).toBeUndefined();
    else expect(got).toContain(reason);
  });
});
