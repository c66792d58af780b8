/**
 * PersistentVolumeClaim health (gitops-engine `health_pvc.go`).
 * @module
 */
import { typedCheck } from './check.ts';
import { type Converted, objectMeta, stringOf, struct } from './convert.ts';
import { type HealthStatus, healthOf } from './types.ts';

const pvcShape = struct({
  metadata: objectMeta,
  status: struct({ phase: stringOf('v1.PersistentVolumeClaimPhase') }),
});

/** The PersistentVolumeClaim fields health reads. */
export type PersistentVolumeClaimView = Converted<typeof pvcShape>;

/**
 * `Bound` → Healthy, `Pending` → Progressing, `Lost` → Degraded, anything else → Unknown.
 * @example pvcHealth({ ...view, status: { phase: 'Pending' } }) // { status: 'Progressing' }
 */
export function pvcHealth(pvc: PersistentVolumeClaimView): HealthStatus {
  switch (pvc.status.phase) {
    case 'Lost':
      return healthOf('Degraded');
    case 'Pending':
      return healthOf('Progressing');
    case 'Bound':
      return healthOf('Healthy');
    default:
      return healthOf('Unknown');
  }
}

/** The PersistentVolumeClaim check: core `v1` only, as in gitops-engine. */
export const checkPersistentVolumeClaim = typedCheck('PersistentVolumeClaim', ['v1'], pvcShape, pvcHealth);
