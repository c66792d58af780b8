/**
 * The builtin functions that take plain arguments (`len`, `abs`, `upper`, `keys`, ...): for each,
 * how the checker types a call (upstream's `Validate` functions or `Types` overloads) and what it
 * does at run time, with upstream's messages. Predicate builtins (`all`, `filter`, ...) live in the
 * checker and evaluator, since they bind `#`.
 *
 * @module
 */
import { fault } from './errors.ts';
import {
  anyArray,
  anyMap,
  boolNature,
  floatNature,
  intNature,
  isUnknown,
  type Nature,
  natureName,
  stringArray,
  stringNature,
  unknown,
} from './nature.ts';
import {
  type ArrayValue,
  compare,
  compareStrings,
  elementAt,
  equal,
  floatToInt,
  formatValue,
  isArray,
  isMap,
  length,
  typeName,
  type Value,
  wrapInt,
} from './values.ts';

/** A typed overload, checked as upstream's `checkArguments` checks a Go func type. */
export interface Signature {
  readonly params: readonly Nature[];
  readonly variadic?: Nature;
  readonly result: Nature;
}

/** A builtin: either a validator (returns the result nature or an error message) or overloads. */
export interface Builtin {
  readonly validate?: (args: readonly Nature[]) => Nature | { error: string };
  readonly overloads?: readonly Signature[];
  readonly run: (args: Value[]) => Value;
}

const sig = (params: Nature[], result: Nature): Signature => ({ params, result });
const err = (error: string) => ({ error });

/** How upstream's validators print an argument type (`%s` of a nil reflect.Type is `%!s(<nil>)`). */
function typeArg(n: Nature): string {
  return n.kind === 'nil' ? '%!s(<nil>)' : natureName(n);
}

function one(name: string, ok: (n: Nature) => Nature | undefined, message?: (type: string) => string) {
  return (args: readonly Nature[]): Nature | { error: string } => {
    if (args.length !== 1) return err(`invalid number of arguments (expected 1, got ${args.length})`);
    const arg = args[0]!;
    const type = typeArg(arg);
    return (
      (isUnknown(arg) ? unknown : ok(arg)) ??
      err(message ? message(type) : `invalid argument for ${name} (type ${type})`)
    );
  };
}

const isNum = (n: Nature) => n.kind === 'int' || n.kind === 'float';

function str(v: Value, _name: string): string {
  if (typeof v === 'string') return v;
  return fault(`interface conversion: interface {} is ${v === null ? 'nil' : typeName(v)}, not string`);
}

function arr(v: Value, what: string): ArrayValue {
  if (isArray(v)) return v;
  return fault(what);
}

/** `min`/`max` over numbers and (nested) arrays of numbers, as upstream's `minMax`. */
function minMax(name: string, wantLess: boolean, args: readonly Value[]): Value {
  let best: Value = null;
  const visit = (v: Value, depth: number): void => {
    if (depth > 10_000) fault('recursion depth exceeded');
    if (isArray(v)) {
      for (let i = 0; i < v.length; i++) visit(elementAt(v, i), depth + 1);
      return;
    }
    if (typeof v !== 'bigint' && typeof v !== 'number')
      fault(`invalid argument for ${name} (type ${typeName(v)})`);
    if (best === null || (wantLess ? compare('<', best, v) : compare('>', best, v))) best = v;
  };
  for (const a of args) visit(a, 0);
  return best;
}

function numbers(name: string, args: readonly Value[]): number[] {
  const out: number[] = [];
  const visit = (v: Value): void => {
    if (isArray(v)) for (let i = 0; i < v.length; i++) visit(elementAt(v, i));
    else if (typeof v === 'bigint' || typeof v === 'number') out.push(Number(v));
    else fault(`invalid argument for ${name} (type ${typeName(v)})`);
  };
  for (const a of args) visit(a);
  return out;
}

function aggregate(name: string) {
  return (args: readonly Nature[]): Nature | { error: string } => {
    if (args.length === 0) return err(`not enough arguments to call ${name}`);
    for (const a of args) {
      if (isUnknown(a) || a.kind === 'array') return unknown;
      if (!isNum(a)) return err(`invalid argument for ${name} (type ${typeArg(a)})`);
    }
    return name === 'mean' || name === 'median' ? unknown : args[0]!;
  };
}

const roundValidate = (name: string) => one(name, (n) => (isNum(n) ? floatNature : undefined));

function rounding(name: string, fn: (x: number) => number) {
  return ([x]: Value[]): Value => {
    if (typeof x === 'number') return fn(x);
    if (typeof x === 'bigint') return Number(x);
    return fault(`invalid argument for ${name} (type ${typeName(x ?? null)})`);
  };
}

/** Go's `math.Round`: half away from zero. */
function goRound(x: number): number {
  if (!Number.isFinite(x)) return x;
  const r = Math.sign(x) * Math.round(Math.abs(x));
  return r === 0 ? x * 0 : r; // keep the sign of zero
}

/** Go's `strings.Trim` / `TrimSpace` cut sets, by code point. */
function trim(s: string, cutset: string | undefined): string {
  const runes = Array.from(s);
  const cut = cutset === undefined ? undefined : new Set(Array.from(cutset));
  const drop = (r: string) => (cut ? cut.has(r) : /^[\t\n\v\f\r \u0085\u00A0]$/.test(r));
  let a = 0;
  let b = runes.length;
  while (a < b && drop(runes[a]!)) a++;
  while (b > a && drop(runes[b - 1]!)) b--;
  return runes.slice(a, b).join('');
}

/** Go's `strings.SplitN` (n < 0: all; n == 0: nil) and `SplitAfterN`. */
function split(s: string, sep: string, n: number, after: boolean): Value {
  if (n === 0) return null;
  let parts: string[];
  if (sep === '') {
    parts = Array.from(s);
    if (n > 0 && parts.length > n) parts = [...parts.slice(0, n - 1), parts.slice(n - 1).join('')];
    return parts;
  }
  parts = [];
  let rest = s;
  while (n < 0 || parts.length < n - 1) {
    const at = rest.indexOf(sep);
    if (at < 0) break;
    parts.push(rest.slice(0, after ? at + sep.length : at));
    rest = rest.slice(at + sep.length);
  }
  parts.push(rest);
  return parts;
}

/** Byte offset of a UTF-16 index, since Go's `strings.Index` counts bytes. */
function byteIndex(s: string, at: number): bigint {
  return at < 0 ? -1n : BigInt(Buffer.byteLength(s.slice(0, at), 'utf8'));
}

function sortValues(values: Value[], desc: boolean, name: string): Value[] {
  const sorted = [...values].sort((a, b) => {
    if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
    if (
      (typeof a === 'bigint' || typeof a === 'number') &&
      (typeof b === 'bigint' || typeof b === 'number')
    ) {
      return compare('<', a, b) ? -1 : compare('>', a, b) ? 1 : 0;
    }
    return fault(`${name}: cannot compare ${typeName(a)} and ${typeName(b)}`);
  });
  return desc ? sorted.reverse() : sorted;
}

const S = stringNature;
const I = intNature;

/** Every builtin this evaluator implements, by name. */
export const builtins: ReadonlyMap<string, Builtin> = new Map<string, Builtin>([
  [
    'len',
    {
      validate: one('len', (n) =>
        n.kind === 'array' || n.kind === 'map' || n.kind === 'string' ? intNature : undefined,
      ),
      run: ([x]) => length(x ?? null),
    },
  ],
  [
    'type',
    {
      overloads: [sig([unknown], S)],
      run: ([x]) => {
        const v = x ?? null;
        if (v === null) return 'nil';
        const t = typeName(v);
        return t === 'int' ? 'int' : t === 'float64' ? 'float' : isArray(v) ? 'array' : isMap(v) ? 'map' : t;
      },
    },
  ],
  [
    'abs',
    {
      validate: one('abs', (n) => (isNum(n) ? n : undefined)),
      run: ([x]) => {
        if (typeof x === 'bigint') return x < 0n ? wrapInt(-x) : x;
        if (typeof x === 'number') return Math.abs(x);
        return fault(`invalid argument for abs (type ${typeName(x ?? null)})`);
      },
    },
  ],
  ['ceil', { validate: roundValidate('ceil'), run: rounding('ceil', Math.ceil) }],
  ['floor', { validate: roundValidate('floor'), run: rounding('floor', Math.floor) }],
  ['round', { validate: roundValidate('round'), run: rounding('round', goRound) }],
  [
    'int',
    {
      validate: one('int', (n) => (isNum(n) || n.kind === 'string' ? intNature : undefined)),
      run: ([x]) => {
        if (typeof x === 'bigint') return x;
        if (typeof x === 'number') return floatToInt(x);
        if (typeof x === 'string') {
          // Go's strconv.Atoi: optional sign and decimal digits, within int64.
          if (!/^[+-]?\d+$/.test(x) || BigInt(x) !== wrapInt(BigInt(x)))
            fault(`invalid operation: int(${x})`);
          return BigInt(x);
        }
        return fault(`invalid operation: int(${typeName(x ?? null)})`);
      },
    },
  ],
  [
    'float',
    {
      validate: one('float', (n) => (isNum(n) || n.kind === 'string' ? floatNature : undefined)),
      run: ([x]) => {
        if (typeof x === 'bigint') return Number(x);
        if (typeof x === 'number') return x;
        if (typeof x === 'string') {
          const f = parseGoFloat(x);
          return f ?? fault(`invalid operation: float(${x})`);
        }
        return fault(`invalid operation: float(${typeName(x ?? null)})`);
      },
    },
  ],
  ['string', { overloads: [sig([unknown], S)], run: ([x]) => formatValue(x ?? null) }],
  [
    'trim',
    {
      overloads: [sig([S], S), sig([S, S], S)],
      run: ([s, c]) => trim(str(s ?? null, 'trim'), c === undefined ? undefined : str(c, 'trim')),
    },
  ],
  [
    'trimPrefix',
    {
      overloads: [sig([S, S], S), sig([S], S)],
      run: ([s, p = ' ']) => {
        const v = str(s ?? null, 'trimPrefix');
        const prefix = str(p, 'trimPrefix');
        return v.startsWith(prefix) ? v.slice(prefix.length) : v;
      },
    },
  ],
  [
    'trimSuffix',
    {
      overloads: [sig([S, S], S), sig([S], S)],
      run: ([s, p = ' ']) => {
        const v = str(s ?? null, 'trimSuffix');
        const suffix = str(p, 'trimSuffix');
        return suffix !== '' && v.endsWith(suffix) ? v.slice(0, v.length - suffix.length) : v;
      },
    },
  ],
  ['upper', { overloads: [sig([S], S)], run: ([s]) => str(s ?? null, 'upper').toUpperCase() }],
  ['lower', { overloads: [sig([S], S)], run: ([s]) => str(s ?? null, 'lower').toLowerCase() }],
  [
    'split',
    {
      overloads: [sig([S, S], stringArray), sig([S, S, I], stringArray)],
      run: ([s, sep, n]) =>
        split(str(s ?? null, 'split'), str(sep ?? null, 'split'), n === undefined ? -1 : Number(n), false),
    },
  ],
  [
    'splitAfter',
    {
      overloads: [sig([S, S], stringArray), sig([S, S, I], stringArray)],
      run: ([s, sep, n]) =>
        split(
          str(s ?? null, 'splitAfter'),
          str(sep ?? null, 'splitAfter'),
          n === undefined ? -1 : Number(n),
          true,
        ),
    },
  ],
  [
    'replace',
    {
      overloads: [sig([S, S, S, I], S), sig([S, S, S], S)],
      run: ([s, from, to, n]) => {
        const v = str(s ?? null, 'replace');
        const pieces = split(v, str(from ?? null, 'replace'), n === undefined ? -1 : Number(n) + 1, false);
        return pieces === null ? v : (pieces as string[]).join(str(to ?? null, 'replace'));
      },
    },
  ],
  [
    'repeat',
    {
      overloads: [sig([S, I], S)],
      run: ([s, n]) => {
        const count = Number(n);
        if (count < 0) fault(`invalid argument for repeat (expected positive integer, got ${count})`);
        if (count > 1e6) fault('memory budget exceeded');
        return str(s ?? null, 'repeat').repeat(count);
      },
    },
  ],
  [
    'join',
    {
      overloads: [sig([stringArray, S], S), sig([anyArray, S], S), sig([anyArray], S), sig([stringArray], S)],
      run: ([a, glue = '']) => {
        const items = arr(a ?? null, `invalid argument for join (type ${typeName(a ?? null)})`);
        return Array.from(items as ArrayLike<Value>, (x) => str(x, 'join')).join(str(glue, 'join'));
      },
    },
  ],
  [
    'indexOf',
    {
      overloads: [sig([S, S], I)],
      run: ([s, t]) => byteIndex(str(s ?? null, ''), str(s ?? null, '').indexOf(str(t ?? null, ''))),
    },
  ],
  [
    'lastIndexOf',
    {
      overloads: [sig([S, S], I)],
      run: ([s, t]) => byteIndex(str(s ?? null, ''), str(s ?? null, '').lastIndexOf(str(t ?? null, ''))),
    },
  ],
  [
    'hasPrefix',
    {
      overloads: [sig([S, S], boolNature)],
      run: ([s, p]) => str(s ?? null, '').startsWith(str(p ?? null, '')),
    },
  ],
  [
    'hasSuffix',
    {
      overloads: [sig([S, S], boolNature)],
      run: ([s, p]) => str(s ?? null, '').endsWith(str(p ?? null, '')),
    },
  ],
  ['max', { validate: aggregate('max'), run: (args) => minMax('max', true, args) }],
  ['min', { validate: aggregate('min'), run: (args) => minMax('min', false, args) }],
  [
    'mean',
    {
      validate: aggregate('mean'),
      run: (args) => {
        const xs = numbers('mean', args);
        return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
      },
    },
  ],
  [
    'median',
    {
      validate: aggregate('median'),
      run: (args) => {
        const xs = numbers('median', args).sort((a, b) => a - b);
        const n = xs.length;
        if (n === 0) return 0;
        return n % 2 === 1 ? xs[(n - 1) / 2]! : (xs[n / 2 - 1]! + xs[n / 2]!) / 2;
      },
    },
  ],
  [
    'toBase64',
    { overloads: [sig([S], S)], run: ([s]) => Buffer.from(str(s ?? null, ''), 'utf8').toString('base64') },
  ],
  [
    'fromBase64',
    {
      overloads: [sig([S], S)],
      run: ([s]) => {
        const text = str(s ?? null, '');
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0)
          fault('illegal base64 data at input byte 0');
        return Buffer.from(text, 'base64').toString('utf8');
      },
    },
  ],
  [
    'first',
    {
      validate: one(
        'first',
        (n) => (n.kind === 'array' ? n.elem : undefined),
        (t) => `cannot get first element from ${t}`,
      ),
      run: ([a]) => {
        const v = a ?? null;
        if (!isArray(v)) return fault(`cannot get first element from ${typeName(v)}`);
        return v.length === 0 ? null : elementAt(v, 0);
      },
    },
  ],
  [
    'last',
    {
      validate: one(
        'last',
        (n) => (n.kind === 'array' ? n.elem : undefined),
        (t) => `cannot get last element from ${t}`,
      ),
      run: ([a]) => {
        const v = a ?? null;
        if (!isArray(v)) return fault(`cannot get last element from ${typeName(v)}`);
        return v.length === 0 ? null : elementAt(v, v.length - 1);
      },
    },
  ],
  [
    'take',
    {
      validate: (args) => {
        if (args.length !== 2) return err(`invalid number of arguments (expected 2, got ${args.length})`);
        const [a, n] = args as [Nature, Nature];
        if (!isUnknown(a) && a.kind !== 'array') return err(`cannot take from ${typeArg(a)}`);
        if (!isUnknown(n) && n.kind !== 'int') return err(`cannot take ${typeArg(n)} elements`);
        return a;
      },
      run: ([a, n]) => {
        const v = arr(a ?? null, `cannot take from ${typeName(a ?? null)}`);
        if (typeof n !== 'bigint') return fault(`cannot take ${typeName(n ?? null)} elements`);
        const count = Number(n < 0n ? 0n : n);
        return v instanceof Float64Array ? v.slice(0, count) : v.slice(0, count);
      },
    },
  ],
  [
    'keys',
    {
      validate: one(
        'keys',
        (n) => (n.kind === 'map' ? anyArray : undefined),
        (t) => `cannot get keys from ${t}`,
      ),
      run: ([m]) =>
        isMap(m ?? null)
          ? [...(m as ReadonlyMap<string, Value>).keys()]
          : fault(`cannot get keys from ${typeName(m ?? null)}`),
    },
  ],
  [
    'values',
    {
      validate: one(
        'values',
        (n) => (n.kind === 'map' ? anyArray : undefined),
        (t) => `cannot get values from ${t}`,
      ),
      run: ([m]) =>
        isMap(m ?? null)
          ? [...(m as ReadonlyMap<string, Value>).values()]
          : fault(`cannot get values from ${typeName(m ?? null)}`),
    },
  ],
  [
    'toPairs',
    {
      validate: one(
        'toPairs',
        (n) => (n.kind === 'map' ? anyArray : undefined),
        (t) => `cannot transform ${t} to pairs`,
      ),
      run: ([m]) =>
        isMap(m ?? null)
          ? [...(m as ReadonlyMap<string, Value>).entries()].map(([k, v]) => [k, v])
          : fault(`cannot transform ${typeName(m ?? null)} to pairs`),
    },
  ],
  [
    'fromPairs',
    {
      validate: one(
        'fromPairs',
        (n) => (n.kind === 'array' ? anyMap : undefined),
        (t) => `cannot transform ${t} from pairs`,
      ),
      run: ([a]) => {
        const pairs = arr(a ?? null, `cannot transform ${formatValue(a ?? null)} from pairs`);
        const out = new Map<string, Value>();
        for (let i = 0; i < pairs.length; i++) {
          const pair = elementAt(pairs, i);
          if (!isArray(pair)) return fault(`invalid pair ${formatValue(pair)}`);
          if (pair.length !== 2) return fault(`invalid pair length ${formatValue(pair)}`);
          const key = elementAt(pair, 0);
          if (typeof key !== 'string')
            return fault(`fromPairs: only string keys are supported (got ${typeName(key)})`);
          out.set(key, elementAt(pair, 1));
        }
        return out;
      },
    },
  ],
  [
    'reverse',
    {
      validate: one(
        'reverse',
        (n) => (n.kind === 'array' ? anyArray : undefined),
        (t) => `cannot reverse ${t}`,
      ),
      run: ([a]) =>
        Array.from(arr(a ?? null, `cannot reverse ${typeName(a ?? null)}`) as ArrayLike<Value>).reverse(),
    },
  ],
  [
    'uniq',
    {
      validate: one(
        'uniq',
        (n) => (n.kind === 'array' ? anyArray : undefined),
        (t) => `cannot uniq ${t}`,
      ),
      run: ([a]) => {
        const out: Value[] = [];
        for (const v of Array.from(
          arr(a ?? null, `cannot uniq ${typeName(a ?? null)}`) as ArrayLike<Value>,
        )) {
          if (!out.some((seen) => equal(seen, v))) out.push(v);
        }
        return out;
      },
    },
  ],
  [
    'concat',
    {
      validate: (args) => {
        if (args.length === 0) return err('invalid number of arguments (expected at least 1, got 0)');
        const bad = args.find((a) => !isUnknown(a) && a.kind !== 'array');
        return bad ? err(`cannot concat ${typeArg(bad)}`) : anyArray;
      },
      run: (args) =>
        args.flatMap((a) => Array.from(arr(a, `cannot concat ${typeName(a)}`) as ArrayLike<Value>)),
    },
  ],
  [
    'flatten',
    {
      validate: one(
        'flatten',
        (n) => (n.kind === 'array' ? anyArray : undefined),
        (t) => `cannot flatten ${t}`,
      ),
      run: ([a]) => {
        const out: Value[] = [];
        const visit = (v: Value): void => {
          if (isArray(v)) for (let i = 0; i < v.length; i++) visit(elementAt(v, i));
          else out.push(v);
        };
        visit(arr(a ?? null, `cannot flatten ${typeName(a ?? null)}`));
        return out;
      },
    },
  ],
  [
    'sort',
    {
      validate: (args) => {
        if (args.length < 1 || args.length > 2)
          return err(`invalid number of arguments (expected 1 or 2, got ${args.length})`);
        const a = args[0]!;
        if (!isUnknown(a) && a.kind !== 'array') return err(`cannot sort ${typeArg(a)}`);
        return isUnknown(a) ? anyArray : a;
      },
      run: ([a, order = 'asc']) => {
        const items = Array.from(arr(a ?? null, `cannot sort ${typeName(a ?? null)}`) as ArrayLike<Value>);
        if (typeof order !== 'string')
          return fault(`sort order argument must be a string (got ${typeName(order)})`);
        if (order !== 'asc' && order !== 'desc') return fault(`invalid order ${order}, expected asc or desc`);
        return sortValues(items, order === 'desc', 'sort');
      },
    },
  ],
  ...bitFunctions(),
]);

function bitFunctions(): Array<[string, Builtin]> {
  const shift = (y: bigint): bigint =>
    y < 0n ? fault(`invalid operation: negative shift count ${y} (type int)`) : y;
  const fns: Array<[string, (x: bigint, y: bigint) => bigint]> = [
    ['bitand', (x, y) => x & y],
    ['bitor', (x, y) => x | y],
    ['bitxor', (x, y) => x ^ y],
    ['bitnand', (x, y) => x & ~y],
    ['bitshl', (x, y) => wrapInt(x << shift(y))],
    ['bitshr', (x, y) => x >> shift(y)],
    ['bitushr', (x, y) => BigInt.asIntN(64, BigInt.asUintN(64, x) >> shift(y))],
  ];
  const int = (v: Value | undefined, name: string): bigint =>
    typeof v === 'bigint'
      ? v
      : fault(`cannot use ${typeName(v ?? null)} as argument (type int) to call ${name}`);
  return [
    ...fns.map(([name, fn]): [string, Builtin] => [
      name,
      { overloads: [sig([I, I], I)], run: ([x, y]) => wrapInt(fn(int(x, name), int(y, name))) },
    ]),
    ['bitnot', { overloads: [sig([I], I)], run: ([x]) => wrapInt(~int(x, 'bitnot')) }],
  ];
}

/** Go's `strconv.ParseFloat(s, 64)` for the forms it accepts; `undefined` when it would fail. */
export function parseGoFloat(s: string): number | undefined {
  const t = s.replace(/^[+-]/, '');
  const lower = t.toLowerCase();
  const sign = s.startsWith('-') ? -1 : 1;
  if (lower === 'inf' || lower === 'infinity') return sign * Number.POSITIVE_INFINITY;
  if (lower === 'nan') return Number.NaN;
  if (/^(\d+(_\d+)*\.?(\d+(_\d+)*)?|\.\d+(_\d+)*)(e[+-]?\d+)?$/i.test(t) && !t.includes('_')) {
    const f = Number(s);
    return Number.isFinite(f) ? f : undefined;
  }
  if (/^0x[0-9a-f]*(\.[0-9a-f]*)?p[+-]?\d+$/i.test(t)) return undefined; // hex floats: rare; refuse rather than guess
  return undefined;
}

/** Names of upstream builtins this evaluator does not implement (time, JSON, grouping). */
export const unsupportedBuiltins: ReadonlySet<string> = new Set([
  'now',
  'duration',
  'date',
  'timezone',
  'toJSON',
  'fromJSON',
]);
