/**
 * The Rollout controller: informers on Rollouts and on what they own (ReplicaSets, AnalysisRuns)
 * feed a keyed work queue; each reconcile observes one Rollout, plans (pure), executes the plan and
 * asks to be woken when a timed pause or a progress deadline runs out.
 *
 * Ownership: Slipway installs the Rollouts CRDs when they are absent, and stands aside when an Argo
 * Rollouts controller runs in the cluster, unless a controller instance id separates the two
 * (Slipway then reconciles only Rollouts labelled `argo-rollouts.argoproj.io/controller-instance-id`
 * with its id).
 * @module
 */
import type { KubeClient } from '../kube/client.ts';
import { Controller, objectKey, splitKey } from '../kube/controller.ts';
import { ensureCrds, loadCrds } from '../kube/crds.ts';
import { Informer, type InformerEvent } from '../kube/informer.ts';
import type { KubeObject } from '../kube/types.ts';
import { SlipwayError } from '../util/errors.ts';
import type { DeepReadonly } from '../util/readonly.ts';
import { sourceFile } from '../util/source-files.ts';
import { executePlan } from './execute.ts';
import { observeRollout, type RolloutObservation } from './observe.ts';
import { emptyPlan, type RolloutPlan } from './plan.ts';
import { planBlueGreen } from './plan-bluegreen.ts';
import { planCanary } from './plan-canary.ts';
import { invalidSpecMessage, type SpecIssue, unsupportedFeatures, validateRollout } from './spec.ts';
import { invalidSpecStatus } from './status.ts';
import { RolloutLabels } from './types.ts';

/** Options of {@link createRolloutController}. */
export interface RolloutControllerOptions {
  client: KubeClient;
  /** Watch one namespace only; default all namespaces. */
  namespace?: string;
  /** The time source of every plan; default `() => new Date()`. */
  clock?: () => Date;
  /** Reconcile only Rollouts with this `controller-instance-id` label (and run beside Argo Rollouts). */
  instanceId?: string;
  /** Install the Rollouts CRDs when absent; default true. */
  installCrds?: boolean;
  onError?: (key: string, err: unknown) => void;
}

/** A running Rollout controller. */
export interface RolloutController {
  start(): Promise<void>;
  stop(): Promise<void>;
}

const CRD_FILES = [
  'rollout-crd.yaml',
  'analysis-run-crd.yaml',
  'analysis-template-crd.yaml',
  'cluster-analysis-template-crd.yaml',
  'experiment-crd.yaml',
];

const INVALID_SPEC_REQUEUE_MS = 20_000;

/** The Services the strategy names that do not exist (upstream: `ValidateRolloutReferencedResources`). */
export function missingServices(obs: RolloutObservation): SpecIssue[] {
  const strategy = obs.rollout?.spec.strategy;
  const named: Array<[string, string | undefined]> = [
    ['spec.strategy.canary.canaryService', strategy?.canary?.canaryService],
    ['spec.strategy.canary.stableService', strategy?.canary?.stableService],
    ['spec.strategy.blueGreen.activeService', strategy?.blueGreen?.activeService],
    ['spec.strategy.blueGreen.previewService', strategy?.blueGreen?.previewService],
  ];
  return named
    .filter(
      (entry): entry is [string, string] =>
        entry[1] !== undefined && entry[1] !== '' && !obs.services.has(entry[1]),
    )
    .map(([path, svc]) => ({
      path,
      type: 'Invalid value',
      value: JSON.stringify(svc),
      detail: `services ${JSON.stringify(svc)} not found`,
    }));
}

/** Keys of the Rollouts (of `rollouts`) whose strategy names `service` in its namespace. */
export function referencingKeys(
  rollouts: readonly DeepReadonly<KubeObject>[],
  service: DeepReadonly<KubeObject>,
): string[] {
  const name = service.metadata.name ?? '';
  return rollouts
    .filter((ro) => ro.metadata.namespace === service.metadata.namespace)
    .filter((ro) => {
      const strategy = (ro as { spec?: { strategy?: Record<string, Record<string, unknown> | undefined> } })
        .spec?.strategy;
      const c = strategy?.canary;
      const b = strategy?.blueGreen;
      return [c?.canaryService, c?.stableService, b?.activeService, b?.previewService].includes(name);
    })
    .map((ro) => objectKey(ro));
}

/** Keys of the Rollouts that own `event.object` as controller. */
function ownerKeys(event: InformerEvent<KubeObject>): string[] {
  const { metadata } = event.object;
  return (metadata.ownerReferences ?? [])
    .filter((r) => r.kind === 'Rollout' && r.controller === true)
    .map((r) => objectKey({ metadata: { namespace: metadata.namespace, name: r.name } }));
}

/**
 * Plans one reconcile: an invalid or unsupported spec becomes an `InvalidSpec` condition (phase
 * Degraded) and nothing else is touched; a canary goes to the canary planner.
 */
export function planRollout(obs: RolloutObservation, now: Date): RolloutPlan {
  const { rollout } = obs;
  const name = obs.raw.metadata.name ?? '';
  const generation = obs.raw.metadata.generation;
  const invalid = (message: string): RolloutPlan => ({
    ...emptyPlan(invalidSpecStatus(rollout?.status, message, generation, now)),
    // Upstream looks again after 20s: a missing Service may be created meanwhile.
    requeueAfterMs: INVALID_SPEC_REQUEUE_MS,
  });
  if (rollout === undefined) return invalid(`The Rollout "${name}" is invalid: ${obs.parseError ?? ''}`);
  const upstream = validateRollout(rollout.spec, {
    metadata: { name, namespace: obs.raw.metadata.namespace ?? '' },
  });
  const first = upstream[0];
  if (first !== undefined) return invalid(invalidSpecMessage(name, first, { upstreamPaths: true }));
  const slipway = [...unsupportedFeatures(rollout.spec), ...missingServices(obs)];
  if (rollout.spec.strategy.canary?.trafficRouting !== undefined) {
    slipway.push({
      path: 'spec.strategy.canary.trafficRouting',
      type: 'Forbidden',
      detail: 'traffic routing is not supported by this Slipway controller yet',
    });
  }
  const bg = rollout.spec.strategy.blueGreen;
  for (const field of ['prePromotionAnalysis', 'postPromotionAnalysis'] as const) {
    if (bg?.[field] !== undefined) {
      slipway.push({
        path: `spec.strategy.blueGreen.${field}`,
        type: 'Forbidden',
        detail: `${field} is not supported by this Slipway controller yet`,
      });
    }
  }
  const own = slipway[0];
  if (own !== undefined) return invalid(invalidSpecMessage(name, own));
  return bg !== undefined ? planBlueGreen(obs, now) : planCanary(obs, now);
}

/**
 * The Argo Rollouts controller Slipway must stand aside for, if any: a Deployment labelled
 * `app.kubernetes.io/name=argo-rollouts` — unless Slipway runs with an instance id, which
 * separates the Rollouts each controller reconciles.
 * @returns a SlipwayError (reason `ArgoRolloutsPresent`) naming the Deployment, or undefined.
 */
export function argoRolloutsConflict(
  deployments: readonly KubeObject[],
  instanceId: string | undefined,
): SlipwayError | undefined {
  if (instanceId !== undefined && instanceId !== '') return undefined;
  const found = deployments.find((d) => d.metadata.labels?.['app.kubernetes.io/name'] === 'argo-rollouts');
  if (found === undefined) return undefined;
  return new SlipwayError(
    'an Argo Rollouts controller is installed; Slipway stands aside (run Slipway with --instance-id and label its Rollouts argo-rollouts.argoproj.io/controller-instance-id to run both)',
    {
      subject: `Deployment/${found.metadata.namespace ?? ''}/${found.metadata.name ?? ''}`,
      reason: 'ArgoRolloutsPresent',
    },
  );
}

/** Lists the cluster's Deployments labelled as Argo Rollouts and throws {@link argoRolloutsConflict}'s error. */
export async function checkNoArgoRollouts(client: KubeClient, instanceId: string | undefined): Promise<void> {
  if (instanceId !== undefined && instanceId !== '') return;
  const { items } = await client.list({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    labelSelector: 'app.kubernetes.io/name=argo-rollouts',
  });
  const conflict = argoRolloutsConflict(items, instanceId);
  if (conflict !== undefined) throw conflict;
}

/** Creates the Rollout controller (not yet started). */
export function createRolloutController(options: RolloutControllerOptions): RolloutController {
  const { client, namespace } = options;
  const clock = options.clock ?? (() => new Date());
  let controller: Controller | undefined;
  const handles = (obs: RolloutObservation) =>
    (obs.raw.metadata.labels?.[RolloutLabels.controllerInstanceId] ?? '') === (options.instanceId ?? '');
  const reconcile = async (key: string, signal: AbortSignal) => {
    const { namespace: ns, name } = splitKey(key);
    const observed = await observeRollout(client, ns ?? '', name, signal);
    if (observed === undefined || !handles(observed)) return undefined; // gone, or another controller's
    const now = clock();
    const plan = planRollout(observed, now);
    await executePlan(client, observed, plan, signal, now);
    return plan.requeueAfterMs === undefined ? undefined : { requeueAfterMs: plan.requeueAfterMs };
  };
  return {
    async start() {
      await checkNoArgoRollouts(client, options.instanceId);
      if (options.installCrds ?? true) {
        await ensureCrds(
          client,
          CRD_FILES.flatMap((f) => loadCrds(sourceFile(`rollouts/crds/${f}`))),
        );
      }
      const informer = (apiVersion: string, kind: string) =>
        new Informer(client, { apiVersion, kind, namespace });
      const rollouts = informer('argoproj.io/v1alpha1', 'Rollout');
      controller = new Controller({
        name: 'rollouts',
        primary: rollouts,
        related: [
          { informer: informer('apps/v1', 'ReplicaSet'), keysFor: ownerKeys },
          { informer: informer('argoproj.io/v1alpha1', 'AnalysisRun'), keysFor: ownerKeys },
          // A named Service appearing or being edited: its Rollouts re-check selectors and validity.
          { informer: informer('v1', 'Service'), keysFor: (e) => referencingKeys(rollouts.list(), e.object) },
        ],
        reconcile,
        ...(options.onError ? { onError: options.onError } : {}),
      });
      await controller.start();
    },
    async stop() {
      await controller?.stop();
      controller = undefined;
    },
  };
}
