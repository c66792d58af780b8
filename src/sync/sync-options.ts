/**
 * Sync options and compare options, with Argo CD's exact matching rules.
 *
 * Options come from two places: the operation's (or `spec.syncPolicy`'s) `syncOptions` list and the
 * per-resource annotation `argocd.argoproj.io/sync-options: A=b,C=d`. Upstream matches whole
 * strings (`HasOption("ServerSideApply=true")`), so `ServerSideApply=True` is *not* the same
 * option; Slipway keeps that, and {@link validateSyncOptions} reports such near-misses so the user
 * learns about them instead of wondering why nothing happened.
 *
 * | option | where | effect |
 * |---|---|---|
 * | `Prune=false` / `Prune=confirm` | both (resource wins) | never prune / prune only after `deletion-approved` |
 * | `Delete=false` / `Delete=confirm` | both (resource wins) | keep / confirm on Application deletion |
 * | `PruneLast=true` | both | prune after the last Sync wave |
 * | `CreateNamespace=true` | app | create `destination.namespace` first |
 * | `ServerSideApply=true\|false` | both (`=false` on a resource opts out) | server-side apply |
 * | `Replace=true`, `Force=true` | both | replace / delete and re-create |
 * | `Validate=false` | both | apply without schema validation |
 * | `ApplyOutOfSyncOnly=true` | app | apply only resources whose diff says modified |
 * | `PrunePropagationPolicy=foreground\|background\|orphan` | app | delete propagation (default foreground) |
 * | `RespectIgnoreDifferences=true` | app | keep live values of ignored fields when applying |
 * | `SkipDryRunOnMissingResource=true` | both | skip the dry run when the kind is not served yet |
 * | `FailOnSharedResource=true` | app | fail when another app tracks a resource |
 * | `ClientSideApplyMigration=false` | app | no CSA→SSA managed-fields migration |
 *
 * Compare options (`argocd.argoproj.io/compare-options`): `IgnoreExtraneous` on a resource;
 * `ServerSideDiff=true|false` and `IncludeMutationWebhook=true` on the Application.
 *
 * Sources: `gitops-engine/pkg/sync/common/types.go`, `gitops-engine/pkg/sync/resource/annotations.go`,
 * `controller/sync.go` (`SyncAppState`), `pkg/apis/application/v1alpha1/types.go` (`SyncOptions`).
 * @module
 */
import type { KubeObject } from '../kube/types.ts';
import { Annotations, annotationsOf } from './types.ts';

/**
 * The comma-separated values of an annotation, trimmed, without empties and duplicates
 * (`GetAnnotationCSVs`).
 * @example
 * // metadata.annotations['argocd.argoproj.io/hook'] === 'PreSync, PostSync,PreSync'
 * annotationCsv(obj, Annotations.hook) // ['PreSync', 'PostSync']
 */
export function annotationCsv(obj: KubeObject | undefined, key: string): string[] {
  const raw = annotationsOf(obj)[key];
  if (raw === undefined) return [];
  const seen = new Set<string>();
  for (const item of raw.split(',')) {
    const value = item.trim();
    if (value !== '') seen.add(value);
  }
  return [...seen];
}

/** True when the annotation's CSV list contains `value` exactly (`HasAnnotationOption`). */
export function hasAnnotationOption(obj: KubeObject | undefined, key: string, value: string): boolean {
  return annotationCsv(obj, key).includes(value);
}

/**
 * The value of the first `optionKey=value` item of an annotation's CSV list
 * (`GetAnnotationOptionValue`); undefined when there is none. Standalone items (`optionKey`) do
 * not count.
 */
export function annotationOptionValue(
  obj: KubeObject | undefined,
  annotation: string,
  optionKey: string,
): string | undefined {
  const prefix = `${optionKey}=`;
  for (const item of annotationCsv(obj, annotation)) {
    if (item.startsWith(prefix)) return item.slice(prefix.length);
  }
  return undefined;
}

/** True when a sync-options list contains `option` exactly (`SyncOptions.HasOption`). */
export function hasOption(options: readonly string[] | undefined, option: string): boolean {
  return options?.includes(option) ?? false;
}

/** The value of the first `key=value` entry of a sync-options list (`SyncOptions.GetOptionValue`). */
export function optionValue(options: readonly string[] | undefined, key: string): string | undefined {
  const prefix = `${key}=`;
  for (const option of options ?? []) {
    if (option.startsWith(prefix)) return option.slice(prefix.length);
  }
  return undefined;
}

/** Delete propagation used for prunes. */
export type PrunePropagationPolicy = 'foreground' | 'background' | 'orphan';

/**
 * The app-level (operation-level) options the engine reads, resolved from a `syncOptions` list
 * with upstream's rules. Values the list does not mention take upstream's defaults.
 */
export interface OperationSyncOptions {
  createNamespace: boolean;
  pruneLast: boolean;
  applyOutOfSyncOnly: boolean;
  /** Default `foreground`; `background` wins over `foreground` wins over `orphan` when several are given. */
  prunePropagationPolicy: PrunePropagationPolicy;
  replace: boolean;
  serverSideApply: boolean;
  /** False only with `Validate=false`. */
  validate: boolean;
  respectIgnoreDifferences: boolean;
  skipDryRunOnMissingResource: boolean;
  failOnSharedResource: boolean;
  /** True unless `ClientSideApplyMigration=false`. */
  clientSideApplyMigration: boolean;
  /** The app-level `Prune=` value (`false`, `confirm`, ...), the default for every resource. */
  prune: string | undefined;
  /** The app-level `Delete=` value. */
  delete: string | undefined;
}

/**
 * Resolves an operation's `syncOptions` (for a manual sync: the request's list, else
 * `spec.syncPolicy.syncOptions`; for auto-sync: `spec.syncPolicy.syncOptions`).
 * @example operationSyncOptions(['CreateNamespace=true', 'PrunePropagationPolicy=orphan'])
 *   // { createNamespace: true, prunePropagationPolicy: 'orphan', validate: true, ... }
 */
export function operationSyncOptions(options: readonly string[] | undefined): OperationSyncOptions {
  // The order of these checks is upstream's switch in controller/sync.go.
  let prunePropagationPolicy: PrunePropagationPolicy = 'foreground';
  if (hasOption(options, 'PrunePropagationPolicy=background')) prunePropagationPolicy = 'background';
  else if (hasOption(options, 'PrunePropagationPolicy=foreground')) prunePropagationPolicy = 'foreground';
  else if (hasOption(options, 'PrunePropagationPolicy=orphan')) prunePropagationPolicy = 'orphan';
  return {
    createNamespace: hasOption(options, 'CreateNamespace=true'),
    pruneLast: hasOption(options, 'PruneLast=true'),
    applyOutOfSyncOnly: hasOption(options, 'ApplyOutOfSyncOnly=true'),
    prunePropagationPolicy,
    replace: hasOption(options, 'Replace=true'),
    serverSideApply: hasOption(options, 'ServerSideApply=true'),
    validate: !hasOption(options, 'Validate=false'),
    respectIgnoreDifferences: hasOption(options, 'RespectIgnoreDifferences=true'),
    skipDryRunOnMissingResource: hasOption(options, 'SkipDryRunOnMissingResource=true'),
    failOnSharedResource: hasOption(options, 'FailOnSharedResource=true'),
    clientSideApplyMigration: !hasOption(options, 'ClientSideApplyMigration=false'),
    prune: optionValue(options, 'Prune'),
    delete: optionValue(options, 'Delete'),
  };
}

/** The effective `Prune=` value of a resource: its annotation, else the app default. */
export function pruneOption(obj: KubeObject | undefined, appDefault: string | undefined): string | undefined {
  return annotationOptionValue(obj, Annotations.syncOptions, 'Prune') ?? appDefault;
}

/** `Prune=false` on the resource, or app-wide without a resource override (`isPruningDisabled`). */
export function isPruningDisabled(obj: KubeObject | undefined, appDefault: string | undefined): boolean {
  return pruneOption(obj, appDefault) === 'false';
}

/** `Prune=confirm` on the resource, or app-wide without a resource override. */
export function requiresPruneConfirmation(
  obj: KubeObject | undefined,
  appDefault: string | undefined,
): boolean {
  return pruneOption(obj, appDefault) === 'confirm';
}

/**
 * True when deleting or pruning the object waits for `argocd.argoproj.io/deletion-approved`
 * (`isObjRequiresDeletionConfirmation`): `Delete=confirm` or `Prune=confirm`, resource first.
 */
export function requiresDeletionConfirmation(
  obj: KubeObject | undefined,
  appOptions: readonly string[],
): boolean {
  if (obj === undefined) return false;
  const del =
    annotationOptionValue(obj, Annotations.syncOptions, 'Delete') ?? optionValue(appOptions, 'Delete');
  if (del === 'confirm') return true;
  return (
    (annotationOptionValue(obj, Annotations.syncOptions, 'Prune') ?? optionValue(appOptions, 'Prune')) ===
    'confirm'
  );
}

/** `Delete=false` on the resource (or app-wide): keep it when the Application is deleted. */
export function isDeletionDisabled(obj: KubeObject | undefined, appOptions: readonly string[]): boolean {
  return (
    (annotationOptionValue(obj, Annotations.syncOptions, 'Delete') ?? optionValue(appOptions, 'Delete')) ===
    'false'
  );
}

/** True when a prune task moves to the wave after the last Sync wave. */
export function isPruneLast(live: KubeObject | undefined, appPruneLast: boolean): boolean {
  return appPruneLast || hasAnnotationOption(live, Annotations.syncOptions, 'PruneLast=true');
}

/** How one object is applied (`applyObject`), resolved from app, operation and annotations. */
export interface ApplyMode {
  /** `apply` normally; `replace`/`create` with `Replace=true`; `update` for Replace on a live CRD or Namespace. */
  verb: 'apply' | 'replace' | 'create' | 'update';
  serverSide: boolean;
  force: boolean;
  validate: boolean;
}

/**
 * Decides how to apply a task's target (`applyObject`, `shouldUseServerSideApply`).
 *
 * - `Replace=true` (app, target or live annotation) wins over server-side apply: `create` when
 *   nothing is live, `update` (with the live resourceVersion) for CRDs and Namespaces so their
 *   children survive, else `replace`.
 * - Server-side apply is never used for dry runs (the dry run only validates YAML; upstream
 *   issue #13874) and a resource annotated `ServerSideApply=false` opts out.
 * - `Force=true` comes from the operation's strategy or either object's annotation.
 * - Validation is off with app-level or target-level `Validate=false`.
 */
export function applyModeFor(
  target: KubeObject,
  live: KubeObject | undefined,
  options: {
    app: OperationSyncOptions;
    /** `operation.sync.syncStrategy.{apply|hook}.force`. */
    strategyForce: boolean;
    /** This call is a dry run, or the whole operation is. */
    dryRun: boolean;
  },
): ApplyMode {
  const key = Annotations.syncOptions;
  const replace =
    options.app.replace ||
    hasAnnotationOption(target, key, 'Replace=true') ||
    hasAnnotationOption(live, key, 'Replace=true');
  const force =
    options.strategyForce ||
    hasAnnotationOption(target, key, 'Force=true') ||
    hasAnnotationOption(live, key, 'Force=true');
  const serverSide =
    !options.dryRun &&
    !hasAnnotationOption(target, key, 'ServerSideApply=false') &&
    (options.app.serverSideApply || hasAnnotationOption(target, key, 'ServerSideApply=true'));
  const validate = options.app.validate && !hasAnnotationOption(target, key, 'Validate=false');
  let verb: ApplyMode['verb'] = 'apply';
  if (replace) {
    if (live === undefined) verb = 'create';
    else if (isCrd(target) || target.kind === 'Namespace') verb = 'update';
    else verb = 'replace';
  }
  return { verb, serverSide, force, validate };
}

function isCrd(obj: KubeObject): boolean {
  return obj.kind === 'CustomResourceDefinition' && obj.apiVersion.startsWith('apiextensions.k8s.io/');
}

/** `SkipDryRunOnMissingResource=true` app-wide or on the target. */
export function skipsDryRunOnMissingResource(target: KubeObject | undefined, appOption: boolean): boolean {
  return (
    appOption || hasAnnotationOption(target, Annotations.syncOptions, 'SkipDryRunOnMissingResource=true')
  );
}

/** `compare-options: IgnoreExtraneous`: an extraneous resource does not make the app OutOfSync. */
export function hasIgnoreExtraneous(obj: KubeObject | undefined): boolean {
  return hasAnnotationOption(obj, Annotations.compareOptions, 'IgnoreExtraneous');
}

/**
 * Whether an Application uses server-side diff: the controller default, switched on by
 * `compare-options: ServerSideDiff=true` and off by `ServerSideDiff=false` (off wins).
 */
export function usesServerSideDiff(app: KubeObject, controllerDefault: boolean): boolean {
  if (hasAnnotationOption(app, Annotations.compareOptions, 'ServerSideDiff=false')) return false;
  return controllerDefault || hasAnnotationOption(app, Annotations.compareOptions, 'ServerSideDiff=true');
}

/** `compare-options: IncludeMutationWebhook=true` on the Application. */
export function includesMutationWebhook(app: KubeObject): boolean {
  return hasAnnotationOption(app, Annotations.compareOptions, 'IncludeMutationWebhook=true');
}

/** A sync option Slipway does not recognise, or recognises with a value that upstream ignores. */
export interface SyncOptionIssue {
  /** Where: `spec.syncPolicy.syncOptions[2]`, or the annotation name with the item's index. */
  path: string;
  message: string;
}

/** The values each known option accepts. Upstream matches only these exact spellings. */
const KNOWN_OPTIONS: Readonly<Record<string, readonly string[]>> = {
  Prune: ['false', 'confirm', 'true'],
  Delete: ['false', 'confirm', 'true'],
  PruneLast: ['true', 'false'],
  CreateNamespace: ['true', 'false'],
  ServerSideApply: ['true', 'false'],
  Replace: ['true', 'false'],
  Force: ['true', 'false'],
  Validate: ['false', 'true'],
  ApplyOutOfSyncOnly: ['true', 'false'],
  PrunePropagationPolicy: ['foreground', 'background', 'orphan'],
  RespectIgnoreDifferences: ['true', 'false'],
  SkipDryRunOnMissingResource: ['true', 'false'],
  FailOnSharedResource: ['true', 'false'],
  ClientSideApplyMigration: ['true', 'false'],
};

/** Options that only mean something app-wide; on a resource annotation upstream ignores them. */
const APP_ONLY = new Set([
  'CreateNamespace',
  'ApplyOutOfSyncOnly',
  'PrunePropagationPolicy',
  'RespectIgnoreDifferences',
  'FailOnSharedResource',
  'ClientSideApplyMigration',
]);

/**
 * Reports options that upstream would silently ignore: unknown keys, unknown values (matching is
 * case-sensitive), and app-only options used on a resource. An empty list means every option takes
 * effect. Never throws: these are warnings, the sync proceeds as Argo CD would.
 * @example validateSyncOptions(['ServerSideApply=True'], 'spec.syncPolicy.syncOptions')
 *   // [{ path: 'spec.syncPolicy.syncOptions[0]', message: '"ServerSideApply=True" has no effect: ServerSideApply takes true or false (case-sensitive)' }]
 */
export function validateSyncOptions(
  options: readonly string[],
  path: string,
  scope: 'app' | 'resource' = 'app',
): SyncOptionIssue[] {
  const issues: SyncOptionIssue[] = [];
  options.forEach((option, i) => {
    const at = `${path}[${i}]`;
    const eq = option.indexOf('=');
    const key = eq < 0 ? option : option.slice(0, eq);
    const value = eq < 0 ? undefined : option.slice(eq + 1);
    const allowed = KNOWN_OPTIONS[key];
    if (allowed === undefined) {
      issues.push({ path: at, message: `${JSON.stringify(option)} is not a known sync option` });
    } else if (value === undefined || !allowed.includes(value)) {
      issues.push({
        path: at,
        message: `${JSON.stringify(option)} has no effect: ${key} takes ${allowed.join(' or ')} (case-sensitive)`,
      });
    } else if (scope === 'resource' && APP_ONLY.has(key)) {
      issues.push({
        path: at,
        message: `${JSON.stringify(option)} only has an effect in spec.syncPolicy.syncOptions`,
      });
    }
  });
  return issues;
}

/** {@link validateSyncOptions} for an object's `argocd.argoproj.io/sync-options` annotation. */
export function validateResourceSyncOptions(obj: KubeObject): SyncOptionIssue[] {
  return validateSyncOptions(
    annotationCsv(obj, Annotations.syncOptions),
    `metadata.annotations["${Annotations.syncOptions}"]`,
    'resource',
  );
}
