import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import { buildAnalysisRun, resolveFieldRef } from './analysis-runs.ts';

const template = (name: string, spec: object): KubeObject => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'AnalysisTemplate',
  metadata: { name },
  spec,
});
const RO = { name: 'web', namespace: 'ns', uid: 'u1', labels: { team: 'a' }, annotations: { 'x/y': 'z' } };
const inputs = (templates: KubeObject[]) => ({
  rollout: RO,
  templates: new Map(templates.map((t) => [t.metadata.name ?? '', t])),
  name: 'web-abc-2',
  type: 'Background' as const,
  podHash: 'abc',
  stableHash: 'def',
});

describe('buildAnalysisRun', () => {
  it('concatenates metrics of every template and resolves value, pod hash and fieldRef arguments', () => {
    const run = buildAnalysisRun(
      {
        templates: [{ templateName: 'a' }, { templateName: 'b' }],
        args: [
          { name: 'svc', value: 'web' },
          { name: 'stable', valueFrom: { podTemplateHashValue: 'Stable' } },
          { name: 'latest', valueFrom: { podTemplateHashValue: 'Latest' } },
          { name: 'team', valueFrom: { fieldRef: { fieldPath: "metadata.labels['team']" } } },
        ],
      },
      inputs([
        template('a', { args: [{ name: 'svc' }, { name: 'stable' }], metrics: [{ name: 'm1' }] }),
        template('b', {
          args: [{ name: 'latest' }, { name: 'team' }, { name: 'fixed', value: '1' }],
          metrics: [{ name: 'm2' }],
        }),
      ]),
    ) as KubeObject & { spec: { metrics: unknown; args: unknown } };
    expect(run.spec.metrics).toEqual([{ name: 'm1' }, { name: 'm2' }]);
    expect(run.spec.args).toEqual([
      { name: 'svc', value: 'web' },
      { name: 'stable', value: 'def' },
      { name: 'latest', value: 'abc' },
      { name: 'team', value: 'a' },
      { name: 'fixed', value: '1' },
    ]);
    expect(run.metadata.labels).toEqual({
      'rollouts-pod-template-hash': 'abc',
      'rollout-type': 'Background',
    });
    expect(run.metadata.ownerReferences).toEqual([
      {
        apiVersion: 'argoproj.io/v1alpha1',
        kind: 'Rollout',
        name: 'web',
        uid: 'u1',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
  });

  it('names a missing template and an argument left without a value', () => {
    expect(() => buildAnalysisRun({ templates: [{ templateName: 'gone' }] }, inputs([]))).toThrow(
      'AnalysisTemplate/ns/gone: not found',
    );
    expect(() =>
      buildAnalysisRun(
        { templates: [{ templateName: 'a' }] },
        inputs([template('a', { args: [{ name: 'svc' }] })]),
      ),
    ).toThrow('Rollout/ns/web: args.svc was not resolved');
  });
});

describe('resolveFieldRef', () => {
  it.each([
    ['metadata.name', 'web'],
    ['metadata.namespace', 'ns'],
    ['metadata.uid', 'u1'],
    ["metadata.annotations['x/y']", 'z'],
    ["metadata.labels['missing']", undefined],
    ['spec.replicas', undefined],
  ])('%s → %s', (path, value) => {
    expect(resolveFieldRef(path, RO)).toBe(value);
  });
});
