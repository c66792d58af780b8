/**
 * The `argoproj.io/v1alpha1` `Application`, as Argo CD defines it (`pkg/apis/application/v1alpha1/
 * types.go`), parsed with zod.
 *
 * Parsing is loose: every object keeps fields Slipway does not know, so an Application written for
 * Argo CD round-trips unchanged. What the sync engine reads is validated, and every problem is
 * reported as an issue with its path (`spec.syncPolicy.retry.backoff.duration: unable to parse 5x
 * as a duration`). `null` values are dropped first, as the API server does for structural schemas.
 *
 * Multi-source Applications (`spec.sources`) and `spec.sourceHydrator` parse, but the engine
 * supports a single `spec.source`; {@link singleSource} says so clearly.
 *
 * @example
 * const result = safeParseApplication(yaml.parse(text), 'apps/guestbook.yaml');
 * if (!result.success) console.error(formatIssues(result.issues));
 * else result.data.spec.destination.namespace;
 * @module
 */
import { z } from 'zod';
import type { KubeObject, ObjectMeta } from '../kube/types.ts';
import { SlipwayError } from '../util/errors.ts';
import { parseRetryDuration } from './retry.ts';
import { Annotations } from './types.ts';

const str = z.string();
const bool = z.boolean();
const int = z.number().int();
const strings = z.array(z.string());
const stringMap = z.record(z.string(), z.string());

// ---- source ----------------------------------------------------------------------------------

const HelmParameterSchema = z.looseObject({
  name: str.optional(),
  value: str.optional(),
  forceString: bool.optional(),
});

const HelmSchema = z.looseObject({
  valueFiles: strings.optional(),
  parameters: z.array(HelmParameterSchema).optional(),
  fileParameters: z.array(z.looseObject({ name: str.optional(), path: str.optional() })).optional(),
  releaseName: str.optional(),
  values: str.optional(),
  valuesObject: z.record(z.string(), z.unknown()).optional(),
  namespace: str.optional(),
  version: str.optional(),
  passCredentials: bool.optional(),
  ignoreMissingValueFiles: bool.optional(),
  skipCrds: bool.optional(),
  skipTests: bool.optional(),
  skipSchemaValidation: bool.optional(),
  kubeVersion: str.optional(),
  apiVersions: strings.optional(),
});

const KustomizeSchema = z.looseObject({
  namePrefix: str.optional(),
  nameSuffix: str.optional(),
  images: strings.optional(),
  commonLabels: stringMap.optional(),
  commonAnnotations: stringMap.optional(),
  commonAnnotationsEnvsubst: bool.optional(),
  forceCommonLabels: bool.optional(),
  forceCommonAnnotations: bool.optional(),
  labelWithoutSelector: bool.optional(),
  labelIncludeTemplates: bool.optional(),
  namespace: str.optional(),
  replicas: z.array(z.looseObject({ name: str, count: z.union([int, str]) })).optional(),
  patches: z
    .array(
      z.looseObject({
        path: str.optional(),
        patch: str.optional(),
        target: z.record(z.string(), z.unknown()).optional(),
        options: z.record(z.string(), bool).optional(),
      }),
    )
    .optional(),
  components: strings.optional(),
  ignoreMissingComponents: bool.optional(),
  version: str.optional(),
  kubeVersion: str.optional(),
  apiVersions: strings.optional(),
});

const JsonnetVarSchema = z.looseObject({ name: str, value: str, code: bool.optional() });

const DirectorySchema = z.looseObject({
  recurse: bool.optional(),
  include: str.optional(),
  exclude: str.optional(),
  jsonnet: z
    .looseObject({
      extVars: z.array(JsonnetVarSchema).optional(),
      tlas: z.array(JsonnetVarSchema).optional(),
      libs: strings.optional(),
    })
    .optional(),
  disableExtensionFilter: bool.optional(),
});

const PluginSchema = z.looseObject({
  name: str.optional(),
  env: z.array(z.looseObject({ name: str, value: str })).optional(),
  parameters: z.array(z.unknown()).optional(),
});

const SourceSchema = z
  .looseObject({
    repoURL: z.string({ error: 'repoURL is required' }).min(1, 'repoURL must not be empty'),
    path: str.optional(),
    targetRevision: str.optional(),
    chart: str.optional(),
    ref: str.optional(),
    name: str.optional(),
    tagPrefix: str.optional(),
    helm: HelmSchema.optional(),
    kustomize: KustomizeSchema.optional(),
    directory: DirectorySchema.optional(),
    plugin: PluginSchema.optional(),
  })
  .superRefine((source, ctx) => {
    // `ApplicationSource.ExplicitType`: at most one tool block.
    const types = (
      [
        ['kustomize', 'Kustomize'],
        ['helm', 'Helm'],
        ['directory', 'Directory'],
        ['plugin', 'Plugin'],
      ] as const
    )
      .filter(([key]) => source[key] !== undefined)
      .map(([, name]) => name);
    if (types.length > 1) {
      ctx.addIssue({ code: 'custom', message: `multiple application sources defined: ${types.join(',')}` });
    }
  });

// ---- spec ------------------------------------------------------------------------------------

const DestinationSchema = z.looseObject({
  server: str.optional(),
  name: str.optional(),
  namespace: str.optional(),
});

/** A Go duration or bare seconds; Argo's type is string, a YAML number is accepted as seconds. */
const DurationSchema = z
  .union([str, int])
  .transform((v) => String(v))
  .superRefine((value, ctx) => {
    if (value === '') return;
    try {
      parseRetryDuration(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: `unable to parse ${value} as a duration` });
    }
  });

const RetryStrategySchema = z.looseObject({
  limit: int.optional(),
  backoff: z
    .looseObject({
      duration: DurationSchema.optional(),
      factor: int.optional(),
      maxDuration: DurationSchema.optional(),
    })
    .optional(),
  refresh: bool.optional(),
});

const SyncPolicySchema = z.looseObject({
  automated: z
    .looseObject({
      enabled: bool.optional(),
      prune: bool.optional(),
      selfHeal: bool.optional(),
      allowEmpty: bool.optional(),
    })
    .optional(),
  syncOptions: strings.optional(),
  retry: RetryStrategySchema.optional(),
  managedNamespaceMetadata: z
    .looseObject({ labels: stringMap.optional(), annotations: stringMap.optional() })
    .optional(),
});

const IgnoreDifferencesSchema = z.looseObject({
  group: str.optional(),
  kind: z.string({ error: 'kind is required' }),
  name: str.optional(),
  namespace: str.optional(),
  jsonPointers: strings.optional(),
  jqPathExpressions: strings.optional(),
  managedFieldsManagers: strings.optional(),
});

const SpecSchema = z.looseObject({
  project: str.optional(),
  source: SourceSchema.optional(),
  sources: z.array(SourceSchema).optional(),
  sourceHydrator: z.record(z.string(), z.unknown()).optional(),
  destination: DestinationSchema,
  syncPolicy: SyncPolicySchema.optional(),
  ignoreDifferences: z.array(IgnoreDifferencesSchema).optional(),
  info: z.array(z.looseObject({ name: str, value: str })).optional(),
  revisionHistoryLimit: int.optional(),
});

// ---- operation -------------------------------------------------------------------------------

const SyncOperationResourceSchema = z.looseObject({
  group: str.optional(),
  kind: str,
  name: str,
  namespace: str.optional(),
});

const SyncStrategySchema = z.looseObject({
  apply: z.looseObject({ force: bool.optional() }).optional(),
  hook: z.looseObject({ force: bool.optional() }).optional(),
});

const SyncOperationSchema = z.looseObject({
  revision: str.optional(),
  revisions: strings.optional(),
  prune: bool.optional(),
  dryRun: bool.optional(),
  syncStrategy: SyncStrategySchema.optional(),
  resources: z.array(SyncOperationResourceSchema).optional(),
  source: SourceSchema.optional(),
  sources: z.array(SourceSchema).optional(),
  manifests: strings.optional(),
  syncOptions: strings.optional(),
  autoHealAttemptsCount: int.optional(),
});

const InitiatorSchema = z.looseObject({ username: str.optional(), automated: bool.optional() });

const OperationSchema = z.looseObject({
  sync: SyncOperationSchema.optional(),
  initiatedBy: InitiatorSchema.optional(),
  info: z.array(z.looseObject({ name: str, value: str })).optional(),
  retry: RetryStrategySchema.optional(),
});

// ---- status ----------------------------------------------------------------------------------

const SyncStatusCodeSchema = z.enum(['Synced', 'OutOfSync', 'Unknown']);
const HealthCodeSchema = z.enum(['Healthy', 'Progressing', 'Degraded', 'Suspended', 'Missing', 'Unknown']);
const OperationPhaseSchema = z.enum(['Running', 'Terminating', 'Failed', 'Error', 'Succeeded']);
const SyncPhaseSchema = z.enum(['PreSync', 'Sync', 'PostSync', 'SyncFail']);

const ResourceResultSchema = z.looseObject({
  group: z.string().default(''),
  version: z.string().default(''),
  kind: z.string().default(''),
  namespace: z.string().default(''),
  name: z.string().default(''),
  status: z.enum(['Synced', 'SyncFailed', 'Pruned', 'PruneSkipped']).optional(),
  message: str.optional(),
  hookType: z.enum(['PreSync', 'Sync', 'PostSync', 'SyncFail', 'Skip']).optional(),
  hookPhase: OperationPhaseSchema.optional(),
  syncPhase: SyncPhaseSchema.optional(),
  images: strings.optional(),
});

const SyncOperationResultSchema = z.looseObject({
  resources: z.array(ResourceResultSchema).optional(),
  revision: z.string().default(''),
  revisions: strings.optional(),
  source: z.record(z.string(), z.unknown()).optional(),
  sources: z.array(z.record(z.string(), z.unknown())).optional(),
  managedNamespaceMetadata: z
    .looseObject({ labels: stringMap.optional(), annotations: stringMap.optional() })
    .optional(),
});

const OperationStateSchema = z.looseObject({
  operation: OperationSchema,
  phase: OperationPhaseSchema,
  message: str.optional(),
  syncResult: SyncOperationResultSchema.optional(),
  startedAt: str,
  finishedAt: str.optional(),
  retryCount: int.optional(),
});

const ResourceStatusSchema = z.looseObject({
  group: str.optional(),
  version: str.optional(),
  kind: str.optional(),
  namespace: str.optional(),
  name: str.optional(),
  status: SyncStatusCodeSchema.optional(),
  health: z.looseObject({ status: HealthCodeSchema.optional(), message: str.optional() }).optional(),
  hook: bool.optional(),
  requiresPruning: bool.optional(),
  syncWave: int.optional(),
  requiresDeletionConfirmation: bool.optional(),
});

const RevisionHistorySchema = z.looseObject({
  id: int,
  revision: str.optional(),
  revisions: strings.optional(),
  deployedAt: str,
  deployStartedAt: str.optional(),
  source: z.record(z.string(), z.unknown()).optional(),
  sources: z.array(z.record(z.string(), z.unknown())).optional(),
  initiatedBy: InitiatorSchema.optional(),
});

const ConditionSchema = z.looseObject({
  type: str,
  message: str,
  lastTransitionTime: str.optional(),
});

const StatusSchema = z.looseObject({
  sync: z
    .looseObject({
      status: SyncStatusCodeSchema.optional(),
      revision: str.optional(),
      revisions: strings.optional(),
      comparedTo: z.record(z.string(), z.unknown()).optional(),
    })
    .optional(),
  health: z
    .looseObject({
      status: HealthCodeSchema.optional(),
      message: str.optional(),
      lastTransitionTime: str.optional(),
    })
    .optional(),
  resources: z.array(ResourceStatusSchema).optional(),
  summary: z.looseObject({ images: strings.optional(), externalURLs: strings.optional() }).optional(),
  reconciledAt: str.optional(),
  observedAt: str.optional(),
  conditions: z.array(ConditionSchema).optional(),
  operationState: OperationStateSchema.optional(),
  history: z.array(RevisionHistorySchema).optional(),
  sourceType: str.optional(),
  sourceTypes: strings.optional(),
  controllerNamespace: str.optional(),
});

const ApplicationSchema = z.looseObject({
  apiVersion: z.literal('argoproj.io/v1alpha1', { error: 'apiVersion must be argoproj.io/v1alpha1' }),
  kind: z.literal('Application', { error: 'kind must be Application' }),
  metadata: z.looseObject({
    name: z.string({ error: 'metadata.name is required' }).min(1, 'metadata.name must not be empty'),
    namespace: str.optional(),
    annotations: stringMap.optional(),
    labels: stringMap.optional(),
    finalizers: strings.optional(),
    deletionTimestamp: str.optional(),
  }),
  spec: SpecSchema,
  operation: OperationSchema.optional(),
  status: StatusSchema.optional(),
});

/** A parsed Application. Unknown fields are kept at every level. */
export type Application = z.infer<typeof ApplicationSchema>;
export type ApplicationSpec = z.infer<typeof SpecSchema>;
export type ApplicationSource = z.infer<typeof SourceSchema>;
export type ApplicationDestination = z.infer<typeof DestinationSchema>;
export type SyncPolicy = z.infer<typeof SyncPolicySchema>;
export type RetryStrategy = z.infer<typeof RetryStrategySchema>;
export type ResourceIgnoreDifferences = z.infer<typeof IgnoreDifferencesSchema>;
export type Operation = z.infer<typeof OperationSchema>;
export type SyncOperation = z.infer<typeof SyncOperationSchema>;
export type SyncOperationResource = z.infer<typeof SyncOperationResourceSchema>;
export type OperationInitiator = z.infer<typeof InitiatorSchema>;
export type OperationState = z.infer<typeof OperationStateSchema>;
export type SyncOperationResult = z.infer<typeof SyncOperationResultSchema>;
export type ResourceResult = z.infer<typeof ResourceResultSchema>;
export type ResourceStatus = z.infer<typeof ResourceStatusSchema>;
export type RevisionHistory = z.infer<typeof RevisionHistorySchema>;
export type ApplicationCondition = z.infer<typeof ConditionSchema>;
export type ApplicationStatus = z.infer<typeof StatusSchema>;
export type ManagedNamespaceMetadata = NonNullable<SyncPolicy['managedNamespaceMetadata']>;

/** One problem found while parsing, with the path of the offending field. */
export interface ApplicationIssue {
  /** Dotted path with indices, e.g. `spec.ignoreDifferences[0].kind`; empty for the whole object. */
  path: string;
  message: string;
}

/** `{ success: true, data }` or `{ success: false, issues }`, like zod's `safeParse`. */
export type ApplicationParseResult =
  | { success: true; data: Application }
  | { success: false; issues: ApplicationIssue[] };

/** Removes `null` values from objects (recursively), as the API server prunes them. */
function dropNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(dropNulls);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== null) out[k] = dropNulls(v);
    }
    return out;
  }
  return value;
}

/** `a.b[2].c` from a zod path. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** Every issue on its own line: `path: message`. */
export function formatIssues(issues: readonly ApplicationIssue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('\n');
}

/**
 * Parses an Application without throwing. All issues are collected in one pass.
 * @example safeParseApplication({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a' }, spec: {} })
 *   // { success: false, issues: [{ path: 'spec.destination', message: 'Invalid input: expected object, received undefined' }] }
 */
export function safeParseApplication(input: unknown): ApplicationParseResult {
  const result = ApplicationSchema.safeParse(dropNulls(input));
  if (result.success) return { success: true, data: result.data };
  return {
    success: false,
    issues: flattenIssues(result.error.issues),
  };
}

function flattenIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly PropertyKey[] = [],
): ApplicationIssue[] {
  const out: ApplicationIssue[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    out.push({ path: formatPath(path), message: issue.message });
  }
  return out;
}

/**
 * Parses an Application, throwing one {@link SlipwayError} (reason `InvalidSpec`) that lists every
 * issue. `subject` names where it came from (a file, or `Application/ns/name`).
 */
export function parseApplication(input: unknown, subject?: string): Application {
  const result = safeParseApplication(input);
  if (result.success) return result.data;
  throw new ApplicationSpecError(result.issues, subject);
}

/** An Application that failed validation; `issues` keeps each problem with its path. */
export class ApplicationSpecError extends SlipwayError {
  readonly issues: readonly ApplicationIssue[];

  constructor(issues: readonly ApplicationIssue[], subject?: string) {
    super(`invalid Application:\n${formatIssues(issues)}`, {
      ...(subject !== undefined ? { subject } : {}),
      reason: 'InvalidSpec',
    });
    this.name = 'ApplicationSpecError';
    this.issues = issues;
  }
}

// ---- helpers over the parsed spec -------------------------------------------------------------

/** The default of `spec.revisionHistoryLimit`. */
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

/** `spec.revisionHistoryLimit`, default 10 (`GetRevisionHistoryLimit`). */
export function revisionHistoryLimit(spec: ApplicationSpec): number {
  return spec.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
}

/** `spec.project`, `default` when empty (`GetProject`). */
export function projectOf(spec: ApplicationSpec): string {
  return spec.project || 'default';
}

/**
 * True when auto-sync is on (`IsAutomatedSyncEnabled`): `automated` is present and `enabled` is
 * unset or true. `automated: {}` turns it on; `enabled: false` turns it off keeping the flags.
 */
export function isAutomatedSyncEnabled(spec: ApplicationSpec): boolean {
  const automated = spec.syncPolicy?.automated;
  return automated !== undefined && (automated.enabled === undefined || automated.enabled);
}

/** True for a multi-source Application (`HasMultipleSources`). */
export function hasMultipleSources(spec: ApplicationSpec): boolean {
  return spec.sourceHydrator === undefined && (spec.sources?.length ?? 0) > 0;
}

/**
 * The Application's single source. Multi-source Applications and source hydrator are not
 * supported by Slipway yet.
 * @throws SlipwayError (reason `UnsupportedSpec`) naming the field, or (reason `InvalidSpec`) when
 *   there is no source at all.
 */
export function singleSource(app: Application): ApplicationSource {
  const subject = `Application/${app.metadata.namespace ?? ''}/${app.metadata.name}`;
  if (app.spec.sourceHydrator !== undefined) {
    throw new SlipwayError('spec.sourceHydrator is not supported by Slipway yet; use spec.source', {
      subject,
      reason: 'UnsupportedSpec',
    });
  }
  if (hasMultipleSources(app.spec)) {
    throw new SlipwayError(
      'multi-source Applications (spec.sources) are not supported by Slipway yet; use a single spec.source',
      { subject, reason: 'UnsupportedSpec' },
    );
  }
  if (app.spec.source === undefined) {
    throw new SlipwayError('spec.source is required', { subject, reason: 'InvalidSpec' });
  }
  return app.spec.source;
}

/** The sync strategy's force flag (`SyncStrategy.Force`): `apply.force`, else `hook.force`. */
export function strategyForce(op: SyncOperation): boolean {
  const strategy = op.syncStrategy;
  if (strategy?.apply !== undefined) return strategy.apply.force === true;
  if (strategy?.hook !== undefined) return strategy.hook.force === true;
  return false;
}

/** True for the apply strategy (`IsApplyStrategy`), which, like selective sync, skips hooks. */
export function isApplyStrategy(op: SyncOperation): boolean {
  return op.syncStrategy?.apply !== undefined;
}

/** Hooks are skipped for the apply strategy and for selective syncs (`WithOperationSettings`). */
export function skipsHooks(op: SyncOperation): boolean {
  return isApplyStrategy(op) || (op.resources?.length ?? 0) > 0;
}

/**
 * True when a sync-operation resource entry names an object (`SyncOperationResource.HasIdentity`):
 * same name, kind and group, and the entry's namespace empty or equal.
 */
export function operationResourceMatches(
  entry: SyncOperationResource,
  obj: { group: string; kind: string; namespace: string; name: string },
): boolean {
  return (
    entry.name === obj.name &&
    entry.kind === obj.kind &&
    (entry.group ?? '') === obj.group &&
    (!entry.namespace || entry.namespace === obj.namespace)
  );
}

/**
 * True when the Application carries `argocd.argoproj.io/deletion-approved` with an RFC 3339 time at
 * or after `since` (`IsDeletionConfirmed`); false when absent or unparsable.
 */
export function isDeletionConfirmed(
  app: { metadata: { annotations?: Record<string, string> | undefined } },
  since: Date,
): boolean {
  const value = app.metadata.annotations?.[Annotations.deletionApproved];
  if (!value) return false;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)) return false;
  const at = Date.parse(value);
  return Number.isFinite(at) && at >= since.getTime();
}

/**
 * The Application's identity and metadata as a {@link KubeObject}, for the annotation helpers
 * (`compare-options`, `deletion-approved`) that take one.
 */
export function asKubeObject(app: Application): KubeObject {
  const metadata: ObjectMeta = { name: app.metadata.name };
  if (app.metadata.namespace !== undefined) metadata.namespace = app.metadata.namespace;
  if (app.metadata.annotations !== undefined) metadata.annotations = { ...app.metadata.annotations };
  if (app.metadata.labels !== undefined) metadata.labels = { ...app.metadata.labels };
  return { apiVersion: app.apiVersion, kind: app.kind, metadata };
}
