/**
 * HorizontalPodAutoscaler health (gitops-engine `health_hpa.go`), for `autoscaling/v1` (conditions
 * kept in an annotation) and `autoscaling/v2` (conditions in status).
 * @module
 */
import { formatGvk, type GroupVersionKind, type HealthCheck, type UntypedObject } from './check.ts';
import { conditionOf, convert, objectMeta, slice, struct } from './convert.ts';
import { type HealthStatus, healthOf } from './types.ts';

/** Where `autoscaling/v1` keeps the v2 conditions: a JSON list in this annotation. */
export const HPA_CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';

/** The condition fields health reads. */
export interface HpaCondition {
  type: string;
  reason: string;
  message: string;
  status: string;
}

const WAITING = healthOf('Progressing', 'Waiting to Autoscale');

/** Condition type and reason pairs that mean the autoscaler cannot do its job. */
const DEGRADED: ReadonlyArray<readonly [string, string]> = [
  ['AbleToScale', 'FailedGetScale'],
  ['AbleToScale', 'FailedUpdateScale'],
  ['ScalingActive', 'FailedGetResourceMetric'],
  ['ScalingActive', 'FailedGetObjectMetric'],
  ['ScalingActive', 'FailedGetPodsMetric'],
  ['ScalingActive', 'FailedGetExternalMetric'],
  ['ScalingActive', 'FailedComputeMetricsReplicas'],
  ['ScalingActive', 'InvalidSelector'],
];

/**
 * Any failing condition (whatever its status) → Degraded with its message; else a true
 * `AbleToScale` or `ScalingLimited` → Healthy with its message; else Progressing "Waiting to
 * Autoscale".
 * @example hpaHealth([{ type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' }])
 * // { status: 'Healthy', message: 'recommended size matches current size' }
 */
export function hpaHealth(conditions: readonly HpaCondition[]): HealthStatus {
  const failing = conditions.find((c) =>
    DEGRADED.some(([type, reason]) => c.type === type && c.reason === reason),
  );
  if (failing) return healthOf('Degraded', failing.message);
  const able = conditions.find(
    (c) => (c.type === 'AbleToScale' || c.type === 'ScalingLimited') && c.status === 'True',
  );
  if (able) return healthOf('Healthy', able.message);
  return WAITING;
}

/** Go's JSON type names, for its `cannot unmarshal <type>` messages. */
function jsonKind(value: unknown): string {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'string') return 'string';
  return Array.isArray(value) ? 'array' : 'object';
}

/** Go's case folding for JSON field names: ASCII case plus the Kelvin sign and long s. */
function foldKey(key: string): string {
  return key
    .replace(/\u212a/g, 'k')
    .replace(/\u017f/g, 's')
    .toLowerCase();
}

/** Folded JSON name → the Go field and the key it fills. */
const HPA_FIELDS: ReadonlyMap<string, { go: string; key: keyof HpaCondition }> = new Map([
  ['type', { go: 'Type', key: 'type' }],
  ['reason', { go: 'Reason', key: 'reason' }],
  ['message', { go: 'Message', key: 'message' }],
  ['status', { go: 'Status', key: 'status' }],
]);

/**
 * Decodes the v1 annotation as Go's `json.Unmarshal` into `[]hpaCondition` does: field names match
 * case-insensitively, `null` keeps the zero value, and the first mistyped value fails the whole list.
 */
export function parseHpaConditionsAnnotation(
  text: string,
): { ok: true; value: HpaCondition[] } | { ok: false; error: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  if (parsed === null) return { ok: true, value: [] };
  if (!Array.isArray(parsed)) {
    return {
      ok: false,
      error: `json: cannot unmarshal ${jsonKind(parsed)} into Go value of type []health.hpaCondition`,
    };
  }
  let firstError: string | undefined;
  const value = parsed.map((item): HpaCondition => {
    const cond: HpaCondition = { type: '', reason: '', message: '', status: '' };
    if (item === null) return cond;
    if (typeof item !== 'object' || Array.isArray(item)) {
      firstError ??= `json: cannot unmarshal ${jsonKind(item)} into Go value of type health.hpaCondition`;
      return cond;
    }
    for (const [key, fieldValue] of Object.entries(item as Record<string, unknown>)) {
      const field = HPA_FIELDS.get(foldKey(key));
      if (field === undefined || fieldValue === null) continue;
      if (typeof fieldValue === 'string') cond[field.key] = fieldValue;
      else {
        firstError ??= `json: cannot unmarshal ${jsonKind(fieldValue)} into Go struct field hpaCondition.${field.go} of type string`;
      }
    }
    return cond;
  });
  return firstError === undefined ? { ok: true, value } : { ok: false, error: firstError };
}

const hpaV1Shape = struct({ metadata: objectMeta });
const hpaV2Shape = struct({
  metadata: objectMeta,
  status: struct({ conditions: slice(conditionOf('v2.HorizontalPodAutoscalerConditionType')) }),
});

const CONVERSION_FAILED = 'failed to convert unstructured HPA to typed: ';

/** The HPA check: `autoscaling/v1` and `autoscaling/v2` (v2beta1 and v2beta2 are Unknown upstream). */
export const checkHorizontalPodAutoscaler: HealthCheck = (obj: UntypedObject, gvk: GroupVersionKind) => {
  if (gvk.version === 'v1') {
    const view = convert(hpaV1Shape, obj);
    if (!view.ok) return healthOf('Unknown', CONVERSION_FAILED + view.error);
    const annotation = view.value.metadata.annotations[HPA_CONDITIONS_ANNOTATION];
    if (annotation === undefined) return WAITING;
    const conditions = parseHpaConditionsAnnotation(annotation);
    if (!conditions.ok)
      return healthOf('Unknown', `failed to convert conditions annotation to typed: ${conditions.error}`);
    return conditions.value.length === 0 ? WAITING : hpaHealth(conditions.value);
  }
  if (gvk.version === 'v2') {
    const view = convert(hpaV2Shape, obj);
    if (!view.ok) return healthOf('Unknown', CONVERSION_FAILED + view.error);
    return hpaHealth(view.value.status.conditions);
  }
  return healthOf('Unknown', `unsupported HPA GVK: ${formatGvk(gvk)}`);
};
