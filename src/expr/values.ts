/**
 * Runtime values of the expression language and their Go semantics.
 *
 * | expr (Go)               | here                          |
 * |-------------------------|-------------------------------|
 * | `nil`                   | `null`                        |
 * | `bool`                  | `boolean`                     |
 * | `int` (64-bit)          | `bigint`, kept in int64 range |
 * | `float64`               | `number`                      |
 * | `string`                | `string`                      |
 * | `[]interface {}`        | `readonly Value[]`            |
 * | `[]float64`             | `Float64Array`                |
 * | `map[string]interface {}` | `ReadonlyMap<string, Value>` |
 * | `func`                  | {@link ExprFunction}          |
 *
 * A JS `number` is always a float, as a JSON number is in Go (`encoding/json` decodes into
 * `float64`); pass a `bigint` for an int. A Prometheus vector maps best to a `Float64Array`,
 * which is what Argo Rollouts passes (`[]float64`), so type errors match theirs.
 *
 * @module
 */
import { fault } from './errors.ts';
import type { Nature } from './nature.ts';

/** A value the evaluator works with. */
export type Value =
  | null
  | boolean
  | bigint
  | number
  | string
  | readonly Value[]
  | Float64Array
  | ReadonlyMap<string, Value>
  | ExprFunction;

/** An array value: a generic `[]interface {}` or a typed `[]float64`. */
export type ArrayValue = readonly Value[] | Float64Array;

/** A Go function made available in the env, with the signature the checker verifies calls against. */
export class ExprFunction {
  constructor(
    /** The name used in error messages. */
    readonly name: string,
    /** Parameter natures; a `variadic` nature, when given, repeats after them. */
    readonly params: readonly Nature[],
    readonly result: Nature,
    readonly impl: (args: Value[]) => Value,
    readonly variadic?: Nature,
  ) {}
}

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/** Wraps a bigint into int64 like Go's two's-complement overflow. */
export function wrapInt(n: bigint): bigint {
  return n >= INT64_MIN && n <= INT64_MAX ? n : BigInt.asIntN(64, n);
}

/** Go's `int(f)` for a float64: truncation; NaN and out-of-range give MinInt64 as on amd64. */
export function floatToInt(f: number): bigint {
  if (!Number.isFinite(f) || f >= 2 ** 63 || f < -(2 ** 63)) return INT64_MIN;
  return BigInt(Math.trunc(f));
}

export function isArray(v: Value): v is ArrayValue {
  return Array.isArray(v) || v instanceof Float64Array;
}

export function isMap(v: Value): v is ReadonlyMap<string, Value> {
  return v instanceof Map;
}

export function isNumber(v: Value): v is bigint | number {
  return typeof v === 'bigint' || typeof v === 'number';
}

/** Element `i` of an array value (bounds already checked). */
export function elementAt(a: ArrayValue, i: number): Value {
  return a[i] as Value;
}

/** Go's `%T` of a value, used in runtime error messages (`invalid operation: string + float64`). */
export function typeName(v: Value): string {
  if (v === null) return '<nil>';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float64';
    case 'string':
      return 'string';
  }
  if (v instanceof Float64Array) return '[]float64';
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof ExprFunction) return 'func';
  return 'map[string]interface {}';
}

/** Go's `%v` of a float64 (`strconv.FormatFloat(f, 'g', -1, 64)` as `fmt` uses it). */
export function formatFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Number.POSITIVE_INFINITY) return '+Inf';
  if (f === Number.NEGATIVE_INFINITY) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const exp = f.toExponential(); // shortest round-trip digits, e.g. 1.234567e+6
  const at = exp.indexOf('e');
  const e = Number(exp.slice(at + 1));
  // Shortest %g switches to an exponent below 1e-4 and from 1e6 up (JS's String() only at 1e21).
  if (e < -4 || e >= 6) {
    const sign = e < 0 ? '-' : '+';
    return `${exp.slice(0, at)}e${sign}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return String(f);
}

/** Go's `fmt.Sprintf("%v", v)`: what the `string()` builtin returns. */
export function formatValue(v: Value): string {
  if (v === null) return '<nil>';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'number':
      return formatFloat(v);
    case 'string':
      return v;
  }
  if (isArray(v)) return `[${Array.from(v as ArrayLike<Value>, formatValue).join(' ')}]`;
  if (v instanceof ExprFunction) return `func ${v.name}`;
  // fmt prints maps sorted by key.
  const keys = [...v.keys()].sort();
  return `map[${keys.map((k) => `${k}:${formatValue(v.get(k) ?? null)}`).join(' ')}]`;
}

/**
 * Upstream's `runtime.Equal`: numbers compare by value across int and float, arrays element-wise,
 * everything else by Go's `reflect.DeepEqual` (so values of different types are simply unequal).
 */
export function equal(a: Value, b: Value): boolean {
  if (typeof a === 'bigint') {
    if (typeof b === 'bigint') return a === b;
    if (typeof b === 'number') return Number(a) === b;
    return false;
  }
  if (typeof a === 'number') {
    if (typeof b === 'number') return a === b;
    if (typeof b === 'bigint') return a === Number(b);
    return false;
  }
  if (typeof a === 'string' || typeof a === 'boolean' || a === null) return a === b;
  if (isArray(a)) {
    if (!isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(elementAt(a, i), elementAt(b, i))) return false;
    return true;
  }
  return deepEqual(a, b);
}

/** Go's `reflect.DeepEqual` on values: types must match exactly (an int never equals a float). */
export function deepEqual(a: Value, b: Value): boolean {
  if (typeof a !== typeof b) return false;
  if (a === null || b === null) return a === b;
  if (typeof a !== 'object') return Object.is(a, b) || a === b;
  if (a instanceof Float64Array) {
    if (!(b instanceof Float64Array) || a.length !== b.length) return false;
    return a.every((x, i) => x === b[i]);
  }
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, (b as readonly Value[])[i] as Value));
  }
  if (a instanceof ExprFunction) return false; // Go: funcs are DeepEqual only when both nil
  if (!(a instanceof Map) || !(b instanceof Map) || a.size !== b.size) return false;
  for (const [k, v] of a) {
    if (!b.has(k) || !deepEqual(v, b.get(k) as Value)) return false;
  }
  return true;
}

/** `<`, `>`, `<=`, `>=` on numbers or strings; anything else is upstream's runtime error. */
export function compare(op: '<' | '>' | '<=' | '>=', a: Value, b: Value): boolean {
  let c: number;
  if (typeof a === 'bigint' && typeof b === 'bigint') c = a < b ? -1 : a > b ? 1 : 0;
  else if (isNumber(a) && isNumber(b)) {
    const x = Number(a);
    const y = Number(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return false;
    c = x < y ? -1 : x > y ? 1 : 0;
  } else if (typeof a === 'string' && typeof b === 'string') c = compareStrings(a, b);
  else return fault(`invalid operation: ${typeName(a)} ${op} ${typeName(b)}`);
  switch (op) {
    case '<':
      return c < 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0;
    case '>=':
      return c >= 0;
  }
}

const surrogate = /[\uD800-\uDFFF]/;

/**
 * Go compares strings bytewise (UTF-8), which orders like code points; JS's `<` compares UTF-16
 * code units, which disagrees only once astral characters (surrogate pairs) are involved.
 */
export function compareStrings(a: string, b: string): number {
  if (!surrogate.test(a) && !surrogate.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  const x = Array.from(a, (c) => c.codePointAt(0)!);
  const y = Array.from(b, (c) => c.codePointAt(0)!);
  for (let i = 0; i < x.length && i < y.length; i++) {
    if (x[i] !== y[i]) return x[i]! - y[i]!;
  }
  return x.length - y.length;
}

/** `+` on numbers (int wraps at 64 bits, int+float is float) or strings. */
export function add(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') return wrapInt(a + b);
  if (isNumber(a) && isNumber(b)) return Number(a) + Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  return fault(`invalid operation: ${typeName(a)} + ${typeName(b)}`);
}

/** `-` on numbers. */
export function subtract(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') return wrapInt(a - b);
  if (isNumber(a) && isNumber(b)) return Number(a) - Number(b);
  return fault(`invalid operation: ${typeName(a)} - ${typeName(b)}`);
}

/** `*` on numbers. */
export function multiply(a: Value, b: Value): Value {
  if (typeof a === 'bigint' && typeof b === 'bigint') return wrapInt(a * b);
  if (isNumber(a) && isNumber(b)) return Number(a) * Number(b);
  return fault(`invalid operation: ${typeName(a)} * ${typeName(b)}`);
}

/** `/` always divides as float64 (so `1/0` is `+Inf`), as upstream's `runtime.Divide`. */
export function divide(a: Value, b: Value): number {
  if (isNumber(a) && isNumber(b)) return Number(a) / Number(b);
  return fault(`invalid operation: ${typeName(a)} / ${typeName(b)}`);
}

/** `%` is defined on ints only and truncates toward zero, like Go. */
export function modulo(a: Value, b: Value): bigint {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    if (b === 0n) return fault('runtime error: integer divide by zero');
    return wrapInt(a % b);
  }
  return fault(`invalid operation: ${typeName(a)} % ${typeName(b)}`);
}

/** `**` / `^`: Go's `math.Pow` on float64 conversions of both operands. */
export function power(a: Value, b: Value): number {
  if (!isNumber(a) || !isNumber(b))
    return fault(`invalid operation: float(${typeName(isNumber(a) ? b : a)})`);
  return goPow(Number(a), Number(b));
}

/** `math.Pow`, which differs from `Math.pow` for a base of 1 or -1 with a NaN or infinite exponent. */
export function goPow(x: number, y: number): number {
  if (x === 1) return 1;
  if (x === -1 && !Number.isFinite(y) && !Number.isNaN(y)) return 1;
  return x ** y;
}

/** Unary `-`. */
export function negate(v: Value): Value {
  if (typeof v === 'bigint') return wrapInt(-v);
  if (typeof v === 'number') return -v;
  return fault(`invalid operation: - ${typeName(v)}`);
}

/** Go's `len`: elements of an array or map, runes (code points) of a string. */
export function length(v: Value): bigint {
  if (typeof v === 'string') return BigInt(runeCount(v));
  if (isArray(v)) return BigInt(v.length);
  if (isMap(v)) return BigInt(v.size);
  return fault(`invalid argument for len (type ${typeName(v)})`);
}

/** Code points of a string, as Go's `utf8.RuneCountInString`. */
export function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `s[from:to]` with byte offsets, as Go slices strings. */
export function sliceString(s: string, from: number, to: number): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII test
  if (/^[\x00-\x7f]*$/.test(s)) return s.slice(from, to);
  return decoder.decode(encoder.encode(s).subarray(from, to));
}

/** Byte length of a string (Go `len` of the bytes, used by string slicing bounds). */
export function byteLength(s: string): number {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ASCII test
  return /^[\x00-\x7f]*$/.test(s) ? s.length : encoder.encode(s).length;
}

/** Upstream's `runtime.ToInt` (slice bounds, range ends): ints as is, floats truncated. */
export function toInt(v: Value, what: string): number {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return Number(floatToInt(v));
  return fault(`invalid operation: ${what}(${typeName(v)})`);
}
