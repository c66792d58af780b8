/**
 * Small JSON helpers for diffing router objects: the API server, zod and Slipway each order keys
 * their own way, and a merge-patch diff compares arrays as whole JSON text.
 * @module
 */
import { mergePatchDiff } from '../execute.ts';

/**
 * A copy with every object's keys sorted (undefined members dropped), so equal JSON compares
 * equal as text.
 * @example JSON.stringify(canonical({ b: 1, a: { d: 2, c: undefined } })) // '{"a":{"d":2},"b":1}'
 */
export function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) out[key] = canonical(v);
  }
  return out;
}

/**
 * The JSON merge patch from `from` to `to`, insensitive to key order; undefined when equal.
 * @example patchBetween({ spec: { a: [{ x: 1, y: 2 }] } }, { spec: { a: [{ y: 2, x: 1 }] } }) // undefined
 */
export function patchBetween(from: unknown, to: unknown): Record<string, unknown> | undefined {
  const diff = mergePatchDiff(canonical(from), canonical(to));
  if (diff === undefined) return undefined;
  // Both sides are objects, so the diff is an object.
  return diff as Record<string, unknown>;
}
