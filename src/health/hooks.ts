/**
 * Which objects are sync hooks, read from their annotations exactly as gitops-engine does
 * (`pkg/sync/hook`, `pkg/sync/hook/helm`, `pkg/sync/ignore`). Health needs this twice: a hook Pod
 * ignores `argocd.argoproj.io/ignore-restart-policy`, and hooks never count towards an
 * Application's health.
 * @module
 */
import type { UntypedObject } from './check.ts';

/** The Argo CD hook annotation: a comma-separated list of hook types. */
export const HOOK_ANNOTATION = 'argocd.argoproj.io/hook';
/** Helm's hook annotation, honoured when the Argo CD one names no valid type. */
export const HELM_HOOK_ANNOTATION = 'helm.sh/hook';
/** The finalizer Argo CD puts on running hooks; a deleting object that carries it keeps its health. */
export const HOOK_FINALIZER = 'argocd.argoproj.io/hook-finalizer';

/** Argo CD's hook types (gitops-engine `common.HookType`). */
export type HookType = 'PreSync' | 'Sync' | 'PostSync' | 'SyncFail' | 'Skip';

const ARGO_HOOK_TYPES: readonly string[] = ['PreSync', 'Sync', 'PostSync', 'SyncFail', 'Skip'];

/** Helm hook types and the Argo CD phase each maps to; other Helm hooks are not Argo CD hooks. */
export const HELM_HOOK_TYPES: Readonly<Record<string, HookType>> = {
  'pre-install': 'PreSync',
  'pre-upgrade': 'PreSync',
  'post-upgrade': 'PostSync',
  'post-install': 'PostSync',
};

function metadataOf(obj: UntypedObject): Record<string, unknown> {
  const metadata = obj['metadata'];
  return typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)
    ? (metadata as Record<string, unknown>)
    : {};
}

/**
 * `metadata.annotations` as apimachinery's `GetAnnotations()` reads it: if any value is not a
 * string (even `null`), the whole map reads as empty.
 */
export function annotationsOf(obj: UntypedObject): Readonly<Record<string, string>> {
  const annotations = metadataOf(obj)['annotations'];
  if (typeof annotations !== 'object' || annotations === null || Array.isArray(annotations)) return {};
  const entries = Object.entries(annotations);
  if (!entries.every(([, value]) => typeof value === 'string')) return {};
  return Object.fromEntries(entries) as Record<string, string>;
}

/** `metadata.finalizers` as `GetFinalizers()` reads it: empty unless every item is a string. */
export function finalizersOf(obj: UntypedObject): readonly string[] {
  const finalizers = metadataOf(obj)['finalizers'];
  if (!Array.isArray(finalizers) || !finalizers.every((f) => typeof f === 'string')) return [];
  return finalizers as string[];
}

/** A comma-separated annotation's values: trimmed, de-duplicated, empties dropped. */
function annotationList(obj: UntypedObject, key: string): string[] {
  const values = (annotationsOf(obj)[key] ?? '').split(',').map((v) => v.trim());
  return [...new Set(values.filter((v) => v !== ''))];
}

/** The hook types an object declares: Argo CD's, or else the Helm ones mapped onto them. */
export function hookTypes(obj: UntypedObject): HookType[] {
  const argo = annotationList(obj, HOOK_ANNOTATION).filter((t): t is HookType => ARGO_HOOK_TYPES.includes(t));
  if (argo.length > 0) return argo;
  return annotationList(obj, HELM_HOOK_ANNOTATION).flatMap((t) => {
    const mapped = HELM_HOOK_TYPES[t];
    return mapped ? [mapped] : [];
  });
}

/** True for `argocd.argoproj.io/hook: Skip` alone: the object is neither synced nor a hook. */
export function isSkipHook(obj: UntypedObject): boolean {
  const types = hookTypes(obj);
  return types.includes('Skip') && types.length === 1;
}

/**
 * True for hooks. The Argo CD annotation decides when present, even with an unknown value; else any
 * `helm.sh/hook` except `crd-install` (Helm's name for CRDs that are not really hooks).
 */
export function isHook(obj: UntypedObject): boolean {
  const annotations = annotationsOf(obj);
  if (Object.hasOwn(annotations, HOOK_ANNOTATION)) return !isSkipHook(obj);
  const helm = annotations[HELM_HOOK_ANNOTATION];
  return helm !== undefined && helm !== 'crd-install';
}

/** True for hooks whose types are all unknown: gitops-engine ignores those objects entirely. */
export function isIgnoredHook(obj: UntypedObject): boolean {
  return isHook(obj) && hookTypes(obj).length === 0;
}

/** True when the object carries Argo CD's hook finalizer. */
export function hasHookFinalizer(obj: UntypedObject): boolean {
  return finalizersOf(obj).includes(HOOK_FINALIZER);
}

/**
 * True when `metadata.deletionTimestamp` holds a time, as `GetDeletionTimestamp() != nil` decides:
 * the value must parse as RFC 3339 and not be Go's zero time.
 */
export function isBeingDeleted(obj: UntypedObject): boolean {
  const stamp = metadataOf(obj)['deletionTimestamp'];
  if (typeof stamp !== 'string') return false;
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(stamp);
  if (!match) return false;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysIn(year!, month!)) return false;
  if (hour! > 23 || minute! > 59 || second! > 59) return false;
  const zeroTime = year === 1 && month === 1 && day === 1 && hour === 0 && minute === 0 && second === 0;
  return !(zeroTime && /^(Z|[+-]00:00)$/.test(match[8] ?? '') && !/[1-9]/.test(match[7] ?? ''));
}

function daysIn(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
