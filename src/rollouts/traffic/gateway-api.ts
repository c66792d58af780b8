/**
 * The Gateway API traffic router: what the `argoproj-labs/gatewayAPI` plugin
 * (`rollouts-plugin-trafficrouter-gatewayapi`, `pkg/plugin/httproute.go` `setHTTPRouteWeight`)
 * does to HTTPRoutes, pure.
 *
 * In every rule of each named HTTPRoute, the backendRef named like the canary Service gets
 * `weight: w` and the one named like the stable Service `weight: 100 − w` (the plugin splits out
 * of 100 whatever `maxTrafficWeight` says). Rules the plugin injected for header routing (one
 * backendRef, to the canary Service) are left alone. While the canary has traffic the route carries
 * the label `rollouts.argoproj.io/gatewayapi-canary: in-progress`.
 * @module
 */
import { z } from 'zod';
import type { KubeObject } from '../../kube/types.ts';
import type { DeepReadonly } from '../../util/readonly.ts';
import { GATEWAY_API_PLUGIN, type SpecIssue } from '../spec.ts';
import type { Rollout } from '../types.ts';
import { patchBetween } from './json.ts';
import type { RouterResult, TrafficObservation, TrafficWrite } from './types.ts';

const HTTP_ROUTE_API_VERSION = 'gateway.networking.k8s.io/v1';
const IN_PROGRESS_LABEL_KEY = 'rollouts.argoproj.io/gatewayapi-canary';
const IN_PROGRESS_LABEL_VALUE = 'in-progress';
/** The plugin's `BackendRefWasNotFoundInHTTPRouteError`. */
export const BACKEND_REF_NOT_FOUND = 'backendRef was not found in httpRoute';

const RouteRef = z.object({ name: z.string().min(1), useHeaderRoutes: z.boolean().optional() });

/** The plugin's config (`GatewayAPITrafficRouting`), as far as Slipway runs it. */
export const GatewayApiConfigSchema = z.looseObject({
  httpRoute: z.string().optional(),
  httpRoutes: z.array(RouteRef).optional(),
  namespace: z.string().optional(),
  disableInProgressLabel: z.boolean().optional(),
  inProgressLabelKey: z.string().optional(),
  inProgressLabelValue: z.string().optional(),
});
export type GatewayApiConfig = z.infer<typeof GatewayApiConfigSchema>;

/** Config keys of the plugin Slipway does not run (other route kinds, discovery, header-route state). */
const UNSUPPORTED_KEYS = [
  'grpcRoute',
  'grpcRoutes',
  'tcpRoute',
  'tcpRoutes',
  'tlsRoute',
  'tlsRoutes',
  'httpRouteSelector',
  'grpcRouteSelector',
  'tcpRouteSelector',
  'tlsRouteSelector',
  'configMap',
] as const;

/**
 * Parses the plugin config from `trafficRouting.plugins["argoproj-labs/gatewayAPI"]`.
 * @returns the config, undefined when the plugin is not configured, or the issues.
 */
export function gatewayApiConfigOf(
  rollout: Rollout,
): { ok: true; config: GatewayApiConfig | undefined } | { ok: false; issues: SpecIssue[] } {
  const raw = rollout.spec.strategy.canary?.trafficRouting?.plugins?.[GATEWAY_API_PLUGIN];
  if (raw === undefined) return { ok: true, config: undefined };
  const path = `spec.strategy.canary.trafficRouting.plugins[${JSON.stringify(GATEWAY_API_PLUGIN)}]`;
  const parsed = GatewayApiConfigSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      issues: parsed.error.issues.map((issue) => ({
        path: [path, ...issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))].join(''),
        type: 'Invalid value',
        detail: issue.message,
      })),
    };
  }
  const issues: SpecIssue[] = [];
  for (const key of UNSUPPORTED_KEYS) {
    if (parsed.data[key] !== undefined)
      issues.push({
        path: `${path}.${key}`,
        type: 'Forbidden',
        detail: `${key} is not supported by Slipway`,
      });
  }
  if (routeNames(parsed.data).length === 0) {
    issues.push({
      path,
      type: 'Required value',
      // The plugin's GatewayAPIManifestError, for the route kinds Slipway runs.
      detail: "No routes configured. At least one of 'httpRoutes' or 'httpRoute' must be set",
    });
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, config: parsed.data };
}

/**
 * The HTTPRoutes the plugin controls, in its order: `httpRoutes`, then `httpRoute`
 * (`insertGatewayAPIRouteLists` appends the single one).
 */
export function routeNames(config: GatewayApiConfig): string[] {
  const names = (config.httpRoutes ?? []).map((r) => r.name);
  if (config.httpRoute) names.push(config.httpRoute);
  return names;
}

/** The namespace of the routes: `namespace`, or the Rollout's. */
export function routeNamespace(config: GatewayApiConfig, rolloutNamespace: string): string {
  return config.namespace ? config.namespace : rolloutNamespace;
}

const BackendRefSchema = z.looseObject({ name: z.string().optional(), weight: z.number().optional() });
const HTTPRouteSchema = z.looseObject({
  metadata: z.looseObject({
    name: z.string().optional(),
    namespace: z.string().optional(),
    resourceVersion: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
  spec: z
    .looseObject({
      rules: z
        .array(
          z.looseObject({ name: z.string().optional(), backendRefs: z.array(BackendRefSchema).optional() }),
        )
        .optional(),
    })
    .optional(),
});

/**
 * `setHTTPRouteWeight` on one HTTPRoute object: the route with the canary and stable backendRef
 * weights set and the in-progress label added (weight > 0) or removed (weight 0).
 * @returns the new route, or the plugin's error when either Service has no backendRef.
 * @example // rules [{ backendRefs: [{ name: 'stable' }, { name: 'canary' }] }], weight 30
 * // → rules [{ backendRefs: [{ name: 'stable', weight: 70 }, { name: 'canary', weight: 30 }] }]
 */
export function setHTTPRouteWeight(
  route: DeepReadonly<KubeObject>,
  services: { canary: string; stable: string },
  weight: number,
  config: GatewayApiConfig,
  managedRouteNames: ReadonlySet<string> = new Set(),
): KubeObject | string {
  const parsed = HTTPRouteSchema.safeParse(structuredClone(route));
  if (!parsed.success) return `invalid HTTPRoute: ${parsed.error.issues[0]?.message ?? ''}`;
  const next = parsed.data;
  let canaryFound = false;
  let stableFound = false;
  for (const rule of next.spec?.rules ?? []) {
    const refs = rule.backendRefs ?? [];
    // Header-routing rules the plugin injected: by name, or (older plugins) one canary-only ref.
    const injected =
      (rule.name !== undefined && isManagedRuleName(rule.name, managedRouteNames)) ||
      (refs.length === 1 && refs[0]?.name === services.canary);
    if (injected) continue;
    for (const ref of refs) {
      if (ref.name === services.canary) {
        ref.weight = weight;
        canaryFound = true;
      } else if (ref.name === services.stable) {
        ref.weight = 100 - weight;
        stableFound = true;
      }
    }
  }
  if (!canaryFound || !stableFound) return BACKEND_REF_NOT_FOUND;
  if (config.disableInProgressLabel !== true) {
    const key = config.inProgressLabelKey || IN_PROGRESS_LABEL_KEY;
    // ensureInProgressLabel: only touch the labels when the label must come or go.
    const labels = next.metadata.labels;
    if (weight === 0) {
      if (labels !== undefined && key in labels) delete labels[key];
    } else {
      next.metadata.labels = {
        ...(labels ?? {}),
        [key]: config.inProgressLabelValue || IN_PROGRESS_LABEL_VALUE,
      };
    }
  }
  return next as KubeObject;
}

/** `isManagedRuleName`: a managed route's name, or that name with `-<n>` appended. */
function isManagedRuleName(name: string, managed: ReadonlySet<string>): boolean {
  if (managed.has(name)) return true;
  for (const base of managed) {
    const rest = name.startsWith(`${base}-`) ? name.slice(base.length + 1) : undefined;
    if (rest !== undefined && /^[+-]?\d+$/.test(rest)) return true;
  }
  return false;
}

/** The key of an HTTPRoute in {@link TrafficObservation.httpRoutes}. */
export const httpRouteKey = (namespace: string, name: string): string => `${namespace}/${name}`;

/**
 * `SetWeight` of the Gateway API plugin over every HTTPRoute it controls: one merge patch per
 * route that changes, carrying the `resourceVersion` read (the plugin's Update, which fails on a
 * concurrent change). The plugin verifies by construction (`VerifyWeight` returns Verified).
 */
export function planGatewayApiWeight(
  rollout: Rollout,
  rolloutNamespace: string,
  config: GatewayApiConfig,
  traffic: TrafficObservation,
  weight: number,
): RouterResult {
  const canary = rollout.spec.strategy.canary;
  const services = { canary: canary?.canaryService ?? '', stable: canary?.stableService ?? '' };
  const managed = new Set((canary?.trafficRouting?.managedRoutes ?? []).map((r) => r.name));
  const namespace = routeNamespace(config, rolloutNamespace);
  const writes: TrafficWrite[] = [];
  for (const name of routeNames(config)) {
    const subject = `HTTPRoute/${namespace}/${name}`;
    const route = traffic.httpRoutes.get(httpRouteKey(namespace, name));
    if (route === undefined) {
      return {
        ok: false,
        subject,
        message: `failed to set weight via plugin: httproutes.gateway.networking.k8s.io ${JSON.stringify(name)} not found`,
      };
    }
    const next = setHTTPRouteWeight(route, services, weight, config, managed);
    if (typeof next === 'string') {
      return { ok: false, subject, message: `failed to set weight via plugin: ${next}` };
    }
    const view = (o: DeepReadonly<KubeObject>) => ({
      metadata: { labels: o.metadata.labels },
      spec: (o as { spec?: unknown }).spec,
    });
    const diff = patchBetween(view(route), view(next as DeepReadonly<KubeObject>));
    if (diff === undefined) continue;
    const metadata = { ...((diff.metadata as Record<string, unknown> | undefined) ?? {}) };
    metadata.resourceVersion = route.metadata.resourceVersion;
    writes.push({
      action: 'patch',
      ref: { apiVersion: HTTP_ROUTE_API_VERSION, kind: 'HTTPRoute', namespace, name },
      patch: { ...diff, metadata },
    });
  }
  return { ok: true, writes, verified: true };
}
