/**
 * Resource tracking: how a live object says which Application owns it.
 *
 * The default (annotation) method writes `argocd.argoproj.io/tracking-id:
 * <app>:<group>/<kind>:<namespace>/<name>`. The namespace falls back to the Application's
 * destination namespace when the manifest has none, so cluster-scoped objects carry it too
 * (`my-app:/Namespace:guestbook/guestbook` when rendered without a namespace and written with
 * destination `guestbook`). Carrying the object's own identity lets Slipway notice a tracking id
 * copied onto another object (a Secret cloned by an operator, say) and leave that copy alone: it is
 * neither compared nor pruned ({@link isSelfReferenced}).
 *
 * | method | written | ownership read from |
 * |---|---|---|
 * | `annotation` (default) | the tracking id | the tracking id |
 * | `annotation+label` | the tracking id and `app.kubernetes.io/instance` (truncated to 63) | the tracking id |
 * | `label` | `app.kubernetes.io/instance=<app>` (not truncated) | the label |
 *
 * Source: `util/argo/resource_tracking.go`, `controller/state.go` (`isSelfReferencedObj`).
 * @module
 */
import type { KubeObject } from '../kube/types.ts';
import { splitApiVersion } from '../kube/types.ts';
import { SlipwayError } from '../util/errors.ts';
import { Annotations } from './types.ts';

/** How tracking is written and read (`application.resourceTrackingMethod`). */
export type TrackingMethod = 'annotation' | 'label' | 'annotation+label';

/** The default instance label key (`application.instanceLabelKey`). */
export const DEFAULT_INSTANCE_LABEL = 'app.kubernetes.io/instance';

/** The longest label value Kubernetes accepts. */
export const LABEL_MAX_LENGTH = 63;

/** The parts of a tracking id. */
export interface AppInstanceValue {
  applicationName: string;
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

/** Upstream's message for a malformed id (`ErrWrongResourceTrackingFormat`). */
export const WRONG_TRACKING_FORMAT =
  'wrong resource tracking format, should be <application-name>:<group>/<kind>:<namespace>/<name>';

/**
 * Formats a tracking id (`BuildAppInstanceValue`).
 * @example buildTrackingId({ applicationName: 'my-app', group: 'apps', kind: 'Deployment', namespace: 'default', name: 'my-deployment' })
 *   === 'my-app:apps/Deployment:default/my-deployment'
 * @example buildTrackingId({ applicationName: 'my-app', group: '', kind: 'Namespace', namespace: '', name: 'foo' })
 *   === 'my-app:/Namespace:/foo'
 */
export function buildTrackingId(value: AppInstanceValue): string {
  return `${value.applicationName}:${value.group}/${value.kind}:${value.namespace}/${value.name}`;
}

/**
 * Parses a tracking id (`ParseAppInstanceValue`): split on the first two `:` (so a name may
 * contain `:`), then each middle part on `/` into exactly two pieces.
 * @throws SlipwayError (reason `InvalidTrackingId`) with upstream's message when the format is wrong.
 * @example parseTrackingId('app:<group>/<kind>:<namespace>/<name>:<colon>').name === '<name>:<colon>'
 */
export function parseTrackingId(value: string): AppInstanceValue {
  const first = value.indexOf(':');
  const second = first < 0 ? -1 : value.indexOf(':', first + 1);
  if (first < 0 || second < 0) throw wrongFormat(value);
  const groupKind = value.slice(first + 1, second).split('/');
  const nsName = value.slice(second + 1).split('/');
  if (groupKind.length !== 2 || nsName.length !== 2) throw wrongFormat(value);
  return {
    applicationName: value.slice(0, first),
    group: groupKind[0] as string,
    kind: groupKind[1] as string,
    namespace: nsName[0] as string,
    name: nsName[1] as string,
  };
}

function wrongFormat(value: string): SlipwayError {
  return new SlipwayError(WRONG_TRACKING_FORMAT, {
    subject: `${Annotations.trackingId} ${JSON.stringify(value)}`,
    reason: 'InvalidTrackingId',
  });
}

/**
 * The tracking id an object should carry (`UnstructuredToAppInstanceValue`): its group, kind and
 * name, and its namespace or, when it has none, `defaultNamespace`.
 */
export function appInstanceValueOf(
  obj: KubeObject,
  appName: string,
  defaultNamespace: string,
): AppInstanceValue {
  return {
    applicationName: appName,
    group: splitApiVersion(obj.apiVersion).group,
    kind: obj.kind,
    namespace: obj.metadata.namespace || defaultNamespace,
    name: obj.metadata.name ?? '',
  };
}

/**
 * The Application's name as tracking ids carry it (`Application.InstanceName`): the bare name for
 * an app in the controller's namespace (or with no namespace), else `<namespace>_<name>`.
 * @example appInstanceName('guestbook', 'team-a', 'argocd') === 'team-a_guestbook'
 */
export function appInstanceName(
  appName: string,
  appNamespace: string | undefined,
  controllerNamespace: string,
): string {
  if (!appNamespace || appNamespace === controllerNamespace) return appName;
  return `${appNamespace}_${appName}`;
}

/**
 * Shortens a label value to 63 characters, then strips trailing characters until it ends in an
 * alphanumeric (`TruncateLabel`). Values within the limit are returned unchanged.
 * @throws SlipwayError when nothing valid is left.
 * @example truncateLabel('the-very-suspicious-name-with-precisely-sixty-three-characters-with-hyphen')
 *   === 'the-very-suspicious-name-with-precisely-sixty-three-characters'
 */
export function truncateLabel(value: string): string {
  if (value.length <= LABEL_MAX_LENGTH) return value;
  let out = value.slice(0, LABEL_MAX_LENGTH);
  while (!/[a-zA-Z0-9]$/.test(out)) {
    if (out.length <= 1) {
      throw new SlipwayError('unable to truncate label to not end with a special character', {
        subject: `label value ${JSON.stringify(value)}`,
        reason: 'InvalidTrackingLabel',
      });
    }
    out = out.slice(0, -1);
  }
  return out;
}

/** Where and how to write tracking metadata. */
export interface TrackingOptions {
  /** Default `annotation`. */
  method?: TrackingMethod | undefined;
  /** The instance label key; default `app.kubernetes.io/instance`. */
  labelKey?: string | undefined;
  /** `installationID` from settings: also written as `argocd.argoproj.io/installation-id`. */
  installationId?: string | undefined;
}

/**
 * Returns a copy of `obj` carrying the tracking metadata for `appName` (`SetAppInstance`); the
 * input is not changed. `defaultNamespace` (the destination namespace) fills the id's namespace
 * for objects without one.
 * @example setAppInstance(deployment, 'guestbook', 'default').metadata.annotations
 *   // { 'argocd.argoproj.io/tracking-id': 'guestbook:apps/Deployment:default/guestbook-ui' }
 */
export function setAppInstance(
  obj: KubeObject,
  appName: string,
  defaultNamespace: string,
  options: TrackingOptions = {},
): KubeObject {
  const method = options.method ?? 'annotation';
  const labelKey = options.labelKey ?? DEFAULT_INSTANCE_LABEL;
  const out = structuredClone(obj);
  const annotations = { ...(out.metadata.annotations ?? {}) };
  const labels = { ...(out.metadata.labels ?? {}) };
  if (method === 'label') {
    // Label-only tracking reads the label back as the app name, so it is never truncated.
    labels[labelKey] = appName;
    out.metadata.labels = labels;
    return out;
  }
  if (options.installationId) annotations[Annotations.installationId] = options.installationId;
  else delete annotations[Annotations.installationId];
  annotations[Annotations.trackingId] = buildTrackingId(appInstanceValueOf(obj, appName, defaultNamespace));
  out.metadata.annotations = annotations;
  if (method === 'annotation+label') {
    labels[labelKey] = truncateLabel(appName);
    out.metadata.labels = labels;
  }
  return out;
}

/**
 * The parsed tracking id of an object (`getAppInstanceValue`), or undefined when it has none, it is
 * malformed, or an `installationId` is configured and the object's does not match.
 */
export function trackingIdOf(obj: KubeObject, installationId?: string): AppInstanceValue | undefined {
  const annotations = obj.metadata.annotations ?? {};
  if (installationId && annotations[Annotations.installationId] !== installationId) return undefined;
  const raw = annotations[Annotations.trackingId];
  if (raw === undefined || raw === '') return undefined;
  try {
    return parseTrackingId(raw);
  } catch {
    // A malformed id is treated as no id at all, as upstream does; the object is then untracked.
    return undefined;
  }
}

/**
 * The Application an object belongs to (`GetAppName`): from the label with `label` tracking, else
 * from the tracking id. Empty string when untracked.
 */
export function trackedAppName(obj: KubeObject, options: TrackingOptions = {}): string {
  if ((options.method ?? 'annotation') === 'label') {
    return obj.metadata.labels?.[options.labelKey ?? DEFAULT_INSTANCE_LABEL] ?? '';
  }
  return trackingIdOf(obj, options.installationId)?.applicationName ?? '';
}

/**
 * Whether a live object really is the object its tracking metadata describes
 * (`isSelfReferencedObj`). True when there is no live object, with label tracking (which carries no
 * identity), or when the id's group, kind, name and namespace (or an empty live namespace) match.
 *
 * With a target, the expected id is built from the target (so an API group upgrade such as
 * `extensions/Ingress` → `networking.k8s.io/Ingress` still matches); without one, the live object's
 * own id is compared with the live object.
 * @example
 * // live ConfigMap default/configmap2 annotated `guestbook:/ConfigMap:default/configmap1`
 * isSelfReferenced(live, undefined, 'guestbook') === false
 */
export function isSelfReferenced(
  live: KubeObject | undefined,
  target: KubeObject | undefined,
  appName: string,
  options: TrackingOptions = {},
): boolean {
  if (live === undefined) return true;
  if ((options.method ?? 'annotation') === 'label') return true;
  let expected: AppInstanceValue | undefined;
  if (target !== undefined) {
    expected = appInstanceValueOf(target, appName, '');
  } else {
    expected = trackingIdOf(live, options.installationId);
    if (expected === undefined) return true;
  }
  const liveNamespace = live.metadata.namespace ?? '';
  return (
    (liveNamespace === expected.namespace || liveNamespace === '') &&
    (live.metadata.name ?? '') === expected.name &&
    splitApiVersion(live.apiVersion).group === expected.group &&
    live.kind === expected.kind
  );
}

/** A copy of `obj` without Slipway's tracking metadata for `method` (`RemoveAppInstance`). */
export function removeAppInstance(
  obj: KubeObject,
  method: TrackingMethod | string = 'annotation',
): KubeObject {
  const out = structuredClone(obj);
  const dropAnnotations = method !== 'label';
  const dropLabel = method === 'label' || method === 'annotation+label';
  if (dropAnnotations && out.metadata.annotations) {
    delete out.metadata.annotations[Annotations.trackingId];
    delete out.metadata.annotations[Annotations.installationId];
  }
  if (dropLabel && out.metadata.labels) delete out.metadata.labels[DEFAULT_INSTANCE_LABEL];
  return out;
}
