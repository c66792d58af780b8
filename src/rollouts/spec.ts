/**
 * The Rollout spec as the controller reads it (argoproj.io/v1alpha1, Argo Rollouts at
 * `9f8d111d8f8e3e88b6d7f8bbdf62fd3cd863ef9d`): zod schemas for the fields Slipway uses, the
 * defaults upstream applies (`utils/defaults/defaults.go`), and upstream's spec validation
 * (`pkg/apis/rollouts/validation/validation.go`) with its exact messages.
 *
 * Parsing and validating are two steps, as upstream: {@link parseRollout} turns wire JSON into typed
 * data (a wrong JSON type is an issue, as a Go decode error would be), and {@link validateRollout}
 * applies upstream's rules to the typed data. Both report {@link SpecIssue}s with a path such as
 * `spec.strategy.canary.steps[2].setWeight`; {@link formatSpecIssue} renders one exactly as Go's
 * `field.Error` prints, and {@link invalidSpecMessage} gives the `InvalidSpec` condition message.
 *
 * Paths name the field itself. Upstream validates the canary and blue-green fields with the path of
 * `spec.strategy` (so it prints `spec.strategy.steps[2].setWeight` and `spec.strategy.activeService`);
 * Slipway prints `spec.strategy.canary.steps[2].setWeight` and `spec.strategy.blueGreen.activeService`.
 * Messages (the part after the path) are upstream's, byte for byte.
 *
 * `null` is treated as absent before parsing, as Go's decoder does for pointers, slices and maps.
 * Unknown fields are dropped, as the CRD's structural schema does. The pod template is kept whole.
 *
 * @module
 */
import { z } from 'zod';
import type { DeepReadonly } from '../util/readonly.ts';
import { encodeGoJSON } from './hash.ts';
import type { ReadonlySpec, RolloutSpec } from './types.ts';

// ---------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------

/** `int32` as Go decodes it: an integer in range, or the decode fails. */
const int32 = () => z.int32();

/** `intstr.IntOrString`: a JSON number is `Int`, a JSON string is `String`. */
export const IntOrStringSchema = z.union([int32(), z.string()]);

const StringMap = z.record(z.string(), z.string());

export const LabelSelectorRequirementSchema = z.object({
  key: z.string().default(''),
  operator: z.string().default(''),
  values: z.array(z.string()).optional(),
});

/** `metav1.LabelSelector`. */
export const LabelSelectorSchema = z.object({
  matchLabels: StringMap.optional(),
  matchExpressions: z.array(LabelSelectorRequirementSchema).optional(),
});

/**
 * `spec.template`: only the fields the controller reads are typed; everything else is kept as it
 * is, since the template is copied into ReplicaSets and hashed whole.
 */
export const PodTemplateSchema = z.looseObject({
  metadata: z
    .looseObject({
      labels: StringMap.optional(),
      annotations: StringMap.optional(),
    })
    .optional(),
  spec: z
    .looseObject({
      containers: z
        .array(z.looseObject({ name: z.string().optional(), image: z.string().optional() }))
        .optional(),
      initContainers: z.array(z.looseObject({ name: z.string().optional() })).optional(),
      ephemeralContainers: z.array(z.unknown()).optional(),
      restartPolicy: z.string().optional(),
      activeDeadlineSeconds: z.number().optional(),
    })
    .optional(),
});

/** `spec.workloadRef`: parsed, so the reconciler can report it; resolving it is not done here. */
export const WorkloadRefSchema = z.object({
  apiVersion: z.string().optional(),
  kind: z.string().optional(),
  name: z.string().optional(),
  scaleDown: z.string().optional(),
});

const PodTemplateMetadataSchema = z.object({
  labels: StringMap.optional(),
  annotations: StringMap.optional(),
});

/** `AnalysisRunArgument`: a literal value, or a value taken from a pod hash or a Rollout field. */
export const AnalysisRunArgumentSchema = z.object({
  name: z.string().default(''),
  value: z.string().optional(),
  valueFrom: z
    .object({
      /** `Stable` or `Latest`. */
      podTemplateHashValue: z.string().optional(),
      fieldRef: z.object({ fieldPath: z.string().default('') }).optional(),
    })
    .optional(),
});

export const AnalysisTemplateRefSchema = z.object({
  templateName: z.string().default(''),
  clusterScope: z.boolean().optional(),
});

const RolloutAnalysisShape = {
  templates: z.array(AnalysisTemplateRefSchema).optional(),
  args: z.array(AnalysisRunArgumentSchema).optional(),
  dryRun: z.array(z.object({ metricName: z.string().default('') })).optional(),
  measurementRetention: z
    .array(z.object({ metricName: z.string().default(''), limit: int32().default(0) }))
    .optional(),
  analysisRunMetadata: PodTemplateMetadataSchema.optional(),
};

/** `RolloutAnalysis`: a step analysis, or blue-green pre/post-promotion analysis. */
export const RolloutAnalysisSchema = z.object(RolloutAnalysisShape);

/** `RolloutAnalysisBackground`: background analysis, starting at `startingStep` (default: step 0). */
export const RolloutAnalysisBackgroundSchema = z.object({
  ...RolloutAnalysisShape,
  startingStep: int32().optional(),
});

/** `StringMatch`: exactly one of exact, prefix, regex (validation checks that). */
export const StringMatchSchema = z.object({
  exact: z.string().optional(),
  prefix: z.string().optional(),
  regex: z.string().optional(),
});

export const SetHeaderRouteSchema = z.object({
  name: z.string().optional(),
  match: z
    .array(z.object({ headerName: z.string().default(''), headerValue: StringMatchSchema.optional() }))
    .optional(),
});

export const SetMirrorRouteSchema = z.object({
  name: z.string().default(''),
  match: z
    .array(
      z.object({
        method: StringMatchSchema.optional(),
        path: StringMatchSchema.optional(),
        headers: z.record(z.string(), StringMatchSchema).optional(),
      }),
    )
    .optional(),
  percentage: int32().optional(),
});

export const SetCanaryScaleSchema = z.object({
  weight: int32().optional(),
  replicas: int32().optional(),
  matchTrafficWeight: z.boolean().optional(),
});

/** `RolloutPause`: `duration` is seconds (a number or a numeric string) or a Go duration (`30s`, `1h`). */
export const RolloutPauseSchema = z.object({ duration: IntOrStringSchema.optional() });

/**
 * An experiment step. Parsed (so validation can check template weights, and so the step hash of a
 * parsed spec equals that of the wire spec) but not run by Slipway: {@link unsupportedFeatures}
 * reports it.
 */
export const RolloutExperimentStepSchema = z.object({
  templates: z
    .array(
      z.object({
        name: z.string().default(''),
        specRef: z.string().default(''),
        replicas: int32().optional(),
        metadata: PodTemplateMetadataSchema.optional(),
        selector: LabelSelectorSchema.optional(),
        weight: int32().optional(),
        service: z.object({ name: z.string().optional() }).optional(),
      }),
    )
    .optional(),
  duration: z.string().optional(),
  analyses: z
    .array(
      z.object({
        name: z.string().default(''),
        templateName: z.string().default(''),
        clusterScope: z.boolean().optional(),
        args: z.array(AnalysisRunArgumentSchema).optional(),
        requiredForCompletion: z.boolean().optional(),
      }),
    )
    .optional(),
  dryRun: z.array(z.object({ metricName: z.string().default('') })).optional(),
  analysisRunMetadata: PodTemplateMetadataSchema.optional(),
  scaleDownDelaySeconds: int32().optional(),
});

/** A step plugin (`plugin: {name, config}`); parsed, not run by Slipway. */
export const PluginStepSchema = z.object({ name: z.string().default(''), config: z.unknown().optional() });

/** One canary step. Upstream allows one of setWeight, pause, experiment, analysis per step. */
export const CanaryStepSchema = z.object({
  setWeight: int32().optional(),
  pause: RolloutPauseSchema.optional(),
  experiment: RolloutExperimentStepSchema.optional(),
  analysis: RolloutAnalysisSchema.optional(),
  setCanaryScale: SetCanaryScaleSchema.optional(),
  setHeaderRoute: SetHeaderRouteSchema.optional(),
  setMirrorRoute: SetMirrorRouteSchema.optional(),
  plugin: PluginStepSchema.optional(),
});

/** `trafficRouting.nginx`. */
export const NginxTrafficRoutingSchema = z.object({
  annotationPrefix: z.string().optional(),
  stableIngress: z.string().optional(),
  stableIngresses: z.array(z.string()).optional(),
  additionalIngressAnnotations: StringMap.optional(),
  canaryIngressAnnotations: StringMap.optional(),
});

/** The key under `trafficRouting.plugins` of the Gateway API traffic router plugin. */
export const GATEWAY_API_PLUGIN = 'argoproj-labs/gatewayAPI';

/**
 * `trafficRouting.plugins["argoproj-labs/gatewayAPI"]` (plugin `rollouts-plugin-trafficrouter-gatewayapi`).
 * Parse it with {@link gatewayApiConfig}.
 */
export const GatewayApiPluginConfigSchema = z.object({
  httpRoute: z.string().optional(),
  httpRoutes: z.array(z.object({ name: z.string(), useHeaderRoutes: z.boolean().optional() })).optional(),
  grpcRoute: z.string().optional(),
  grpcRoutes: z.array(z.object({ name: z.string(), useHeaderRoutes: z.boolean().optional() })).optional(),
  tcpRoute: z.string().optional(),
  tcpRoutes: z.array(z.object({ name: z.string() })).optional(),
  tlsRoute: z.string().optional(),
  tlsRoutes: z.array(z.object({ name: z.string() })).optional(),
  namespace: z.string().optional(),
  configMap: z.string().optional(),
});

/** Routers Slipway does not drive. Kept as opaque objects so validation can see they are set. */
const OpaqueRouter = z.looseObject({});

export const TrafficRoutingSchema = z.object({
  nginx: NginxTrafficRoutingSchema.optional(),
  plugins: z.record(z.string(), z.unknown()).optional(),
  managedRoutes: z.array(z.object({ name: z.string().default('') })).optional(),
  maxTrafficWeight: int32().optional(),
  istio: z.looseObject({ destinationRule: OpaqueRouter.optional() }).optional(),
  alb: z.looseObject({ rootService: z.string().optional() }).optional(),
  smi: OpaqueRouter.optional(),
  ambassador: OpaqueRouter.optional(),
  appMesh: OpaqueRouter.optional(),
  traefik: OpaqueRouter.optional(),
  apisix: OpaqueRouter.optional(),
});

export const AntiAffinitySchema = z.object({
  preferredDuringSchedulingIgnoredDuringExecution: z.object({ weight: int32().default(0) }).optional(),
  requiredDuringSchedulingIgnoredDuringExecution: z.object({}).optional(),
});

/** `replicaProgressThreshold`: how many new pods must be available for a step to count as done. */
export const ReplicaProgressThresholdSchema = z.object({
  type: z.string().default(''),
  value: int32().default(0),
});

export const CanaryStrategySchema = z.object({
  canaryService: z.string().optional(),
  stableService: z.string().optional(),
  steps: z.array(CanaryStepSchema).optional(),
  trafficRouting: TrafficRoutingSchema.optional(),
  maxUnavailable: IntOrStringSchema.optional(),
  maxSurge: IntOrStringSchema.optional(),
  analysis: RolloutAnalysisBackgroundSchema.optional(),
  antiAffinity: AntiAffinitySchema.optional(),
  canaryMetadata: PodTemplateMetadataSchema.optional(),
  stableMetadata: PodTemplateMetadataSchema.optional(),
  scaleDownDelaySeconds: int32().optional(),
  scaleDownDelayRevisionLimit: int32().optional(),
  abortScaleDownDelaySeconds: int32().optional(),
  dynamicStableScale: z.boolean().optional(),
  pingPong: z.object({ pingService: z.string().default(''), pongService: z.string().default('') }).optional(),
  minPodsPerReplicaSet: int32().optional(),
  replicaProgressThreshold: ReplicaProgressThresholdSchema.optional(),
});

export const BlueGreenStrategySchema = z.object({
  activeService: z.string().default(''),
  previewService: z.string().optional(),
  previewReplicaCount: int32().optional(),
  autoPromotionEnabled: z.boolean().optional(),
  autoPromotionSeconds: int32().optional(),
  maxUnavailable: IntOrStringSchema.optional(),
  scaleDownDelaySeconds: int32().optional(),
  scaleDownDelayRevisionLimit: int32().optional(),
  prePromotionAnalysis: RolloutAnalysisSchema.optional(),
  postPromotionAnalysis: RolloutAnalysisSchema.optional(),
  antiAffinity: AntiAffinitySchema.optional(),
  previewMetadata: PodTemplateMetadataSchema.optional(),
  activeMetadata: PodTemplateMetadataSchema.optional(),
  abortScaleDownDelaySeconds: int32().optional(),
});

export const RolloutSpecSchema = z.object({
  replicas: int32().optional(),
  selector: LabelSelectorSchema.optional(),
  template: PodTemplateSchema.optional(),
  workloadRef: WorkloadRefSchema.optional(),
  minReadySeconds: int32().optional(),
  rollbackWindow: z.object({ revisions: int32().optional() }).optional(),
  strategy: z
    .object({ canary: CanaryStrategySchema.optional(), blueGreen: BlueGreenStrategySchema.optional() })
    .default({}),
  revisionHistoryLimit: int32().optional(),
  paused: z.boolean().optional(),
  progressDeadlineSeconds: int32().optional(),
  progressDeadlineAbort: z.boolean().optional(),
  /** RFC 3339 time: pods created before it are restarted. */
  restartAt: z.string().optional(),
  analysis: z
    .object({
      successfulRunHistoryLimit: int32().optional(),
      unsuccessfulRunHistoryLimit: int32().optional(),
    })
    .optional(),
});

const AnalysisRunStatusRefSchema = z.object({
  name: z.string().default(''),
  /** The AnalysisRun phase: Pending, Running, Successful, Failed, Error, Inconclusive. */
  status: z.string().default(''),
  message: z.string().optional(),
});

const WeightDestinationSchema = z.object({
  weight: int32().default(0),
  serviceName: z.string().optional(),
  podTemplateHash: z.string().optional(),
});

/** `status.canary.weights`: what the traffic router was last told (traffic routing only). */
export const TrafficWeightsSchema = z.object({
  canary: WeightDestinationSchema.default({ weight: 0 }),
  stable: WeightDestinationSchema.default({ weight: 0 }),
  additional: z.array(WeightDestinationSchema).optional(),
  verified: z.boolean().optional(),
});

export const PauseConditionSchema = z.object({
  /** `CanaryPauseStep`, `BlueGreenPause`, `InconclusiveAnalysisRun` or `InconclusiveExperiment`. */
  reason: z.string(),
  /** RFC 3339. */
  startTime: z.string(),
});

export const RolloutConditionSchema = z.object({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  lastUpdateTime: z.string().default(''),
  lastTransitionTime: z.string().default(''),
  reason: z.string().default(''),
  message: z.string().default(''),
});

/**
 * `status`, field for field as upstream writes it, so `kubectl argo rollouts get` and Argo CD's
 * health check read Slipway's status unchanged. Every field is optional: upstream omits zero values.
 */
export const RolloutStatusSchema = z.object({
  abort: z.boolean().optional(),
  pauseConditions: z.array(PauseConditionSchema).optional(),
  controllerPause: z.boolean().optional(),
  abortedAt: z.string().optional(),
  currentPodHash: z.string().optional(),
  currentStepHash: z.string().optional(),
  replicas: int32().optional(),
  updatedReplicas: int32().optional(),
  readyReplicas: int32().optional(),
  availableReplicas: int32().optional(),
  currentStepIndex: int32().optional(),
  collisionCount: int32().optional(),
  /** A decimal string (upstream stores the generation as text). */
  observedGeneration: z.string().optional(),
  conditions: z.array(RolloutConditionSchema).optional(),
  canary: z
    .object({
      currentStepAnalysisRunStatus: AnalysisRunStatusRefSchema.optional(),
      currentBackgroundAnalysisRunStatus: AnalysisRunStatusRefSchema.optional(),
      currentExperiment: z.string().optional(),
      weights: TrafficWeightsSchema.optional(),
      stablePingPong: z.enum(['ping', 'pong']).optional(),
      stepPluginStatuses: z.array(z.looseObject({})).optional(),
    })
    .optional(),
  blueGreen: z
    .object({
      previewSelector: z.string().optional(),
      activeSelector: z.string().optional(),
      scaleUpPreviewCheckPoint: z.boolean().optional(),
      prePromotionAnalysisRunStatus: AnalysisRunStatusRefSchema.optional(),
      postPromotionAnalysisRunStatus: AnalysisRunStatusRefSchema.optional(),
    })
    .optional(),
  HPAReplicas: int32().optional(),
  selector: z.string().optional(),
  stableRS: z.string().optional(),
  restartedAt: z.string().optional(),
  promoteFull: z.boolean().optional(),
  phase: z.enum(['Healthy', 'Degraded', 'Progressing', 'Paused']).optional(),
  message: z.string().optional(),
  workloadObservedGeneration: z.string().optional(),
  alb: z.looseObject({}).optional(),
  albs: z.array(z.looseObject({})).optional(),
  duration: z.looseObject({}).optional(),
});

/** A whole Rollout object. */
export const RolloutSchema = z.object({
  apiVersion: z.string().default('argoproj.io/v1alpha1'),
  kind: z.string().default('Rollout'),
  metadata: z.looseObject({
    name: z.string().default(''),
    namespace: z.string().optional(),
    uid: z.string().optional(),
    generation: z.number().optional(),
    labels: StringMap.optional(),
    annotations: StringMap.optional(),
  }),
  spec: RolloutSpecSchema,
  status: RolloutStatusSchema.optional(),
});

/** Reads the Gateway API plugin's config from `trafficRouting.plugins`, or undefined when unset. */
export function gatewayApiConfig(
  plugins: Readonly<Record<string, unknown>> | undefined,
): z.infer<typeof GatewayApiPluginConfigSchema> | undefined {
  const raw = plugins?.[GATEWAY_API_PLUGIN];
  if (raw === undefined) return undefined;
  return GatewayApiPluginConfigSchema.parse(dropNulls(raw));
}

// ---------------------------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------------------------

/** The kind of a validation problem, named as Go's `field.ErrorType` prints it. */
export type SpecIssueType =
  | 'Required value'
  | 'Invalid value'
  | 'Unsupported value'
  | 'Forbidden'
  | 'Duplicate value'
  | 'Internal error';

/**
 * One problem with a Rollout spec.
 *
 * `value` is the bad value already rendered as Go prints it in a `field.Error` (`200`, `"stable"`,
 * `{"exact":"a","regex":"b"}`, `null`); absent for types that print no value.
 */
export interface SpecIssue {
  /** Dotted path with indexes, e.g. `spec.strategy.canary.steps[2].setWeight`. */
  path: string;
  type: SpecIssueType;
  value?: string;
  /** Upstream's message, e.g. `SetWeight needs to be between 0 and 100`. */
  detail: string;
}

/**
 * Renders an issue as Go's `field.Error.Error()` does.
 * @example formatSpecIssue({ path: 'spec.strategy.canary.steps[0].setWeight', type: 'Invalid value', value: '200', detail: 'SetWeight needs to be between 0 and 100' })
 * // 'spec.strategy.canary.steps[0].setWeight: Invalid value: 200: SetWeight needs to be between 0 and 100'
 */
export function formatSpecIssue(issue: SpecIssue, options: FormatOptions = {}): string {
  let body: string = issue.type;
  if (issue.value !== undefined) body += `: ${issue.value}`;
  if (issue.detail !== '') body += `: ${issue.detail}`;
  return `${options.upstreamPaths ? upstreamFieldPath(issue.path) : issue.path}: ${body}`;
}

/** How to print an issue. */
export interface FormatOptions {
  /**
   * Print the path as upstream does (`spec.strategy.steps[0].setWeight` rather than
   * `spec.strategy.canary.steps[0].setWeight`), so the text equals Argo Rollouts' byte for byte.
   */
  upstreamPaths?: boolean;
}

/**
 * The path upstream prints for a field: it validates both strategies under the path `spec.strategy`,
 * so `canary.`/`blueGreen.` drop out, and the strategy-level errors land on `spec.strategy.strategy`.
 * @example upstreamFieldPath('spec.strategy.canary.steps[2].setWeight') // 'spec.strategy.steps[2].setWeight'
 * @example upstreamFieldPath('spec.strategy') // 'spec.strategy.strategy'
 */
export function upstreamFieldPath(path: string): string {
  if (path === 'spec.strategy') return 'spec.strategy.strategy';
  return path.replace(/^spec\.strategy\.(canary|blueGreen)(?=\.|$)/, 'spec.strategy');
}

/**
 * The `InvalidSpec` condition message upstream writes for the first issue
 * (`rollout/controller.go` createInvalidRolloutCondition).
 * @example invalidSpecMessage('web', issue) // 'The Rollout "web" is invalid: spec.selector: Required value: …'
 */
export function invalidSpecMessage(
  rolloutName: string,
  issue: SpecIssue,
  options: FormatOptions = {},
): string {
  return `The Rollout "${rolloutName}" is invalid: ${formatSpecIssue(issue, options)}`;
}

/** A parsed Rollout, or the issues that kept it from parsing. */
export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: SpecIssue[] };

/**
 * Parses a whole Rollout object from wire JSON. A field of the wrong JSON type is an issue at its
 * path (upstream's decoder would reject the object); `null` counts as absent.
 */
export function parseRollout(obj: unknown): ParseResult<z.infer<typeof RolloutSchema>> {
  return parseWith(RolloutSchema, obj, []);
}

/** Parses `spec` alone; issue paths start with `spec`. */
export function parseRolloutSpec(spec: unknown): ParseResult<RolloutSpec> {
  return parseWith(RolloutSpecSchema, spec, ['spec']);
}

/** Parses `status` alone; issue paths start with `status`. */
export function parseRolloutStatus(status: unknown): ParseResult<z.infer<typeof RolloutStatusSchema>> {
  return parseWith(RolloutStatusSchema, status ?? {}, ['status']);
}

function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix: ReadonlyArray<PropertyKey>,
): ParseResult<z.output<S>> {
  const result = schema.safeParse(dropNulls(value));
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    issues: result.error.issues.map((issue) => ({
      path: formatPath([...prefix, ...issue.path]),
      type: 'Invalid value' as const,
      detail: issue.message,
    })),
  };
}

/** `['spec', 'steps', 2, 'setWeight']` → `spec.steps[2].setWeight`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

// Plugin configs are opaque JSON handed to a plugin, where null may mean something: keep them.
const OPAQUE_KEYS: ReadonlySet<string> = new Set(['plugins', 'config']);

/** A copy without `null` members (Go decodes `null` into pointers, slices and maps as absent). */
function dropNulls(value: unknown, opaque = false): unknown {
  if (opaque || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => dropNulls(v));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null) continue;
    out[k] = dropNulls(v, OPAQUE_KEYS.has(k));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Defaults (utils/defaults/defaults.go)
// ---------------------------------------------------------------------------------------------

/** Upstream's defaults, exact values. */
export const DEFAULTS = {
  replicas: 1,
  revisionHistoryLimit: 10,
  analysisRunSuccessfulHistoryLimit: 5,
  analysisRunUnsuccessfulHistoryLimit: 5,
  /** A string, so the legacy int-or-percent parser reads it as 25%. */
  maxSurge: '25',
  maxUnavailable: '25',
  progressDeadlineSeconds: 600,
  scaleDownDelaySeconds: 30,
  abortScaleDownDelaySeconds: 30,
  autoPromotionEnabled: true,
  maxTrafficWeight: 100,
} as const;

/** `spec.replicas`, or 1. */
export function replicasOrDefault(replicas: number | undefined): number {
  return replicas ?? DEFAULTS.replicas;
}

/** `spec.revisionHistoryLimit`, or 10. */
export function revisionHistoryLimitOrDefault(spec: ReadonlySpec): number {
  return spec.revisionHistoryLimit ?? DEFAULTS.revisionHistoryLimit;
}

/** `spec.progressDeadlineSeconds`, or 600. */
export function progressDeadlineSecondsOrDefault(spec: ReadonlySpec): number {
  return spec.progressDeadlineSeconds ?? DEFAULTS.progressDeadlineSeconds;
}

/** `spec.analysis.successfulRunHistoryLimit` / `unsuccessfulRunHistoryLimit`, or 5 each. */
export function analysisRunHistoryLimitsOrDefault(spec: ReadonlySpec): {
  successful: number;
  unsuccessful: number;
} {
  return {
    successful: spec.analysis?.successfulRunHistoryLimit ?? DEFAULTS.analysisRunSuccessfulHistoryLimit,
    unsuccessful: spec.analysis?.unsuccessfulRunHistoryLimit ?? DEFAULTS.analysisRunUnsuccessfulHistoryLimit,
  };
}

/** `canary.maxSurge`, or `"25"` (25%). Blue-green has no surge setting. */
export function maxSurgeOrDefault(spec: ReadonlySpec): number | string {
  return spec.strategy.canary?.maxSurge ?? DEFAULTS.maxSurge;
}

/** `blueGreen.maxUnavailable`, else `canary.maxUnavailable`, else `"25"` (25%). */
export function maxUnavailableOrDefault(spec: ReadonlySpec): number | string {
  return (
    spec.strategy.blueGreen?.maxUnavailable ?? spec.strategy.canary?.maxUnavailable ?? DEFAULTS.maxUnavailable
  );
}

/** `trafficRouting.maxTrafficWeight`, or 100. Only canary with traffic routing can change it. */
export function maxTrafficWeight(spec: ReadonlySpec): number {
  return spec.strategy.canary?.trafficRouting?.maxTrafficWeight ?? DEFAULTS.maxTrafficWeight;
}

/**
 * How long an old ReplicaSet stays up after the switch, in seconds: blue-green 30 unless set;
 * canary 30 unless set **only with traffic routing**, else 0 (basic canary scales down at once).
 * @example scaleDownDelaySecondsOrDefault({ strategy: { canary: {} } }) // 0
 * @example scaleDownDelaySecondsOrDefault({ strategy: { canary: { trafficRouting: {} } } }) // 30
 */
export function scaleDownDelaySecondsOrDefault(spec: ReadonlySpec): number {
  let delay = 0;
  const { blueGreen, canary } = spec.strategy;
  if (blueGreen) delay = blueGreen.scaleDownDelaySeconds ?? DEFAULTS.scaleDownDelaySeconds;
  if (canary?.trafficRouting) delay = canary.scaleDownDelaySeconds ?? DEFAULTS.scaleDownDelaySeconds;
  return delay;
}

/**
 * The delay before the canary (or preview) ReplicaSet is scaled down after an abort
 * (`GetAbortScaleDownDelaySecondsOrDefault`). `seconds` is `null` when it must never be scaled
 * down (an explicit `0`); `explicit` says whether the user set the field. Basic canary (no traffic
 * routing) has no delay: 0, not explicit.
 * @example abortScaleDownDelay({ strategy: { blueGreen: {} } }) // { seconds: 30, explicit: false }
 * @example abortScaleDownDelay({ strategy: { blueGreen: { abortScaleDownDelaySeconds: 0 } } }) // { seconds: null, explicit: true }
 */
export function abortScaleDownDelay(spec: ReadonlySpec): { seconds: number | null; explicit: boolean } {
  const { blueGreen, canary } = spec.strategy;
  const configured = blueGreen
    ? blueGreen.abortScaleDownDelaySeconds
    : canary?.trafficRouting
      ? canary.abortScaleDownDelaySeconds
      : undefined;
  const applies = blueGreen !== undefined || canary?.trafficRouting !== undefined;
  if (!applies) return { seconds: 0, explicit: false };
  if (configured === undefined) return { seconds: DEFAULTS.abortScaleDownDelaySeconds, explicit: false };
  return { seconds: configured === 0 ? null : configured, explicit: true };
}

/**
 * Whether the user asked for a delayed scale-down on abort (`HasExplicitAbortScaleDownDelay`):
 * set and non-zero. An explicit 0 means "never", which is not a delay.
 */
export function hasExplicitAbortScaleDownDelay(spec: ReadonlySpec): boolean {
  const delay = abortScaleDownDelay(spec);
  return delay.explicit && delay.seconds !== null;
}

/** `blueGreen.autoPromotionEnabled`, or true. */
export function autoPromotionEnabledOrDefault(spec: ReadonlySpec): boolean {
  return spec.strategy.blueGreen?.autoPromotionEnabled ?? DEFAULTS.autoPromotionEnabled;
}

/** `nginx.annotationPrefix`, or `nginx.ingress.kubernetes.io`. */
export function canaryIngressAnnotationPrefixOrDefault(spec: ReadonlySpec): string {
  const prefix = spec.strategy.canary?.trafficRouting?.nginx?.annotationPrefix;
  return prefix ? prefix : 'nginx.ingress.kubernetes.io';
}

// ---------------------------------------------------------------------------------------------
// Go helpers shared with validation and step logic
// ---------------------------------------------------------------------------------------------

const DURATION_UNITS: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['µs', 1_000n], // U+00B5
  ['μs', 1_000n], // U+03BC
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);
const MAX_INT64 = (1n << 63n) - 1n;

/**
 * Go's `time.ParseDuration`, in nanoseconds, or undefined when Go would return an error.
 * @example parseGoDuration('1h30m') // 5400000000000n
 * @example parseGoDuration('1.5s') // 1500000000n
 * @example parseGoDuration('10') // undefined (missing unit)
 */
export function parseGoDuration(text: string): bigint | undefined {
  let s = text;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let total = 0n;
  while (s !== '') {
    const intMatch = /^[0-9]*/.exec(s)?.[0] ?? '';
    let v = 0n;
    for (const c of intMatch) {
      v = v * 10n + BigInt(c.charCodeAt(0) - 48);
      if (v > 1n << 63n) return undefined;
    }
    s = s.slice(intMatch.length);
    const pre = intMatch.length > 0;
    let post = false;
    let frac = 0n;
    let scale = 1;
    if (s[0] === '.') {
      s = s.slice(1);
      const fracMatch = /^[0-9]*/.exec(s)?.[0] ?? '';
      let overflow = false;
      for (const c of fracMatch) {
        if (overflow) continue;
        // Go stops taking digits (and growing the scale) once the value would pass 2^63.
        if (frac > MAX_INT64 / 10n) {
          overflow = true;
          continue;
        }
        const next = frac * 10n + BigInt(c.charCodeAt(0) - 48);
        if (next > 1n << 63n) {
          overflow = true;
          continue;
        }
        frac = next;
        scale *= 10;
      }
      post = fracMatch.length > 0;
      s = s.slice(fracMatch.length);
    }
    if (!pre && !post) return undefined;
    const unitMatch = /^[^0-9.]*/.exec(s)?.[0] ?? '';
    if (unitMatch === '') return undefined;
    const unit = DURATION_UNITS.get(unitMatch);
    if (unit === undefined) return undefined;
    s = s.slice(unitMatch.length);
    if (v > (1n << 63n) / unit) return undefined;
    v *= unit;
    if (frac > 0n) {
      // float64(f) * (float64(unit) / scale), truncated, as Go computes it.
      v += BigInt(Math.trunc(Number(frac) * (Number(unit) / scale)));
      if (v > 1n << 63n) return undefined;
    }
    total += v;
    if (total > 1n << 63n) return undefined;
  }
  if (neg) return -total;
  if (total > MAX_INT64) return undefined;
  return total;
}

/**
 * `RolloutPause.DurationSeconds`: seconds of a pause step; 0 when no duration, -1 when invalid.
 * A number is seconds; a string is an int32 (seconds) or else a Go duration, truncated to
 * whole seconds.
 * @example pauseDurationSeconds(10) // 10
 * @example pauseDurationSeconds('10') // 10
 * @example pauseDurationSeconds('1h') // 3600
 * @example pauseDurationSeconds('1ms') // 0
 * @example pauseDurationSeconds('1z') // -1
 * @example pauseDurationSeconds('20000000000') // -1 (not an int32, and not a duration)
 */
export function pauseDurationSeconds(duration: number | string | undefined): number {
  if (duration === undefined) return 0;
  if (typeof duration === 'number') return duration;
  if (/^[+-]?[0-9]+$/.test(duration)) {
    const n = Number(duration) + 0; // + 0 turns "-0" into 0
    if (n >= -(2 ** 31) && n <= 2 ** 31 - 1) return n;
  }
  const nanos = parseGoDuration(duration);
  if (nanos === undefined) return -1;
  // int32(d.Seconds()): truncation toward zero; out of int32 range Go on amd64 yields MinInt32.
  const seconds = Math.trunc(Number(nanos) / 1e9) + 0;
  return seconds >= -(2 ** 31) && seconds < 2 ** 31 ? seconds : -(2 ** 31);
}

/**
 * Go's `strconv.Atoi`: an optional sign and decimal digits, in int64 range; undefined otherwise.
 */
export function goAtoi(text: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(text)) return undefined;
  const n = BigInt(text);
  if (n > MAX_INT64 || n < -(1n << 63n)) return undefined;
  return Number(n);
}

/** How Go's `%q` (and `json.Marshal`) print a plain string in an error value. */
function quote(value: string): string {
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------
// Label selectors (k8s.io/apimachinery labels + meta/v1/validation)
// ---------------------------------------------------------------------------------------------

type LabelSelector = DeepReadonly<z.infer<typeof LabelSelectorSchema>>;

/**
 * Whether a label selector selects a set of labels (`metav1.LabelSelectorAsSelector` +
 * `Matches`). An absent selector selects nothing; an empty one selects everything.
 * @example selectorMatches({ matchLabels: { app: 'web' } }, { app: 'web', tier: 'fe' }) // true
 */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (selector === undefined) return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[k] !== v) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, req.key);
    const value = labels[req.key];
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(value ?? '')) return false;
        break;
      case 'NotIn':
        if (has && values.includes(value ?? '')) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/**
 * `metav1.FormatLabelSelector`, used for `status.selector` (the HPA scale subresource reads it):
 * requirements sorted by key, values sorted, `<none>` when it selects everything or nothing.
 * @example formatLabelSelector({ matchLabels: { tier: 'fe', app: 'web' } }) // 'app=web,tier=fe'
 * @example formatLabelSelector({ matchExpressions: [{ key: 'env', operator: 'In', values: ['b', 'a'] }] }) // 'env in (a,b)'
 */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  if (selector === undefined) return '<none>';
  if (selectorConversionFails(selector)) return '<error>';
  const reqs: Array<{ key: string; text: string }> = [];
  for (const key of Object.keys(selector.matchLabels ?? {})) {
    reqs.push({ key, text: `${key}=${selector.matchLabels?.[key]}` });
  }
  for (const req of selector.matchExpressions ?? []) {
    const values = [...(req.values ?? [])].sort(goCompare);
    const list = values.length === 1 ? (values[0] ?? '') : values.join(',');
    const text =
      req.operator === 'In'
        ? `${req.key} in (${list})`
        : req.operator === 'NotIn'
          ? `${req.key} notin (${list})`
          : req.operator === 'Exists'
            ? req.key
            : `!${req.key}`;
    reqs.push({ key: req.key, text });
  }
  const text = reqs
    .map((r, i) => ({ ...r, i }))
    .sort((a, b) => goCompare(a.key, b.key) || a.i - b.i)
    .map((r) => r.text)
    .join(',');
  return text === '' ? '<none>' : text;
}

/** Go's string ordering: by UTF-8 bytes (JavaScript compares UTF-16 code units). */
export function goCompare(a: string, b: string): number {
  if (a === b) return 0;
  const ab = Buffer.from(a, 'utf8');
  const bb = Buffer.from(b, 'utf8');
  return Buffer.compare(ab, bb);
}

/** Object keys in Go's map-iteration-for-output order (sorted by UTF-8 bytes). */
export function goSortedKeys(obj: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(obj).sort(goCompare);
}

const QNAME_FMT = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const QNAME_RE = new RegExp(`^${QNAME_FMT}$`);
const QNAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const LABEL_VALUE_FMT = `(${QNAME_FMT})?`;
const LABEL_VALUE_RE = new RegExp(`^${LABEL_VALUE_FMT}$`);
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const DNS1123_LABEL_FMT = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_LABEL_RE = new RegExp(`^${DNS1123_LABEL_FMT}$`);
const DNS1123_LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const DNS1123_SUBDOMAIN_FMT = `${DNS1123_LABEL_FMT}(\\.${DNS1123_LABEL_FMT})*`;
const DNS1123_SUBDOMAIN_RE = new RegExp(`^${DNS1123_SUBDOMAIN_FMT}$`);
const DNS1123_SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  // Go joins "'a', " and "'b', " with " or ", hence the two spaces: (e.g. 'a',  or 'b', regex …)
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(' or ')}regex used for validation is '${fmt}')`;
}

const byteLength = (s: string): number => Buffer.byteLength(s, 'utf8');

function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 253) errs.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN_RE.test(value))
    errs.push(regexError(DNS1123_SUBDOMAIN_MSG, DNS1123_SUBDOMAIN_FMT, 'example.com'));
  return errs;
}

/** `validation.IsQualifiedName`: the messages, empty when valid. */
export function isQualifiedName(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0] ?? '';
  } else if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    name = parts[1] ?? '';
    if (prefix === '') errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a qualified name ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name === '') errs.push('name part must be non-empty');
  else if (byteLength(name) > 63) errs.push('name part must be no more than 63 characters');
  if (!QNAME_RE.test(name))
    errs.push(`name part ${regexError(QNAME_MSG, QNAME_FMT, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** `validation.IsValidLabelValue`. */
export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push('must be no more than 63 characters');
  if (!LABEL_VALUE_RE.test(value))
    errs.push(regexError(LABEL_VALUE_MSG, LABEL_VALUE_FMT, 'MyValue', 'my_value', '12345'));
  return errs;
}

/** `validation.IsDNS1123Label`. */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLength(value) > 63) errs.push('must be no more than 63 characters');
  if (!DNS1123_LABEL_RE.test(value)) {
    errs.push(
      DNS1123_SUBDOMAIN_RE.test(value)
        ? 'must not contain dots'
        : regexError(DNS1123_LABEL_MSG, DNS1123_LABEL_FMT, 'my-name', '123-abc'),
    );
  }
  return errs;
}

function validateLabels(labels: Readonly<Record<string, string>> | undefined, path: string): SpecIssue[] {
  const issues: SpecIssue[] = [];
  // Go iterates a map in random order; sorted keys make the first issue stable.
  for (const key of goSortedKeys(labels ?? {})) {
    for (const msg of isQualifiedName(key))
      issues.push({ path, type: 'Invalid value', value: quote(key), detail: msg });
    for (const msg of isValidLabelValue(labels?.[key] ?? '')) {
      issues.push({ path, type: 'Invalid value', value: quote(labels?.[key] ?? ''), detail: msg });
    }
  }
  return issues;
}

function validateLabelSelector(selector: LabelSelector, path: string): SpecIssue[] {
  const issues = validateLabels(selector.matchLabels, `${path}.matchLabels`);
  (selector.matchExpressions ?? []).forEach((req, i) => {
    const reqPath = `${path}.matchExpressions[${i}]`;
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          issues.push({
            path: `${reqPath}.values`,
            type: 'Required value',
            detail: "must be specified when `operator` is 'In' or 'NotIn'",
          });
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          issues.push({
            path: `${reqPath}.values`,
            type: 'Forbidden',
            detail: "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          });
        }
        break;
      default:
        issues.push({
          path: `${reqPath}.operator`,
          type: 'Invalid value',
          value: quote(req.operator),
          detail: 'not a valid selector operator',
        });
    }
    for (const msg of isQualifiedName(req.key)) {
      issues.push({ path: `${reqPath}.key`, type: 'Invalid value', value: quote(req.key), detail: msg });
    }
    values.forEach((v, j) => {
      for (const msg of isValidLabelValue(v)) {
        issues.push({ path: `${reqPath}.values[${j}]`, type: 'Invalid value', value: quote(v), detail: msg });
      }
    });
  });
  return issues;
}

/** Whether `LabelSelectorAsSelector` would fail (it rejects what validation flags, plus more). */
function selectorConversionFails(selector: LabelSelector | undefined): boolean {
  if (selector === undefined) return false;
  if (Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0)
    return false;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (isQualifiedName(k).length > 0 || isValidLabelValue(v).length > 0) return true;
  }
  for (const req of selector.matchExpressions ?? []) {
    const values = req.values ?? [];
    if (isQualifiedName(req.key).length > 0) return true;
    if ((req.operator === 'In' || req.operator === 'NotIn') && values.length === 0) return true;
    if ((req.operator === 'Exists' || req.operator === 'DoesNotExist') && values.length > 0) return true;
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(req.operator)) return true;
    if (values.some((v) => isValidLabelValue(v).length > 0)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Validation (pkg/apis/rollouts/validation/validation.go)
// ---------------------------------------------------------------------------------------------

/** Upstream's validation messages, verbatim. */
export const ValidationMessage = {
  MissingField: (field: string) => `Rollout has missing field '${field}'`,
  InvalidSetWeight: (max: number) => `SetWeight needs to be between 0 and ${max}`,
  InvalidCanaryExperimentTemplateWeightWithoutTrafficRouting:
    'Experiment template weight cannot be set unless TrafficRouting is enabled',
  InvalidSetCanaryScaleTrafficPolicy: 'SetCanaryScale requires TrafficRouting to be set',
  InvalidSetHeaderRouteTrafficPolicy:
    'SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix',
  InvalidSetMirrorRouteTrafficPolicy: 'SetMirrorRoute requires TrafficRouting, supports Istio and Plugins',
  InvalidStringMatchMultipleValuePolicy:
    'StringMatch match value must have exactly one of the following: exact, regex, prefix',
  InvalidStringMatchMissedValuePolicy:
    'StringMatch value missed, match value must have one of the following: exact, regex, prefix',
  InvalidSetHeaderRouteALBValuePolicy: "SetHeaderRoute match value invalid. ALB supports 'exact' value only",
  InvalidDuration: 'Duration needs to be greater than 0',
  InvalidMaxSurgeMaxUnavailable: 'MaxSurge and MaxUnavailable both can not be zero',
  InvalidStep:
    'Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause',
  InvalidStrategy: 'Multiple Strategies can not be listed',
  DuplicatedServicesBlueGreen:
    'This rollout uses the same service for the active and preview services, but two different services are required.',
  DuplicatedServicesCanary:
    'This rollout uses the same service for the stable and canary services, but two different services are required.',
  InvalidAntiAffinityStrategy: 'AntiAffinity must have exactly one strategy listed',
  InvalidAntiAffinityWeight: 'AntiAffinity weight must be between 1-100',
  ScaleDownLimitLargerThanRevisionLimit:
    "This rollout's revision history limit can not be smaller than the rollout's scale down limit",
  InvalidTrafficRouting: 'Canary service and Stable service must to be set to use Traffic Routing',
  InvalidAnalysisArgs: 'Analyses arguments must refer to valid object metadata supported by downwardAPI',
  InvalidCanaryScaleDownDelay: 'Canary scaleDownDelaySeconds can only be used with traffic routing',
  InvalidCanaryDynamicStableScale: 'Canary dynamicStableScale can only be used with traffic routing',
  InvalidCanaryDynamicStableScaleWithScaleDownDelay:
    'Canary dynamicStableScale cannot be used with scaleDownDelaySeconds',
  InvalidCanaryMaxWeightOnlySupportInNginxAndPlugins:
    'Canary maxTrafficWeight in traffic routing only supported in Nginx and Plugins',
  InvalidPingPongProvided: 'Ping service and Pong service must to be set to use Ping-Pong feature',
  DuplicatedPingPongServices:
    'This rollout uses the same service for the ping and pong services, but two different services are required.',
  MissedAlbRootService:
    'Root service field is required for the configuration with ALB and ping-pong feature enabled',
  PingPongWithRouterOnly:
    'Ping-pong feature works with the ALB, Istio, and plugin-based traffic routers only',
  StepRouteNameNotFoundInManagedRoutes:
    'Steps define a route that does not exist in spec.strategy.canary.trafficRouting.managedRoutes',
  ExperimentWeightRouter:
    'Experiment template weight is only available for TrafficRouting with SMI, ALB, Istio and Plugins at this time',
  IsNegative: 'must be greater than or equal to 0',
  EmptySelector: 'empty selector is invalid for deployment',
  InvalidSelector: 'invalid label selector',
  SelectorDoesNotMatchTemplate: '`selector` does not match template `labels`',
  ProgressDeadlineNotGreaterThanMinReady: 'must be greater than minReadySeconds',
  WorkloadRefWithTemplate: 'template must be empty for workload reference rollout',
} as const;

/** What the caller knows beyond the spec. */
export interface ValidateOptions {
  /**
   * The template (and selector) were resolved from `spec.workloadRef` by the controller, as upstream's
   * `TemplateResolvedFromRef`. Then the template is validated as if written inline.
   */
  templateResolvedFromRef?: boolean;
  /** The Rollout's metadata, for `valueFrom.fieldRef` args that point at it. */
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
}

/**
 * Upstream's `ValidateRollout`: every issue, in upstream's order. The controller reports the first
 * one in the `InvalidSpec` condition ({@link invalidSpecMessage}).
 *
 * The pod template is checked as `ValidatePodTemplateSpecForReplicaSet` does for what a ReplicaSet
 * needs (selector match, labels, containers, restart policy); the rest of pod validation is left to
 * the API server when the ReplicaSet is created.
 */
export function validateRollout(spec: ReadonlySpec, options: ValidateOptions = {}): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const replicas = replicasOrDefault(spec.replicas);
  issues.push(...nonNegative(replicas, 'spec.replicas'));

  if (spec.workloadRef === undefined) {
    if (spec.selector === undefined) {
      issues.push({
        path: 'spec.selector',
        type: 'Required value',
        detail: ValidationMessage.MissingField('.spec.selector'),
      });
    } else {
      issues.push(...validateLabelSelector(spec.selector, 'spec.selector'));
      const size =
        Object.keys(spec.selector.matchLabels ?? {}).length + (spec.selector.matchExpressions ?? []).length;
      if (size === 0) {
        issues.push({
          path: 'spec.selector',
          type: 'Invalid value',
          value: encodeGoJSON(spec.selector, 'LabelSelector'),
          detail: ValidationMessage.EmptySelector,
        });
      }
    }
  }

  if (!options.templateResolvedFromRef && spec.workloadRef !== undefined && !emptyTemplate(spec)) {
    issues.push({
      path: 'spec.template',
      type: 'Internal error',
      detail: ValidationMessage.WorkloadRefWithTemplate,
    });
  }

  if (selectorConversionFails(spec.selector)) {
    issues.push({
      path: 'spec.selector',
      type: 'Invalid value',
      value: encodeGoJSON(spec.selector, '*LabelSelector'),
      detail: ValidationMessage.InvalidSelector,
    });
  } else if (options.templateResolvedFromRef || spec.workloadRef === undefined) {
    issues.push(...validateTemplateForReplicaSet(spec));
  }

  issues.push(...nonNegative(spec.minReadySeconds ?? 0, 'spec.minReadySeconds'));
  issues.push(...nonNegative(revisionHistoryLimitOrDefault(spec), 'spec.revisionHistoryLimit'));
  const progressDeadline = progressDeadlineSecondsOrDefault(spec);
  issues.push(...nonNegative(progressDeadline, 'spec.progressDeadlineSeconds'));
  if (progressDeadline <= (spec.minReadySeconds ?? 0)) {
    issues.push({
      path: 'spec.progressDeadlineSeconds',
      type: 'Invalid value',
      value: String(progressDeadline),
      detail: ValidationMessage.ProgressDeadlineNotGreaterThanMinReady,
    });
  }
  issues.push(...validateRolloutStrategy(spec, 'spec.strategy', options));
  return issues;
}

function emptyTemplate(spec: ReadonlySpec): boolean {
  const meta = spec.template?.metadata;
  return Object.keys(meta?.labels ?? {}).length === 0 && Object.keys(meta?.annotations ?? {}).length === 0;
}

function nonNegative(value: number, path: string): SpecIssue[] {
  return value < 0
    ? [{ path, type: 'Invalid value', value: String(value), detail: ValidationMessage.IsNegative }]
    : [];
}

function validateTemplateForReplicaSet(spec: ReadonlySpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const template = spec.template ?? {};
  const labels = template.metadata?.labels ?? {};
  const selectsEverything =
    spec.selector !== undefined &&
    Object.keys(spec.selector.matchLabels ?? {}).length + (spec.selector.matchExpressions ?? []).length === 0;
  if (!selectsEverything && !selectorMatches(spec.selector, labels)) {
    issues.push({
      path: 'spec.template.metadata.labels',
      type: 'Invalid value',
      value: encodeGoJSON(template.metadata?.labels, '{}s'),
      detail: ValidationMessage.SelectorDoesNotMatchTemplate,
    });
  }
  // ValidatePodTemplateSpec: labels (reported at template.labels, as upstream does), then the pod spec.
  issues.push(...validateLabels(template.metadata?.labels, 'spec.template.labels'));
  const podSpec = template.spec ?? {};
  const containers = podSpec.containers ?? [];
  if (containers.length === 0) {
    issues.push({ path: 'spec.template.spec.containers', type: 'Required value', detail: '' });
  }
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const path = `spec.template.spec.containers[${i}]`;
    const name = c.name ?? '';
    if (name === '') issues.push({ path: `${path}.name`, type: 'Required value', detail: '' });
    else {
      for (const msg of isDNS1123Label(name))
        issues.push({ path: `${path}.name`, type: 'Invalid value', value: quote(name), detail: msg });
    }
    if ((c.image ?? '') === '') issues.push({ path: `${path}.image`, type: 'Required value', detail: '' });
    if (names.has(name))
      issues.push({ path: `${path}.name`, type: 'Duplicate value', value: quote(name), detail: '' });
    names.add(name);
  });
  if ((podSpec.ephemeralContainers ?? []).length > 0) {
    issues.push({
      path: 'spec.template.spec.ephemeralContainers',
      type: 'Forbidden',
      detail: 'ephemeral containers not allowed in pod template',
    });
  }
  // Upstream defaults the template first, so an unset restartPolicy is Always.
  const restartPolicy = podSpec.restartPolicy ?? 'Always';
  if (restartPolicy !== 'Always') {
    issues.push({
      path: 'spec.template.spec.restartPolicy',
      type: 'Unsupported value',
      value: quote(restartPolicy),
      detail: 'supported values: "Always"',
    });
  }
  if (podSpec.activeDeadlineSeconds !== undefined) {
    issues.push({
      path: 'spec.template.spec.activeDeadlineSeconds',
      type: 'Forbidden',
      detail: 'activeDeadlineSeconds in ReplicaSet is not Supported',
    });
  }
  return issues;
}

/** `ValidateRolloutStrategy`: exactly one of canary and blueGreen, then that strategy's rules. */
export function validateRolloutStrategy(
  spec: ReadonlySpec,
  path = 'spec.strategy',
  options: ValidateOptions = {},
): SpecIssue[] {
  const { canary, blueGreen } = spec.strategy;
  if (!canary && !blueGreen) {
    return [
      {
        path,
        type: 'Required value',
        detail: ValidationMessage.MissingField('.spec.strategy.canary or .spec.strategy.blueGreen'),
      },
    ];
  }
  if (canary && blueGreen) {
    return [
      {
        path,
        type: 'Invalid value',
        value: quote('blueGreen: true canary: true'),
        detail: ValidationMessage.InvalidStrategy,
      },
    ];
  }
  if (blueGreen) return validateRolloutStrategyBlueGreen(spec, `${path}.blueGreen`);
  return validateRolloutStrategyCanary(spec, `${path}.canary`, options);
}

/** `ValidateRolloutStrategyBlueGreen`. */
export function validateRolloutStrategyBlueGreen(
  spec: ReadonlySpec,
  path = 'spec.strategy.blueGreen',
): SpecIssue[] {
  const bg = spec.strategy.blueGreen;
  if (!bg) return [];
  const issues: SpecIssue[] = [];
  if (bg.activeService === (bg.previewService ?? '')) {
    issues.push({
      path: `${path}.activeService`,
      type: 'Invalid value',
      value: quote(bg.activeService),
      detail: ValidationMessage.DuplicatedServicesBlueGreen,
    });
  }
  if (
    bg.scaleDownDelayRevisionLimit !== undefined &&
    revisionHistoryLimitOrDefault(spec) < bg.scaleDownDelayRevisionLimit
  ) {
    issues.push({
      path: `${path}.scaleDownDelayRevisionLimit`,
      type: 'Invalid value',
      value: String(bg.scaleDownDelayRevisionLimit),
      detail: ValidationMessage.ScaleDownLimitLargerThanRevisionLimit,
    });
  }
  issues.push(...validateAntiAffinity(bg.antiAffinity, `${path}.antiAffinity`));
  return issues;
}

type TrafficRouting = DeepReadonly<z.infer<typeof TrafficRoutingSchema>>;

const hasPlugins = (tr: TrafficRouting): boolean => Object.keys(tr.plugins ?? {}).length > 0;

/** `requireCanaryStableServices`: routers that address the two Services by name. */
function requireCanaryStableServices(spec: ReadonlySpec): boolean {
  const canary = spec.strategy.canary;
  const tr = canary?.trafficRouting;
  if (!canary || !tr) return false;
  return (
    (tr.alb !== undefined && canary.pingPong === undefined) ||
    (tr.istio !== undefined && tr.istio.destinationRule === undefined && canary.pingPong === undefined) ||
    tr.smi !== undefined ||
    tr.apisix !== undefined ||
    tr.ambassador !== undefined ||
    tr.nginx !== undefined ||
    tr.appMesh !== undefined ||
    tr.traefik !== undefined
  );
}

/**
 * The int-or-percent value validation compares with 0 (`getIntOrPercentValue` in validation.go): a
 * valid percent string gives its number, anything else its `IntValue()` (a non-numeric string is 0).
 */
function validationIntOrPercent(value: number | string): number {
  if (typeof value === 'number') return value;
  if (/^[0-9]+%$/.test(value)) return Number(value.slice(0, -1));
  // IntOrString.IntValue() on a string: strconv.Atoi, 0 on error.
  return goAtoi(value) ?? 0;
}

/** `ValidateRolloutStrategyCanary`. */
export function validateRolloutStrategyCanary(
  spec: ReadonlySpec,
  path = 'spec.strategy.canary',
  options: ValidateOptions = {},
): SpecIssue[] {
  const canary = spec.strategy.canary;
  if (!canary) return [];
  const issues: SpecIssue[] = [];
  const tr = canary.trafficRouting;

  const surge = maxSurgeOrDefault(spec);
  if (validationIntOrPercent(surge) === 0 && validationIntOrPercent(maxUnavailableOrDefault(spec)) === 0) {
    issues.push({
      path: `${path}.maxSurge`,
      type: 'Invalid value',
      value: typeof surge === 'number' ? String(surge) : quote(surge),
      detail: ValidationMessage.InvalidMaxSurgeMaxUnavailable,
    });
  }
  const canaryService = canary.canaryService ?? '';
  const stableService = canary.stableService ?? '';
  if (canaryService !== '' && stableService !== '' && canaryService === stableService) {
    issues.push({
      path: `${path}.stableService`,
      type: 'Invalid value',
      value: quote(stableService),
      detail: ValidationMessage.DuplicatedServicesCanary,
    });
  }
  if (canary.pingPong) {
    const { pingService, pongService } = canary.pingPong;
    if (tr && tr.alb === undefined && tr.istio === undefined && !hasPlugins(tr)) {
      issues.push({
        path: `${path}.trafficRouting.alb`,
        type: 'Invalid value',
        value: 'null',
        detail: ValidationMessage.PingPongWithRouterOnly,
      });
    }
    if (pingService === '') {
      issues.push({
        path: `${path}.pingPong.pingService`,
        type: 'Invalid value',
        value: quote(''),
        detail: ValidationMessage.InvalidPingPongProvided,
      });
    }
    if (pongService === '') {
      issues.push({
        path: `${path}.pingPong.pongService`,
        type: 'Invalid value',
        value: quote(''),
        detail: ValidationMessage.InvalidPingPongProvided,
      });
    }
    if (pingService === pongService) {
      issues.push({
        path: `${path}.pingPong.pingService`,
        type: 'Invalid value',
        value: quote(pingService),
        detail: ValidationMessage.DuplicatedPingPongServices,
      });
    }
    if (tr?.alb !== undefined && (tr.alb.rootService ?? '') === '') {
      issues.push({
        path: `${path}.trafficRouting.alb.rootService`,
        type: 'Invalid value',
        value: quote(''),
        detail: ValidationMessage.MissedAlbRootService,
      });
    }
  }
  if (requireCanaryStableServices(spec)) {
    if (stableService === '') {
      issues.push({
        path: `${path}.stableService`,
        type: 'Invalid value',
        value: quote(''),
        detail: ValidationMessage.InvalidTrafficRouting,
      });
    }
    if (canaryService === '') {
      issues.push({
        path: `${path}.canaryService`,
        type: 'Invalid value',
        value: quote(''),
        detail: ValidationMessage.InvalidTrafficRouting,
      });
    }
  }

  if (!tr) {
    if (canary.scaleDownDelaySeconds !== undefined) {
      issues.push({
        path: `${path}.scaleDownDelaySeconds`,
        type: 'Invalid value',
        value: String(canary.scaleDownDelaySeconds),
        detail: ValidationMessage.InvalidCanaryScaleDownDelay,
      });
    }
    if (canary.dynamicStableScale) {
      issues.push({
        path: `${path}.dynamicStableScale`,
        type: 'Invalid value',
        value: 'true',
        detail: ValidationMessage.InvalidCanaryDynamicStableScale,
      });
    }
  } else {
    if (canary.scaleDownDelaySeconds !== undefined && canary.dynamicStableScale) {
      issues.push({
        path: `${path}.dynamicStableScale`,
        type: 'Invalid value',
        value: 'true',
        detail: ValidationMessage.InvalidCanaryDynamicStableScaleWithScaleDownDelay,
      });
    }
    if (tr.maxTrafficWeight !== undefined && tr.nginx === undefined && !hasPlugins(tr)) {
      issues.push({
        path: `${path}.trafficRouting.maxTrafficWeight`,
        type: 'Invalid value',
        value: String(tr.maxTrafficWeight),
        detail: ValidationMessage.InvalidCanaryMaxWeightOnlySupportInNginxAndPlugins,
      });
    }
  }

  const maxWeight = maxTrafficWeight(spec);
  (canary.steps ?? []).forEach((step, i) => {
    const stepPath = `${path}.steps[${i}]`;
    const exclusive = [step.setWeight, step.pause, step.experiment, step.analysis].filter(
      (s) => s !== undefined,
    ).length;
    if (exclusive > 1) {
      issues.push({
        path: stepPath,
        type: 'Invalid value',
        value: quote(
          `step.Experiment: ${step.experiment !== undefined} step.Pause: ${step.pause !== undefined} step.SetWeight: ${step.setWeight !== undefined} step.Analysis: ${step.analysis !== undefined}`,
        ),
        detail: ValidationMessage.InvalidStep,
      });
    }
    const kinds = [
      step.experiment,
      step.pause,
      step.setWeight,
      step.analysis,
      step.setCanaryScale,
      step.setHeaderRoute,
      step.setMirrorRoute,
      step.plugin,
    ];
    if (kinds.every((k) => k === undefined)) {
      issues.push({
        path: stepPath,
        type: 'Invalid value',
        value: quote(
          'step.Experiment: true step.Pause: true step.SetWeight: true step.Analysis: true step.SetCanaryScale: true step.SetHeaderRoute: true step.SetMirrorRoute: true step.Plugin: true',
        ),
        detail: ValidationMessage.InvalidStep,
      });
    }
    if (step.setWeight !== undefined && (step.setWeight < 0 || step.setWeight > maxWeight)) {
      issues.push({
        path: `${stepPath}.setWeight`,
        type: 'Invalid value',
        value: String(step.setWeight),
        detail: ValidationMessage.InvalidSetWeight(maxWeight),
      });
    }
    if (step.pause !== undefined) {
      const seconds = pauseDurationSeconds(step.pause.duration);
      if (seconds < 0) {
        issues.push({
          path: `${stepPath}.pause.duration`,
          type: 'Invalid value',
          value: String(seconds),
          detail: ValidationMessage.InvalidDuration,
        });
      }
    }
    if (step.setCanaryScale !== undefined && !tr) {
      issues.push({
        path: `${path}.trafficRouting`,
        type: 'Required value',
        detail: ValidationMessage.InvalidSetCanaryScaleTrafficPolicy,
      });
    }
    if (step.setHeaderRoute !== undefined) {
      if (
        !tr ||
        (tr.istio === undefined && tr.alb === undefined && tr.apisix === undefined && !hasPlugins(tr))
      ) {
        issues.push({
          path: `${stepPath}.setHeaderRoute`,
          type: 'Invalid value',
          value: encodeGoJSON(step.setHeaderRoute, '*SetHeaderRoute'),
          detail: ValidationMessage.InvalidSetHeaderRouteTrafficPolicy,
        });
      } else {
        (step.setHeaderRoute.match ?? []).forEach((match, j) => {
          const matchPath = `${stepPath}.setHeaderRoute.match[${j}]`;
          issues.push(
            ...(tr.alb !== undefined
              ? albInvalidValues(match.headerValue, matchPath)
              : multipleMatchValues(match.headerValue, matchPath)),
          );
        });
      }
    }
    if (step.setMirrorRoute !== undefined) {
      if (!tr || (tr.istio === undefined && !hasPlugins(tr))) {
        issues.push({
          path: `${stepPath}.setMirrorRoute`,
          type: 'Invalid value',
          value: encodeGoJSON(step.setMirrorRoute, '*SetMirrorRoute'),
          detail: ValidationMessage.InvalidSetMirrorRouteTrafficPolicy,
        });
      }
      (step.setMirrorRoute.match ?? []).forEach((match, j) => {
        const matchPath = `${stepPath}.setMirrorRoute.match[${j}]`;
        if (match.method !== undefined) issues.push(...multipleMatchValues(match.method, matchPath));
        if (match.path !== undefined) issues.push(...multipleMatchValues(match.path, matchPath));
        // Upstream checks method twice (and never headers); kept for identical output.
        if (match.method !== undefined) issues.push(...multipleMatchValues(match.method, matchPath));
      });
    }
    if (
      tr &&
      (step.setHeaderRoute !== undefined || step.setMirrorRoute !== undefined) &&
      tr.managedRoutes === undefined
    ) {
      issues.push({
        path: `${path}.trafficRouting.managedRoutes`,
        type: 'Required value',
        detail: ValidationMessage.MissingField('spec.strategy.canary.trafficRouting.managedRoutes'),
      });
    }
    if (tr?.managedRoutes !== undefined) {
      const names = new Set(tr.managedRoutes.map((r) => r.name));
      if (step.setHeaderRoute !== undefined && !names.has(step.setHeaderRoute.name ?? '')) {
        issues.push({
          path: `${stepPath}.setHeaderRoute`,
          type: 'Invalid value',
          value: quote(step.setHeaderRoute.name ?? ''),
          detail: ValidationMessage.StepRouteNameNotFoundInManagedRoutes,
        });
      }
      if (step.setMirrorRoute !== undefined && !names.has(step.setMirrorRoute.name)) {
        issues.push({
          path: `${stepPath}.setMirrorRoute`,
          type: 'Invalid value',
          value: quote(step.setMirrorRoute.name),
          detail: ValidationMessage.StepRouteNameNotFoundInManagedRoutes,
        });
      }
    }

    const args: Array<DeepReadonly<z.infer<typeof AnalysisRunArgumentSchema>>> = [];
    if (step.experiment !== undefined) {
      (step.experiment.templates ?? []).forEach((template, t) => {
        if (template.weight === undefined) return;
        const weightPath = `${stepPath}.experiment.templates[${t}].weight`;
        if (!tr) {
          issues.push({
            path: weightPath,
            type: 'Invalid value',
            value: String(template.weight),
            detail: ValidationMessage.InvalidCanaryExperimentTemplateWeightWithoutTrafficRouting,
          });
        } else if (
          tr.alb === undefined &&
          tr.smi === undefined &&
          tr.istio === undefined &&
          !hasPlugins(tr)
        ) {
          issues.push({
            path: weightPath,
            type: 'Invalid value',
            value: String(template.weight),
            detail: ValidationMessage.ExperimentWeightRouter,
          });
        }
      });
      for (const analysis of step.experiment.analyses ?? []) args.push(...(analysis.args ?? []));
    }
    if (step.analysis !== undefined) args.push(...(step.analysis.args ?? []));
    for (const arg of args) {
      const fieldPath = arg.valueFrom?.fieldRef?.fieldPath;
      if (fieldPath?.startsWith('metadata') && !isSupportedMetadataFieldPath(fieldPath, options.metadata)) {
        issues.push({
          path: `${stepPath}.analyses`,
          type: 'Invalid value',
          value: encodeGoJSON(args, '[]AnalysisRunArgument'),
          detail: ValidationMessage.InvalidAnalysisArgs,
        });
      }
    }
  });
  issues.push(...validateAntiAffinity(canary.antiAffinity, `${path}.antiAffinity`));
  return issues;
}

/**
 * Whether `fieldpath.ExtractFieldPathAsString` accepts a `metadata…` path on the Rollout: the
 * downward-API fields `metadata.name|namespace|uid|annotations|labels`, or one key of labels or
 * annotations as `metadata.labels['key']` (the key must be a valid label/annotation key).
 */
export function isSupportedMetadataFieldPath(
  fieldPath: string,
  _metadata?: ValidateOptions['metadata'],
): boolean {
  const subscript = /^(metadata\.(?:annotations|labels))\['(.*)'\]$/.exec(fieldPath);
  if (subscript) {
    const key = subscript[2] ?? '';
    // Annotation keys are qualified names too (lower-cased prefix), labels must be qualified names.
    return isQualifiedName(subscript[1] === 'metadata.annotations' ? key.toLowerCase() : key).length === 0;
  }
  return [
    'metadata.annotations',
    'metadata.labels',
    'metadata.name',
    'metadata.namespace',
    'metadata.uid',
  ].includes(fieldPath);
}

type StringMatch = DeepReadonly<z.infer<typeof StringMatchSchema>>;

function albInvalidValues(match: StringMatch | undefined, path: string): SpecIssue[] {
  if (match === undefined) {
    return [
      {
        path,
        type: 'Invalid value',
        value: 'null',
        detail: ValidationMessage.InvalidStringMatchMissedValuePolicy,
      },
    ];
  }
  if ((match.exact ?? '') === '' || (match.regex ?? '') !== '' || (match.prefix ?? '') !== '') {
    return [
      {
        path,
        type: 'Invalid value',
        value: encodeGoJSON(match, '*StringMatch'),
        detail: ValidationMessage.InvalidSetHeaderRouteALBValuePolicy,
      },
    ];
  }
  return [];
}

function multipleMatchValues(match: StringMatch | undefined, path: string): SpecIssue[] {
  if (match === undefined) {
    return [
      {
        path,
        type: 'Invalid value',
        value: 'null',
        detail: ValidationMessage.InvalidStringMatchMissedValuePolicy,
      },
    ];
  }
  const set = [match.exact, match.regex, match.prefix].filter((v) => (v ?? '') !== '').length;
  if (set > 1) {
    return [
      {
        path,
        type: 'Invalid value',
        value: encodeGoJSON(match, '*StringMatch'),
        detail: ValidationMessage.InvalidStringMatchMultipleValuePolicy,
      },
    ];
  }
  if (set === 0) {
    return [
      {
        path,
        type: 'Invalid value',
        value: encodeGoJSON(match, '*StringMatch'),
        detail: ValidationMessage.InvalidStringMatchMissedValuePolicy,
      },
    ];
  }
  return [];
}

function validateAntiAffinity(
  anti: DeepReadonly<z.infer<typeof AntiAffinitySchema>> | undefined,
  path: string,
): SpecIssue[] {
  if (anti === undefined) return [];
  const issues: SpecIssue[] = [];
  const preferred = anti.preferredDuringSchedulingIgnoredDuringExecution;
  const required = anti.requiredDuringSchedulingIgnoredDuringExecution;
  if ((preferred === undefined) === (required === undefined)) {
    issues.push({
      path,
      type: 'Invalid value',
      value: quote(
        `antiAffinity.PreferredDuringSchedulingIgnoredDuringExecution: ${preferred !== undefined} antiAffinity.RequiredDuringSchedulingIgnoredDuringExecution: ${required !== undefined}`,
      ),
      detail: ValidationMessage.InvalidAntiAffinityStrategy,
    });
  }
  if (preferred !== undefined && (preferred.weight < 1 || preferred.weight > 100)) {
    issues.push({
      path: `${path}.weight`,
      type: 'Invalid value',
      value: String(preferred.weight),
      detail: ValidationMessage.InvalidAntiAffinityWeight,
    });
  }
  return issues;
}

// ---------------------------------------------------------------------------------------------
// Slipway's own limits
// ---------------------------------------------------------------------------------------------

/**
 * Features a valid Rollout may use that Slipway's controller does not run: experiment steps, step
 * plugins, and traffic routers other than NGINX and the Gateway API plugin. Reported with the same
 * issue shape so the reconciler can surface them as `InvalidSpec` rather than half-run the rollout.
 */
export function unsupportedFeatures(spec: ReadonlySpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const canary = spec.strategy.canary;
  if (!canary) return issues;
  (canary.steps ?? []).forEach((step, i) => {
    if (step.experiment !== undefined) {
      issues.push({
        path: `spec.strategy.canary.steps[${i}].experiment`,
        type: 'Forbidden',
        detail: 'experiment steps are not supported by Slipway',
      });
    }
    if (step.plugin !== undefined) {
      issues.push({
        path: `spec.strategy.canary.steps[${i}].plugin`,
        type: 'Forbidden',
        detail: 'step plugins are not supported by Slipway',
      });
    }
  });
  const tr = canary.trafficRouting;
  if (tr) {
    for (const router of ['istio', 'alb', 'smi', 'ambassador', 'appMesh', 'traefik', 'apisix'] as const) {
      if (tr[router] !== undefined) {
        issues.push({
          path: `spec.strategy.canary.trafficRouting.${router}`,
          type: 'Forbidden',
          detail: `the ${router} traffic router is not supported by Slipway (use nginx or plugins["${GATEWAY_API_PLUGIN}"])`,
        });
      }
    }
    for (const plugin of Object.keys(tr.plugins ?? {})) {
      if (plugin !== GATEWAY_API_PLUGIN) {
        issues.push({
          path: `spec.strategy.canary.trafficRouting.plugins[${quote(plugin)}]`,
          type: 'Forbidden',
          detail: `traffic router plugin ${quote(plugin)} is not supported by Slipway`,
        });
      }
    }
  }
  return issues;
}
