/**
 * The Lua semantics Argo CD's built-in `health.lua` scripts run under (gopher-lua, with the object
 * decoded by argo-cd `util/lua.decodeValue`), so that TypeScript ports of those scripts give the same
 * answer on every input, odd ones included:
 *
 * - `null` fields are nil, and `null` list items are dropped (gopher-lua's `Append` skips nil);
 * - indexing a string yields nil, indexing nil/a number/a boolean is an error;
 * - `<` works on two numbers or two strings (byte order), anything else is an error;
 * - `tonumber` parses strings the gopher-lua way (`"0x10"` is 16, `"1e3"` is nil).
 *
 * A runtime error becomes `Unknown` with gopher-lua's message, `<string>:<line>: ...`, where
 * `<line>` is the line of the ported script; so each operation that can fail takes that line.
 * @module
 */
import { type HealthStatus, healthOf, isHealthStatusCode } from './types.ts';

/** A value as a health script sees it: JSON, where `null` and `undefined` both mean nil. */
export type LuaValue = unknown;

/** What a script returns: `hs.status` and `hs.message`, whatever the script put there. */
export interface LuaHealth {
  status: LuaValue;
  message: LuaValue;
}

/** A Lua runtime error, carrying gopher-lua's message. Caught by {@link runHealthScript}. */
class LuaRuntimeError extends Error {}

function fail(line: number, message: string): never {
  throw new LuaRuntimeError(`<string>:${line}: ${message}`);
}

/** Lua's `type()` of a JSON value. */
export function luaType(value: LuaValue): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  return 'table';
}

const isNil = (value: LuaValue): boolean => value === null || value === undefined;

/** `value.key`. A list (a table with only an array part) has no string keys. */
export function index(value: LuaValue, key: string, line: number): LuaValue {
  if (typeof value === 'string') return undefined; // strings index their (unrelated) method table
  if (typeof value !== 'object' || value === null) {
    fail(line, `attempt to index a non-table object(${luaType(value)}) with key '${key}'`);
  }
  if (Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return field === null ? undefined : field;
}

/** Lua truthiness: everything but nil and `false`. */
export function truthy(value: LuaValue): boolean {
  return !isNil(value) && value !== false;
}

/** Lua raw equality (`==`): same type and value; tables only equal themselves. */
export function eq(a: LuaValue, b: LuaValue): boolean {
  return isNil(a) ? isNil(b) : a === b;
}

/** `a < b`. Lua compiles `a > b` as `b < a`, and its error names the operands in that order. */
export function lt(a: LuaValue, b: LuaValue, line: number): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a < b;
  if (typeof a === 'string' && typeof b === 'string')
    return Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;
  return fail(line, `attempt to compare ${luaType(a)} with ${luaType(b)}`);
}

function checkTable(value: LuaValue, fn: string, line: number): readonly unknown[] {
  if (typeof value !== 'object' || value === null) {
    fail(line, `bad argument #1 to ${fn} (table expected, got ${luaType(value)})`);
  }
  // A JSON object decodes to a table without an array part.
  return Array.isArray(value) ? value.filter((item) => !isNil(item)) : [];
}

/** The items `ipairs(value)` visits. */
export function ipairs(value: LuaValue, line: number): readonly unknown[] {
  return checkTable(value, 'ipairs', line);
}

/** `table.getn(value)`. */
export function getn(value: LuaValue, line: number): number {
  return checkTable(value, 'getn', line).length;
}

/** gopher-lua's `tonumber(value)`: a number, or nil (`undefined`). */
export function tonumber(value: LuaValue): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value !== 'string') return undefined;
  let text = value.replace(/^[ \n\t]+|[ \n\t]+$/g, '');
  if (text.includes('.')) return parseGoFloat(text);
  let base = 10;
  if (text.toLowerCase().startsWith('0x')) {
    base = 16;
    text = text.slice(2);
  }
  return parseGoInt64(text, base);
}

/** Go's `strconv.ParseInt(text, base, 64)` for base 10 or 16, as a number; `undefined` on error. */
function parseGoInt64(text: string, base: 10 | 16 | number): number | undefined {
  const pattern = base === 16 ? /^[+-]?[0-9a-fA-F]+$/ : /^[+-]?[0-9]+$/;
  if (!pattern.test(text)) return undefined;
  const negative = text.startsWith('-');
  const digits = text.replace(/^[+-]/, '');
  const magnitude = BigInt(base === 16 ? `0x${digits}` : digits);
  const result = negative ? -magnitude : magnitude;
  if (result > 0x7fffffffffffffffn || result < -0x8000000000000000n) return undefined;
  return Number(result);
}

/**
 * Go's `strconv.ParseFloat(text, 64)` for texts with a `.`: decimal or hexadecimal (`0x1.8p1`), with
 * `_` allowed between digits; `undefined` on a syntax error or overflow.
 */
function parseGoFloat(text: string): number | undefined {
  if (text.includes('_') && !underscoresOk(text)) return undefined;
  const plain = text.replace(/_/g, '');
  let result: number;
  const hexParts = /^([+-]?)0[xX]([0-9a-fA-F]*)\.?([0-9a-fA-F]*)[pP]([+-]?\d+)$/.exec(plain);
  if (hexParts) {
    const [, sign, whole = '', fraction = '', exponent = '0'] = hexParts;
    if (whole === '' && fraction === '') return undefined;
    const mantissa = Number.parseInt(whole + fraction, 16) / 16 ** fraction.length;
    result = (sign === '-' ? -1 : 1) * mantissa * 2 ** Number(exponent);
  } else if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(plain)) {
    result = Number(plain);
  } else {
    return undefined;
  }
  return Number.isFinite(result) ? result : undefined;
}

/** Go's `underscoreOK`: every `_` sits between digits, or between a base prefix and a digit. */
function underscoresOk(text: string): boolean {
  let rest = text.replace(/^[+-]/, '');
  let saw: 'start' | 'digit' | 'underscore' | 'other' = 'start';
  let hex = false;
  if (/^0[bBoOxX]/.test(rest)) {
    hex = /^0[xX]/.test(rest);
    rest = rest.slice(2);
    saw = 'digit';
  }
  for (const ch of rest) {
    if (/[0-9]/.test(ch) || (hex && /[a-fA-F]/.test(ch))) saw = 'digit';
    else if (ch === '_') {
      if (saw !== 'digit') return false;
      saw = 'underscore';
    } else if (saw === 'underscore') return false;
    else saw = 'other';
  }
  return saw !== 'underscore';
}

/**
 * Runs a ported script and reads its result as argo-cd `ExecuteHealthLua` does: a runtime error is
 * `Unknown` with the error text; a status that is not a health code is `Unknown` "Lua returned an
 * invalid health status".
 *
 * One deliberate difference: where the script returns a non-string status or message, Argo CD's
 * JSON round trip yields an empty status, which ranks like no health at all; Slipway says `Unknown`
 * instead, naming the problem.
 */
export function runHealthScript(script: () => LuaHealth): HealthStatus {
  let result: LuaHealth;
  try {
    result = script();
  } catch (err) {
    if (err instanceof LuaRuntimeError) return healthOf('Unknown', err.message);
    throw err;
  }
  const { status, message } = result;
  if ((!isNil(status) && typeof status !== 'string') || (!isNil(message) && typeof message !== 'string')) {
    return healthOf(
      'Unknown',
      `health script returned a ${luaType(status)} status and a ${luaType(message)} message; both must be strings`,
    );
  }
  if (!isHealthStatusCode(status)) return healthOf('Unknown', 'Lua returned an invalid health status');
  return healthOf(status, typeof message === 'string' ? message : undefined);
}
