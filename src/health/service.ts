/**
 * Service health (gitops-engine `health_service.go`): a LoadBalancer waits for its address.
 * @module
 */
import { typedCheck } from './check.ts';
import { type Converted, objectMeta, slice, str, stringOf, struct } from './convert.ts';
import { type HealthStatus, healthOf } from './types.ts';

const serviceShape = struct({
  metadata: objectMeta,
  spec: struct({ type: stringOf('v1.ServiceType') }),
  status: struct({
    loadBalancer: struct({ ingress: slice(struct({ ip: str, hostname: str })) }),
  }),
});

/** The Service fields health reads. */
export type ServiceView = Converted<typeof serviceShape>;

/**
 * `type: LoadBalancer` without any `status.loadBalancer.ingress` entry → Progressing; else Healthy.
 * @example serviceHealth(view) // { status: 'Progressing' }
 */
export function serviceHealth(service: ServiceView): HealthStatus {
  if (service.spec.type === 'LoadBalancer' && service.status.loadBalancer.ingress.length === 0) {
    return healthOf('Progressing');
  }
  return healthOf('Healthy');
}

/** The Service check: core `v1` only, as in gitops-engine. */
export const checkService = typedCheck('Service', ['v1'], serviceShape, serviceHealth);
