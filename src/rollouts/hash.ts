/**
 * Argo Rollouts' two hashes, byte-compatible with upstream:
 *
 * - the pod-template hash (`utils/hash/hash.go` ComputePodTemplateHash), which names ReplicaSets
 *   (`<rollout>-<hash>`) and labels them `rollouts-pod-template-hash`, and is `status.currentPodHash`;
 * - the step hash (`utils/conditions/conditions.go` ComputeStepHash), `status.currentStepHash`,
 *   which restarts the steps when they change.
 *
 * Both are FNV-32a over Go's `json.Marshal` of a typed value (a `corev1.PodTemplateSpec`, a
 * `[]v1alpha1.CanaryStep`), printed as a decimal number and mapped through `rand.SafeEncodeString`.
 * Matching them means reproducing Go's encoding exactly, which {@link encodeGoJSON} does: it decodes
 * the wire JSON the way client-go does (case-sensitive keys, unknown fields dropped, `null` = unset)
 * into the Go type described by {@link GO_TYPES}, then encodes it the way `encoding/json` does
 * (struct field order, `omitempty`/`omitzero`, map keys sorted by bytes, HTML-safe escaping,
 * `resource.Quantity` in canonical form, `metav1.Time` in whole seconds UTC).
 *
 * Being byte-compatible lets Slipway adopt ReplicaSets Argo Rollouts created, and lets Argo Rollouts
 * adopt Slipway's, without a redeploy. The vectors in `hash.test.ts` were computed by Go code
 * (k8s.io/api v0.34.5, the version upstream pins).
 *
 * Upstream's `FindNewReplicaSet` also accepts ReplicaSets named by the older k8s `controller.ComputeHash`
 * (FNV over a spew dump, used by older Argo Rollouts releases) and, failing both, a semantically equal
 * template. Slipway computes only the current hash; matching older ReplicaSets by template equality is
 * left to the caller.
 *
 * Known limits, all outside what a real API server sends: integers above 2^53 lose precision in
 * JavaScript; a JSON number written with an exponent (`1e3`) in a quantity is seen as `1000`
 * (Go keeps the text); raw JSON (`plugin.config`) is re-encoded from the parsed value, so escapes the
 * API server would not produce are normalised.
 *
 * @module
 */
import { SlipwayError } from '../util/errors.ts';

// ---------------------------------------------------------------------------------------------
// The hashes
// ---------------------------------------------------------------------------------------------

/**
 * The pod-template hash of `spec.template`, given `status.collisionCount`.
 * @example computePodTemplateHash({ metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } }) // '85b86758fd'
 * @example computePodTemplateHash(sameTemplate, 1) // '689ff45dbc' (a collision bumps the count and the hash)
 * @throws SlipwayError (reason `InvalidSpec`) when a field has a JSON type Go cannot decode.
 */
export function computePodTemplateHash(template: unknown, collisionCount?: number): string {
  const bytes = Buffer.from(encodeGoJSON(template ?? {}, 'PodTemplateSpec'), 'utf8');
  let h = fnv32a(bytes);
  if (collisionCount !== undefined) {
    // Eight bytes: the count as a little-endian uint32, then four zero bytes.
    const extra = Buffer.alloc(8);
    extra.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnv32a(extra, h);
  }
  return safeEncodeString(String(h));
}

/**
 * The step hash of a Rollout: `""` for blue-green (or no strategy), else the hash of the canary
 * steps as written (an absent list and an empty list hash differently, as upstream).
 * @example computeStepHash({ canary: { steps: [{ setWeight: 20 }, { pause: {} }] } })
 * @example computeStepHash({ canary: {} }) // '5ffbfbbd64' (the hash of `null`)
 * @example computeStepHash({ blueGreen: { activeService: 'active' } }) // ''
 */
export function computeStepHash(
  strategy: { canary?: { steps?: unknown } | undefined; blueGreen?: unknown } | undefined,
): string {
  if (strategy?.blueGreen !== undefined || strategy?.canary === undefined) return '';
  return computeStepsHash(strategy.canary.steps);
}

/** The hash of a canary step list given as wire JSON (`undefined`/`null` = no list). */
export function computeStepsHash(steps: unknown): string {
  const bytes = Buffer.from(encodeGoJSON(steps, '[]CanaryStep'), 'utf8');
  return safeEncodeString(String(fnv32a(bytes)));
}

/** FNV-1a, 32 bit (Go's `hash/fnv` New32a), continuing from `seed`. */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/**
 * k8s `rand.SafeEncodeString`: each byte mapped into an alphabet without vowels (so no words) and
 * without characters that look alike.
 * @example safeEncodeString('1234') // '5678' (byte 49 % 27 = 22 → '5', …)
 */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += SAFE_ALPHANUMS[b % SAFE_ALPHANUMS.length];
  return out;
}

// ---------------------------------------------------------------------------------------------
// Go encoding/json, driven by the type table
// ---------------------------------------------------------------------------------------------

interface GoField {
  name: string;
  type: string;
  omitempty: boolean;
  omitzero: boolean;
}

interface Encoded {
  json: string;
  /** What `omitempty` tests: false, 0, "", nil pointer, nil or empty slice/map (never a struct). */
  empty: boolean;
  /** What `omitzero` tests: the Go zero value (or `IsZero()` where the type has one). */
  zero: boolean;
}

/**
 * Encodes wire JSON as Go's `json.Marshal` would after decoding it into the Go type `type`.
 *
 * `type` is a reference in {@link GO_TYPES}' notation: a struct name (`PodTemplateSpec`), `*T`,
 * `[]T`, `{}T` (a map with string keys), `s` string, `b` bool, `i` integer, `Q` resource.Quantity,
 * `IOS` intstr.IntOrString, `T` metav1.Time, `raw` json.RawMessage.
 * @example encodeGoJSON({ spec: { containers: [{ name: 'a', image: 'b' }] } }, 'PodTemplateSpec')
 * // '{"metadata":{},"spec":{"containers":[{"name":"a","image":"b","resources":{}}]}}'
 * @example encodeGoJSON({ labels: { b: '<2>', a: '1' } }, 'PodTemplateMetadata') // '{"labels":{"a":"1","b":"\u003c2\u003e"}}'
 * @throws SlipwayError (reason `InvalidSpec`) naming the field whose JSON type does not fit.
 */
export function encodeGoJSON(value: unknown, type: string, path = ''): string {
  return encode(type, value, path).json;
}

function decodeError(path: string, message: string): SlipwayError {
  return new SlipwayError(message, { subject: path === '' ? '(root)' : path, reason: 'InvalidSpec' });
}

const NIL: Encoded = { json: 'null', empty: true, zero: true };

function encode(type: string, v: unknown, path: string): Encoded {
  if (type.startsWith('*')) {
    if (v === undefined || v === null) return NIL;
    const inner = encode(type.slice(1), v, path);
    return { json: inner.json, empty: false, zero: false };
  }
  if (type.startsWith('[]')) {
    if (v === undefined || v === null) return NIL;
    if (!Array.isArray(v)) throw decodeError(path, `cannot decode ${jsonKind(v)} into a list`);
    const elem = type.slice(2);
    const items = v.map((item, i) => encode(elem, item, `${path}[${i}]`).json);
    return { json: `[${items.join(',')}]`, empty: items.length === 0, zero: false };
  }
  if (type.startsWith('{}')) {
    if (v === undefined || v === null) return NIL;
    if (!isPlainObject(v)) throw decodeError(path, `cannot decode ${jsonKind(v)} into a map`);
    const elem = type.slice(2);
    const keys = Object.keys(v).sort(compareBytes);
    const members = keys.map(
      (k) => `${goString(k)}:${encode(elem, v[k], `${path}[${JSON.stringify(k)}]`).json}`,
    );
    return { json: `{${members.join(',')}}`, empty: keys.length === 0, zero: false };
  }
  switch (type) {
    case 's': {
      if (v === undefined || v === null) return { json: '""', empty: true, zero: true };
      if (typeof v !== 'string') throw decodeError(path, `cannot decode ${jsonKind(v)} into a string`);
      return { json: goString(v), empty: v === '', zero: v === '' };
    }
    case 'b': {
      if (v === undefined || v === null) return { json: 'false', empty: true, zero: true };
      if (typeof v !== 'boolean') throw decodeError(path, `cannot decode ${jsonKind(v)} into a bool`);
      return { json: String(v), empty: !v, zero: !v };
    }
    case 'i': {
      if (v === undefined || v === null) return { json: '0', empty: true, zero: true };
      if (typeof v !== 'number' || !Number.isInteger(v))
        throw decodeError(path, `cannot decode ${jsonKind(v)} into an integer`);
      return { json: formatInteger(v), empty: v === 0, zero: v === 0 };
    }
    case 'IOS': {
      if (v === undefined || v === null) return { json: '0', empty: false, zero: true };
      if (typeof v === 'string') return { json: goString(v), empty: false, zero: false };
      if (typeof v === 'number' && Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31) {
        return { json: formatInteger(v), empty: false, zero: v === 0 };
      }
      throw decodeError(path, `cannot decode ${jsonKind(v)} into an int-or-string`);
    }
    case 'Q': {
      if (v === undefined || v === null) return { json: '"0"', empty: false, zero: true };
      if (typeof v !== 'string' && typeof v !== 'number')
        throw decodeError(path, `cannot decode ${jsonKind(v)} into a quantity`);
      const text = typeof v === 'number' ? String(v) : v;
      const q = parseQuantity(goTrimSpace(text));
      if (q === undefined)
        throw decodeError(
          path,
          `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
        );
      return { json: `"${formatQuantity(q)}"`, empty: false, zero: q.unscaled === 0n };
    }
    case 'T': {
      if (v === undefined || v === null) return { json: 'null', empty: false, zero: true };
      if (typeof v !== 'string') throw decodeError(path, `cannot decode ${jsonKind(v)} into a time`);
      const formatted = formatRFC3339(v);
      if (formatted === undefined)
        throw decodeError(path, `cannot parse ${JSON.stringify(v)} as an RFC 3339 time`);
      return { json: `"${formatted}"`, empty: false, zero: false };
    }
    case 'raw': {
      if (v === undefined) return NIL;
      return { json: compactJSON(v), empty: false, zero: false };
    }
  }
  const fields = GO_TYPES.get(type);
  if (fields === undefined)
    throw new SlipwayError(`unknown Go type ${type}`, { subject: 'hash', reason: 'Internal' });
  if (v !== undefined && v !== null && !isPlainObject(v))
    throw decodeError(path, `cannot decode ${jsonKind(v)} into an object`);
  const obj: Record<string, unknown> = v ?? {};
  const members: string[] = [];
  let zero = true;
  for (const field of fields) {
    const fieldValue = Object.hasOwn(obj, field.name) ? obj[field.name] : undefined;
    const e = encode(field.type, fieldValue, path === '' ? field.name : `${path}.${field.name}`);
    zero &&= e.zero;
    if (field.omitempty && e.empty) continue;
    if (field.omitzero && e.zero) continue;
    members.push(`"${field.name}":${e.json}`);
  }
  return { json: `{${members.join(',')}}`, empty: false, zero };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  return `a ${typeof v === 'object' ? 'object' : typeof v}`;
}

function formatInteger(n: number): string {
  // Integers past 2^53 are already imprecise; print them as digits, as Go does, never as 1e21.
  return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
}

/** Go's string ordering for map keys: by UTF-8 bytes. */
function compareBytes(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const HEX = '0123456789abcdef';

/**
 * A string as `encoding/json` writes it (HTML-safe): `<`, `>`, `&`, U+2028 and U+2029 escaped, control
 * characters as `\n`-style or `\u00XX`, invalid UTF-16 (a lone surrogate) as U+FFFD.
 */
export function goString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x3c || c === 0x3e || c === 0x26) {
      switch (c) {
        case 0x22:
          out += '\\"';
          break;
        case 0x5c:
          out += '\\\\';
          break;
        case 0x08:
          out += '\\b';
          break;
        case 0x0c:
          out += '\\f';
          break;
        case 0x0a:
          out += '\\n';
          break;
        case 0x0d:
          out += '\\r';
          break;
        case 0x09:
          out += '\\t';
          break;
        default:
          out += `\\u00${HEX[c >> 4]}${HEX[c & 0xf]}`;
      }
    } else if (c === 0x2028 || c === 0x2029) {
      out += `\\u202${HEX[c & 0xf]}`;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s[i] + (s[i + 1] ?? '');
        i++;
      } else {
        out += '\\ufffd';
      }
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      out += '\\ufffd';
    } else {
      out += s[i];
    }
  }
  return `${out}"`;
}

/** A JSON value written compactly with Go's escaping, keeping member order (as `json.RawMessage`). */
function compactJSON(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') return Number.isInteger(v) ? formatInteger(v) : String(v);
  if (typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(compactJSON).join(',')}]`;
  if (isPlainObject(v)) {
    return `{${Object.entries(v)
      .map(([k, x]) => `${goString(k)}:${compactJSON(x)}`)
      .join(',')}}`;
  }
  return 'null';
}

/** Go's `strings.TrimSpace` (Unicode White_Space, which differs from JavaScript's `trim`). */
function goTrimSpace(s: string): string {
  return s
    .replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/, '')
    .replace(/[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/, '');
}

/**
 * `metav1.Time` round trip: parse RFC 3339 (fractional seconds allowed), print UTC whole seconds.
 * @example formatRFC3339('2024-03-01T12:20:30.5+02:00') // '2024-03-01T10:20:30Z'
 */
export function formatRFC3339(text: string): string | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const zone = m[8] ?? 'Z';
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  // setUTCFullYear, unlike Date.UTC, does not read years 0..99 as 1900..1999.
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, second, 0);
  const utc = new Date(local.getTime() - offsetMinutes * 60_000);
  const utcYear = utc.getUTCFullYear();
  // Go refuses to marshal a year outside 0..9999.
  if (utcYear < 0 || utcYear > 9999) return undefined;
  return `${utc.toISOString().slice(0, 19)}Z`;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// ---------------------------------------------------------------------------------------------
// resource.Quantity (k8s.io/apimachinery/pkg/api/resource), parse + canonical form
// ---------------------------------------------------------------------------------------------

type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** A parsed quantity: `unscaled × 10^-scale`, its format, and the input text when upstream keeps it. */
export interface Quantity {
  unscaled: bigint;
  scale: number;
  format: QuantityFormat;
  /** Upstream reuses the input text when it is already canonical (`"100m"`, `"1Ki"`, and quirks like `"+1"`). */
  text?: string;
}

const DECIMAL_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['n', -9],
  ['u', -6],
  ['m', -3],
  ['', 0],
  ['k', 3],
  ['M', 6],
  ['G', 9],
  ['T', 12],
  ['P', 15],
  ['E', 18],
]);
const BINARY_SUFFIXES: ReadonlyMap<string, number> = new Map([
  ['Ki', 10],
  ['Mi', 20],
  ['Gi', 30],
  ['Ti', 40],
  ['Pi', 50],
  ['Ei', 60],
]);
const MAX_INT64 = (1n << 63n) - 1n;

interface QuantityParts {
  positive: boolean;
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

/** `parseQuantityString`, character for character. */
function splitQuantity(str: string): QuantityParts | undefined {
  let positive = true;
  let pos = 0;
  const end = str.length;
  if (pos < end && (str[0] === '-' || str[0] === '+')) {
    positive = str[0] !== '-';
    pos++;
  }
  for (let i = pos; ; i++) {
    if (i >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
    if (str[i] !== '0') break;
    pos++;
  }
  const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';
  let num = '';
  let i = pos;
  while (i < end && isDigit(str[i])) i++;
  if (i >= end) return { positive, value: str, num: str.slice(pos), denom: '', suffix: '' };
  num = str.slice(pos, i);
  pos = i;
  if (num === '') num = '0';
  let denom = '';
  if (str[pos] === '.') {
    pos++;
    let j = pos;
    while (j < end && isDigit(str[j])) j++;
    if (j >= end) return { positive, value: str, num, denom: str.slice(pos), suffix: '' };
    denom = str.slice(pos, j);
    pos = j;
  }
  const value = str.slice(0, pos);
  const suffixStart = pos;
  let k = pos;
  while (k < end && 'eEinumkKMGTP'.includes(str[k] ?? '')) k++;
  if (k >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
  pos = k;
  if (str[pos] === '-' || str[pos] === '+') pos++;
  for (let j = pos; ; j++) {
    if (j >= end) return { positive, value, num, denom, suffix: str.slice(suffixStart) };
    if (!isDigit(str[j])) return undefined;
  }
}

function interpretSuffix(
  suffix: string,
): { base: 2 | 10; exponent: number; format: QuantityFormat } | undefined {
  const dec = DECIMAL_SUFFIXES.get(suffix);
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = BINARY_SUFFIXES.get(suffix);
  if (bin !== undefined) return { base: 2, exponent: bin, format: 'BinarySI' };
  if (suffix.length > 1 && (suffix[0] === 'e' || suffix[0] === 'E')) {
    const rest = suffix.slice(1);
    if (!/^[+-]?[0-9]+$/.test(rest)) return undefined;
    const n = BigInt(rest);
    if (n > MAX_INT64 || n < -(1n << 63n)) return undefined;
    // int32(parsed): Go truncates the int64 to int32.
    return { base: 10, exponent: Number(BigInt.asIntN(32, n)), format: 'DecimalExponent' };
  }
  return undefined;
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/**
 * `resource.ParseQuantity`, or undefined where Go returns an error.
 * @example parseQuantity('100m') // { unscaled: 100n, scale: 3, format: 'DecimalSI', text: '100m' }
 * @example parseQuantity('1.5Gi') // 16106127360n × 10^-1 = 1610612736, format BinarySI
 */
export function parseQuantity(str: string): Quantity | undefined {
  if (str === '') return undefined;
  if (str === '0') return { unscaled: 0n, scale: 0, format: 'DecimalSI', text: '0' };
  const parts = splitQuantity(str);
  if (parts === undefined) return undefined;
  const { positive, value, num, denom } = parts;
  const suffix = interpretSuffix(parts.suffix);
  if (suffix === undefined) return undefined;
  const { base, exponent, format } = suffix;

  let precision: number;
  let scale: number;
  let mantissa = 1n;
  if (format === 'BinarySI') {
    scale = 0;
    if (exponent >= 0 && denom.length === 0) {
      mantissa = 1n << BigInt(exponent);
      precision = 15 - num.length - Math.trunc((exponent * 3) / 10) - 1;
    } else {
      precision = -1;
    }
  } else {
    scale = exponent;
    precision = 18 - (num.length + denom.length);
  }

  // The int64 fast path.
  if (precision >= 0) {
    scale -= denom.length;
    if (scale >= -9) {
      const shifted = num + denom;
      const parsed = BigInt(shifted);
      const product = parsed * mantissa;
      if (product <= MAX_INT64) {
        const unscaled = positive ? product : -product;
        const q: Quantity = { unscaled, scale: -scale, format };
        // Upstream keeps the input text when it is (believed) canonical.
        if (format === 'BinarySI') {
          if (exponent % 10 === 0 && (parsed & 7n) !== 0n) q.text = str;
        } else if (scale % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0') {
          q.text = str;
        }
        return q;
      }
    }
  }

  // The inf.Dec slow path.
  const decimal = /^([+-]?)([0-9]*)(?:\.([0-9]*))?$/.exec(value);
  if (!decimal || (decimal[2] === '' && (decimal[3] ?? '') === '')) return undefined;
  let unscaled = BigInt(`${decimal[2] || '0'}${decimal[3] ?? ''}`);
  let infScale = (decimal[3] ?? '').length;
  if (base === 10) infScale -= exponent;
  else unscaled *= 1n << BigInt(exponent);
  // Round any non-zero value up (away from zero) to a whole number of nano units.
  if (unscaled !== 0n && infScale > 9) {
    const div = pow10(infScale - 9);
    unscaled = unscaled / div + (unscaled % div === 0n ? 0n : 1n);
    infScale = 9;
  }
  let fmt = format;
  if (fmt === 'BinarySI') {
    if (compareDecimal(unscaled, infScale, MAX_INT64, 0) > 0) {
      unscaled = MAX_INT64;
      infScale = 0;
    }
    if (unscaled > 0n && compareDecimal(unscaled, infScale, 1n, 0) < 0) fmt = 'DecimalSI';
  }
  return { unscaled: decimal[1] === '-' ? -unscaled : unscaled, scale: infScale, format: fmt };
}

/** Compares `a × 10^-as` with `b × 10^-bs`. */
function compareDecimal(a: bigint, as: number, b: bigint, bs: number): number {
  const s = Math.max(as, bs);
  const x = a * pow10(s - as);
  const y = b * pow10(s - bs);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * `Quantity.MarshalJSON`'s text: the kept input, or the canonical form.
 * @example formatQuantity(parseQuantity('1000m')!) // '1'
 * @example formatQuantity(parseQuantity('1.5Gi')!) // '1536Mi'
 * @example formatQuantity(parseQuantity('0.5')!) // '500m'
 */
export function formatQuantity(q: Quantity): string {
  if (q.text !== undefined) return q.text;
  if (q.unscaled === 0n) return '0';
  let format = q.format;
  if (format === 'BinarySI') {
    const small =
      compareDecimal(q.unscaled, q.scale, -1024n, 0) > 0 && compareDecimal(q.unscaled, q.scale, 1024n, 0) < 0;
    const integral = q.scale <= 0 || q.unscaled % pow10(q.scale) === 0n;
    if (small || !integral) format = 'DecimalSI';
  }
  if (format === 'BinarySI') {
    let n = q.scale <= 0 ? q.unscaled * pow10(-q.scale) : q.unscaled / pow10(q.scale);
    let times = 0;
    while (n !== 0n && n % 1024n === 0n) {
      n /= 1024n;
      times++;
    }
    const suffix = [...BINARY_SUFFIXES].find(([, e]) => e === times * 10)?.[0] ?? '';
    return `${n}${suffix}`;
  }
  let n = q.unscaled;
  let exponent = -q.scale;
  while (n !== 0n && n % 10n === 0n) {
    n /= 10n;
    exponent++;
  }
  while (exponent % 3 !== 0) {
    n *= 10n;
    exponent--;
  }
  let suffix: string;
  if (format === 'DecimalExponent') suffix = exponent === 0 ? '' : `e${exponent}`;
  else suffix = [...DECIMAL_SUFFIXES].find(([, e]) => e === exponent)?.[0] ?? '';
  return `${n}${suffix}`;
}

// ---------------------------------------------------------------------------------------------
// The Go type table
// ---------------------------------------------------------------------------------------------

/**
 * Field order, JSON names and `omitempty`/`omitzero` (flags `e`/`z`) of every struct reachable from
 * `corev1.PodTemplateSpec` (k8s.io/api v0.34.5) and `v1alpha1.CanaryStep` (argo-rollouts at the
 * pinned commit), read by reflection from the Go types; embedded structs are flattened as
 * `encoding/json` does. Regenerate it (walk the types with `reflect`, print `Type: field type flags`)
 * when upstream moves to a newer k8s.io/api: a new field that is always emitted changes every hash.
 */
const GO_TYPE_TABLE = `
AWSElasticBlockStoreVolumeSource: volumeID s, fsType s e, partition i e, readOnly b e
Affinity: nodeAffinity *NodeAffinity e, podAffinity *PodAffinity e, podAntiAffinity *PodAntiAffinity e
AnalysisRunArgument: name s, value s e, valueFrom *ArgumentValueFrom e
AnalysisRunMetadata: labels {}s e, annotations {}s e
AnalysisTemplateRef: templateName s, clusterScope *b e
AppArmorProfile: type s, localhostProfile *s e
ArgumentValueFrom: podTemplateHashValue *s e, fieldRef *FieldRef e
AzureDiskVolumeSource: diskName s, diskURI s, cachingMode *s e, fsType *s e, readOnly *b e, kind *s e
AzureFileVolumeSource: secretName s, shareName s, readOnly b e
CSIVolumeSource: driver s, readOnly *b e, fsType *s e, volumeAttributes {}s e,
   nodePublishSecretRef *LocalObjectReference e
CanaryStep: setWeight *i e, pause *RolloutPause e, experiment *RolloutExperimentStep e,
   analysis *RolloutAnalysis e, setCanaryScale *SetCanaryScale e, setHeaderRoute *SetHeaderRoute e,
   setMirrorRoute *SetMirrorRoute e, plugin *PluginStep e
Capabilities: add []s e, drop []s e
CephFSVolumeSource: monitors []s, path s e, user s e, secretFile s e, secretRef *LocalObjectReference e,
   readOnly b e
CinderVolumeSource: volumeID s, fsType s e, readOnly b e, secretRef *LocalObjectReference e
ClusterTrustBundleProjection: name *s e, signerName *s e, labelSelector *LabelSelector e, optional *b e,
   path s
ConfigMapEnvSource: name s e, optional *b e
ConfigMapKeySelector: name s e, key s, optional *b e
ConfigMapProjection: name s e, items []KeyToPath e, optional *b e
ConfigMapVolumeSource: name s e, items []KeyToPath e, defaultMode *i e, optional *b e
Container: name s, image s e, command []s e, args []s e, workingDir s e, ports []ContainerPort e,
   envFrom []EnvFromSource e, env []EnvVar e, resources ResourceRequirements e,
   resizePolicy []ContainerResizePolicy e, restartPolicy *s e,
   restartPolicyRules []ContainerRestartRule e, volumeMounts []VolumeMount e,
   volumeDevices []VolumeDevice e, livenessProbe *Probe e, readinessProbe *Probe e,
   startupProbe *Probe e, lifecycle *Lifecycle e, terminationMessagePath s e,
   terminationMessagePolicy s e, imagePullPolicy s e, securityContext *SecurityContext e, stdin b e,
   stdinOnce b e, tty b e
ContainerPort: name s e, hostPort i e, containerPort i, protocol s e, hostIP s e
ContainerResizePolicy: resourceName s, restartPolicy s
ContainerRestartRule: action s e, exitCodes *ContainerRestartRuleOnExitCodes e
ContainerRestartRuleOnExitCodes: operator s e, values []i e
DownwardAPIProjection: items []DownwardAPIVolumeFile e
DownwardAPIVolumeFile: path s, fieldRef *ObjectFieldSelector e,
   resourceFieldRef *ResourceFieldSelector e, mode *i e
DownwardAPIVolumeSource: items []DownwardAPIVolumeFile e, defaultMode *i e
DryRun: metricName s
EmptyDirVolumeSource: medium s e, sizeLimit *Q e
EnvFromSource: prefix s e, configMapRef *ConfigMapEnvSource e, secretRef *SecretEnvSource e
EnvVar: name s, value s e, valueFrom *EnvVarSource e
EnvVarSource: fieldRef *ObjectFieldSelector e, resourceFieldRef *ResourceFieldSelector e,
   configMapKeyRef *ConfigMapKeySelector e, secretKeyRef *SecretKeySelector e,
   fileKeyRef *FileKeySelector e
EphemeralContainer: name s, image s e, command []s e, args []s e, workingDir s e,
   ports []ContainerPort e, envFrom []EnvFromSource e, env []EnvVar e, resources ResourceRequirements e,
   resizePolicy []ContainerResizePolicy e, restartPolicy *s e,
   restartPolicyRules []ContainerRestartRule e, volumeMounts []VolumeMount e,
   volumeDevices []VolumeDevice e, livenessProbe *Probe e, readinessProbe *Probe e,
   startupProbe *Probe e, lifecycle *Lifecycle e, terminationMessagePath s e,
   terminationMessagePolicy s e, imagePullPolicy s e, securityContext *SecurityContext e, stdin b e,
   stdinOnce b e, tty b e, targetContainerName s e
EphemeralVolumeSource: volumeClaimTemplate *PersistentVolumeClaimTemplate e
ExecAction: command []s e
FCVolumeSource: targetWWNs []s e, lun *i e, fsType s e, readOnly b e, wwids []s e
FieldRef: fieldPath s
FileKeySelector: volumeName s, path s, key s, optional *b e
FlexVolumeSource: driver s, fsType s e, secretRef *LocalObjectReference e, readOnly b e, options {}s e
FlockerVolumeSource: datasetName s e, datasetUUID s e
GCEPersistentDiskVolumeSource: pdName s, fsType s e, partition i e, readOnly b e
GRPCAction: port i, service *s
GitRepoVolumeSource: repository s, revision s e, directory s e
GlusterfsVolumeSource: endpoints s, path s, readOnly b e
HTTPGetAction: path s e, port IOS, host s e, scheme s e, httpHeaders []HTTPHeader e
HTTPHeader: name s, value s
HeaderRoutingMatch: headerName s, headerValue *StringMatch
HostAlias: ip s, hostnames []s e
HostPathVolumeSource: path s, type *s e
ISCSIVolumeSource: targetPortal s, iqn s, lun i, iscsiInterface s e, fsType s e, readOnly b e,
   portals []s e, chapAuthDiscovery b e, chapAuthSession b e, secretRef *LocalObjectReference e,
   initiatorName *s e
ImageVolumeSource: reference s e, pullPolicy s e
KeyToPath: key s, path s, mode *i e
LabelSelector: matchLabels {}s e, matchExpressions []LabelSelectorRequirement e
LabelSelectorRequirement: key s, operator s, values []s e
Lifecycle: postStart *LifecycleHandler e, preStop *LifecycleHandler e, stopSignal *s e
LifecycleHandler: exec *ExecAction e, httpGet *HTTPGetAction e, tcpSocket *TCPSocketAction e,
   sleep *SleepAction e
LocalObjectReference: name s e
ManagedFieldsEntry: manager s e, operation s e, apiVersion s e, time *T e, fieldsType s e,
   fieldsV1 *raw e, subresource s e
MeasurementRetention: metricName s, limit i
NFSVolumeSource: server s, path s, readOnly b e
NodeAffinity: requiredDuringSchedulingIgnoredDuringExecution *NodeSelector e,
   preferredDuringSchedulingIgnoredDuringExecution []PreferredSchedulingTerm e
NodeSelector: nodeSelectorTerms []NodeSelectorTerm
NodeSelectorRequirement: key s, operator s, values []s e
NodeSelectorTerm: matchExpressions []NodeSelectorRequirement e, matchFields []NodeSelectorRequirement e
ObjectFieldSelector: apiVersion s e, fieldPath s
ObjectMeta: name s e, generateName s e, namespace s e, selfLink s e, uid s e, resourceVersion s e,
   generation i e, creationTimestamp T ez, deletionTimestamp *T e, deletionGracePeriodSeconds *i e,
   labels {}s e, annotations {}s e, ownerReferences []OwnerReference e, finalizers []s e,
   managedFields []ManagedFieldsEntry e
OwnerReference: apiVersion s, kind s, name s, uid s, controller *b e, blockOwnerDeletion *b e
PersistentVolumeClaimSpec: accessModes []s e, selector *LabelSelector e,
   resources VolumeResourceRequirements e, volumeName s e, storageClassName *s e, volumeMode *s e,
   dataSource *TypedLocalObjectReference e, dataSourceRef *TypedObjectReference e,
   volumeAttributesClassName *s e
PersistentVolumeClaimTemplate: metadata ObjectMeta e, spec PersistentVolumeClaimSpec
PersistentVolumeClaimVolumeSource: claimName s, readOnly b e
PhotonPersistentDiskVolumeSource: pdID s, fsType s e
PluginStep: name s, config raw e
PodAffinity: requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm e,
   preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm e
PodAffinityTerm: labelSelector *LabelSelector e, namespaces []s e, topologyKey s,
   namespaceSelector *LabelSelector e, matchLabelKeys []s e, mismatchLabelKeys []s e
PodAntiAffinity: requiredDuringSchedulingIgnoredDuringExecution []PodAffinityTerm e,
   preferredDuringSchedulingIgnoredDuringExecution []WeightedPodAffinityTerm e
PodCertificateProjection: signerName s e, keyType s e, maxExpirationSeconds *i e,
   credentialBundlePath s e, keyPath s e, certificateChainPath s e
PodDNSConfig: nameservers []s e, searches []s e, options []PodDNSConfigOption e
PodDNSConfigOption: name s e, value *s e
PodOS: name s
PodReadinessGate: conditionType s
PodResourceClaim: name s, resourceClaimName *s e, resourceClaimTemplateName *s e
PodSchedulingGate: name s
PodSecurityContext: seLinuxOptions *SELinuxOptions e, windowsOptions *WindowsSecurityContextOptions e,
   runAsUser *i e, runAsGroup *i e, runAsNonRoot *b e, supplementalGroups []i e,
   supplementalGroupsPolicy *s e, fsGroup *i e, sysctls []Sysctl e, fsGroupChangePolicy *s e,
   seccompProfile *SeccompProfile e, appArmorProfile *AppArmorProfile e, seLinuxChangePolicy *s e
PodSpec: volumes []Volume e, initContainers []Container e, containers []Container,
   ephemeralContainers []EphemeralContainer e, restartPolicy s e, terminationGracePeriodSeconds *i e,
   activeDeadlineSeconds *i e, dnsPolicy s e, nodeSelector {}s e, serviceAccountName s e,
   serviceAccount s e, automountServiceAccountToken *b e, nodeName s e, hostNetwork b e, hostPID b e,
   hostIPC b e, shareProcessNamespace *b e, securityContext *PodSecurityContext e,
   imagePullSecrets []LocalObjectReference e, hostname s e, subdomain s e, affinity *Affinity e,
   schedulerName s e, tolerations []Toleration e, hostAliases []HostAlias e, priorityClassName s e,
   priority *i e, dnsConfig *PodDNSConfig e, readinessGates []PodReadinessGate e, runtimeClassName *s e,
   enableServiceLinks *b e, preemptionPolicy *s e, overhead {}Q e,
   topologySpreadConstraints []TopologySpreadConstraint e, setHostnameAsFQDN *b e, os *PodOS e,
   hostUsers *b e, schedulingGates []PodSchedulingGate e, resourceClaims []PodResourceClaim e,
   resources *ResourceRequirements e, hostnameOverride *s e
PodTemplateMetadata: labels {}s e, annotations {}s e
PodTemplateSpec: metadata ObjectMeta e, spec PodSpec e
PortworxVolumeSource: volumeID s, fsType s e, readOnly b e
PreferredSchedulingTerm: weight i, preference NodeSelectorTerm
Probe: exec *ExecAction e, httpGet *HTTPGetAction e, tcpSocket *TCPSocketAction e, grpc *GRPCAction e,
   initialDelaySeconds i e, timeoutSeconds i e, periodSeconds i e, successThreshold i e,
   failureThreshold i e, terminationGracePeriodSeconds *i e
ProjectedVolumeSource: sources []VolumeProjection, defaultMode *i e
QuobyteVolumeSource: registry s, volume s, readOnly b e, user s e, group s e, tenant s e
RBDVolumeSource: monitors []s, image s, fsType s e, pool s e, user s e, keyring s e,
   secretRef *LocalObjectReference e, readOnly b e
ResourceClaim: name s, request s e
ResourceFieldSelector: containerName s e, resource s, divisor Q e
ResourceRequirements: limits {}Q e, requests {}Q e, claims []ResourceClaim e
RolloutAnalysis: templates []AnalysisTemplateRef e, args []AnalysisRunArgument e, dryRun []DryRun e,
   measurementRetention []MeasurementRetention e, analysisRunMetadata *AnalysisRunMetadata e
RolloutExperimentStep: templates []RolloutExperimentTemplate, duration s e,
   analyses []RolloutExperimentStepAnalysisTemplateRef e, dryRun []DryRun e,
   analysisRunMetadata AnalysisRunMetadata e, scaleDownDelaySeconds *i e
RolloutExperimentStepAnalysisTemplateRef: name s, templateName s, clusterScope *b e,
   args []AnalysisRunArgument e, requiredForCompletion b e
RolloutExperimentTemplate: name s, specRef s, replicas *i e, metadata PodTemplateMetadata e,
   selector *LabelSelector e, weight *i e, service *TemplateService e
RolloutPause: duration *IOS e
RouteMatch: method *StringMatch e, path *StringMatch e, headers {}StringMatch e
SELinuxOptions: user s e, role s e, type s e, level s e
ScaleIOVolumeSource: gateway s, system s, secretRef *LocalObjectReference, sslEnabled b e,
   protectionDomain s e, storagePool s e, storageMode s e, volumeName s e, fsType s e, readOnly b e
SeccompProfile: type s, localhostProfile *s e
SecretEnvSource: name s e, optional *b e
SecretKeySelector: name s e, key s, optional *b e
SecretProjection: name s e, items []KeyToPath e, optional *b e
SecretVolumeSource: secretName s e, items []KeyToPath e, defaultMode *i e, optional *b e
SecurityContext: capabilities *Capabilities e, privileged *b e, seLinuxOptions *SELinuxOptions e,
   windowsOptions *WindowsSecurityContextOptions e, runAsUser *i e, runAsGroup *i e, runAsNonRoot *b e,
   readOnlyRootFilesystem *b e, allowPrivilegeEscalation *b e, procMount *s e,
   seccompProfile *SeccompProfile e, appArmorProfile *AppArmorProfile e
ServiceAccountTokenProjection: audience s e, expirationSeconds *i e, path s
SetCanaryScale: weight *i e, replicas *i e, matchTrafficWeight b e
SetHeaderRoute: name s e, match []HeaderRoutingMatch e
SetMirrorRoute: name s, match []RouteMatch e, percentage *i e
SleepAction: seconds i
StorageOSVolumeSource: volumeName s e, volumeNamespace s e, fsType s e, readOnly b e,
   secretRef *LocalObjectReference e
StringMatch: exact s e, prefix s e, regex s e
Sysctl: name s, value s
TCPSocketAction: port IOS, host s e
TemplateService: name s e
Toleration: key s e, operator s e, value s e, effect s e, tolerationSeconds *i e
TopologySpreadConstraint: maxSkew i, topologyKey s, whenUnsatisfiable s, labelSelector *LabelSelector e,
   minDomains *i e, nodeAffinityPolicy *s e, nodeTaintsPolicy *s e, matchLabelKeys []s e
TypedLocalObjectReference: apiGroup *s, kind s, name s
TypedObjectReference: apiGroup *s, kind s, name s, namespace *s e
Volume: name s, hostPath *HostPathVolumeSource e, emptyDir *EmptyDirVolumeSource e,
   gcePersistentDisk *GCEPersistentDiskVolumeSource e,
   awsElasticBlockStore *AWSElasticBlockStoreVolumeSource e, gitRepo *GitRepoVolumeSource e,
   secret *SecretVolumeSource e, nfs *NFSVolumeSource e, iscsi *ISCSIVolumeSource e,
   glusterfs *GlusterfsVolumeSource e, persistentVolumeClaim *PersistentVolumeClaimVolumeSource e,
   rbd *RBDVolumeSource e, flexVolume *FlexVolumeSource e, cinder *CinderVolumeSource e,
   cephfs *CephFSVolumeSource e, flocker *FlockerVolumeSource e, downwardAPI *DownwardAPIVolumeSource e,
   fc *FCVolumeSource e, azureFile *AzureFileVolumeSource e, configMap *ConfigMapVolumeSource e,
   vsphereVolume *VsphereVirtualDiskVolumeSource e, quobyte *QuobyteVolumeSource e,
   azureDisk *AzureDiskVolumeSource e, photonPersistentDisk *PhotonPersistentDiskVolumeSource e,
   projected *ProjectedVolumeSource e, portworxVolume *PortworxVolumeSource e,
   scaleIO *ScaleIOVolumeSource e, storageos *StorageOSVolumeSource e, csi *CSIVolumeSource e,
   ephemeral *EphemeralVolumeSource e, image *ImageVolumeSource e
VolumeDevice: name s, devicePath s
VolumeMount: name s, readOnly b e, recursiveReadOnly *s e, mountPath s, subPath s e,
   mountPropagation *s e, subPathExpr s e
VolumeProjection: secret *SecretProjection e, downwardAPI *DownwardAPIProjection e,
   configMap *ConfigMapProjection e, serviceAccountToken *ServiceAccountTokenProjection e,
   clusterTrustBundle *ClusterTrustBundleProjection e, podCertificate *PodCertificateProjection e
VolumeResourceRequirements: limits {}Q e, requests {}Q e
VsphereVirtualDiskVolumeSource: volumePath s, fsType s e, storagePolicyName s e, storagePolicyID s e
WeightedPodAffinityTerm: weight i, podAffinityTerm PodAffinityTerm
WindowsSecurityContextOptions: gmsaCredentialSpecName *s e, gmsaCredentialSpec *s e, runAsUserName *s e,
   hostProcess *b e
`;

/** {@link GO_TYPE_TABLE}, parsed: struct name → fields in order. */
export const GO_TYPES: ReadonlyMap<string, readonly GoField[]> = parseTypeTable(GO_TYPE_TABLE);

function parseTypeTable(text: string): Map<string, GoField[]> {
  const types = new Map<string, GoField[]>();
  const entries = text
    .replace(/,\n\s+/g, ', ')
    .trim()
    .split('\n');
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    const name = entry.slice(0, colon);
    const fields = entry
      .slice(colon + 1)
      .split(',')
      .map((f) => f.trim().split(' '))
      .map(([fieldName = '', type = '', flags = '']) => ({
        name: fieldName,
        type,
        omitempty: flags.includes('e'),
        omitzero: flags.includes('z'),
      }));
    types.set(name, fields);
  }
  return types;
}
