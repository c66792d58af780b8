/**
 * Comparing what a server-side dry run predicts with what is live, the way Argo CD's server-side
 * diff does: normalize both, apply `ignoreDifferences`, then compare structurally.
 *
 * Normalization drops what is never drift: `status`, `metadata.managedFields`, `resourceVersion`,
 * `uid`, `generation`, `creationTimestamp`, `selfLink`, `deletionGracePeriodSeconds`, the tracking
 * annotations and `kubectl.kubernetes.io/last-applied-configuration` (empty `annotations`/`labels`
 * maps go too). Secrets get `stringData` folded into base64 `data`, as the API server does.
 *
 * `ignoreDifferences` rules match by group and kind (`*` globs allowed), and optionally name and
 * namespace, and remove:
 *
 * - `jsonPointers`: RFC 6901 pointers (`/spec/replicas`, `/metadata/annotations/a~1b`);
 * - `jqPathExpressions`: the jq subset of `jq-path.ts` (`.spec.containers[] | select(.name == "x")`);
 * - `managedFieldsManagers`: fields that differ between the two and that one of these managers owns
 *   on the live object (its `managedFields[].fieldsV1`), from both sides.
 *
 * A path that does not exist removes nothing. Diff output redacts Secret values (`++++++++`, with
 * equal values getting equal masks so a change still shows).
 *
 * Sources: `util/argo/normalizers/diff_normalizer.go`, `util/argo/managedfields/managed_fields.go`,
 * `gitops-engine/pkg/diff/diff.go` (`Normalize`, `NormalizeSecret`, `HideSecretData`).
 * @module
 */
import { stringify } from 'yaml';
import type { KubeObject } from '../kube/types.ts';
import { splitApiVersion } from '../kube/types.ts';
import { SlipwayError } from '../util/errors.ts';
import type { ResourceIgnoreDifferences } from './application.ts';
import { deleteJqPaths, type JqPathExpression, JqSyntaxError, parseJqPath } from './jq-path.ts';
import { Annotations } from './types.ts';

// ---- JSON pointers ---------------------------------------------------------------------------

/**
 * Parses an RFC 6901 pointer into its reference tokens (`~1` is `/`, `~0` is `~`).
 * @throws SlipwayError when it does not start with `/`.
 * @example parseJsonPointer('/metadata/annotations/a~1b') // ['metadata', 'annotations', 'a/b']
 */
export function parseJsonPointer(pointer: string, subject?: string): string[] {
  if (pointer === '' || !pointer.startsWith('/')) {
    throw new SlipwayError(`invalid JSON pointer ${JSON.stringify(pointer)}: it must start with "/"`, {
      ...(subject !== undefined ? { subject } : {}),
      reason: 'InvalidSpec',
    });
  }
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** Removes the value a pointer names, in place (a JSON Patch `remove`); a missing path is a no-op. */
export function removeAtPointer(root: unknown, tokens: readonly string[]): void {
  let parent: unknown = root;
  for (const token of tokens.slice(0, -1)) {
    parent = child(parent, token);
    if (parent === undefined) return;
  }
  const last = tokens[tokens.length - 1];
  if (last === undefined) return;
  if (Array.isArray(parent)) {
    if (!/^(0|[1-9]\d*)$/.test(last)) return;
    const i = Number(last);
    if (i < parent.length) parent.splice(i, 1);
  } else if (parent !== null && typeof parent === 'object' && Object.hasOwn(parent, last)) {
    delete (parent as Record<string, unknown>)[last];
  }
}

function child(value: unknown, token: string): unknown {
  if (Array.isArray(value)) return /^(0|[1-9]\d*)$/.test(token) ? value[Number(token)] : undefined;
  if (value !== null && typeof value === 'object') return (value as Record<string, unknown>)[token];
  return undefined;
}

// ---- ignoreDifferences -----------------------------------------------------------------------

/** A compiled `ignoreDifferences` rule. */
interface CompiledRule {
  group: string;
  kind: string;
  name: string;
  namespace: string;
  pointers: string[][];
  jq: JqPathExpression[];
  managers: string[];
}

/** One bad rule, with the path of the offending field. */
export interface IgnoreDifferencesIssue {
  path: string;
  message: string;
}

/** Compiled `ignoreDifferences` rules, ready to normalize objects. */
export interface IgnoreDifferences {
  /** Removes the ignored fields from a copy of `obj` (JSON pointers and jq expressions). */
  apply(obj: KubeObject): KubeObject;
  /** The managers whose fields are ignored for this object (`managedFieldsManagers`). */
  managersFor(obj: KubeObject): string[];
}

/**
 * Compiles `spec.ignoreDifferences` (plus any system-level rules). Every problem is reported with
 * its path; nothing is compiled when there is one.
 * @throws SlipwayError (reason `InvalidSpec`) listing each issue.
 * @example compileIgnoreDifferences([{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }])
 */
export function compileIgnoreDifferences(
  rules: readonly ResourceIgnoreDifferences[] | undefined,
  path = 'spec.ignoreDifferences',
): IgnoreDifferences {
  const issues: IgnoreDifferencesIssue[] = [];
  const compiled: CompiledRule[] = [];
  (rules ?? []).forEach((rule, i) => {
    const pointers: string[][] = [];
    (rule.jsonPointers ?? []).forEach((p, j) => {
      try {
        pointers.push(parseJsonPointer(p));
      } catch (err) {
        issues.push({
          path: `${path}[${i}].jsonPointers[${j}]`,
          message: err instanceof Error ? err.message : String(err),
        });
      }
    });
    const jq: JqPathExpression[] = [];
    (rule.jqPathExpressions ?? []).forEach((e, j) => {
      try {
        jq.push(parseJqPath(e));
      } catch (err) {
        if (!(err instanceof JqSyntaxError)) throw err;
        issues.push({ path: `${path}[${i}].jqPathExpressions[${j}]`, message: err.message });
      }
    });
    compiled.push({
      group: rule.group ?? '',
      kind: rule.kind,
      name: rule.name ?? '',
      namespace: rule.namespace ?? '',
      pointers,
      jq,
      managers: rule.managedFieldsManagers ?? [],
    });
  });
  if (issues.length > 0) {
    throw new SlipwayError(
      `invalid ignoreDifferences:\n${issues.map((i) => `${i.path}: ${i.message}`).join('\n')}`,
      {
        reason: 'InvalidSpec',
      },
    );
  }
  const matching = (obj: KubeObject) => {
    const group = splitApiVersion(obj.apiVersion).group;
    return compiled.filter(
      (r) =>
        globMatch(r.group, group) &&
        globMatch(r.kind, obj.kind) &&
        (r.name === '' || r.name === (obj.metadata.name ?? '')) &&
        (r.namespace === '' || r.namespace === (obj.metadata.namespace ?? '')),
    );
  };
  return {
    apply(obj) {
      let out = structuredClone(obj);
      for (const rule of matching(obj)) {
        for (const tokens of rule.pointers) removeAtPointer(out, tokens);
        for (const expression of rule.jq) out = deleteJqPaths(expression, out);
      }
      return out;
    },
    managersFor(obj) {
      return [...new Set(matching(obj).flatMap((r) => r.managers))];
    },
  };
}

/**
 * Glob match as Argo CD's `glob.Match` (gobwas/glob without separators): `*` any run, `?` one
 * character, `[abc]`/`[!a-z]` classes, `{a,b}` alternatives; anything else literal.
 * @example [globMatch('*', 'apps'), globMatch('', 'apps'), globMatch('app?', 'apps')] // [true, false, true]
 */
export function globMatch(pattern: string, value: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string;
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = pattern
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else if (ch === '{') {
      const end = pattern.indexOf('}', i + 1);
      if (end < 0) re += '\\{';
      else {
        re += `(?:${pattern
          .slice(i + 1, end)
          .split(',')
          .map((alt) => alt.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
          .join('|')})`;
        i = end;
      }
    } else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's').test(value);
}

// ---- managed fields --------------------------------------------------------------------------

type FieldPathElement =
  | { kind: 'field'; name: string }
  | { kind: 'key'; fields: Record<string, unknown> }
  | { kind: 'value'; value: unknown }
  | { kind: 'index'; index: number };

/**
 * The leaf paths of a `managedFields[].fieldsV1` set (structured-merge-diff's JSON form): `f:<name>`
 * fields, `k:{...}` list items by key, `v:<json>` set items, `i:<n>` indices. `.` entries mark the
 * node itself and are not leaves.
 * @example fieldsV1Leaves({ 'f:spec': { 'f:replicas': {} } }) // [[{ kind: 'field', name: 'spec' }, { kind: 'field', name: 'replicas' }]]
 */
export function fieldsV1Leaves(set: unknown, prefix: FieldPathElement[] = []): FieldPathElement[][] {
  if (set === null || typeof set !== 'object' || Array.isArray(set)) return [];
  const out: FieldPathElement[][] = [];
  for (const [key, sub] of Object.entries(set)) {
    if (key === '.') continue;
    const element = parseFieldElement(key);
    if (element === undefined) continue;
    const path = [...prefix, element];
    const children = sub !== null && typeof sub === 'object' ? Object.keys(sub).filter((k) => k !== '.') : [];
    if (children.length === 0) out.push(path);
    else out.push(...fieldsV1Leaves(sub, path));
  }
  return out;
}

function parseFieldElement(key: string): FieldPathElement | undefined {
  const body = key.slice(2);
  try {
    if (key.startsWith('f:')) return { kind: 'field', name: body };
    if (key.startsWith('k:')) return { kind: 'key', fields: JSON.parse(body) as Record<string, unknown> };
    if (key.startsWith('v:')) return { kind: 'value', value: JSON.parse(body) };
    if (key.startsWith('i:')) return { kind: 'index', index: Number(body) };
  } catch {
    // A malformed element cannot be matched; upstream fails the whole normalization then and
    // leaves both objects unchanged, which skipping this one path approximates.
  }
  return undefined;
}

type Locator = { parent: unknown; key: string | number };

function locate(root: unknown, path: readonly FieldPathElement[]): Locator | undefined {
  let parent: unknown;
  let key: string | number | undefined;
  let current: unknown = root;
  for (const element of path) {
    parent = current;
    switch (element.kind) {
      case 'field':
        if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
        key = element.name;
        break;
      case 'index':
        if (!Array.isArray(current)) return undefined;
        key = element.index;
        break;
      case 'key': {
        if (!Array.isArray(current)) return undefined;
        const i = current.findIndex(
          (item) =>
            item !== null &&
            typeof item === 'object' &&
            Object.entries(element.fields).every(([k, v]) =>
              deepEqual((item as Record<string, unknown>)[k], v),
            ),
        );
        if (i < 0) return undefined;
        key = i;
        break;
      }
      case 'value': {
        if (!Array.isArray(current)) return undefined;
        const i = current.findIndex((item) => deepEqual(item, element.value));
        if (i < 0) return undefined;
        key = i;
        break;
      }
    }
    current = (current as Record<string | number, unknown>)[key];
    if (current === undefined) return undefined;
  }
  return key === undefined ? undefined : { parent, key };
}

/**
 * Removes, from copies of both objects, every field owned on the live object by one of `managers`
 * whose value differs between the two (`managedfields.Normalize`): a field such a manager (e.g. an
 * HPA writing `replicas`) owns is not drift. Fields present on one side only are kept.
 */
export function normalizeManagedFields(
  live: KubeObject,
  target: KubeObject,
  managers: readonly string[],
): { live: KubeObject; target: KubeObject } {
  const liveOut = structuredClone(live);
  const targetOut = structuredClone(target);
  if (managers.length === 0) return { live: liveOut, target: targetOut };
  const entries = Array.isArray(live.metadata.managedFields) ? live.metadata.managedFields : [];
  // Locate everything first, then delete, so removing one list item does not shift another's index.
  const removals: Array<[Locator, Locator]> = [];
  for (const entry of entries) {
    const e = entry as { manager?: unknown; fieldsV1?: unknown };
    if (typeof e.manager !== 'string' || !managers.includes(e.manager)) continue;
    for (const path of fieldsV1Leaves(e.fieldsV1)) {
      const l = locate(liveOut, path);
      const t = locate(targetOut, path);
      if (l === undefined || t === undefined) continue;
      const lv = (l.parent as Record<string | number, unknown>)[l.key];
      const tv = (t.parent as Record<string | number, unknown>)[t.key];
      if (!deepEqual(lv, tv)) removals.push([l, t]);
    }
  }
  const remove = (loc: Locator) => {
    if (Array.isArray(loc.parent)) loc.parent[loc.key as number] = REMOVED;
    else delete (loc.parent as Record<string, unknown>)[loc.key as string];
  };
  for (const [l, t] of removals) {
    remove(l);
    remove(t);
  }
  return { live: compact(liveOut) as KubeObject, target: compact(targetOut) as KubeObject };
}

const REMOVED = Symbol('removed');

function compact(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== REMOVED).map(compact);
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) (value as Record<string, unknown>)[k] = compact(v);
  }
  return value;
}

// ---- normalization ---------------------------------------------------------------------------

/** Options of {@link normalizeForDiff}. */
export interface NormalizeOptions {
  /** Compiled `spec.ignoreDifferences` (and system-level rules). */
  ignore?: IgnoreDifferences | undefined;
  /** Drop `status` (Argo CD's default for every kind). Default true. */
  ignoreStatus?: boolean | undefined;
}

const DROPPED_METADATA = [
  'managedFields',
  'resourceVersion',
  'uid',
  'generation',
  'creationTimestamp',
  'selfLink',
  'deletionGracePeriodSeconds',
];

const DROPPED_ANNOTATIONS = [Annotations.trackingId, Annotations.installationId, Annotations.lastApplied];

/**
 * A copy of `obj` with everything that is never drift removed, Secret `stringData` folded into
 * `data`, then `ignoreDifferences` applied.
 * @example normalizeForDiff(liveDeployment).metadata.resourceVersion === undefined
 */
export function normalizeForDiff(obj: KubeObject, options: NormalizeOptions = {}): KubeObject {
  let out = structuredClone(obj);
  if (options.ignoreStatus ?? true) delete out.status;
  for (const key of DROPPED_METADATA) delete out.metadata[key];
  if (out.metadata.annotations) {
    for (const key of DROPPED_ANNOTATIONS) delete out.metadata.annotations[key];
    if (Object.keys(out.metadata.annotations).length === 0) delete out.metadata.annotations;
  }
  if (out.metadata.labels && Object.keys(out.metadata.labels).length === 0) delete out.metadata.labels;
  if (isSecret(out)) out = normalizeSecret(out);
  if (options.ignore) out = options.ignore.apply(out);
  return out;
}

function isSecret(obj: KubeObject): boolean {
  return obj.kind === 'Secret' && splitApiVersion(obj.apiVersion).group === '';
}

/**
 * Folds a Secret's `stringData` into base64 `data` (non-string values are kept as they are, so an
 * invalid Secret still fails to apply) and turns empty or null values into `""` (`NormalizeSecret`).
 */
export function normalizeSecret(obj: KubeObject): KubeObject {
  if (!isSecret(obj)) return obj;
  const out = structuredClone(obj);
  const stringData = out.stringData;
  if (stringData !== null && typeof stringData === 'object' && !Array.isArray(stringData)) {
    const data: Record<string, unknown> = { ...((out.data as Record<string, unknown> | undefined) ?? {}) };
    for (const [k, v] of Object.entries(stringData)) {
      data[k] = typeof v === 'string' ? Buffer.from(v, 'utf8').toString('base64') : v;
    }
    out.data = data;
    delete out.stringData;
  }
  if (out.data !== null && typeof out.data === 'object' && !Array.isArray(out.data)) {
    for (const [k, v] of Object.entries(out.data))
      if (v === null || v === undefined) (out.data as Record<string, unknown>)[k] = '';
  }
  return out;
}

/**
 * Normalizes a predicted (dry-run) object and its live counterpart for comparison: managed-fields
 * ignores first (they need the live object's `managedFields`), then {@link normalizeForDiff} on both.
 */
export function normalizePair(
  predicted: KubeObject,
  live: KubeObject,
  options: NormalizeOptions = {},
): { predicted: KubeObject; live: KubeObject } {
  let p = predicted;
  let l = live;
  const managers = options.ignore?.managersFor(predicted) ?? [];
  if (managers.length > 0) {
    const r = normalizeManagedFields(l, p, managers);
    p = r.target;
    l = r.live;
  }
  return { predicted: normalizeForDiff(p, options), live: normalizeForDiff(l, options) };
}

// ---- comparison ------------------------------------------------------------------------------

/** Structural equality of JSON values (key order ignored, `undefined` fields absent). */
export function deepEqual(a: unknown, b: unknown): boolean {
  return diffPaths(a, b).length === 0;
}

/**
 * The JSON paths where two values differ, in document order: `spec.replicas`,
 * `spec.template.spec.containers[0].image`, `metadata.labels["app.kubernetes.io/name"]`.
 * @example diffPaths({ spec: { replicas: 1 } }, { spec: { replicas: 2 } }) // ['spec.replicas']
 */
export function diffPaths(a: unknown, b: unknown, prefix = ''): string[] {
  if (a === b) return [];
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: string[] = [];
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      out.push(
        ...diffPaths(i < a.length ? a[i] : undefined, i < b.length ? b[i] : undefined, `${prefix}[${i}]`),
      );
    }
    return out;
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    const out: string[] = [];
    for (const key of keys) {
      const va = a[key];
      const vb = b[key];
      if (va === undefined && vb === undefined) continue;
      out.push(...diffPaths(va, vb, joinPath(prefix, key)));
    }
    return out;
  }
  if (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)) return [];
  return [prefix === '' ? '.' : prefix];
}

/** True for a JSON value shaped like a Kubernetes object (string apiVersion and kind, object metadata). */
function isKubeObject(v: unknown): v is KubeObject {
  return (
    isPlainObject(v) &&
    typeof v.apiVersion === 'string' &&
    typeof v.kind === 'string' &&
    isPlainObject(v.metadata)
  );
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function joinPath(prefix: string, key: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return prefix === '' ? key : `${prefix}.${key}`;
  return `${prefix}[${JSON.stringify(key)}]`;
}

// ---- secret redaction ------------------------------------------------------------------------

/** The mask upstream uses for a Secret value; each further distinct value gets four more `+`. */
export const SECRET_MASK = '++++++++';

/**
 * Masks Secret values in a target/live pair (`HideSecretData`): every key of `data` in either object
 * (and in their last-applied annotations) becomes `++++++++`; for one key, each distinct value gets
 * a longer mask, so equal values stay equal and a change remains visible. Non-Secrets are returned
 * unchanged. Inputs are not modified.
 * @example redactSecrets(secret({ a: 'x' }), secret({ a: 'y' })) // target a: '++++++++', live a: '++++++++++++'
 */
export function redactSecrets(
  target: KubeObject | undefined,
  live: KubeObject | undefined,
): { target: KubeObject | undefined; live: KubeObject | undefined } {
  const secret = (target && isSecret(target)) || (live && isSecret(live));
  if (!secret) return { target, live };
  const t = target && normalizeSecret(target);
  const l = live && normalizeSecret(live);
  const tLast = lastApplied(t);
  const lLast = lastApplied(l);
  const objects = [t, l, tLast, lLast];
  const keys = new Set<string>();
  for (const obj of objects) {
    const data = obj?.data;
    if (isPlainObject(data)) for (const k of Object.keys(data)) keys.add(k);
  }
  for (const key of keys) {
    const masks = new Map<string, string>();
    let next = SECRET_MASK;
    for (const obj of objects) {
      const data = obj?.data;
      if (!isPlainObject(data) || !(key in data)) continue;
      const value = data[key] === null || data[key] === undefined ? '' : String(data[key]);
      let mask = masks.get(value);
      if (mask === undefined) {
        mask = next;
        next += '++++';
        masks.set(value, mask);
      }
      data[key] = mask;
    }
  }
  for (const [obj, last] of [
    [t, tLast],
    [l, lLast],
  ] as const) {
    if (obj !== undefined && last !== undefined) {
      obj.metadata.annotations = {
        ...(obj.metadata.annotations ?? {}),
        [Annotations.lastApplied]: JSON.stringify(last),
      };
    }
  }
  return { target: t, live: l };
}

function lastApplied(obj: KubeObject | undefined): KubeObject | undefined {
  const raw = obj?.metadata.annotations?.[Annotations.lastApplied];
  if (raw === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (isKubeObject(parsed)) return normalizeSecret(parsed);
  } catch {
    // An unparsable annotation is masked whole below, as upstream does.
  }
  if (obj)
    obj.metadata.annotations = {
      ...(obj.metadata.annotations ?? {}),
      [Annotations.lastApplied]: SECRET_MASK,
    };
  return undefined;
}

// ---- text diff -------------------------------------------------------------------------------

/** YAML with sorted keys, for stable diffs. */
export function toYaml(obj: unknown): string {
  return obj === undefined ? '' : stringify(obj, { sortMapEntries: true, lineWidth: 0 });
}

type Edit = { op: ' ' | '-' | '+'; line: string };

/** Myers' diff of two line lists as an edit script. */
function editScript(a: readonly string[], b: readonly string[]): Edit[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const v = new Map<number, number>([[1, 0]]);
  const trace: Array<Map<number, number>> = [];
  outer: for (let d = 0; d <= max; d++) {
    trace.push(new Map(v));
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && (v.get(k - 1) ?? -1) < (v.get(k + 1) ?? -1));
      let x = down ? (v.get(k + 1) ?? 0) : (v.get(k - 1) ?? 0) + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v.set(k, x);
      if (x >= n && y >= m) break outer;
    }
  }
  const edits: Edit[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d] as Map<number, number>;
    const k = x - y;
    const down = k === -d || (k !== d && (vd.get(k - 1) ?? -1) < (vd.get(k + 1) ?? -1));
    const prevK = down ? k + 1 : k - 1;
    const prevX = vd.get(prevK) ?? 0;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      edits.push({ op: ' ', line: a[x - 1] as string });
      x--;
      y--;
    }
    if (d > 0) {
      if (down) edits.push({ op: '+', line: b[y - 1] as string });
      else edits.push({ op: '-', line: a[x - 1] as string });
      x = prevX;
      y = prevY;
    }
  }
  return edits.reverse();
}

/**
 * A unified diff (`--- a`, `+++ b`, `@@ -l,n +l,n @@` hunks with `context` lines around changes);
 * empty when the texts are equal.
 */
export function unifiedDiff(
  before: string,
  after: string,
  labels = { before: 'live', after: 'desired' },
  context = 3,
): string {
  if (before === after) return '';
  const split = (s: string) => (s === '' ? [] : s.replace(/\n$/, '').split('\n'));
  const edits = editScript(split(before), split(after));
  // The line numbers (1-based) each edit starts at, on either side.
  const aAt: number[] = [];
  const bAt: number[] = [];
  let a = 1;
  let b = 1;
  for (const e of edits) {
    aAt.push(a);
    bAt.push(b);
    if (e.op !== '+') a++;
    if (e.op !== '-') b++;
  }
  const lines: string[] = [`--- ${labels.before}`, `+++ ${labels.after}`];
  let i = 0;
  while (i < edits.length) {
    let first = i;
    while (first < edits.length && edits[first]?.op === ' ') first++;
    if (first >= edits.length) break;
    // A hunk runs on while unchanged stretches are short enough to share their context.
    let last = first;
    for (let k = first + 1; k < edits.length; k++) {
      if (edits[k]?.op !== ' ') last = k;
      else if (k - last > context * 2) break;
    }
    const start = Math.max(i, first - context);
    const end = Math.min(edits.length, last + context + 1);
    const hunk = edits.slice(start, end);
    const aCount = hunk.filter((e) => e.op !== '+').length;
    const bCount = hunk.filter((e) => e.op !== '-').length;
    const aStart = (aAt[start] ?? 1) - (aCount === 0 ? 1 : 0);
    const bStart = (bAt[start] ?? 1) - (bCount === 0 ? 1 : 0);
    lines.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`);
    for (const e of hunk) lines.push(`${e.op}${e.line}`);
    i = end;
  }
  return `${lines.join('\n')}\n`;
}

/** The comparison of one resource, as `slipway app diff` shows it. */
export interface ResourceDiff {
  /** True when the normalized objects differ (or one side is missing). */
  modified: boolean;
  /** Paths that differ ({@link diffPaths}); `.` for a creation or deletion. */
  paths: string[];
  /** Unified diff of the normalized, redacted YAML (live → desired). */
  text: string;
  /** The normalized objects compared (Secret values not redacted; do not print them). */
  normalizedLive: KubeObject | undefined;
  predictedLive: KubeObject | undefined;
}

/**
 * Compares a predicted object (server-side dry-run of the target) with the live object. A missing
 * live object is a creation; a missing prediction a deletion.
 * @example diffResource(predicted, live, { ignore }).paths // ['spec.template.spec.containers[0].image']
 */
export function diffResource(
  predicted: KubeObject | undefined,
  live: KubeObject | undefined,
  options: NormalizeOptions = {},
): ResourceDiff {
  let p = predicted;
  let l = live;
  if (p !== undefined && l !== undefined) {
    const pair = normalizePair(p, l, options);
    p = pair.predicted;
    l = pair.live;
  } else {
    p = p && normalizeForDiff(p, options);
    l = l && normalizeForDiff(l, options);
  }
  const paths = p === undefined || l === undefined ? (p === l ? [] : ['.']) : diffPaths(l, p);
  const shown = redactSecrets(p, l);
  return {
    modified: paths.length > 0,
    paths,
    text: unifiedDiff(toYaml(shown.live), toYaml(shown.target)),
    normalizedLive: l,
    predictedLive: p,
  };
}
