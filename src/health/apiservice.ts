/**
 * APIService health (gitops-engine `health_apiservice.go`), for `apiregistration.k8s.io` v1 and
 * v1beta1.
 * @module
 */
import { findCondition, type HealthCheck, typedCheck } from './check.ts';
import { type Converted, conditionOf, objectMeta, slice, struct } from './convert.ts';
import { type HealthStatus, healthOf } from './types.ts';

/** The typed view; the Go types differ per version, which shows in conversion errors. */
const apiServiceShape = (version: 'v1' | 'v1beta1') =>
  struct({
    metadata: objectMeta,
    status: struct({
      conditions: slice(conditionOf(`${version}.APIServiceConditionType`, `${version}.ConditionStatus`)),
    }),
  });

/** The APIService fields health reads. */
export type APIServiceView = Converted<ReturnType<typeof apiServiceShape>>;

/**
 * The first `Available` condition decides: true → Healthy, otherwise Progressing, with the message
 * `<reason>: <message>`. No such condition → Progressing "Waiting to be processed".
 * @example apiServiceHealth(view) // { status: 'Healthy', message: 'Passed: all checks passed' }
 */
export function apiServiceHealth(apiService: APIServiceView): HealthStatus {
  const available = findCondition(apiService.status.conditions, 'Available');
  if (available === undefined) return healthOf('Progressing', 'Waiting to be processed');
  const message = `${available.reason}: ${available.message}`;
  return healthOf(available.status === 'True' ? 'Healthy' : 'Progressing', message);
}

const checkV1 = typedCheck('APIService', ['v1'], apiServiceShape('v1'), apiServiceHealth);
const checkV1beta1 = typedCheck('APIService', ['v1beta1'], apiServiceShape('v1beta1'), apiServiceHealth);

/** The APIService check: `v1` and `v1beta1`. */
export const checkAPIService: HealthCheck = (obj, gvk) =>
  gvk.version === 'v1beta1' ? checkV1beta1(obj, gvk) : checkV1(obj, gvk);
