/**
 * Offline validation of rendered objects against the Kubernetes OpenAPI v3 schemas and the Argo
 * CRD schemas of the pinned versions (`schemas/bundle.json`, made by `schemas/generate.ts`).
 *
 * The bundle is already rewritten to behave like the API server with `fieldValidation=Strict`
 * (unknown fields are errors, int-or-string and quantities are checked), so validation here is
 * plain JSON Schema through ajv 8. The API server's own dry-run stays the final authority; this
 * catches the same mistakes before anything is committed or applied.
 *
 * @module
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { KubeObject } from '../kube/types.ts';

/** One problem, with the field path in `a.b[0].c` form (zod's `toDotPath` style). */
export interface SchemaIssue {
  path: string;
  /** The same path as keys and indices, for locating the field in a source file. */
  segments?: Array<string | number>;
  message: string;
}

/** What the bundle knows about one kind. */
export interface KindInfo {
  schema: string;
  namespaced: boolean;
}

interface Bundle {
  versions: Record<string, string>;
  kinds: Record<string, KindInfo>;
  definitions: Record<string, unknown>;
}

// ajv-formats is CommonJS with a default export; under NodeNext its callable sits on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv, formats: string[]) => Ajv;

const INT32 = {
  type: 'number' as const,
  validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
};
const INT64 = { type: 'number' as const, validate: (n: number) => Number.isInteger(n) };
/** Standard base64, as Go's encoding/json decodes `[]byte`. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Validates objects by `apiVersion` + `kind`. Schemas compile on first use per kind. */
export class SchemaValidator {
  readonly versions: Readonly<Record<string, string>>;
  readonly #kinds: Record<string, KindInfo>;
  readonly #ajv: Ajv;
  readonly #compiled = new Map<string, ValidateFunction>();

  private constructor(bundle: Bundle) {
    this.versions = bundle.versions;
    this.#kinds = bundle.kinds;
    this.#ajv = new Ajv({
      allErrors: true,
      strict: true,
      strictTypes: false,
      strictRequired: false,
      unicodeRegExp: false,
      validateSchema: false,
      formats: { int32: INT32, int64: INT64, byte: BASE64 },
    });
    addFormats(this.#ajv, ['date-time']);
    this.#ajv.addSchema({ $id: 'bundle', definitions: bundle.definitions });
  }

  /** Loads the vendored bundle (lazily imported: about 400 KiB of JSON). */
  static async load(): Promise<SchemaValidator> {
    const mod = await import('./schemas/bundle.json', { with: { type: 'json' } });
    return new SchemaValidator(mod.default as unknown as Bundle);
  }

  /** The bundle's entry for a kind, or undefined when it has no schema for it. */
  kind(apiVersion: string, kind: string): KindInfo | undefined {
    return this.#kinds[`${apiVersion}/${kind}`];
  }

  /**
   * Validates `obj`. `known` is false when the bundle has no schema for its kind (a CRD Slipway does
   * not vendor), in which case nothing was checked.
   */
  validate(obj: KubeObject): { known: boolean; issues: SchemaIssue[] } {
    const info = this.kind(obj.apiVersion, obj.kind);
    if (!info) return { known: false, issues: [] };
    let fn = this.#compiled.get(info.schema);
    if (!fn) {
      // A JSON pointer segment escapes `/` (CRD entries are named `crd:<group>/<version>/<Kind>`).
      const segment = info.schema.replace(/~/g, '~0').replace(/\//g, '~1');
      const found = this.#ajv.getSchema(`bundle#/definitions/${segment}`);
      if (!found) return { known: false, issues: [] };
      fn = found;
      this.#compiled.set(info.schema, fn);
    }
    const data = withoutNulls(obj);
    return fn(data)
      ? { known: true, issues: [] }
      : { known: true, issues: describeErrors(fn.errors ?? [], data) };
  }
}

/**
 * A copy without `null` values: the API server decodes `field: null` as "unset", so a null is never
 * a schema violation (kustomize even emits `creationTimestamp: null`).
 */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== null)
        .map(([k, v]) => [k, withoutNulls(v)]),
    );
  }
  return value;
}

/** `/spec/containers/0/name` → `['spec', 'containers', 0, 'name']`. */
export function pointerSegments(pointer: string): Array<string | number> {
  return pointer
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((seg) => (/^\d+$/.test(seg) ? Number(seg) : seg));
}

/** `/spec/containers/0/name` → `spec.containers[0].name`. */
export function dotPath(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc === '' ? seg : `${acc}.${seg}`), '');
}

function valueAt(data: unknown, pointer: string): unknown {
  let cur = data;
  for (const seg of pointer.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

function describeOne(e: ErrorObject): string {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown field ${JSON.stringify(p['additionalProperty'])}`;
    case 'required':
      return `missing required field ${JSON.stringify(p['missingProperty'])}`;
    case 'type':
      return `must be ${String(p['type'])}`;
    case 'enum':
      return `must be one of ${(p['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'format':
      return `must be a valid ${String(p['format'])}`;
    default:
      return e.message ?? e.keyword;
  }
}

/**
 * ajv's errors as issues: one per field path. Where a value failed every branch of an `anyOf` /
 * `oneOf` (int-or-string, quantity), the branches' complaints are joined into one line.
 */
export function describeErrors(errors: readonly ErrorObject[], data: unknown): SchemaIssue[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    // An unknown field is reported at the field itself, not at its parent.
    const path =
      e.keyword === 'additionalProperties'
        ? `${e.instancePath}/${String((e.params as Record<string, unknown>)['additionalProperty'])}`
        : e.instancePath;
    byPath.set(path, [...(byPath.get(path) ?? []), e]);
  }
  const issues: SchemaIssue[] = [];
  for (const [pointer, group] of byPath) {
    const path = dotPath(pointer) || '(root)';
    const alternatives = group.some((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf');
    if (alternatives) {
      const reasons = [
        ...new Set(group.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf').map(describeOne)),
      ];
      const value = valueAt(data, pointer);
      issues.push({
        path,
        segments: pointerSegments(pointer),
        message: `invalid value ${JSON.stringify(value)}: ${reasons.join(' or ') || 'no allowed form matches'}`,
      });
      continue;
    }
    for (const message of new Set(group.map(describeOne))) {
      issues.push({ path, segments: pointerSegments(pointer), message });
    }
  }
  return issues;
}
