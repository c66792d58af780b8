/**
 * Job health (gitops-engine `health_job.go`).
 * @module
 */
import { typedCheck } from './check.ts';
import { type Converted, conditionOf, objectMeta, slice, struct } from './convert.ts';
import { type HealthStatus, healthOf } from './types.ts';

const jobShape = struct({
  metadata: objectMeta,
  status: struct({ conditions: slice(conditionOf('v1.JobConditionType')) }),
});

/** The Job fields health reads. */
export type JobView = Converted<typeof jobShape>;

/**
 * Reads the `Failed`, `Complete` and `Suspended` conditions whatever their status (as upstream
 * does): no such condition → Progressing; `Failed` → Degraded with its message (e.g. "Job has
 * reached the specified backoff limit"); a true `Suspended` → Suspended; else Healthy. Later
 * conditions overwrite the message of earlier ones.
 * @example jobHealth(view) // { status: 'Suspended', message: 'Job suspended' }
 */
export function jobHealth(job: JobView): HealthStatus {
  let failed = false;
  let complete = false;
  let suspended = false;
  let failMessage = '';
  let message = '';
  for (const c of job.status.conditions) {
    if (c.type === 'Failed') {
      failed = true;
      complete = true;
      failMessage = c.message;
    } else if (c.type === 'Complete') {
      complete = true;
      message = c.message;
    } else if (c.type === 'Suspended') {
      complete = true;
      message = c.message;
      if (c.status === 'True') suspended = true;
    }
  }
  if (!complete) return healthOf('Progressing', message);
  if (failed) return healthOf('Degraded', failMessage);
  if (suspended) return healthOf('Suspended', message);
  return healthOf('Healthy', message);
}

/** The Job check: `batch/v1` only, as in gitops-engine. */
export const checkJob = typedCheck('Job', ['v1'], jobShape, jobHealth);
