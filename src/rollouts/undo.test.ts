import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import { SlipwayError } from '../util/errors.ts';
import {
  findRevision,
  planDeploymentUndo,
  planRolloutUndo,
  sameJSON,
  sameTemplateIgnoringHash,
} from './undo.ts';

const template = (image: string, hashLabel?: [string, string]) => ({
  metadata: { labels: { app: 'web', ...(hashLabel ? { [hashLabel[0]]: hashLabel[1] } : {}) } },
  spec: { containers: [{ name: 'web', image }] },
});
const deployment = (image: string, extra: object = {}): KubeObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'ns',
      uid: 'dep-uid',
      resourceVersion: '42',
      annotations: {
        'deployment.kubernetes.io/revision': '3',
        'kubectl.kubernetes.io/last-applied-configuration': '{}',
        team: 'shop',
      },
    },
    spec: { template: template(image), ...extra },
  }) as KubeObject;
const rs = (
  name: string,
  revision: string | undefined,
  image: string,
  owner = 'dep-uid',
  annotations: Record<string, string> = {},
  hashKey = 'pod-template-hash',
): KubeObject =>
  ({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name,
      namespace: 'ns',
      annotations: {
        ...(revision !== undefined ? { 'deployment.kubernetes.io/revision': revision } : {}),
        ...annotations,
      },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: owner, controller: true },
      ],
    },
    spec: { template: template(image, [hashKey, `h-${name}`]) },
  }) as KubeObject;

const errorOf = (fn: () => unknown): SlipwayError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof SlipwayError) return err;
    throw err;
  }
  throw new Error('no error thrown');
};

describe('findRevision (kubectl deploymentRevision)', () => {
  const revs = [1, 3, 2].map((revision) => ({ revision, rs: rs(`r${revision}`, String(revision), 'x') }));
  it('0 is the second-newest revision, whatever the list order', () => {
    expect(findRevision(revs, 0, 'S', 'none').revision).toBe(2);
  });
  it('an explicit revision', () => expect(findRevision(revs, 1, 'S', 'none').revision).toBe(1));
  it.each([7, -1])('revision %i not in history: kubectl message', (n) => {
    expect(errorOf(() => findRevision(revs, n, 'Deployment/ns/web', 'none')).message).toBe(
      `Deployment/ns/web: unable to find specified revision ${n} in history`,
    );
  });
  it('one revision only: no history to go back to', () => {
    expect(errorOf(() => findRevision(revs.slice(0, 1), 0, 'S', 'no rollout history found')).reason).toBe(
      'NoRolloutHistory',
    );
  });
});

describe('planDeploymentUndo (kubectl DeploymentRollbacker)', () => {
  const history = [
    rs('web-1', '1', 'v1', 'dep-uid', {
      'kubernetes.io/change-cause': 'first',
      'deployment.kubernetes.io/revision-history': '0',
    }),
    rs('web-2', '2', 'v2'),
    rs('web-3', '3', 'v3'),
    rs('other', '9', 'v9', 'someone-else'),
    rs('unrevisioned', undefined, 'v0'),
  ];
  it('restores the previous revision: template without pod-template-hash, annotations merged as kubectl does', () => {
    const plan = planDeploymentUndo(deployment('v3'), history, 0);
    expect(plan).toEqual({
      action: 'patch',
      revision: 2,
      patch: [
        { op: 'test', path: '/metadata/resourceVersion', value: '42' },
        { op: 'replace', path: '/spec/template', value: template('v2') },
        {
          op: 'replace',
          path: '/metadata/annotations',
          value: {
            'deployment.kubernetes.io/revision': '3',
            'kubectl.kubernetes.io/last-applied-configuration': '{}',
          },
        },
      ],
    });
  });
  it('--to-revision copies that ReplicaSet’s own annotations, not its bookkeeping ones', () => {
    const plan = planDeploymentUndo(deployment('v3'), history, 1);
    expect(plan.action === 'patch' && plan.patch[2]?.value).toEqual({
      'deployment.kubernetes.io/revision': '3',
      'kubectl.kubernetes.io/last-applied-configuration': '{}',
      'kubernetes.io/change-cause': 'first',
    });
  });
  it('a ReplicaSet another Deployment owns is not history', () => {
    expect(errorOf(() => planDeploymentUndo(deployment('v3'), history, 9)).message).toContain(
      'unable to find specified revision 9 in history',
    );
  });
  it('skips when the template already is that revision (hash label ignored)', () => {
    expect(planDeploymentUndo(deployment('v2'), history, 2)).toEqual({
      action: 'skip',
      message: 'skipped rollback (current template already matches revision 2)',
    });
  });
  it('refuses a paused Deployment with kubectl’s message', () => {
    expect(errorOf(() => planDeploymentUndo(deployment('v3', { paused: true }), history, 0)).message).toBe(
      "Deployment/ns/web: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/web' and try again",
    );
  });
  it('no earlier revision', () => {
    expect(errorOf(() => planDeploymentUndo(deployment('v3'), [history[2] as KubeObject], 0)).message).toBe(
      'Deployment/ns/web: no rollout history found for deployment "web"',
    );
  });
});

describe('planRolloutUndo (kubectl argo rollouts undo)', () => {
  const rollout = (image: string): KubeObject =>
    ({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
      metadata: { name: 'web', namespace: 'ns', uid: 'ro-uid', resourceVersion: '7' },
      spec: { template: template(image) },
    }) as KubeObject;
  const rrs = (name: string, revision: string, image: string) => {
    const obj = rs(
      name,
      undefined,
      image,
      'ro-uid',
      { 'rollout.argoproj.io/revision': revision },
      'rollouts-pod-template-hash',
    );
    return obj;
  };
  it('replaces spec.template with the revision’s, minus rollouts-pod-template-hash', () => {
    expect(planRolloutUndo(rollout('v2'), [rrs('a', '1', 'v1'), rrs('b', '2', 'v2')], 0)).toEqual({
      action: 'patch',
      revision: 1,
      patch: [
        { op: 'test', path: '/metadata/resourceVersion', value: '7' },
        { op: 'replace', path: '/spec/template', value: template('v1') },
      ],
    });
  });
  it('no earlier revision: upstream’s message', () => {
    expect(errorOf(() => planRolloutUndo(rollout('v2'), [rrs('b', '2', 'v2')], 0)).message).toBe(
      'Rollout/ns/web: no revision found for rollout "web"',
    );
  });
  it('a restored template is recognised as its ReplicaSet’s (FindNewReplicaSet by equality)', () => {
    expect(sameTemplateIgnoringHash(rrs('a', '1', 'v1'), template('v1'))).toBe(true);
    expect(sameTemplateIgnoringHash(rrs('a', '1', 'v1'), template('v2'))).toBe(false);
  });
});

describe('sameJSON', () => {
  it.each([
    [{ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 }, true],
    [{ a: 1, labels: {} }, { a: 1 }, true],
    [{ a: [] }, { a: null }, true],
    [{ a: [1, 2] }, { a: [2, 1] }, false],
    [{ a: '1' }, { a: 1 }, false],
  ])('%j vs %j → %s', (a, b, equal) => expect(sameJSON(a, b)).toBe(equal));
});
