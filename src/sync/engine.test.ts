/**
 * Vectors from gitops-engine `pkg/sync/sync_context_test.go` (multi-call sync scenarios) and Argo CD
 * e2e scenarios (`sync_waves_test.go`, `hook_test.go`).
 *
 * Each call of {@link Harness.sync} is one `Sync()` of upstream: build the tasks from the stated
 * cluster state, plan, carry out the plan with the stated outcomes (which applies fail, which
 * objects exist), conclude. As in the upstream tests, the cluster state between calls is spelled
 * out by each test; nothing is simulated behind the planner's back.
 */
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import type { ResourceResult } from './application.ts';
import {
  combineRunStates,
  concludeDryRun,
  concludeNamespaceCreation,
  concludeWave,
  hookPhaseFromHealth,
  isMultiStep,
  type OperationUpdate,
  planRun,
  planSyncStep,
  planTermination,
  type RunOutcome,
  type RunPlan,
  type RunState,
  recordRunResult,
  runningMessage,
  runningWithoutLive,
  type SyncStep,
  type SyncStepOptions,
  type WaveStep,
} from './engine.ts';
import { operationSyncOptions } from './sync-options.ts';
import {
  type BuildSyncTasksInput,
  buildSyncTasks,
  newSyncTask,
  type ResourcePair,
  type SyncTask,
} from './tasks.ts';
import { annotate, FAKE_NS, newDeployment, newHook, newPod, newService } from './testdata/objects.ts';
import type { HealthStatusCode, OperationPhase } from './types.ts';

const STARTED = new Date('2024-05-01T00:00:00Z');

interface Call {
  resources?: ResourcePair[];
  hooks?: KubeObject[];
  /** Health by object name (message `test`); objects not listed have no health check. */
  health?: Record<string, HealthStatusCode>;
  /** Applies or deletes that fail in a real run, by name. */
  failures?: Record<string, string>;
  /** Applies that fail in the dry run, by name. */
  dryRunFailures?: Record<string, string>;
  /** Running tasks without a cached object that a fresh GET finds. */
  exists?: string[];
  /** Hooks whose delete-before-creation finds nothing (NotFound). */
  gone?: string[];
  createNamespace?: BuildSyncTasksInput['createNamespace'];
}

class Harness {
  results: ResourceResult[] = [];
  phase: OperationPhase | undefined;
  message = '';
  finalizersRemoved: string[] = [];
  deleted: string[] = [];
  applied: string[] = [];
  waves: Array<Pick<WaveStep, 'phase' | 'wave' | 'finalWave'>> = [];

  constructor(
    readonly options: SyncStepOptions = {},
    readonly build: Partial<BuildSyncTasksInput> = {},
  ) {}

  sync(call: Call): this {
    const health = call.health ?? {};
    const built = buildSyncTasks({
      resources: call.resources ?? [],
      hooks: call.hooks ?? [],
      namespace: FAKE_NS,
      revision: 'FooBarBaz',
      startedAt: STARTED,
      results: this.results,
      health: (live) => {
        const status = health[live.metadata.name ?? ''];
        return status === undefined ? undefined : { status, message: 'test' };
      },
      ...(call.createNamespace !== undefined ? { createNamespace: call.createNamespace } : {}),
      ...this.build,
    });
    // What a fresh GET of each running task without a cached object finds.
    const checks = (results: readonly ResourceResult[]) =>
      new Map(
        runningWithoutLive(built.tasks, results).map((t) => [
          t.id,
          call.exists?.includes(t.key.name) ? ('exists' as const) : ('missing' as const),
        ]),
      );
    const input = {
      tasks: built.tasks,
      valid: built.valid,
      results: built.results,
      options: this.options,
      liveChecks: checks(built.results),
    };
    let step: SyncStep = planSyncStep(input);
    if (step.kind === 'prepare') {
      let results = step.results;
      if (step.createNamespace) {
        const o = this.execute(step.createNamespace, results, call);
        results = o.results;
        const u = concludeNamespaceCreation(step, o);
        if (u) return this.finish(u, results, call);
      }
      const d = this.execute(step.dryRun, results, call);
      results = d.results;
      const u = concludeDryRun(d);
      if (u) return this.finish(u, results, call);
      step = planSyncStep({ ...input, results, prepared: true, liveChecks: checks(results) });
    }
    if (step.kind === 'prepare') throw new Error('planned preparation twice');
    this.finalizersRemoved.push(...step.removeFinalizers.map((t) => t.key.name));
    if (step.kind === 'update') return this.finish(step.update, step.results, call);
    this.waves.push({ phase: step.phase, wave: step.wave, finalWave: step.finalWave });
    const o = this.execute(step.run, step.results, call);
    return this.finish(concludeWave(step, o), o.results, call);
  }

  /** Carries out a run plan the way RunPlan's documentation describes. */
  execute(plan: RunPlan, input: readonly ResourceResult[], call: Call): RunOutcome {
    let results = [...input];
    let state: RunState = 'successful';
    const gone: string[] = [];
    const name = (t: SyncTask) => t.key.name;
    if (!plan.dryRun) this.finalizersRemoved.push(...plan.removeFinalizers.map(name));
    if (plan.awaitingPruneConfirmation) return { state: 'pending', results };
    for (const p of plan.prune) {
      const failure = plan.dryRun ? undefined : call.failures?.[name(p.task)];
      if (p.delete && failure !== undefined) {
        results = recordRunResult(results, plan, p.task, 'SyncFailed', failure);
        state = combineRunStates(state, 'failed');
        continue;
      }
      if (p.delete) this.deleted.push(name(p.task));
      results = recordRunResult(results, plan, p.task, p.status, p.message);
    }
    if (state !== 'successful') return { state, results };
    if (!plan.dryRun) {
      for (const t of plan.deleteBeforeCreation) {
        if (call.gone?.includes(name(t))) gone.push(t.id);
        else {
          this.deleted.push(name(t));
          state = combineRunStates(state, 'pending');
        }
      }
    }
    if (state !== 'successful') return { state, results, gone };
    for (const group of plan.apply) {
      for (const s of group) {
        const failure = (plan.dryRun ? call.dryRunFailures : call.failures)?.[name(s.task)];
        if (failure !== undefined) {
          results = recordRunResult(results, plan, s.task, 'SyncFailed', failure);
          state = combineRunStates(state, 'failed');
        } else {
          if (!plan.dryRun) this.applied.push(name(s.task));
          results = recordRunResult(results, plan, s.task, 'Synced', '');
        }
      }
    }
    return { state, results, gone };
  }

  finish(update: OperationUpdate, results: ResourceResult[], call: Call): this {
    this.deleted.push(...update.deleteHooks.map((t) => t.key.name));
    let out = results;
    if (update.startSyncFail) out = this.execute(update.startSyncFail, out, call).results;
    this.results = out;
    this.phase = update.phase;
    this.message = update.message;
    return this;
  }

  result(name: string): ResourceResult | undefined {
    return this.results.find((r) => r.name === name);
  }
}

const options = (extra: Partial<SyncStepOptions> = {}, syncOptions: string[] = []): SyncStepOptions => ({
  namespace: FAKE_NS,
  syncOptions: operationSyncOptions(syncOptions),
  ...extra,
});

describe('single-step syncs', () => {
  it('TestSyncCreateInSortedOrder', () => {
    const h = new Harness(options()).sync({ resources: [{ target: newPod() }, { target: newService() }] });
    expect(h.phase).toBe('Succeeded');
    expect(h.message).toBe('successfully synced (all tasks run)');
    expect(h.applied).toEqual(['my-service', 'my-pod']);
    expect(h.results.map((r) => [r.kind, r.status, r.message])).toEqual([
      ['Service', 'Synced', undefined],
      ['Pod', 'Synced', undefined],
    ]);
  });

  it('TestSyncSuccessfully: one step succeeds on apply even though the Service is Degraded', () => {
    const h = new Harness(options({ prune: true })).sync({
      resources: [{ target: newService() }, { live: newPod('my-pod', FAKE_NS) }],
      health: { 'my-service': 'Degraded' },
    });
    expect(h.phase).toBe('Succeeded');
    expect(h.result('my-pod')).toMatchObject({ status: 'Pruned', message: 'pruned' });
    expect(h.result('my-service')?.status).toBe('Synced');
  });

  it('TestSyncDeleteSuccessfully', () => {
    const h = new Harness(options({ prune: true })).sync({
      resources: [{ live: newService('my-service', FAKE_NS) }, { live: newPod('my-pod', FAKE_NS) }],
    });
    expect(h.phase).toBe('Succeeded');
    expect(h.results.map((r) => [r.kind, r.status, r.message])).toEqual([
      ['Service', 'Pruned', 'pruned'],
      ['Pod', 'Pruned', 'pruned'],
    ]);
  });

  it('TestSyncCreateFailure', () => {
    const h = new Harness(options()).sync({
      resources: [{ target: newService() }],
      failures: { 'my-service': 'foo' },
    });
    expect(h.results).toHaveLength(1);
    expect(h.results[0]).toMatchObject({ status: 'SyncFailed', message: 'foo', hookPhase: 'Failed' });
    expect(h.phase).toBe('Failed');
    expect(h.message).toBe('one or more objects failed to apply, reason: foo');
  });

  it('TestSyncPruneFailure: a failed apply of a live service fails the sync', () => {
    const svc = newService('test-service', FAKE_NS);
    const h = new Harness(options({ prune: true })).sync({
      resources: [{ target: svc, live: svc }],
      failures: { 'test-service': 'foo' },
    });
    expect(h.phase).toBe('Failed');
    expect(h.results).toEqual([expect.objectContaining({ status: 'SyncFailed', message: 'foo' })]);
  });

  it('TestDegradedDeploymentIsSucceededAndSynced (e2e): a single wave without hooks succeeds on apply', () => {
    const d = newDeployment('guestbook-ui');
    const h = new Harness(options()).sync({
      resources: [{ target: d }],
      health: { 'guestbook-ui': 'Degraded' },
    });
    expect(h.phase).toBe('Succeeded');
    expect(h.results[0]).toMatchObject({ status: 'Synced', hookPhase: 'Running' });
  });

  it('TestSyncNotPermittedNamespace: invalid tasks fail the operation with their messages', () => {
    const h = new Harness(options(), { permission: () => 'not permitted in project' }).sync({
      resources: [{ target: newPod('p', 'kube-system') }, { target: newService() }],
    });
    expect(h.phase).toBe('Failed');
    expect(h.message).toBe('one or more synchronization tasks are not valid: not permitted in project');
    expect(h.results[0]?.message).toContain('not permitted in project');
  });

  it('TestSync_getSyncTasks_FailureMessage', () => {
    const svc = newService('test-service', FAKE_NS);
    const h = new Harness(options(), {
      discovery: () => ({ kind: 'error', message: 'discovery failed' }),
    }).sync({
      resources: [{ target: svc, live: svc }],
    });
    expect(h.phase).toBe('Failed');
    expect(h.message).toContain('one or more synchronization tasks are not valid');
    expect(h.message).toContain('discovery failed');
  });

  it('TestDoNotSyncOrPruneHooks', () => {
    const target = annotate(newPod('do-not-create-me'), 'argocd.argoproj.io/hook', 'PreSync');
    const live = annotate(newService('do-not-prune-me', FAKE_NS), 'argocd.argoproj.io/hook', 'PreSync');
    const h = new Harness(options(), { skipHooks: true }).sync({ hooks: [target, live] });
    expect(h.results).toEqual([]);
    expect(h.phase).toBe('Succeeded');
  });

  it('a dry-run operation records results as Succeeded and prunes nothing', () => {
    const h = new Harness(options({ dryRun: true, prune: true })).sync({
      resources: [{ target: newPod() }, { live: newService('old', FAKE_NS) }],
    });
    expect(h.phase).toBe('Succeeded');
    expect(h.deleted).toEqual([]);
    expect(h.applied).toEqual([]);
    expect(h.result('my-pod')).toMatchObject({ status: 'Synced', hookPhase: 'Succeeded' });
    expect(h.result('old')).toMatchObject({ status: 'Pruned', message: 'pruned (dry run)' });
  });
});

describe('pruning', () => {
  it('TestDoNotPruneAppLevelPruneFalse', () => {
    const h = new Harness(options({ prune: true }, ['Prune=false']));
    h.sync({ resources: [{ live: newPod('my-pod', FAKE_NS) }] });
    expect(h.phase).toBe('Succeeded');
    expect(h.results).toEqual([
      expect.objectContaining({ status: 'PruneSkipped', message: 'ignored (no prune)' }),
    ]);
    h.sync({ resources: [{ live: newPod('my-pod', FAKE_NS) }] });
    expect(h.phase).toBe('Succeeded');
  });

  it.each([[[]], [['Prune=true']], [['Prune=false']]])(
    'TestDoNotPruneResourceLevelPruneFalse: resource Prune=false beats app options %j',
    (appOptions) => {
      const pod = annotate(newPod('my-pod', FAKE_NS), 'argocd.argoproj.io/sync-options', 'Prune=false');
      const h = new Harness(options({ prune: true }, appOptions)).sync({ resources: [{ live: pod }] });
      expect(h.phase).toBe('Succeeded');
      expect(h.results).toEqual([
        expect.objectContaining({ status: 'PruneSkipped', message: 'ignored (no prune)' }),
      ]);
    },
  );

  it('without prune: ignored (requires pruning)', () => {
    const h = new Harness(options()).sync({ resources: [{ live: newPod('my-pod', FAKE_NS) }] });
    expect(h.results[0]).toMatchObject({ status: 'PruneSkipped', message: 'ignored (requires pruning)' });
  });

  it.each([[[]], [['Prune=true']], [['Prune=false']], [['Prune=confirm']]])(
    'TestPruneConfirmResourceLevel with app options %j',
    (appOptions) => {
      const pod = annotate(newPod('my-pod', FAKE_NS), 'argocd.argoproj.io/sync-options', 'Prune=confirm');
      const h = new Harness(options({ prune: true }, appOptions)).sync({ resources: [{ live: pod }] });
      expect(h.phase).toBe('Running');
      expect(h.results).toEqual([]);
      expect(h.message).toBe('waiting for pruning confirmation of /Pod/my-pod');
      const confirmed = new Harness(options({ prune: true, pruneConfirmed: true }, appOptions));
      confirmed.results = h.results;
      confirmed.sync({ resources: [{ live: pod }] });
      expect(confirmed.phase).toBe('Succeeded');
      expect(confirmed.results).toEqual([expect.objectContaining({ status: 'Pruned', message: 'pruned' })]);
    },
  );

  it('TestPruneConfirmAppLevel', () => {
    const h = new Harness(options({ prune: true }, ['Prune=confirm'])).sync({
      resources: [{ live: newPod('my-pod', FAKE_NS) }],
    });
    expect([h.phase, h.message, h.results]).toEqual([
      'Running',
      'waiting for pruning confirmation of /Pod/my-pod',
      [],
    ]);
  });

  it('TestWaitForCleanUpBeforeNextWave', () => {
    const pod = (name: string, wave: string) => annotate(newPod(name), 'argocd.argoproj.io/sync-wave', wave);
    const [pod1, pod2, pod3] = [pod('pod-1', '1'), pod('pod-2', '2'), pod('pod-3', '3')] as [
      KubeObject,
      KubeObject,
      KubeObject,
    ];
    const h = new Harness(options({ prune: true }));

    h.sync({ resources: [{ live: pod1 }, { live: pod2 }, { live: pod3 }] });
    expect(h.phase).toBe('Running');
    expect(h.results.map((r) => [r.name, r.status])).toEqual([['pod-3', 'Pruned']]);

    h.sync({ resources: [{ live: pod1 }, { live: pod2 }] });
    expect(h.phase).toBe('Running');
    expect(h.results.map((r) => [r.name, r.status])).toEqual([
      ['pod-3', 'Pruned'],
      ['pod-2', 'Pruned'],
    ]);

    const terminating = {
      ...pod2,
      metadata: { ...pod2.metadata, deletionTimestamp: '2024-05-01T00:00:10Z' },
    };
    h.sync({ resources: [{ live: pod1 }, { live: terminating }] });
    expect([h.phase, h.message]).toEqual(['Running', 'waiting for deletion of /Pod/pod-2']);
    expect(h.results).toHaveLength(2);

    h.sync({ resources: [{ live: pod1 }] });
    expect(h.phase).toBe('Succeeded');
    expect(h.results.map((r) => [r.name, r.status])).toEqual([
      ['pod-3', 'Pruned'],
      ['pod-2', 'Pruned'],
      ['pod-1', 'Pruned'],
    ]);
    expect(h.deleted).toEqual(['pod-3', 'pod-2', 'pod-1']);
  });

  it('an object already terminating is not deleted again', () => {
    const pod = {
      ...newPod('p', FAKE_NS),
      metadata: { name: 'p', namespace: FAKE_NS, deletionTimestamp: '2024-05-01T00:00:00Z' },
    };
    const h = new Harness(options({ prune: true })).sync({ resources: [{ live: pod }] });
    expect(h.deleted).toEqual([]);
    expect(h.result('p')).toMatchObject({ status: 'Pruned', message: 'pruned' });
  });
});

describe('waves and health', () => {
  it('TestSyncSuccessfully_Multistep', () => {
    const svc = annotate(newService('my-service', FAKE_NS), 'argocd.argoproj.io/sync-wave', '0');
    const svc2 = annotate(newService('new-svc-2'), 'argocd.argoproj.io/sync-wave', '5');
    const h = new Harness(options({ prune: true }));
    h.sync({ resources: [{ target: svc }, { target: svc2 }], health: { 'my-service': 'Healthy' } });
    expect([h.phase, h.message]).toEqual(['Running', 'waiting for healthy state of /Service/my-service']);
    expect(h.results.map((r) => r.name)).toEqual(['my-service']);

    h.sync({
      resources: [{ target: svc, live: svc }, { target: svc2 }],
      health: { 'my-service': 'Healthy' },
    });
    expect([h.phase, h.message]).toEqual(['Succeeded', 'successfully synced (all tasks run)']);
    expect(h.results).toHaveLength(2);
    expect(h.waves).toEqual([
      { phase: 'Sync', wave: 0, finalWave: false },
      { phase: 'Sync', wave: 5, finalWave: true },
    ]);
  });

  it('TestFixingDegradedApp (e2e): a Degraded first wave fails the sync and the next wave never runs', () => {
    const cm = (name: string, wave: string): KubeObject =>
      annotate(
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: FAKE_NS } },
        'argocd.argoproj.io/sync-wave',
        wave,
      );
    const [cm1, cm2] = [cm('cm-1', '1'), cm('cm-2', '2')];
    const h = new Harness(options());
    h.sync({ resources: [{ target: cm1 }, { target: cm2 }], health: { 'cm-1': 'Degraded' } });
    expect(h.phase).toBe('Running');
    h.sync({ resources: [{ target: cm1, live: cm1 }, { target: cm2 }], health: { 'cm-1': 'Degraded' } });
    expect([h.phase, h.message]).toEqual([
      'Failed',
      'one or more synchronization tasks completed unsuccessfully',
    ]);
    expect(h.results).toHaveLength(1);
    expect(h.applied).toEqual(['cm-1']);
  });

  describe('TestSync_MultistepResourceDeletionMidstep', () => {
    const pod1 = annotate(newPod('pod-1', FAKE_NS), 'argocd.argoproj.io/sync-wave', '1');
    const pod2 = annotate(newPod('pod-2', FAKE_NS), 'argocd.argoproj.io/sync-wave', '2');
    // Pods without status: upstream's health check says Unknown, which leaves a resource running.
    const health = { 'pod-1': 'Unknown', 'pod-2': 'Unknown' } as const;
    const modified = new Map([
      [`/Pod/${FAKE_NS}/pod-1`, true],
      [`/Pod/${FAKE_NS}/pod-2`, true],
    ]);

    it.each([
      [
        'resource deleted during multistep',
        [pod1, pod2],
        [undefined, pod2],
        [] as string[],
        'SyncFailed',
        'Error',
      ],
      ['no false positive on resource creation', [undefined, pod2], [pod1, pod2], [], 'Synced', 'Running'],
      [
        'resource created after task sync started',
        [undefined, pod2],
        [undefined, pod2],
        ['pod-1'],
        'Synced',
        'Running',
      ],
    ] as const)('%s', (_name, liveStart, liveChange, exists, status, hookPhase) => {
      const h = new Harness(options({ modified }, ['ApplyOutOfSyncOnly=true']));
      h.sync({
        resources: [
          { target: pod1, live: liveStart[0] },
          { target: pod2, live: liveStart[1] },
        ],
        health,
      });
      expect(h.phase).toBe('Running');
      expect(h.results.map((r) => [r.name, r.status, r.hookPhase])).toEqual([['pod-1', 'Synced', 'Running']]);

      h.sync({
        resources: [
          { target: pod1, live: liveChange[0] },
          { target: pod2, live: liveChange[1] },
        ],
        health,
        exists: [...exists],
      });
      expect(h.phase).toBe('Running');
      expect(h.results.map((r) => [r.name, r.status, r.hookPhase])).toEqual([['pod-1', status, hookPhase]]);
      if (status === 'SyncFailed')
        expect(h.results[0]?.message).toBe('Resource /Pod/pod-1 is missing, it might have been deleted');
    });
  });

  it('a failed live read of a running task records the error and keeps its status', () => {
    const a = annotate(newPod('a', FAKE_NS), 'argocd.argoproj.io/sync-wave', '1');
    const b = annotate(newPod('b', FAKE_NS), 'argocd.argoproj.io/sync-wave', '2');
    const h = new Harness(options()).sync({ resources: [{ target: a }, { target: b }] });
    const built = buildSyncTasks({
      resources: [{ target: a }, { target: b }],
      hooks: [],
      namespace: FAKE_NS,
      revision: 'x',
      startedAt: STARTED,
      results: h.results,
    });
    const running = runningWithoutLive(built.tasks);
    expect(running.map((t) => t.key.name)).toEqual(['a']);
    const step = planSyncStep({
      tasks: built.tasks,
      valid: true,
      results: built.results,
      options: options(),
      liveChecks: new Map([[running[0]?.id ?? '', { error: 'etcdserver: timeout' }]]),
    });
    expect(step.kind).toBe('update');
    expect(step.results[0]).toMatchObject({
      status: 'Synced',
      hookPhase: 'Error',
      message: 'Failed to get live resource etcdserver: timeout',
    });
  });

  it('Test_syncTasks_multiStep', () => {
    const single = [newSyncTask('Sync', undefined, annotate(newPod(), 'argocd.argoproj.io/sync-wave', '-1'))];
    expect(isMultiStep(single)).toBe(false);
    const double = [
      newSyncTask('PreSync', undefined, annotate(newPod(), 'argocd.argoproj.io/sync-wave', '-1')),
      newSyncTask('PostSync', undefined, annotate(newPod(), 'argocd.argoproj.io/sync-wave', '1')),
    ];
    expect(isMultiStep(double)).toBe(true);
  });

  it('TestSync_SyncWaveHook: waves run in order and only the last is final', () => {
    const pod1 = annotate(newPod('pod-1'), 'argocd.argoproj.io/sync-wave', '-1');
    const pod2 = newPod('pod-2');
    const pod3 = annotate(newPod('pod-3'), 'argocd.argoproj.io/hook', 'PostSync');
    const health = { 'pod-1': 'Healthy', 'pod-2': 'Healthy' } as const;
    const h = new Harness(options());
    h.sync({ resources: [{ target: pod1 }, { target: pod2 }], hooks: [pod3], health });
    h.sync({ resources: [{ target: pod1 }, { target: pod2 }], hooks: [pod3], health, exists: ['pod-1'] });
    expect(h.waves).toEqual([{ phase: 'Sync', wave: -1, finalWave: false }]);
    const live = (p: KubeObject) => ({ ...p, metadata: { ...p.metadata, namespace: FAKE_NS } });
    h.sync({ resources: [{ target: pod1, live: live(pod1) }, { target: pod2 }], hooks: [pod3], health });
    h.sync({
      resources: [
        { target: pod1, live: live(pod1) },
        { target: pod2, live: live(pod2) },
      ],
      hooks: [pod3],
      health,
    });
    expect(h.waves).toEqual([
      { phase: 'Sync', wave: -1, finalWave: false },
      { phase: 'Sync', wave: 0, finalWave: false },
      { phase: 'PostSync', wave: 0, finalWave: true },
    ]);
  });

  it('the wave delay is 2s between waves and none after the final wave', () => {
    const a = annotate(newPod('a'), 'argocd.argoproj.io/sync-wave', '1');
    const b = annotate(newPod('b'), 'argocd.argoproj.io/sync-wave', '2');
    const built = buildSyncTasks({
      resources: [{ target: a }, { target: b }],
      hooks: [],
      namespace: FAKE_NS,
      revision: 'x',
      startedAt: STARTED,
    });
    const first = planSyncStep({
      tasks: built.tasks,
      valid: true,
      results: [],
      options: options(),
      prepared: true,
    });
    expect(first.kind === 'wave' && first.delayAfterMs).toBe(2000);
    const last = planSyncStep({
      tasks: built.tasks.slice(1),
      valid: true,
      results: [],
      options: options(),
      prepared: true,
    });
    expect(last.kind === 'wave' && last.delayAfterMs).toBe(0);
  });
});

describe('ApplyOutOfSyncOnly', () => {
  const pod = (name: string) => newPod(name, FAKE_NS);
  const resources = () => [
    { target: pod('pod-1') },
    { live: pod('pod-2') },
    { target: pod('pod-3'), live: pod('pod-3') },
  ];
  const modified = new Map([
    [`/Pod/${FAKE_NS}/pod-1`, true],
    [`/Pod/${FAKE_NS}/pod-2`, true],
    [`/Pod/${FAKE_NS}/pod-3`, false],
  ]);

  it('TestSync_ApplyOutOfSyncOnly: modificationResult=nil applies everything', () => {
    const h = new Harness(options({}, ['ApplyOutOfSyncOnly=true'])).sync({ resources: resources() });
    expect(h.phase).toBe('Succeeded');
    expect(h.results).toHaveLength(3);
  });

  it('TestSync_ApplyOutOfSyncOnly: unmodified resources are skipped', () => {
    const h = new Harness(options({ modified }, ['ApplyOutOfSyncOnly=true'])).sync({
      resources: resources(),
    });
    expect(h.phase).toBe('Succeeded');
    expect(h.results.map((r) => [r.name, r.status])).toEqual([
      ['pod-2', 'PruneSkipped'],
      ['pod-1', 'Synced'],
    ]);
  });

  it('TestSync_ApplyOutOfSyncOnly: a resource missing from the diff results is applied', () => {
    const h = new Harness(options({ modified }, ['ApplyOutOfSyncOnly=true'])).sync({
      resources: [...resources(), { target: newPod('pod-4'), live: newPod('pod-4') }],
    });
    expect(h.results).toHaveLength(3);
  });

  it('TestSync_ApplyOutOfSyncOnly: with prune=true', () => {
    const h = new Harness(options({ modified, prune: true }, ['ApplyOutOfSyncOnly=true'])).sync({
      resources: resources(),
    });
    expect(h.results.map((r) => [r.name, r.status])).toEqual([
      ['pod-2', 'Pruned'],
      ['pod-1', 'Synced'],
    ]);
  });

  it('TestSync_ApplyOutOfSyncOnly_ClusterResources: a cluster-scoped target with the destination namespace is looked up without it', () => {
    const ns = (name: string, namespace?: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, ...(namespace ? { namespace } : {}) },
    });
    const clusterModified = new Map([
      ['/Namespace//ns-1', false],
      ['/Namespace//ns-2', false],
      ['/Namespace//ns-3', false],
    ]);
    const h = new Harness(options({ modified: clusterModified }, ['ApplyOutOfSyncOnly=true'])).sync({
      resources: [
        { target: ns('ns-1') },
        { target: ns('ns-2', 'ns-2'), live: ns('ns-2') },
        { target: ns('ns-3'), live: ns('ns-3') },
      ],
    });
    expect(h.phase).toBe('Succeeded');
    expect(h.results.map((r) => r.name)).toEqual(['ns-1']);
  });
});

describe('CreateNamespace', () => {
  it('TestSyncNamespaceCreatedBeforeDryRunWithoutFailure', () => {
    const h = new Harness(options({}, ['CreateNamespace=true'])).sync({
      resources: [{ target: newPod() }],
      createNamespace: { live: undefined },
      exists: [FAKE_NS],
    });
    expect([h.phase, h.message]).toEqual(['Running', `waiting for healthy state of /Namespace/${FAKE_NS}`]);
    expect(h.results.map((r) => [r.kind, r.status])).toEqual([['Namespace', 'Synced']]);
  });

  it('TestSyncNamespaceCreatedBeforeDryRunWithFailure', () => {
    const h = new Harness(options({}, ['CreateNamespace=true'])).sync({
      resources: [{ target: newPod() }],
      createNamespace: { live: undefined },
      dryRunFailures: { 'my-pod': 'invalid object failing dry-run' },
    });
    expect([h.phase, h.message]).toEqual(['Failed', 'one or more objects failed to apply (dry run)']);
    expect(h.results.map((r) => [r.kind, r.status, r.message])).toEqual([
      ['Namespace', 'Synced', undefined],
      ['Pod', 'SyncFailed', 'invalid object failing dry-run'],
    ]);
  });

  it('a failed namespace creation fails the sync with its reason', () => {
    const h = new Harness(options({}, ['CreateNamespace=true'])).sync({
      resources: [{ target: newPod() }],
      createNamespace: { live: undefined },
      failures: { [FAKE_NS]: 'namespaces is forbidden' },
    });
    expect([h.phase, h.message]).toEqual([
      'Failed',
      'the namespace failed to apply, reason: namespaces is forbidden',
    ]);
  });
});

describe('hooks', () => {
  it('TestSync_SuccessfulSyncWithSyncFailHook', () => {
    const hook = newHook('hook-1', 'Sync', 'BeforeHookCreation');
    const pod = newPod();
    const syncFail = newHook('sync-fail-hook', 'SyncFail', 'HookSucceeded');
    const health = { 'my-pod': 'Healthy', 'hook-1': 'Healthy' } as const;
    const h = new Harness(options());
    h.sync({ resources: [{ target: pod }], hooks: [hook, syncFail], health });
    expect([h.phase, h.message]).toEqual([
      'Running',
      'waiting for completion of hook /Pod/hook-1 and 1 more resources',
    ]);
    expect(h.results).toHaveLength(2);

    h.sync({
      resources: [{ target: pod, live: newPod('my-pod', FAKE_NS) }, { live: hook }],
      hooks: [hook, syncFail],
      health,
    });
    expect([h.phase, h.message]).toEqual(['Succeeded', 'successfully synced (no more tasks)']);
    expect(h.results).toHaveLength(2);
  });

  it('TestSync_FailedSyncWithSyncFailHook_HookFailed', () => {
    const hook = newHook('hook-1', 'Sync', 'BeforeHookCreation');
    const pod = newPod();
    const syncFail = newHook('sync-fail-hook', 'SyncFail', 'HookSucceeded');
    const health = { 'my-pod': 'Healthy', 'hook-1': 'Degraded', 'sync-fail-hook': 'Healthy' } as const;
    const h = new Harness(options());
    h.sync({ resources: [{ target: pod }], hooks: [hook, syncFail], health });
    expect(h.message).toBe('waiting for completion of hook /Pod/hook-1 and 1 more resources');

    const livePod = newPod('my-pod', FAKE_NS);
    h.sync({ resources: [{ target: pod, live: livePod }, { live: hook }], hooks: [hook, syncFail], health });
    expect([h.phase, h.message]).toEqual(['Running', 'waiting for completion of hook /Pod/sync-fail-hook']);
    expect(h.results).toHaveLength(3);

    h.sync({
      resources: [{ target: pod, live: livePod }, { live: hook }, { live: syncFail }],
      hooks: [hook, syncFail],
      health,
    });
    expect([h.phase, h.message]).toEqual([
      'Failed',
      'one or more synchronization tasks completed unsuccessfully',
    ]);
    expect(h.results).toHaveLength(3);
  });

  it('TestSync_FailedSyncWithSyncFailHook_ApplyFailed: other SyncFail hooks run even if one fails', () => {
    const pod = newPod('my-pod', FAKE_NS);
    const ok = newHook('successful-sync-fail-hook', 'SyncFail', 'BeforeHookCreation');
    const bad = newHook('failed-sync-fail-hook', 'SyncFail', 'BeforeHookCreation');
    const health = { 'successful-sync-fail-hook': 'Healthy' } as const;
    const failures = { 'my-pod': 'fake pod failure', 'failed-sync-fail-hook': 'fake hook failure' };
    const h = new Harness(options());
    h.sync({ resources: [{ target: pod }], hooks: [ok, bad], health, failures });
    expect([h.phase, h.message]).toEqual([
      'Running',
      'waiting for completion of hook /Pod/failed-sync-fail-hook and 1 more hooks',
    ]);
    expect(h.results).toHaveLength(3);
    expect(h.result('my-pod')).toMatchObject({ hookPhase: 'Failed', status: 'SyncFailed' });
    expect(h.result('failed-sync-fail-hook')).toMatchObject({ hookPhase: 'Failed', status: 'SyncFailed' });
    expect(h.result('successful-sync-fail-hook')).toMatchObject({ hookPhase: 'Running', status: 'Synced' });

    h.sync({ resources: [{ target: pod }, { live: ok }], hooks: [ok, bad], health });
    expect(h.phase).toBe('Failed');
    expect(h.message).toBe(
      'one or more synchronization tasks completed unsuccessfully, reason: fake pod failure\none or more SyncFail hooks failed, reason: fake hook failure',
    );
    expect(h.result('successful-sync-fail-hook')).toMatchObject({ hookPhase: 'Succeeded', status: 'Synced' });
  });

  it('TestBeforeHookCreation', () => {
    const hook = annotate(
      annotate(newPod('my-pod', FAKE_NS), 'argocd.argoproj.io/hook', 'Sync'),
      'argocd.argoproj.io/hook-delete-policy',
      'BeforeHookCreation',
    );
    hook.metadata.finalizers = ['argocd.argoproj.io/hook-finalizer'];
    const h = new Harness(options());
    h.sync({ resources: [{ live: hook }], hooks: [hook] });
    expect(h.phase).toBe('Running');
    expect(h.finalizersRemoved).toEqual(['my-pod']);
    expect(h.deleted).toEqual(['my-pod']);
    expect(h.message).toBe('waiting for deletion of hook /Pod/my-pod');

    // The old hook is gone by the time the next step deletes it again: the hook is created.
    h.sync({ resources: [{ live: hook }], hooks: [hook], gone: ['my-pod'] });
    expect(h.phase).toBe('Running');
    expect(h.results).toHaveLength(1);
    expect(h.results[0]?.hookPhase).toBe('Running');
    expect(h.message).toBe('waiting for completion of hook /Pod/my-pod');
  });

  it('TestSync_ExistingHooksWithFinalizer', () => {
    const hooks = [
      newHook('existing-hook-1', 'PreSync', 'BeforeHookCreation'),
      newHook('existing-hook-2', 'PreSync', 'HookFailed'),
      newHook('existing-hook-3', 'PreSync', 'HookSucceeded'),
    ];
    const h = new Harness(options()).sync({ resources: hooks.map((live) => ({ live })), hooks });
    expect([h.phase, h.message]).toEqual(['Running', 'waiting for deletion of hook /Pod/existing-hook-1']);
    expect(h.finalizersRemoved).toHaveLength(3);
    expect(h.deleted).toEqual(['existing-hook-1']);
  });

  const threeRunningHooks = (): { hooks: KubeObject[]; results: ResourceResult[] } => {
    const hooks = [
      newHook('hook-1', 'PreSync', 'BeforeHookCreation'),
      newHook('hook-2', 'PreSync', 'HookFailed'),
      newHook('hook-3', 'PreSync', 'HookSucceeded'),
    ];
    const results = hooks.map((hk) => ({
      group: '',
      version: 'v1',
      kind: 'Pod',
      namespace: FAKE_NS,
      name: hk.metadata.name ?? '',
      syncPhase: 'PreSync' as const,
      status: 'Synced' as const,
      hookPhase: 'Running' as const,
    }));
    return { hooks, results };
  };

  it('TestSync_HooksNotDeletedIfPhaseNotCompleted', () => {
    const { hooks, results } = threeRunningHooks();
    const h = new Harness(options());
    h.results = results;
    h.sync({
      resources: hooks.map((live) => ({ live })),
      hooks,
      health: { 'hook-1': 'Progressing', 'hook-2': 'Healthy', 'hook-3': 'Healthy' },
    });
    expect([h.phase, h.message]).toEqual(['Running', 'waiting for completion of hook /Pod/hook-1']);
    expect(h.finalizersRemoved).toEqual([]);
    expect(h.deleted).toEqual([]);
  });

  it('TestSync_HooksDeletedAfterSyncSucceeded', () => {
    const { hooks, results } = threeRunningHooks();
    const h = new Harness(options());
    h.results = results;
    h.sync({
      resources: hooks.map((live) => ({ live })),
      hooks,
      health: { 'hook-1': 'Healthy', 'hook-2': 'Healthy', 'hook-3': 'Healthy' },
    });
    expect([h.phase, h.message]).toEqual(['Succeeded', 'successfully synced (no more tasks)']);
    expect(h.finalizersRemoved).toHaveLength(3);
    expect(h.deleted).toEqual(['hook-3']);
  });

  it('TestSync_HooksDeletedAfterSyncFailed', () => {
    const { hooks, results } = threeRunningHooks();
    const h = new Harness(options());
    h.results = results;
    h.sync({
      resources: hooks.map((live) => ({ live })),
      hooks,
      health: { 'hook-1': 'Degraded', 'hook-2': 'Healthy', 'hook-3': 'Healthy' },
    });
    expect([h.phase, h.message]).toEqual([
      'Failed',
      'one or more synchronization tasks completed unsuccessfully',
    ]);
    expect(h.finalizersRemoved).toHaveLength(3);
    expect(h.deleted).toEqual(['hook-2']);
  });

  it('TestPreSyncHookFailure (e2e): a failed PreSync hook fails the sync before the main sync starts', () => {
    const hook = annotate(newPod('hook', FAKE_NS), 'argocd.argoproj.io/hook', 'PreSync');
    const pod = newPod('pod');
    const h = new Harness(options());
    h.sync({ resources: [{ target: pod }], hooks: [hook] });
    expect(h.message).toBe('waiting for completion of hook /Pod/hook');
    const degraded = buildSyncTasks({
      resources: [{ target: pod }, { live: hook }],
      hooks: [hook],
      namespace: FAKE_NS,
      revision: 'FooBarBaz',
      startedAt: STARTED,
      results: h.results,
      health: (live) =>
        live.metadata.name === 'hook'
          ? { status: 'Degraded', message: 'container "main" failed with exit code 1' }
          : undefined,
    });
    const step = planSyncStep({
      tasks: degraded.tasks,
      valid: true,
      results: degraded.results,
      options: options(),
    });
    expect(step.kind).toBe('update');
    if (step.kind !== 'update') return;
    expect(step.update.phase).toBe('Failed');
    expect(step.results).toEqual([
      expect.objectContaining({
        name: 'hook',
        hookPhase: 'Failed',
        message: 'container "main" failed with exit code 1',
      }),
    ]);
  });

  it.each([
    [undefined, 'Succeeded', 'hook created'],
    ['Healthy', 'Succeeded', 'test'],
    ['Progressing', 'Running', 'test'],
    ['Suspended', 'Running', 'test'],
    ['Degraded', 'Failed', 'test'],
    ['Unknown', 'Failed', 'test'],
    ['Missing', 'Succeeded', 'hook created'],
  ] as const)('getOperationPhase: health %s → %s', (status, phase, message) => {
    const task = {
      ...newSyncTask('Sync', undefined, newHook('hook', 'Sync', 'BeforeHookCreation')),
      ...(status ? { liveHealth: { status, message: 'test' } } : {}),
    };
    expect(hookPhaseFromHealth(task)).toEqual({ phase, message });
  });
});

describe('runningMessage (Test_setRunningPhase)', () => {
  const pod = (name: string) => newSyncTask('Sync', newPod(name), undefined);
  const hook = (name: string) => newSyncTask('Sync', newHook(name, 'Sync', 'BeforeHookCreation'), undefined);
  it.each([
    ['empty tasks', [], false, ''],
    ['single resource - healthy state', [pod('my-pod')], false, 'waiting for healthy state of /Pod/my-pod'],
    [
      'multiple resources - healthy state',
      [pod('pod-1'), pod('pod-2'), pod('pod-3')],
      false,
      'waiting for healthy state of /Pod/pod-1 and 2 more resources',
    ],
    ['single hook - completion', [hook('hook-1')], false, 'waiting for completion of hook /Pod/hook-1'],
    [
      'multiple hooks - completion',
      [hook('hook-1'), hook('hook-2')],
      false,
      'waiting for completion of hook /Pod/hook-1 and 1 more hooks',
    ],
    [
      'hooks and resources - prioritizes hooks',
      [pod('pod-1'), hook('hook-1'), pod('pod-2')],
      false,
      'waiting for completion of hook /Pod/hook-1 and 2 more resources',
    ],
    ['single resource - pending deletion', [pod('my-pod')], true, 'waiting for deletion of /Pod/my-pod'],
    [
      'multiple resources - pending deletion',
      [pod('pod-1'), pod('pod-2'), pod('pod-3')],
      true,
      'waiting for deletion of /Pod/pod-1 and 2 more resources',
    ],
    ['single hook - pending deletion', [hook('hook-1')], true, 'waiting for deletion of hook /Pod/hook-1'],
    [
      'multiple hooks - pending deletion',
      [hook('hook-1'), hook('hook-2')],
      true,
      'waiting for deletion of hook /Pod/hook-1 and 1 more hooks',
    ],
    [
      'hooks and resources - pending deletion prioritizes hooks',
      [pod('pod-1'), hook('hook-1'), pod('pod-2')],
      true,
      'waiting for deletion of hook /Pod/hook-1 and 2 more resources',
    ],
  ])('%s', (_name, tasks, pendingDeletion, expected) => {
    expect(runningMessage(tasks, pendingDeletion)).toBe(expected);
  });
});

describe('concludeWave / SyncFail phase (Test_executeSyncFailPhase*)', () => {
  const failedTask = (name: string, message: string): SyncTask => ({
    ...newSyncTask('Sync', newPod(name, FAKE_NS), undefined),
    syncStatus: 'SyncFailed',
    operationState: 'Failed',
    message,
  });
  const wave = (tasks: SyncTask[], syncFailTasks: SyncTask[] = []): WaveStep => ({
    kind: 'wave',
    phase: 'Sync',
    wave: 0,
    finalWave: true,
    run: planRun(tasks, {}, false),
    delayAfterMs: 0,
    removeFinalizers: [],
    message: 'one or more tasks are running',
    results: [],
    remaining: 0,
    syncFailTasks,
    hooksToDeleteOnSuccess: [],
    hooksToDeleteOnFailure: [],
    options: {},
  });
  const resultsOf = (tasks: SyncTask[]): ResourceResult[] =>
    tasks.map(
      (t) =>
        ({
          group: '',
          version: 'v1',
          kind: 'Pod',
          namespace: FAKE_NS,
          name: t.key.name,
          syncPhase: t.phase,
          status: t.syncStatus,
          hookPhase: t.operationState,
          message: t.message ?? '',
        }) as ResourceResult,
    );

  it('Test_executeSyncFailPhase', () => {
    const tasks = [failedTask('a', 'namespace not found')];
    expect(concludeWave(wave(tasks), { state: 'failed', results: resultsOf(tasks) }).message).toBe(
      'one or more objects failed to apply, reason: namespace not found',
    );
  });

  it('Test_executeSyncFailPhase_DuplicatedMessages', () => {
    const tasks = [failedTask('a', 'namespace not found'), failedTask('b', 'namespace not found')];
    expect(concludeWave(wave(tasks), { state: 'failed', results: resultsOf(tasks) }).message).toBe(
      'one or more objects failed to apply, reason: namespace not found',
    );
  });

  it('Test_executeSyncFailPhase_NoTasks', () => {
    expect(concludeWave(wave([]), { state: 'failed', results: [] })).toEqual({
      phase: 'Failed',
      message: 'one or more objects failed to apply',
      deleteHooks: [],
    });
  });

  it('Test_executeSyncFailPhase_RunningHooks: pending SyncFail hooks are started and awaited', () => {
    const syncFail = newSyncTask('SyncFail', newHook('sf', 'SyncFail', 'BeforeHookCreation'), undefined);
    const update = concludeWave(wave([], [syncFail]), { state: 'failed', results: [] });
    expect(update.phase).toBe('Running');
    expect(update.startSyncFail?.apply.flat().map((s) => s.task.key.name)).toEqual(['sf']);
  });

  it('Test_executeSyncFailPhase_CompletedHooks', () => {
    const failed = [failedTask('a', 'task in error')];
    const syncFail = [
      {
        ...newSyncTask('SyncFail', newHook('ok', 'SyncFail', 'BeforeHookCreation'), undefined),
        operationState: 'Succeeded' as const,
      },
      {
        ...newSyncTask('SyncFail', newHook('bad', 'SyncFail', 'BeforeHookCreation'), undefined),
        operationState: 'Failed' as const,
        syncStatus: 'SyncFailed' as const,
        message: 'failed to apply',
      },
    ];
    const update = concludeWave(wave(failed, syncFail), { state: 'failed', results: resultsOf(failed) });
    expect(update).toEqual({
      phase: 'Failed',
      message:
        'one or more objects failed to apply, reason: task in error\none or more SyncFail hooks failed, reason: failed to apply',
      deleteHooks: [],
    });
  });
});

describe('planRun', () => {
  it('dry runs skip kinds the cluster does not serve yet and never use server-side apply', () => {
    const cr: KubeObject = {
      apiVersion: 'test.io/v1',
      kind: 'TestCrd',
      metadata: { name: 'r', namespace: FAKE_NS },
    };
    const task = { ...newSyncTask('Sync', cr, undefined), skipDryRun: true };
    const svc = newSyncTask('Sync', newService('s', FAKE_NS), undefined);
    const opts = options({}, ['ServerSideApply=true']);
    expect(
      planRun([svc, task], opts, true)
        .apply.flat()
        .map((s) => [s.task.key.name, s.mode.serverSide]),
    ).toEqual([['s', false]]);
    expect(
      planRun([svc, task], opts, false).apply.map((g) => g.map((s) => [s.task.key.name, s.mode.serverSide])),
    ).toEqual([[['s', true]], [['r', true]]]);
  });

  it('marks a client-side-apply migration for live objects last applied by kubectl under SSA', () => {
    const live = {
      ...newService('s', FAKE_NS),
      metadata: {
        name: 's',
        namespace: FAKE_NS,
        managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update' }],
      },
    };
    const task = newSyncTask('Sync', newService('s', FAKE_NS), live);
    const step = planRun([task], options({}, ['ServerSideApply=true']), false).apply[0]?.[0];
    expect(step?.migrateClientSideApplyFrom).toBe('kubectl-client-side-apply');
    const off = planRun(
      [task],
      options({}, ['ServerSideApply=true', 'ClientSideApplyMigration=false']),
      false,
    ).apply[0]?.[0];
    expect(off?.migrateClientSideApplyFrom).toBeUndefined();
  });

  it('combineRunStates follows upstream stateSync', () => {
    expect(combineRunStates('successful', 'pending')).toBe('pending');
    expect(combineRunStates('pending', 'successful')).toBe('pending');
    expect(combineRunStates('pending', 'failed')).toBe('failed');
    expect(combineRunStates('failed', 'successful')).toBe('failed');
  });
});

describe('planTermination (TestTerminate*)', () => {
  it('TestTerminate: no running hooks → Failed Operation terminated', () => {
    const plan = planTermination([newSyncTask('Sync', newPod('p', FAKE_NS), newPod('p', FAKE_NS))], []);
    expect(plan.update).toEqual({ phase: 'Failed', message: 'Operation terminated', deleteHooks: [] });
    expect(plan.hooks).toEqual([]);
  });

  it('TestTerminate_Hooks_Running: running hooks are stopped and deleted', () => {
    const hooks = ['BeforeHookCreation', 'HookFailed', 'HookSucceeded'].map((policy, i) => ({
      ...newSyncTask(
        'Sync',
        newHook(`hook-${i + 1}`, 'Sync', policy as 'HookFailed'),
        newHook(`hook-${i + 1}`, 'Sync', policy as 'HookFailed'),
      ),
      operationState: 'Running' as const,
      syncStatus: 'Synced' as const,
      liveHealth: { status: 'Progressing' as const },
    }));
    const plan = planTermination(hooks, []);
    expect(plan.hooks.map((s) => [s.task.key.name, s.removeFinalizer, s.delete, s.phase, s.message])).toEqual(
      [
        ['hook-1', true, true, 'Failed', 'Terminated'],
        ['hook-2', true, true, 'Failed', 'Terminated'],
        ['hook-3', true, true, 'Failed', 'Terminated'],
      ],
    );
  });

  it('TestTerminate_Hooks_Running_Healthy: hooks that just finished keep their real phase', () => {
    const mk = (name: string, policy: 'HookFailed' | 'HookSucceeded') => ({
      ...newSyncTask('Sync', newHook(name, 'Sync', policy), newHook(name, 'Sync', policy)),
      operationState: 'Running' as const,
      liveHealth: { status: 'Healthy' as const, message: 'done' },
    });
    const plan = planTermination([mk('a', 'HookFailed'), mk('b', 'HookSucceeded')], []);
    expect(plan.hooks.map((s) => [s.task.key.name, s.delete, s.phase, s.message])).toEqual([
      ['a', true, 'Succeeded', 'done'],
      ['b', false, 'Succeeded', 'done'],
    ]);
  });
});
