import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../kube/types.ts';
import { observeAnalysisRun, observeReplicaSet } from '../../rollouts/observe.ts';
import { parseRollout } from '../../rollouts/spec.ts';
import { formatRolloutView } from './rollout.ts';

const rs = (hash: string, revision: number, replicas: number): KubeObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `web-${hash}`,
      labels: { 'rollouts-pod-template-hash': hash },
      annotations: { 'rollout.argoproj.io/revision': String(revision) },
    },
    spec: { replicas, template: { spec: { containers: [{ name: 'web', image: `web:${revision}` }] } } },
    status: { replicas, readyReplicas: replicas, availableReplicas: replicas },
  }) as KubeObject;

describe('formatRolloutView (blue-green)', () => {
  it('names the active, preview and stable ReplicaSets and lists the pre/post-promotion runs', () => {
    const parsed = parseRollout({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web', namespace: 'ns', generation: 1 },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {},
        strategy: { blueGreen: { activeService: 'a', previewService: 'p', autoPromotionEnabled: false } },
      },
      status: {
        observedGeneration: '1',
        currentPodHash: 'new',
        stableRS: 'old',
        blueGreen: { activeSelector: 'old', previewSelector: 'new' },
        pauseConditions: [{ reason: 'BlueGreenPause', startTime: '2026-01-01T00:00:00Z' }],
      },
    });
    if (!parsed.ok) throw new Error('fixture does not parse');
    const run = observeAnalysisRun({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'AnalysisRun',
      metadata: { name: 'web-new-2-pre', labels: { 'rollout-type': 'PrePromotion' } },
      status: { phase: 'Successful' },
    } as KubeObject);
    const text = formatRolloutView({
      rollout: parsed.value,
      replicaSets: [observeReplicaSet(rs('old', 1, 2)), observeReplicaSet(rs('new', 2, 2))],
      analysisRuns: [run],
    });
    const row = (name: string) =>
      text
        .split('\n')
        .find((l) => l.startsWith(name))
        ?.split(/\s+/);
    expect(text).toContain('Status:         Paused - BlueGreenPause');
    expect(row('web-old')?.[4]).toBe('stable,active');
    expect(row('web-new')?.[4]).toBe('preview');
    expect(row('web-new-2-pre')?.slice(1, 5)).toEqual(['AnalysisRun', 'Successful', '-', 'PrePromotion']);
  });
});
