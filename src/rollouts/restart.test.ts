/**
 * The restart planner, with upstream's vectors (rollout/restart_test.go: TestRestartCheckEnqueueRollout,
 * TestRestartReconcile, TestRestartReplicaSetPod, TestRestartDoNotDeleteOtherPods,
 * TestRestartSortReplicaSetsByPriority, TestRestartMaxUnavailable). Upstream asserts API calls on a
 * fake client; these assert the planner's decision (which pods, done or not, when to look again).
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import { buildObservation, type ObservedReplicaSet, observeReplicaSet } from './observe.ts';
import { emptyPlan } from './plan.ts';
import {
  EvictedPods,
  isPodAvailable,
  MAX_RESTART_WAIT_MS,
  planRestart,
  RESTART_CHECK_MS,
  type RestartPod,
  restartAtFor,
  restartingKeys,
  restartPatch,
  restartPending,
  restartPods,
  sortByRestartPriority,
  withRestart,
} from './restart.ts';
import { parseRollout } from './spec.ts';
import type { Rollout } from './types.ts';

/** upstream's `now` (restartAt), and the planner's clock a moment later (`NeedsRestart`: now.After). */
const T = '2026-03-01T10:00:00Z';
const at = (offsetSeconds: number) => new Date(Date.parse(T) + offsetSeconds * 1000).toISOString();
const NOW = new Date(Date.parse(T) + 500);

/** upstream's `rollout(selector, restartAt, restartedAt)` plus the spec fields a case sets. */
function rollout(restartAt: string | undefined, restartedAt?: string, spec: object = {}): Rollout {
  const parsed = parseRollout({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'restart-rollout', namespace: 'ns', uid: 'ro-uid' },
    spec: {
      ...(restartAt !== undefined ? { restartAt } : {}),
      selector: { matchLabels: { test: 'test' } },
      template: { metadata: { labels: { test: 'test' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      strategy: { canary: {} },
      ...spec,
    },
    status: restartedAt !== undefined ? { restartedAt } : {},
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
  return parsed.value;
}

/** upstream's `replicaSet(name, selector, replicas, available)`, with its own uid. */
const replicaSet = (name: string, replicas: number, available: number, created = T): ObservedReplicaSet =>
  observeReplicaSet({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, uid: `uid-${name}`, creationTimestamp: created },
    spec: { replicas },
    status: { replicas, availableReplicas: available },
  });

/** upstream's `pod(name, selector, time, rs)`: Ready, controlled by `rs`. */
const pod = (name: string, created: string, rs: ObservedReplicaSet, available = true): RestartPod => ({
  name,
  uid: `uid-${name}`,
  createdAt: created,
  deleting: false,
  ownerUid: rs.object.metadata.uid,
  available,
});

const names = (pods: readonly RestartPod[]) => pods.map((p) => p.name);

describe('planRestart: when to restart (TestRestartCheckEnqueueRollout, NeedsRestart)', () => {
  it('.spec.restartAt not set → nothing', () => {
    expect(planRestart({ rollout: rollout(undefined), allRSs: [], pods: [], now: NOW })).toEqual({
      action: 'none',
    });
  });
  it('.spec.restartAt already past → restarts now (no wait)', () => {
    const d = planRestart({ rollout: rollout(at(-600)), allRSs: [], pods: [], now: NOW });
    expect(d.action).toBe('restart');
  });
  it('restartAt 5 minutes ahead → look again just after it', () => {
    const d = planRestart({ rollout: rollout(at(300)), allRSs: [], pods: [], now: NOW });
    expect(d).toEqual({ action: 'wait', requeueAfterMs: 300_000 - 500 + 1_000 });
  });
  it('restartAt equal to now is not yet due (upstream: now.After(restartAt))', () => {
    const d = planRestart({ rollout: rollout(T), allRSs: [], pods: [], now: new Date(T) });
    expect(d.action).toBe('wait');
  });
  it('restartAt far ahead → looked at again at most hourly', () => {
    const d = planRestart({ rollout: rollout(at(5 * 86_400)), allRSs: [], pods: [], now: NOW });
    expect(d).toEqual({ action: 'wait', requeueAfterMs: MAX_RESTART_WAIT_MS });
  });
  it('restartedAt equal to restartAt → done already (compared as times)', () => {
    expect(restartPending(rollout(T, '2026-03-01T10:00:00.000Z'))).toBe(false);
    expect(restartPending(rollout(T, at(-60)))).toBe(true);
    expect(restartPending(rollout(T))).toBe(true);
  });
});

describe('planRestart: TestRestartReconcile / TestRestartReplicaSetPod', () => {
  const rs = replicaSet('rollout-restart-abc123', 1, 1);
  const older = pod('older', at(-10), rs);
  const newer = pod('newer', at(10), rs);
  const plan = (pods: RestartPod[], allRSs = [rs], ro = rollout(T)) =>
    planRestart({ rollout: ro, allRSs, stableRS: allRSs[0], pods, now: NOW });

  it('No Restart Needed (restartedAt == restartAt)', () => {
    expect(plan([older], [rs], rollout(T, T))).toEqual({ action: 'none' });
  });
  it('Not all ReplicaSets are fully available, no pods → all 0 pods current: done', () => {
    const d = plan([], [replicaSet('rollout-restart-abc123', 1, 0)]);
    expect(d).toEqual({ action: 'restart', evict: [], done: true, needsRestart: 0 });
  });
  it('Deletes Pod: the pod older than restartAt is evicted, and that is all (done)', () => {
    const d = plan([older]);
    expect(d.action === 'restart' && names(d.evict)).toEqual(['older']);
    expect(d.action === 'restart' && d.done).toBe(true);
  });
  it('No more pods to delete → done, nothing evicted', () => {
    expect(plan([newer])).toEqual({ action: 'restart', evict: [], done: true, needsRestart: 0 });
  });
  it('restartedAt equals creationTimestamp → that pod counts as restarted', () => {
    expect(plan([pod('equal', T, rs)])).toEqual({
      action: 'restart',
      evict: [],
      done: true,
      needsRestart: 0,
    });
  });
  it('a pod already being deleted is not evicted again, and the restart is not done', () => {
    const d = plan([{ ...older, deleting: true, available: false }]);
    expect(d).toEqual({ action: 'restart', evict: [], done: false, needsRestart: 1 });
  });
});

describe('planRestart: TestRestartDoNotDeleteOtherPods', () => {
  it('an older pod of a ReplicaSet the Rollout does not own is left alone', () => {
    const ro = rollout(T, undefined, { strategy: { canary: { maxUnavailable: 2 } } });
    const rolloutRS = replicaSet('rollout-restart-abc123', 1, 1);
    const otherRS = replicaSet('other-rs', 1, 1);
    const d = planRestart({
      rollout: ro,
      allRSs: [rolloutRS],
      stableRS: rolloutRS,
      pods: [pod('newer', at(10), rolloutRS), pod('other-pod', at(-10), otherRS)],
      now: NOW,
    });
    expect(d).toEqual({ action: 'restart', evict: [], done: true, needsRestart: 0 });
  });
});

describe('sortByRestartPriority (TestRestartSortReplicaSetsByPriority)', () => {
  const rs1 = { name: 'rs1', creationTimestamp: T };
  const rs2 = { name: 'rs2', creationTimestamp: at(10) };
  it.each([
    ['honor stable RS over new RS', 'rs2', 'rs1', ['rs1', 'rs2']],
    ['honor stable RS over older RS', undefined, 'rs2', ['rs2', 'rs1']],
    ['honor new RS over older RS', 'rs2', undefined, ['rs2', 'rs1']],
    ['prioritize older ReplicaSet', undefined, undefined, ['rs1', 'rs2']],
  ])('%s', (_name, newRS, stableRS, expected) => {
    expect(sortByRestartPriority([rs2, rs1], newRS, stableRS).map((r) => r.name)).toEqual(expected);
  });
});

describe('planRestart: TestRestartMaxUnavailable (replicas 3, canary maxUnavailable 2)', () => {
  const rs = replicaSet('rollout-restart-abc123', 1, 1);
  const older1 = pod('older1', at(-10), rs);
  const older2 = pod('older2', at(-10), rs);
  const newer = pod('newer', at(10), rs);
  const ro = (canary: object, replicas = 3) => rollout(T, undefined, { replicas, strategy: { canary } });
  const run = (r: Rollout, pods: RestartPod[], allRSs = [rs]) =>
    planRestart({ rollout: r, allRSs, stableRS: allRSs[0], pods, now: NOW });

  it('Restart multiple: 3 available, minimum 1 → both older pods at once, done', () => {
    // effectiveMinAvailable = max(3, 1) − 2 = 1; canRestart = 3 − 1 = 2
    expect(run(ro({ maxUnavailable: 2 }), [older1, older2, newer])).toEqual({
      action: 'restart',
      evict: [older1, older2],
      done: true,
      needsRestart: 2,
    });
  });
  it('Restart multiple honor availability: newer not Ready → one now, not done', () => {
    // available 2 − minimum 1 = 1
    expect(run(ro({ maxUnavailable: 2 }), [older1, older2, { ...newer, available: false }])).toEqual({
      action: 'restart',
      evict: [older1],
      done: false,
      needsRestart: 2,
    });
  });
  it('maxUnavailable zero → still one at a time', () => {
    // concurrent = max(0, 1) = 1; minimum 2; canRestart 1
    expect(run(ro({ maxUnavailable: 0 }), [older1, older2, newer])).toEqual({
      action: 'restart',
      evict: [older1],
      done: false,
      needsRestart: 2,
    });
  });
  it('maxUnavailable 100% → all at once, done', () => {
    expect(run(ro({ maxUnavailable: '100%' }), [older1, older2, newer])).toEqual({
      action: 'restart',
      evict: [older1, older2],
      done: true,
      needsRestart: 2,
    });
  });
  it('replicas:1 weight:50 → the stable ReplicaSet pod first, one at a time', () => {
    // totalReplicas 2 > replicas 1: minimum max(1, 2) − max(0, 1) = 1; canRestart 2 − 1 = 1
    const rs2 = replicaSet('rollout-restart-def456', 1, 1);
    const olderOf2 = pod('older2', at(-10), rs2);
    expect(run(ro({}, 1), [olderOf2, older1], [rs, rs2])).toEqual({
      action: 'restart',
      evict: [older1],
      done: false,
      needsRestart: 2,
    });
  });
  it('replicas:1 weight:50, already at minAvailable → nothing now, not done', () => {
    const rs2 = replicaSet('rollout-restart-def456', 1, 1);
    const olderOf2 = pod('older2', at(-10), rs2, false);
    expect(run(ro({}, 1), [older1, olderOf2], [rs, rs2])).toEqual({
      action: 'restart',
      evict: [],
      done: false,
      needsRestart: 2,
    });
  });
  it('replicas:0 → nothing to restart, done', () => {
    const empty = replicaSet('rollout-restart-abc123', 0, 0);
    expect(run(ro({ maxUnavailable: 2 }, 0), [], [empty])).toEqual({
      action: 'restart',
      evict: [],
      done: true,
      needsRestart: 0,
    });
  });
});

describe('isPodAvailable (podutil.IsPodAvailable) and restartPods', () => {
  const ready = (since: string) => [{ type: 'Ready', status: 'True', lastTransitionTime: since }];
  it('Ready, no minReadySeconds → available', () => {
    expect(isPodAvailable(ready(T), 0, NOW)).toBe(true);
  });
  it('Ready for less than minReadySeconds → not yet', () => {
    expect(isPodAvailable(ready(at(-5)), 10, NOW)).toBe(false);
    expect(isPodAvailable(ready(at(-11)), 10, NOW)).toBe(true);
  });
  it('not Ready → not available', () => {
    expect(isPodAvailable([{ type: 'Ready', status: 'False' }], 0, NOW)).toBe(false);
    expect(isPodAvailable([], 0, NOW)).toBe(false);
  });
  it('reads pod objects: owner, deletion, availability; an evicted uid counts as deleting', () => {
    const obj = (name: string, extra: object = {}): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        uid: `uid-${name}`,
        creationTimestamp: at(-10),
        ownerReferences: [
          { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'rs-uid', controller: true },
        ],
        ...extra,
      },
      status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at(-10) }] },
    });
    const pods = restartPods(
      [
        obj('a'),
        obj('b', { deletionTimestamp: T }),
        obj('c'),
        { apiVersion: 'v1', kind: 'Pod', metadata: {} },
      ],
      0,
      NOW,
      new Set(['uid-c']),
    );
    expect(pods.map((p) => [p.name, p.ownerUid, p.deleting, p.available])).toEqual([
      ['a', 'rs-uid', false, true],
      ['b', 'rs-uid', true, false],
      ['c', 'rs-uid', true, false],
    ]);
  });
});

/** A whole Rollout object with one ReplicaSet `web-abc` (hash abc) it owns, and its status. */
function observed(spec: object, status: object) {
  const raw: KubeObject = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'web', namespace: 'ns', uid: 'ro-uid', generation: 1 },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'x' }] } },
      strategy: { canary: { maxUnavailable: 1 } },
      ...spec,
    },
    status: { currentPodHash: 'abc', stableRS: 'abc', ...status },
  };
  const rs: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: 'web-abc',
      namespace: 'ns',
      uid: 'rs-uid',
      labels: { 'rollouts-pod-template-hash': 'abc' },
      ownerReferences: [
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web', uid: 'ro-uid', controller: true },
      ],
    },
    spec: { replicas: 2 },
    status: { replicas: 2, availableReplicas: 2, readyReplicas: 2 },
  };
  const obs = buildObservation({
    rollout: raw,
    replicaSets: [rs],
    services: [],
    analysisRuns: [],
    analysisTemplates: [],
  });
  const plan = emptyPlan({ ...(obs.rollout?.status ?? {}), phase: 'Healthy' });
  plan.scale = [{ name: 'web-abc', from: 2, to: 2 }];
  return { obs, plan };
}

const podObject = (name: string, created: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'ns',
    uid: `uid-${name}`,
    creationTimestamp: created,
    ownerReferences: [
      { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'rs-uid', controller: true },
    ],
  },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});

describe('withRestart: folding the restart into a reconcile plan', () => {
  const noPods = () => {
    throw new Error('pods read although no restart is pending');
  };
  it('no restartAt, or a restart already done: plan unchanged and no pod read', () => {
    const a = observed({}, {});
    expect(withRestart(a.obs, a.plan, noPods, NOW)).toBe(a.plan);
    const b = observed({ restartAt: T }, { restartedAt: T });
    expect(withRestart(b.obs, b.plan, noPods, NOW)).toBe(b.plan);
  });
  it('restartAt ahead: no pod read, looked at again then', () => {
    const { obs, plan } = observed({ restartAt: at(60) }, {});
    const next = withRestart(obs, { ...plan, requeueAfterMs: 120_000 }, () => [], NOW);
    expect(next.requeueAfterMs).toBe(60_000 - 500 + 1_000);
    expect(next.evictPods).toBeUndefined();
  });
  it('a new pod template (status reset): restartedAt = restartAt, no pod evicted (resetRolloutStatus)', () => {
    const { obs, plan } = observed({ restartAt: T }, {});
    const next = withRestart(
      obs,
      { ...plan, status: { ...plan.status, currentPodHash: 'def' } },
      noPods,
      NOW,
    );
    expect(next.status.restartedAt).toBe(T);
    expect(next.evictPods).toBeUndefined();
  });
  it('canary with pods to evict: only the eviction, status unchanged, look again in 30s (upstream returns early)', () => {
    const { obs, plan } = observed({ restartAt: T }, {});
    const next = withRestart(obs, plan, () => [podObject('p1', at(-10)), podObject('p2', at(-10))], NOW);
    expect(next.evictPods).toEqual([{ name: 'p1', uid: 'uid-p1' }]);
    expect(next.scale).toEqual([]);
    expect(next.status).toEqual(obs.rollout?.status);
    expect(next.requeueAfterMs).toBe(RESTART_CHECK_MS);
  });
  it('a pod evicted by the previous reconcile but not yet shown as deleting is not counted available', () => {
    const { obs, plan } = observed({ restartAt: T }, {});
    const pods = () => [podObject('p1', at(-10)), podObject('p2', at(-10))];
    const next = withRestart(obs, plan, pods, NOW, new Set(['uid-p1']));
    expect(next.evictPods).toBeUndefined();
    expect(next.status.restartedAt).toBeUndefined();
    expect(next.scale).toEqual(plan.scale);
    expect(next.requeueAfterMs).toBe(RESTART_CHECK_MS);
  });
  it('blue-green with a pod to evict: the eviction and the rest of the plan; done sets restartedAt', () => {
    const { obs, plan } = observed(
      { restartAt: T, strategy: { blueGreen: { activeService: 'a', maxUnavailable: 1 } } },
      {},
    );
    // 2 available, minimum 2 − 1: p1 goes; p2 is newer than restartAt, so that finishes it.
    const next = withRestart(obs, plan, () => [podObject('p1', at(-10)), podObject('p2', at(5))], NOW);
    expect(next.evictPods).toEqual([{ name: 'p1', uid: 'uid-p1' }]);
    expect(next.scale).toEqual(plan.scale);
    expect(next.status.restartedAt).toBe(T);
  });
  it('every pod newer than restartAt: status.restartedAt set, plan otherwise unchanged', () => {
    const { obs, plan } = observed({ restartAt: T }, {});
    const next = withRestart(obs, plan, () => [podObject('p1', at(1)), podObject('p2', T)], NOW);
    expect(next.status).toEqual({ ...plan.status, restartedAt: T });
    expect(next.evictPods).toBeUndefined();
    expect(next.requeueAfterMs).toBeUndefined();
  });
  it('an invalid spec: untouched', () => {
    const { obs, plan } = observed({ restartAt: T }, {});
    const invalid = {
      ...plan,
      status: {
        conditions: [
          {
            type: 'InvalidSpec',
            status: 'True' as const,
            reason: 'InvalidSpec',
            message: 'x',
            lastTransitionTime: T,
            lastUpdateTime: T,
          },
        ],
      },
    };
    expect(withRestart(obs, invalid, noPods, NOW)).toBe(invalid);
  });
});

describe('restartingKeys and EvictedPods', () => {
  const store = (objs: KubeObject[]) => ({
    get: (name: string, namespace?: string) =>
      objs.find((o) => o.metadata.name === name && o.metadata.namespace === namespace),
  });
  const rs: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: 'web-abc',
      namespace: 'ns',
      ownerReferences: [
        { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'web', uid: 'ro-uid', controller: true },
      ],
    },
  };
  const ro = (spec: object, status: object): KubeObject => ({
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: { name: 'web', namespace: 'ns' },
    spec,
    status,
  });
  it('a pod queues its Rollout only while that Rollout has a restart pending', () => {
    const p = podObject('p1', T);
    expect(restartingKeys(store([ro({ restartAt: T }, {})]), store([rs]), p)).toEqual(['ns/web']);
    expect(restartingKeys(store([ro({ restartAt: T }, { restartedAt: T })]), store([rs]), p)).toEqual([]);
    expect(restartingKeys(store([ro({}, {})]), store([rs]), p)).toEqual([]);
    expect(restartingKeys(store([ro({ restartAt: T }, {})]), store([]), p)).toEqual([]);
  });
  it('evictions are remembered for a while, per Rollout', () => {
    const e = new EvictedPods();
    e.note('ns/web', ['a', 'b'], 1_000);
    expect([...e.recent('ns/web', 5_000)]).toEqual(['a', 'b']);
    expect([...e.recent('ns/other', 5_000)]).toEqual([]);
    expect([...e.recent('ns/web', 12_000)]).toEqual([]);
    e.note('ns/web', ['c'], 20_000);
    e.forget('ns/web');
    expect([...e.recent('ns/web', 20_000)]).toEqual([]);
  });
});

describe('restartAtFor and restartPatch (kubectl argo rollouts restart [--in])', () => {
  const now = new Date('2026-03-01T10:00:00.700Z');
  it.each([
    [undefined, '2026-03-01T10:00:00Z'],
    ['10s', '2026-03-01T10:00:10Z'],
    ['1h30m', '2026-03-01T11:30:00Z'],
    ['1.5s', '2026-03-01T10:00:02Z'],
    ['0', '2026-03-01T10:00:00Z'],
  ])('--in %s → %s (RFC 3339, whole seconds)', (duration, expected) => {
    expect(restartAtFor(now, duration)).toBe(expected);
    expect(restartPatch(expected)).toEqual({ spec: { restartAt: expected } });
  });
  it.each(['10', 'ten seconds', '5d', ''])('a malformed --in %j names the flag', (duration) => {
    expect(() => restartAtFor(now, duration)).toThrow(
      expect.objectContaining({ subject: '--in', reason: 'InvalidArgument' }),
    );
  });
});
