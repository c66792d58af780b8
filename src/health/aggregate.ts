/**
 * An Application's health from its resources' health: Argo CD's `setApplicationHealth`
 * (`controller/health.go`), with gitops-engine's ordering (`IsWorse`).
 * @module
 */
import type { KubeObject } from '../kube/types.ts';
import { type AssessHealthOptions, assessHealth } from './assess.ts';
import { groupVersionKind } from './check.ts';
import { annotationsOf, isHook, isIgnoredHook, isSkipHook } from './hooks.ts';
import { type HealthStatus, type HealthStatusCode, healthOf, isWorse } from './types.ts';

/** Set to `"true"` on a live object to leave it out of its Application's health. */
export const IGNORE_HEALTHCHECK_ANNOTATION = 'argocd.argoproj.io/ignore-healthcheck';

/** How many causes the health message names before "and N more". */
export const MAX_HEALTH_CAUSES_SHOWN = 3;

/** One resource of an Application, as the comparison of desired and live state pairs them. */
export interface AppResource {
  group: string;
  kind: string;
  namespace?: string | undefined;
  name: string;
  /** The object in the cluster; absent when it is missing. */
  live?: KubeObject | undefined;
  /** The desired object; absent when the live object is not (or no longer) in Git. */
  target?: KubeObject | undefined;
}

/** The Application being assessed, so that an Application that manages itself is not counted. */
export interface SelfReference {
  name: string;
  namespace?: string | undefined;
  uid?: string | undefined;
}

/** Options for {@link aggregateHealth}. */
export interface AggregateHealthOptions extends AssessHealthOptions {
  self?: SelfReference;
  /** How one live object is assessed; {@link assessHealth} with these options by default. */
  assess?: (obj: KubeObject) => HealthStatus | undefined;
}

/** An Application's health, with the health of each resource that has one. */
export interface ApplicationHealth {
  status: HealthStatusCode;
  /** `Caused by apps/Deployment:ns/web, ...`: the resources at the worst status. Omitted when Healthy. */
  message?: string;
  /**
   * Per resource, in input order: its health (`Missing` when not live), or `undefined` when it was
   * skipped (hook, `Skip`, ignore-healthcheck, the Application itself) or has no health check.
   */
  resources: Array<HealthStatus | undefined>;
}

/**
 * The worst of some statuses by gitops-engine's order (Healthy < Suspended < Progressing < Missing
 * < Degraded < Unknown); Healthy for none.
 * @example worstHealth(['Healthy', 'Missing', 'Progressing']) // 'Missing'
 */
export function worstHealth(statuses: Iterable<HealthStatusCode>): HealthStatusCode {
  let worst: HealthStatusCode = 'Healthy';
  for (const status of statuses) if (isWorse(worst, status)) worst = status;
  return worst;
}

/**
 * `Caused by <group/Kind>:<namespace/name>, ...`, naming at most three resources.
 * @example formatHealthCauses([{ group: 'apps', kind: 'Deployment', namespace: 'default', name: 'frontend' }])
 * // 'Caused by apps/Deployment:default/frontend'
 */
export function formatHealthCauses(
  causes: ReadonlyArray<Pick<AppResource, 'group' | 'kind' | 'namespace' | 'name'>>,
): string {
  if (causes.length === 0) return '';
  const shown = causes.slice(0, MAX_HEALTH_CAUSES_SHOWN).map((c) => {
    const groupKind = c.group ? `${c.group}/${c.kind}` : c.kind;
    return `${groupKind}:${c.namespace ? `${c.namespace}/${c.name}` : c.name}`;
  });
  const more =
    causes.length > MAX_HEALTH_CAUSES_SHOWN ? ` and ${causes.length - MAX_HEALTH_CAUSES_SHOWN} more` : '';
  return `Caused by ${shown.join(', ')}${more}`;
}

/** A string under `metadata`, or `""` (apimachinery's `getNestedString`). */
function metadataString(obj: KubeObject, key: string): string {
  const metadata: unknown = obj.metadata;
  if (typeof metadata !== 'object' || metadata === null) return '';
  const value = (metadata as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : '';
}

/** Argo CD's `isSelfReferencedApp`, on the live object's identity. */
function isSelf(live: KubeObject, self: SelfReference | undefined): boolean {
  if (self === undefined) return false;
  const gvk = groupVersionKind(live);
  return (
    metadataString(live, 'uid') === (self.uid ?? '') &&
    metadataString(live, 'name') === self.name &&
    metadataString(live, 'namespace') === (self.namespace ?? '') &&
    gvk.group === 'argoproj.io' &&
    gvk.kind === 'Application'
  );
}

/**
 * An Application's health: the worst health among its resources, where these do not count:
 * hooks (and objects with unknown hook types), `Skip` targets, live objects annotated
 * `argocd.argoproj.io/ignore-healthcheck: "true"`, the Application itself, resources without a
 * health check, missing resources (OutOfSync already says they are missing), and child
 * Applications that are Missing or Unknown. If the Application has resources but none of them is
 * live, it is Missing.
 * @example aggregateHealth([{ group: 'batch', kind: 'Job', namespace: 'default', name: 'failed-job', live: failedJob }])
 * // { status: 'Degraded', message: 'Caused by batch/Job:default/failed-job', resources: [{ status: 'Degraded', ... }] }
 */
export function aggregateHealth(
  resources: readonly AppResource[],
  options: AggregateHealthOptions = {},
): ApplicationHealth {
  const assess = options.assess ?? ((obj: KubeObject) => assessHealth(obj, options));
  const perResource: Array<HealthStatus | undefined> = resources.map(() => undefined);
  let status: HealthStatusCode = 'Healthy';
  let causes: AppResource[] = [];
  let containsResources = false;
  let containsLiveResources = false;

  resources.forEach((res, i) => {
    const { live, target } = res;
    if (target !== undefined && isSkipHook(target)) return;
    if (live !== undefined && (isHook(live) || isIgnoredHook(live))) return;
    containsResources = true;
    if (live !== undefined) containsLiveResources = true;
    if (live !== undefined && annotationsOf(live)[IGNORE_HEALTHCHECK_ANNOTATION] === 'true') return;

    let health: HealthStatus | undefined;
    if (live === undefined) health = healthOf('Missing');
    else if (isSelf(live, options.self)) return;
    else health = assess(live);
    if (health === undefined) return;
    perResource[i] = health;

    if (live === undefined) return;
    const childApp = res.group === 'argoproj.io' && res.kind === 'Application';
    if (childApp && (health.status === 'Missing' || health.status === 'Unknown')) return;

    if (isWorse(status, health.status)) {
      status = health.status;
      causes = [res];
    } else if (status === health.status && status !== 'Healthy') {
      causes.push(res);
    }
  });

  if (containsResources && !containsLiveResources && isWorse(status, 'Missing')) {
    status = 'Missing';
    causes = [];
  }
  const message = formatHealthCauses(causes);
  return message ? { status, message, resources: perResource } : { status, resources: perResource };
}
