/**
 * The shape shared by the per-kind checks: which group/version/kind an object is, and the wrapper
 * that turns gitops-engine's two failure modes (an unsupported version, a mistyped field) into
 * `Unknown` with gitops-engine's message.
 * @module
 */
import { type Converter, convert } from './convert.ts';
import { type HealthStatus, healthOf } from './types.ts';

/** An object's API group, version and kind; all empty when `apiVersion` cannot be parsed. */
export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** An object as it comes from the cluster: JSON whose shape is not trusted. */
export type UntypedObject = Readonly<Record<string, unknown>>;

/** A built-in health check. `undefined` means "no health for this object" (gitops-engine's nil). */
export type HealthCheck = (obj: UntypedObject, gvk: GroupVersionKind) => HealthStatus | undefined;

/**
 * Reads `apiVersion` and `kind` as apimachinery's `Unstructured.GroupVersionKind()` does: `v1` is the
 * core group, and an `apiVersion` with more than one `/` yields an empty GVK.
 * @example groupVersionKind({ apiVersion: 'apps/v1', kind: 'Deployment' }) // { group: 'apps', version: 'v1', kind: 'Deployment' }
 */
export function groupVersionKind(obj: UntypedObject): GroupVersionKind {
  const apiVersion = typeof obj['apiVersion'] === 'string' ? obj['apiVersion'] : '';
  const kind = typeof obj['kind'] === 'string' ? obj['kind'] : '';
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '', kind };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: apiVersion, kind };
  if (parts.length === 2) return { group: parts[0] ?? '', version: parts[1] ?? '', kind };
  return { group: '', version: '', kind: '' };
}

/** Go's `schema.GroupVersionKind.String()`: `apps/v1beta2, Kind=Deployment`, `/v2, Kind=Pod`. */
export function formatGvk(gvk: GroupVersionKind): string {
  return `${gvk.group}/${gvk.version}, Kind=${gvk.kind}`;
}

/**
 * A check over a typed view of the object, for the versions gitops-engine converts. Another version
 * gives `Unknown` "unsupported <label> GVK: ...", and a mistyped field gives `Unknown` "failed to
 * convert unstructured <label> to typed: ...", as in gitops-engine.
 */
export function typedCheck<T>(
  label: string,
  versions: readonly string[],
  shape: Converter<T>,
  assess: (view: T, obj: UntypedObject) => HealthStatus,
): HealthCheck {
  return (obj, gvk) => {
    if (!versions.includes(gvk.version))
      return healthOf('Unknown', `unsupported ${label} GVK: ${formatGvk(gvk)}`);
    const view = convert(shape, obj);
    if (!view.ok)
      return healthOf('Unknown', `failed to convert unstructured ${label} to typed: ${view.error}`);
    return assess(view.value, obj);
  };
}

/** The first condition of a type, as the Go helpers (`getAppsv1DeploymentCondition`, ...) pick it. */
export function findCondition<C extends { type: string }>(
  conditions: readonly C[],
  type: string,
): C | undefined {
  return conditions.find((c) => c.type === type);
}

/**
 * Go's `%q` for the strings health messages quote (object names): JSON quoting, except that Go
 * writes control bytes as `\a`, `\v` or `\xNN` and escapes DEL.
 * @example goQuote('web') // '"web"'
 */
export function goQuote(text: string): string {
  return JSON.stringify(text)
    .replace(/\\u00([01][0-9a-f])/g, (_, hex: string) => {
      if (hex === '07') return '\\a';
      if (hex === '0b') return '\\v';
      return `\\x${hex}`;
    })
    .replace(/\x7f/g, '\\x7f');
}
