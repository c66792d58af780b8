/**
 * Evaluation of GitHub Actions expressions: values, GitHub's loose coercion rules, the built-in
 * functions, `${{ … }}` interpolation and `if:` conditions. Pure: the only effect an expression
 * can have (`hashFiles`) is a callback the caller supplies.
 *
 * Coercion (docs.github.com "Evaluate expressions in workflows and actions", Operators): when the
 * two sides of `==`, `<`, … differ in type they are both turned into numbers — null → 0,
 * true → 1, false → 0, a string → its JSON-number value ('' → 0, anything else → NaN), arrays and
 * objects → NaN. Strings compare case-insensitively. Arrays and objects are equal only to
 * themselves. `&&` and `||` return one of their operands, not a boolean. Falsy values are
 * `false`, `0`, `-0`, `NaN`, `''` and `null`.
 * @module
 */
import {
  calledFunctions,
  type ExprNode,
  ExprSyntaxError,
  parseExpression,
  parseNumber,
} from './expr-parse.ts';

/** A value an expression produces or a context holds (JSON plus NaN/Infinity). */
export type ExprValue = null | boolean | number | string | ExprValue[] | { [key: string]: ExprValue };

/** How the job stands before the current step: the input of `success()`, `failure()`, … */
export type JobStatus = 'success' | 'failure' | 'cancelled';

/** Everything an expression may read. */
export interface ExpressionScope {
  /** Named contexts (`github`, `env`, `steps`, `secrets`, `runner`, …); only these names resolve. */
  contexts: Readonly<Record<string, ExprValue>>;
  /** The job status so far; default `success`. */
  status?: JobStatus;
  /** `hashFiles(...)`: the caller knows the workspace. Absent = the function is not available here. */
  hashFiles?: (patterns: string[]) => string;
}

/** An expression could not be parsed or evaluated; `message` says why, without location. */
export class ExpressionError extends Error {
  constructor(
    message: string,
    readonly expression: string,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

// --- values ---------------------------------------------------------------------------------

/** GitHub's truthiness. @example isTruthy('') === false; isTruthy([]) === true */
export function isTruthy(v: ExprValue): boolean {
  if (v === null || v === false || v === '') return false;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  return true;
}

/** Number coercion. @example toNumber(true) === 1; toNumber('') === 0; toNumber([]) is NaN */
export function toNumber(v: ExprValue): number {
  if (v === null) return 0;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') return parseNumber(v);
  return Number.NaN;
}

/**
 * String coercion, as interpolation writes values: null → '', booleans and numbers in their
 * literal form (`-0` → '0'), arrays and objects as pretty JSON (GitHub prints them as JSON too).
 */
export function toText(v: ExprValue): string {
  if (v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Object.is(v, -0) ? '0' : String(v);
  return toJson(v);
}

function toJson(v: ExprValue): string {
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? null : x), 2);
}

const kind = (v: ExprValue) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Loose equality. @example looseEquals('ABC', 'abc') && looseEquals(null, 0) && looseEquals('0x10', 16) */
export function looseEquals(a: ExprValue, b: ExprValue): boolean {
  const ka = kind(a);
  if (ka === kind(b)) {
    if (typeof a === 'string' && typeof b === 'string') return a.toUpperCase() === b.toUpperCase();
    return a === b;
  }
  if (ka === 'array' || ka === 'object' || kind(b) === 'array' || kind(b) === 'object') return false;
  return toNumber(a) === toNumber(b);
}

function compare(a: ExprValue, b: ExprValue): number {
  if (typeof a === 'string' && typeof b === 'string') {
    const x = a.toUpperCase();
    const y = b.toUpperCase();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = toNumber(a);
  const y = toNumber(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Property lookup: case-insensitive, as GitHub's contexts are; missing → null. */
function getProperty(obj: ExprValue, name: string): ExprValue | undefined {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  if (Object.hasOwn(obj, name)) return obj[name];
  const lower = name.toLowerCase();
  const key = Object.keys(obj).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : obj[key];
}

// --- evaluation -----------------------------------------------------------------------------

/** The result of a `*` filter: later dereferences apply to each item. Never leaves the evaluator. */
class Filtered {
  constructor(readonly items: ExprValue[]) {}
}
type Inner = ExprValue | Filtered;
const plain = (v: Inner): ExprValue => (v instanceof Filtered ? v.items : v);

const STATUS_FUNCTIONS = new Set(['success', 'always', 'failure', 'cancelled']);

/**
 * Evaluates one expression (without `${{ }}`).
 * @throws {ExpressionError} on a syntax error, an unknown context or function, or a bad argument.
 * @example evaluateExpression("github.event_name == 'push'", { contexts: { github: { event_name: 'push' } } }) === true
 */
export function evaluateExpression(source: string, scope: ExpressionScope): ExprValue {
  let node: ExprNode;
  try {
    node = parseExpression(source);
  } catch (err) {
    if (err instanceof ExprSyntaxError) throw new ExpressionError(err.message, source);
    throw err;
  }
  return plain(evalNode(node, scope, source));
}

function evalNode(node: ExprNode, scope: ExpressionScope, src: string): Inner {
  const fail = (message: string) => new ExpressionError(message, src);
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'context': {
      const value = getProperty(scope.contexts as Record<string, ExprValue>, node.name);
      if (value === undefined) {
        const known = Object.keys(scope.contexts).sort().join(', ');
        throw fail(`unrecognized named-value '${node.name}' (available here: ${known})`);
      }
      return value;
    }
    case 'property':
      return deref(evalNode(node.object, scope, src), node.name);
    case 'index': {
      const object = evalNode(node.object, scope, src);
      const index = plain(evalNode(node.index, scope, src));
      return deref(object, index);
    }
    case 'filter': {
      const object = evalNode(node.object, scope, src);
      const source = object instanceof Filtered ? object.items : [object];
      const items: ExprValue[] = [];
      for (const v of source) {
        if (Array.isArray(v)) items.push(...v);
        else if (v !== null && typeof v === 'object') items.push(...Object.values(v));
      }
      return new Filtered(items);
    }
    case 'not':
      return !isTruthy(plain(evalNode(node.operand, scope, src)));
    case 'binary': {
      const left = plain(evalNode(node.left, scope, src));
      // && and || short-circuit and return an operand, as in GitHub's evaluator.
      if (node.op === '&&') return isTruthy(left) ? plain(evalNode(node.right, scope, src)) : left;
      if (node.op === '||') return isTruthy(left) ? left : plain(evalNode(node.right, scope, src));
      const right = plain(evalNode(node.right, scope, src));
      switch (node.op) {
        case '==':
          return looseEquals(left, right);
        case '!=':
          return !looseEquals(left, right);
        case '<':
          return compare(left, right) < 0;
        case '<=':
          return compare(left, right) <= 0;
        case '>':
          return compare(left, right) > 0;
        default:
          return compare(left, right) >= 0;
      }
    }
    case 'call':
      return callFunction(
        node.name,
        node.args.map((a) => plain(evalNode(a, scope, src))),
        scope,
        fail,
      );
  }
}

function deref(object: Inner, key: ExprValue): Inner {
  if (object instanceof Filtered) {
    const items: ExprValue[] = [];
    for (const item of object.items) {
      const v = deref(item, key);
      if (v !== null && !(v instanceof Filtered)) items.push(v);
    }
    return new Filtered(items);
  }
  if (Array.isArray(object)) {
    const n = toNumber(key);
    if (!Number.isInteger(n) || n < 0) return null;
    return object[n] ?? null;
  }
  return getProperty(object, toText(key)) ?? null;
}

function arity(name: string, args: ExprValue[], min: number, max: number, fail: (m: string) => Error): void {
  if (args.length < min || args.length > max) {
    const want =
      min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} to ${max}`;
    throw fail(`${name}() takes ${want} argument(s), got ${args.length}`);
  }
}

function callFunction(
  rawName: string,
  args: ExprValue[],
  scope: ExpressionScope,
  fail: (m: string) => ExpressionError,
): ExprValue {
  const name = rawName.toLowerCase();
  const status = scope.status ?? 'success';
  const a0 = args[0] ?? null;
  const a1 = args[1] ?? null;
  switch (name) {
    case 'success':
    case 'always':
    case 'failure':
    case 'cancelled':
      arity(rawName, args, 0, 0, fail);
      if (name === 'always') return true;
      return status === name;
    case 'contains':
      arity(rawName, args, 2, 2, fail);
      if (Array.isArray(a0)) return a0.some((x) => looseEquals(x, a1));
      return toText(a0).toUpperCase().includes(toText(a1).toUpperCase());
    case 'startswith':
      arity(rawName, args, 2, 2, fail);
      return toText(a0).toUpperCase().startsWith(toText(a1).toUpperCase());
    case 'endswith':
      arity(rawName, args, 2, 2, fail);
      return toText(a0).toUpperCase().endsWith(toText(a1).toUpperCase());
    case 'format':
      arity(rawName, args, 1, Number.POSITIVE_INFINITY, fail);
      return format(toText(a0), args.slice(1), fail);
    case 'join': {
      arity(rawName, args, 1, 2, fail);
      const sep = args.length > 1 ? toText(a1) : ',';
      return Array.isArray(a0) ? a0.map(toText).join(sep) : toText(a0);
    }
    case 'tojson':
      arity(rawName, args, 1, 1, fail);
      return toJson(a0);
    case 'fromjson': {
      arity(rawName, args, 1, 1, fail);
      try {
        return JSON.parse(toText(a0)) as ExprValue;
      } catch (err) {
        throw fail(`fromJSON() could not parse its argument: ${(err as Error).message}`);
      }
    }
    case 'hashfiles':
      arity(rawName, args, 1, Number.POSITIVE_INFINITY, fail);
      if (scope.hashFiles === undefined) throw fail('hashFiles() is not available in this context');
      return scope.hashFiles(args.map(toText));
    default:
      throw fail(`unrecognized function '${rawName}'`);
  }
}

/**
 * `format('{0} {1}', a, b)`: `{N}` is the Nth argument, `{{` and `}}` are literal braces.
 * @example format('{{Hello {0}!}}', ['Mona']) === '{Hello Mona!}'
 */
function format(pattern: string, args: ExprValue[], fail: (m: string) => Error): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '{' && pattern[i + 1] === '{') {
      out += '{';
      i++;
    } else if (c === '}' && pattern[i + 1] === '}') {
      out += '}';
      i++;
    } else if (c === '{') {
      const m = /^\{(\d+)\}/.exec(pattern.slice(i));
      const n = m ? Number(m[1]) : Number.NaN;
      if (!m || n >= args.length) throw fail(`format() has an invalid placeholder in '${pattern}'`);
      out += toText(args[n] ?? null);
      i += m[0].length - 1;
    } else if (c === '}') {
      throw fail(`format() has an unmatched '}' in '${pattern}'`);
    } else out += c;
  }
  return out;
}

// --- templates and conditions ---------------------------------------------------------------

/** One piece of a string with `${{ }}` in it. */
type Part = { text: string } | { expr: string };

/** Splits `a ${{ x }} b` into text and expression parts; `}}` inside a quoted string does not end one. */
export function splitTemplate(template: string): Part[] {
  const parts: Part[] = [];
  let i = 0;
  while (i < template.length) {
    const start = template.indexOf('${{', i);
    if (start < 0) {
      parts.push({ text: template.slice(i) });
      break;
    }
    if (start > i) parts.push({ text: template.slice(i, start) });
    let j = start + 3;
    let inString = false;
    for (; j < template.length; j++) {
      if (template[j] === "'") inString = !inString;
      else if (!inString && template.startsWith('}}', j)) break;
    }
    if (j >= template.length) {
      throw new ExpressionError(`'\${{' at offset ${start} is never closed with '}}'`, template.slice(start));
    }
    parts.push({ expr: template.slice(start + 3, j).trim() });
    i = j + 2;
  }
  return parts;
}

/** True when `value` contains an expression. */
export function hasExpression(value: string): boolean {
  return value.includes('${{');
}

/**
 * Evaluates a workflow value. A value that is exactly one `${{ expr }}` yields the expression's
 * own value (a boolean stays a boolean, as for the seed's `push:`); any other text is
 * interpolated into a string.
 * @example evaluateValue('${{ 1 == 1 }}', scope) === true; evaluateValue('v${{ 1 }}', scope) === 'v1'
 */
export function evaluateValue(value: string, scope: ExpressionScope): ExprValue {
  const parts = splitTemplate(value);
  const only = parts[0];
  if (parts.length === 1 && only !== undefined && 'expr' in only) return evaluateExpression(only.expr, scope);
  return interpolate(value, scope);
}

/** Substitutes every `${{ expr }}` in `template` with the text of its value. */
export function interpolate(template: string, scope: ExpressionScope): string {
  return splitTemplate(template)
    .map((p) => ('text' in p ? p.text : toText(evaluateExpression(p.expr, scope))))
    .join('');
}

/**
 * Evaluates an `if:` condition. `${{ }}` around the whole condition is optional, and a condition
 * that calls none of `success()`, `failure()`, `always()`, `cancelled()` means
 * `success() && (condition)` — GitHub's implicit status check. An empty condition is `success()`.
 * @example evaluateCondition("github.ref == 'refs/heads/main'", scope) // false once a step failed
 */
export function evaluateCondition(
  condition: string | boolean | number | undefined,
  scope: ExpressionScope,
): boolean {
  if (condition === undefined) return (scope.status ?? 'success') === 'success';
  if (typeof condition !== 'string') return isTruthy(condition) && (scope.status ?? 'success') === 'success';
  let source = condition.trim();
  const parts = splitTemplate(source);
  const only = parts[0];
  if (parts.length === 1 && only !== undefined && 'expr' in only) source = only.expr;
  else if (hasExpression(source)) {
    // Text around `${{ }}` makes the condition a string, which is truthy unless empty.
    return isTruthy(interpolate(source, scope)) && (scope.status ?? 'success') === 'success';
  }
  if (source === '') return (scope.status ?? 'success') === 'success';
  let node: ExprNode;
  try {
    node = parseExpression(source);
  } catch (err) {
    if (err instanceof ExprSyntaxError) throw new ExpressionError(err.message, source);
    throw err;
  }
  const usesStatus = [...calledFunctions(node)].some((f) => STATUS_FUNCTIONS.has(f));
  const wrapped = usesStatus ? source : `success() && (${source})`;
  return isTruthy(evaluateExpression(wrapped, scope));
}
