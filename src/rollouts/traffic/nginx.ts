/**
 * The NGINX Ingress traffic router (Argo Rollouts `rollout/trafficrouting/nginx/nginx.go`,
 * `utils/ingress`, and the Ingress checks of `validation_references.go`), pure.
 *
 * For each stable Ingress the Rollout names, a canary Ingress `<rollout>-<stableIngress>-canary`
 * owned by the Rollout carries the rules of the stable Ingress that point at the stable Service,
 * rewritten to the canary Service, with `nginx.ingress.kubernetes.io/canary: "true"` and
 * `canary-weight: "<weight>"` (plus `canary-weight-total` when `maxTrafficWeight` is set). The
 * NGINX controller then sends that share of the host/path's traffic to the canary Service.
 * @module
 */
import { z } from 'zod';
import type { KubeObject } from '../../kube/types.ts';
import type { DeepReadonly } from '../../util/readonly.ts';
import { canaryIngressAnnotationPrefixOrDefault, type SpecIssue } from '../spec.ts';
import type { Rollout } from '../types.ts';
import { patchBetween } from './json.ts';
import type { RouterResult, TrafficObservation, TrafficWrite } from './types.ts';

const CANARY_INGRESS_SUFFIX = '-canary';
const INGRESS_API_VERSION = 'networking.k8s.io/v1';
const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

/** The parts of a networking.k8s.io/v1 Ingress the router reads; everything else is kept as is. */
const IngressSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string().optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    labels: z.record(z.string(), z.string()).optional(),
    ownerReferences: z
      .array(z.looseObject({ uid: z.string().optional(), controller: z.boolean().optional() }))
      .optional(),
  }),
  spec: z
    .looseObject({
      ingressClassName: z.string().optional(),
      tls: z.array(z.unknown()).optional(),
      rules: z
        .array(
          z.looseObject({
            http: z
              .looseObject({
                paths: z
                  .array(
                    z.looseObject({
                      backend: z
                        .looseObject({
                          service: z.looseObject({ name: z.string().optional() }).optional(),
                        })
                        .optional(),
                    }),
                  )
                  .optional(),
              })
              .optional(),
          }),
        )
        .optional(),
    })
    .optional(),
});
type Ingress = z.infer<typeof IngressSchema>;

/**
 * The stable Ingresses of `trafficRouting.nginx`: `stableIngresses` when set, else `stableIngress`.
 * @example stableIngressNames({ stableIngress: 'web' }) // ['web']
 */
export function stableIngressNames(
  nginx: DeepReadonly<{ stableIngress?: string | undefined; stableIngresses?: string[] | undefined }>,
): string[] {
  if (nginx.stableIngresses !== undefined) return [...nginx.stableIngresses];
  return nginx.stableIngress ? [nginx.stableIngress] : [];
}

/**
 * `GetCanaryIngressName`: `<rollout>-<stableIngress>-canary`, the prefix cut so the whole name
 * stays within 253 characters.
 * @example canaryIngressName('my-service', 'my-ingress') // 'my-service-my-ingress-canary'
 */
export function canaryIngressName(rolloutName: string, stableIngress: string): string {
  if (stableIngress === '') return '';
  const prefix = `${rolloutName}-${stableIngress}`.slice(0, 253 - CANARY_INGRESS_SUFFIX.length);
  return `${prefix}${CANARY_INGRESS_SUFFIX}`;
}

/** `HasRuleWithService`: some rule path of the Ingress has `service` as its backend. */
export function hasRuleWithService(ingress: DeepReadonly<KubeObject>, service: string): boolean {
  const parsed = IngressSchema.safeParse(ingress);
  if (!parsed.success) return false;
  return (parsed.data.spec?.rules ?? []).some((rule) =>
    (rule.http?.paths ?? []).some((p) => p.backend?.service?.name === service),
  );
}

/** Go's `%#v` of a `[]string`, as `field.Invalid` prints a slice value. */
const goStringSlice = (values: readonly string[]): string =>
  `[]string{${values.map((v) => JSON.stringify(v)).join(', ')}}`;

/**
 * The Ingress problems upstream reports as `InvalidSpec` before touching anything
 * (`ValidateRolloutNginxIngressesConfig`, `getReferencedNginxIngresses`, `ValidateIngress`): both
 * or neither of `stableIngress`/`stableIngresses`, a stable Ingress that does not exist, one with
 * no rule using the stable Service. Only the first problem is reported, as upstream does.
 */
export function validateNginxIngresses(rollout: Rollout, traffic: TrafficObservation): SpecIssue[] {
  const canary = rollout.spec.strategy.canary;
  const nginx = canary?.trafficRouting?.nginx;
  if (canary === undefined || nginx === undefined) return [];
  const path = 'spec.strategy.canary.trafficRouting.nginx';
  const multiple = nginx.stableIngresses !== undefined;
  const single = (nginx.stableIngress ?? '') !== '';
  if (multiple === single) {
    return [
      {
        path,
        type: 'Internal error',
        detail: `Either StableIngress or StableIngresses must be configured. ${multiple ? 'Both' : 'Neither'} are configured.`,
      },
    ];
  }
  // Missing Ingresses first (upstream fails while gathering them), then their rules.
  for (const name of stableIngressNames(nginx)) {
    if (!traffic.ingresses.has(name)) {
      return [
        {
          path: multiple ? `${path}.StableIngresses` : `${path}.stableIngress`,
          type: 'Invalid value',
          value: multiple ? goStringSlice(nginx.stableIngresses ?? []) : JSON.stringify(name),
          detail: `ingress.networking.k8s.io ${JSON.stringify(name)} not found`,
        },
      ];
    }
  }
  const stableService = canary.stableService ?? '';
  for (const name of stableIngressNames(nginx)) {
    const ingress = traffic.ingresses.get(name);
    if (ingress !== undefined && !hasRuleWithService(ingress, stableService)) {
      return [
        {
          path: multiple ? `${path}.stableIngresses` : `${path}.stableIngress`,
          type: 'Invalid value',
          value: JSON.stringify(name),
          detail: `ingress \`${name}\` has no rules using service ${stableService} backend`,
        },
      ];
    }
  }
  return [];
}

/** The identity of the Rollout a generated object is owned by. */
export interface RolloutOwner {
  name: string;
  namespace: string;
  uid: string;
}

/**
 * `buildCanaryIngress`: the desired canary Ingress for one stable Ingress at `weight`. TLS,
 * `ingressClassName` and the `kubernetes.io/ingress.class` annotation are kept from the stable
 * Ingress; no other annotation of it is, since NGINX reads the canary's own.
 * @returns the Ingress, or the upstream error text when no rule uses the stable Service.
 * @example // stable rule host a.example → stable-svc, weight 10 →
 * // { metadata: { name: 'ro-web-canary', annotations: { 'nginx.ingress.kubernetes.io/canary': 'true', 'nginx.ingress.kubernetes.io/canary-weight': '10' } },
 * //   spec: { rules: [{ host: 'a.example', http: { paths: [{ backend: { service: { name: 'canary-svc' } } }] } }] } }
 */
export function buildCanaryIngress(
  rollout: Rollout,
  owner: RolloutOwner,
  stableIngress: DeepReadonly<KubeObject>,
  weight: number,
): KubeObject | string {
  const canary = rollout.spec.strategy.canary;
  const nginx = canary?.trafficRouting?.nginx ?? {};
  const stableService = canary?.stableService ?? '';
  const canaryService = canary?.canaryService ?? '';
  const prefix = canaryIngressAnnotationPrefixOrDefault(rollout.spec);
  const parsed = IngressSchema.parse(structuredClone(stableIngress));
  const stableName = parsed.metadata.name ?? '';
  const annotations: Record<string, string> = {};
  const classAnnotation = parsed.metadata.annotations?.[INGRESS_CLASS_ANNOTATION];
  if (classAnnotation !== undefined) annotations[INGRESS_CLASS_ANNOTATION] = classAnnotation;
  // Only the rules that use the stable Service, their backends switched to the canary Service.
  const rules: NonNullable<NonNullable<Ingress['spec']>['rules']> = [];
  for (const rule of parsed.spec?.rules ?? []) {
    let usesStable = false;
    for (const p of rule.http?.paths ?? []) {
      if (p.backend?.service?.name === stableService) {
        usesStable = true;
        p.backend.service.name = canaryService;
      }
    }
    if (usesStable) rules.push(rule);
  }
  if (rules.length === 0) {
    // Upstream names the `stableIngress` field here even when `stableIngresses` is used.
    return `ingress \`${nginx.stableIngress ?? ''}\` has no rules using service ${stableService} backend`;
  }
  for (const [key, value] of Object.entries(nginx.additionalIngressAnnotations ?? {})) {
    annotations[key.startsWith(prefix) ? key : `${prefix}/${key}`] = value;
  }
  for (const [key, value] of Object.entries(nginx.canaryIngressAnnotations ?? {})) annotations[key] = value;
  // Always set last: `canary-by-header` and `canary-by-cookie`, when set, take precedence in NGINX.
  annotations[`${prefix}/canary`] = 'true';
  annotations[`${prefix}/canary-weight`] = String(weight);
  const total = canary?.trafficRouting?.maxTrafficWeight;
  if (total !== undefined) annotations[`${prefix}/canary-weight-total`] = String(total);
  const spec: Record<string, unknown> = { rules };
  if (parsed.spec?.tls !== undefined) spec.tls = parsed.spec.tls;
  if (parsed.spec?.ingressClassName !== undefined) spec.ingressClassName = parsed.spec.ingressClassName;
  return {
    apiVersion: INGRESS_API_VERSION,
    kind: 'Ingress',
    metadata: {
      name: canaryIngressName(owner.name, stableName),
      namespace: owner.namespace,
      annotations,
      ownerReferences: [
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          name: owner.name,
          uid: owner.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec,
  };
}

/**
 * `SetWeight` of the NGINX router: for every stable Ingress, create its canary Ingress or patch it
 * to the desired annotations, labels and spec (annotations other controllers added are kept).
 * Nothing is written for a canary Ingress already as desired. A canary Ingress controlled by
 * another object, or a stable Ingress gone since validation, fails the whole set.
 */
export function planNginxWeight(
  rollout: Rollout,
  owner: RolloutOwner,
  traffic: TrafficObservation,
  weight: number,
): RouterResult {
  const nginx = rollout.spec.strategy.canary?.trafficRouting?.nginx;
  if (nginx === undefined) return { ok: true, writes: [], verified: undefined };
  const writes: TrafficWrite[] = [];
  for (const stableName of stableIngressNames(nginx)) {
    const subject = `Ingress/${owner.namespace}/${stableName}`;
    const stable = traffic.ingresses.get(stableName);
    if (stable === undefined) {
      return {
        ok: false,
        subject,
        message: `error retrieving stableIngress \`${stableName}\` from cache: ingress.networking.k8s.io ${JSON.stringify(stableName)} not found`,
      };
    }
    const desired = buildCanaryIngress(rollout, owner, stable, weight);
    if (typeof desired === 'string') return { ok: false, subject, message: desired };
    const name = desired.metadata.name ?? '';
    const current = traffic.ingresses.get(name);
    if (current === undefined) {
      writes.push({
        action: 'create',
        object: desired,
        event: {
          reason: 'CreatingCanaryIngress',
          message: `Creating canary ingress \`${name}\` with weight \`${weight}\``,
          type: 'Normal',
        },
      });
      continue;
    }
    const controlled = (current.metadata.ownerReferences ?? []).some(
      (r) => r.controller === true && r.uid === owner.uid,
    );
    if (!controlled) {
      return {
        ok: false,
        subject: `Ingress/${owner.namespace}/${name}`,
        message: `canary ingress \`${name}\` controlled by different object`,
      };
    }
    const patch = canaryIngressPatch(current, desired);
    if (patch === undefined) continue;
    writes.push({
      action: 'patch',
      ref: { apiVersion: INGRESS_API_VERSION, kind: 'Ingress', namespace: owner.namespace, name },
      patch,
      event: {
        reason: 'PatchingCanaryIngress',
        message: `Updating Ingress \`${name}\` to desiredWeight '${weight}'`,
        type: 'Normal',
      },
    });
  }
  return { ok: true, writes, verified: undefined };
}

/**
 * The merge patch from the live canary Ingress to the desired one, over annotations, labels and
 * spec only (`BuildIngressPatch` with annotations, labels and spec). Annotations only the live
 * object has are kept (`getDesiredAnnotations`: other controllers may have added them).
 */
function canaryIngressPatch(
  current: DeepReadonly<KubeObject>,
  desired: KubeObject,
): Record<string, unknown> | undefined {
  const annotations = { ...(current.metadata.annotations ?? {}), ...(desired.metadata.annotations ?? {}) };
  const view = (o: DeepReadonly<KubeObject>, ann: Readonly<Record<string, string>> | undefined) => ({
    metadata: { annotations: ann, labels: o.metadata.labels },
    spec: (o as { spec?: unknown }).spec,
  });
  return patchBetween(
    view(current, current.metadata.annotations),
    view(desired as DeepReadonly<KubeObject>, annotations),
  );
}
