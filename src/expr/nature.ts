/**
 * Static types ("natures", upstream's `checker/nature`) that the checker infers from the env, so
 * that type errors surface before evaluation exactly where upstream reports them at compile time.
 *
 * An `unknown` nature is Go's `interface{}`: the element of a JSON array, the value of a JSON
 * object. Operations on unknowns are checked at run time instead, as upstream does.
 *
 * @module
 */
import { ExprFunction, type Value } from './values.ts';

/** A static type. `name` is what upstream prints (`float64`, `[]interface {}`, `map[string]interface {}`). */
export type Nature =
  | { readonly kind: 'unknown' }
  | { readonly kind: 'nil' }
  | { readonly kind: 'bool' }
  | { readonly kind: 'int'; readonly name: 'int' | 'int64' }
  | { readonly kind: 'float' }
  | { readonly kind: 'string' }
  | { readonly kind: 'array'; readonly name: string; readonly elem: Nature }
  | { readonly kind: 'map'; readonly name: string; readonly elem: Nature }
  | { readonly kind: 'func'; readonly fn: ExprFunction | undefined }
  | { readonly kind: 'predicate'; readonly out: Nature };

export const unknown: Nature = { kind: 'unknown' };
export const nilNature: Nature = { kind: 'nil' };
export const boolNature: Nature = { kind: 'bool' };
export const intNature: Nature = { kind: 'int', name: 'int' };
export const int64Nature: Nature = { kind: 'int', name: 'int64' };
export const floatNature: Nature = { kind: 'float' };
export const stringNature: Nature = { kind: 'string' };
/** `[]interface {}` whose elements are statically unknown. */
export const anyArray: Nature = { kind: 'array', name: '[]interface {}', elem: unknown };
/** `map[string]interface {}` */
export const anyMap: Nature = { kind: 'map', name: 'map[string]interface {}', elem: unknown };
export const floatArray: Nature = { kind: 'array', name: '[]float64', elem: floatNature };
export const stringArray: Nature = { kind: 'array', name: '[]string', elem: stringNature };

/** `[]interface {}` whose elements are known to be `elem` (an array literal of one kind, a range). */
export function arrayOf(elem: Nature): Nature {
  return { kind: 'array', name: '[]interface {}', elem };
}

/** How upstream prints a nature in messages; a `nil` nature prints as `unknown`, as upstream's does. */
export function natureName(n: Nature): string {
  switch (n.kind) {
    case 'unknown':
      return 'interface {}';
    case 'nil':
      return 'unknown';
    case 'bool':
      return 'bool';
    case 'int':
      return n.name;
    case 'float':
      return 'float64';
    case 'string':
      return 'string';
    case 'array':
    case 'map':
      return n.name;
    case 'func':
      return n.fn ? funcTypeName(n.fn) : 'func';
    case 'predicate':
      return `func(interface {}) ${natureName(n.out)}`;
  }
}

function funcTypeName(fn: ExprFunction): string {
  const params = fn.params.map(natureName);
  if (fn.variadic) params.push(`...${natureName(fn.variadic)}`);
  return `func(${params.join(', ')}) ${natureName(fn.result)}`;
}

export const isUnknown = (n: Nature): boolean => n.kind === 'unknown';
export const isNumber = (n: Nature): boolean => n.kind === 'int' || n.kind === 'float';

/**
 * Upstream's `AssignableTo`: same Go type, or anything into `interface{}`; `nil` into arrays,
 * maps and funcs.
 */
export function assignable(from: Nature, to: Nature): boolean {
  if (from.kind === 'nil')
    return to.kind === 'array' || to.kind === 'map' || to.kind === 'func' || to.kind === 'unknown';
  if (to.kind === 'unknown') return from.kind !== 'predicate';
  if (from.kind === 'unknown') return false;
  return natureName(from) === natureName(to) && from.kind === to.kind;
}

/** Upstream's `ComparableTo`, deciding whether `==` type-checks. */
export function comparable(a: Nature, b: Nature): boolean {
  return (
    isUnknown(a) ||
    isUnknown(b) ||
    a.kind === 'nil' ||
    b.kind === 'nil' ||
    (isNumber(a) && isNumber(b)) ||
    (a.kind === 'array' && b.kind === 'array') ||
    assignable(a, b)
  );
}

/** The element nature of an array or map nature; unknown otherwise. */
export function elemOf(n: Nature): Nature {
  return n.kind === 'array' || n.kind === 'map' ? n.elem : unknown;
}

/**
 * The nature of an env value. Arrays and objects from JSON are `[]interface {}` and
 * `map[string]interface {}` (their contents unknown, as with Go's `encoding/json`); a
 * `Float64Array` is `[]float64`.
 */
export function natureOf(v: Value): Nature {
  if (v === null) return nilNature;
  switch (typeof v) {
    case 'boolean':
      return boolNature;
    case 'bigint':
      return intNature;
    case 'number':
      return floatNature;
    case 'string':
      return stringNature;
  }
  if (v instanceof Float64Array) return floatArray;
  if (Array.isArray(v)) return anyArray;
  if (v instanceof ExprFunction) return { kind: 'func', fn: v };
  return anyMap;
}

/** A short stable key of a nature, to cache check results per env shape. */
export function natureKey(n: Nature): string {
  return n.kind === 'func' ? `func:${n.fn?.name ?? ''}:${n.fn ? funcTypeName(n.fn) : ''}` : natureName(n);
}
