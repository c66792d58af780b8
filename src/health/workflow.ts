/**
 * Argo Workflows `Workflow` health (gitops-engine `health_argo.go`).
 * @module
 */
import type { HealthCheck, UntypedObject } from './check.ts';
import { type HealthStatus, healthOf } from './types.ts';

function nestedString(obj: UntypedObject, ...path: string[]): string {
  let value: unknown = obj;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return '';
    value = (value as Record<string, unknown>)[key];
  }
  return typeof value === 'string' ? value : '';
}

/**
 * By `status.phase`: none, `Pending` or `Running` → Progressing; `Succeeded` → Healthy; `Failed` or
 * `Error` → Degraded; anything else → Unknown. The message is `status.message`. Mistyped fields
 * read as empty, as with Go's `NestedString`.
 * @example workflowHealth({ status: { phase: 'Running', message: 'This node is running' } }) // { status: 'Progressing', message: 'This node is running' }
 */
export function workflowHealth(obj: UntypedObject): HealthStatus {
  const phase = nestedString(obj, 'status', 'phase');
  const message = nestedString(obj, 'status', 'message');
  switch (phase) {
    case '':
    case 'Pending':
    case 'Running':
      return healthOf('Progressing', message);
    case 'Succeeded':
      return healthOf('Healthy', message);
    case 'Failed':
    case 'Error':
      return healthOf('Degraded', message);
    default:
      return healthOf('Unknown', message);
  }
}

/** The Workflow check (any version). */
export const checkWorkflow: HealthCheck = (obj) => workflowHealth(obj);
