/**
 * `RespectIgnoreDifferences=true`: fields covered by `ignoreDifferences` keep their live values
 * when Slipway applies (Argo CD's `normalizeTargetResources` in `controller/sync.go`).
 *
 * Upstream normalizes target and live with the ignore rules, takes the patch from the normalized
 * live object back to the live object (exactly the ignored fields' live values, `status` left
 * out), and applies that patch to the normalized target. Slipway does the same with a structural
 * merge: what normalization removed from live is put back into the normalized target, list items
 * matched by `name` where they have one (the merge key of containers, ports, volumes, env), else
 * by position. An ignored field the live object does not have is left out of the target, so the
 * apply does not set it either.
 * @module
 */
import type { KubeObject } from '../kube/types.ts';
import { deepEqual, type IgnoreDifferences, normalizeManagedFields } from './diff-normalize.ts';
import type { ResourcePair } from './tasks.ts';

/**
 * The target to apply for one resource under `RespectIgnoreDifferences=true`: `target` with every
 * field `ignore` covers taken from `live`. Without a live object the target is applied as is.
 * @example
 * // ignoreDifferences: [{ group: 'apps', kind: 'Deployment', jsonPointers: ['/spec/replicas'] }]
 * // target.spec.replicas === 1, live.spec.replicas === 5
 * withLiveIgnoredFields(target, live, ignore).spec.replicas // 5
 */
export function withLiveIgnoredFields(
  target: KubeObject,
  live: KubeObject | undefined,
  ignore: IgnoreDifferences,
): KubeObject {
  if (live === undefined) return target;
  // `status` belongs to the object's controller; copying it would make Slipway co-own it.
  const liveForPatch = structuredClone(live);
  delete liveForPatch.status;
  let normalizedTarget = target;
  let normalizedLive = liveForPatch;
  const managers = ignore.managersFor(target);
  if (managers.length > 0) {
    const pair = normalizeManagedFields(liveForPatch, target, managers);
    normalizedTarget = pair.target;
    normalizedLive = pair.live;
  }
  normalizedTarget = ignore.apply(normalizedTarget);
  normalizedLive = ignore.apply(normalizedLive);
  if (deepEqual(normalizedLive, liveForPatch) && deepEqual(normalizedTarget, target)) return target;
  return restore(normalizedTarget, liveForPatch, normalizedLive) as KubeObject;
}

/**
 * {@link withLiveIgnoredFields} over a reconciliation's pairs; pairs without a target (prunes)
 * are kept as they are.
 */
export function respectIgnoreDifferences(
  pairs: readonly ResourcePair[],
  ignore: IgnoreDifferences,
): ResourcePair[] {
  return pairs.map((pair) =>
    pair.target === undefined
      ? pair
      : { ...pair, target: withLiveIgnoredFields(pair.target, pair.live, ignore) },
  );
}

type Json = unknown;

const isMap = (v: Json): v is Record<string, Json> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/** `target` plus whatever `live` has that `normalizedLive` (live after the ignore rules) lost. */
function restore(target: Json, live: Json, normalizedLive: Json): Json {
  if (isMap(live)) {
    if (!isMap(normalizedLive)) return structuredClone(live);
    const out: Record<string, Json> = isMap(target) ? { ...target } : {};
    for (const [key, value] of Object.entries(live)) {
      if (!Object.hasOwn(normalizedLive, key)) out[key] = structuredClone(value);
      else if (!deepEqual(value, normalizedLive[key]))
        out[key] = restore(out[key], value, normalizedLive[key]);
    }
    return out;
  }
  if (Array.isArray(live)) {
    if (!Array.isArray(normalizedLive)) return structuredClone(live);
    return restoreList(Array.isArray(target) ? target : [], live, normalizedLive);
  }
  return structuredClone(live);
}

const nameOf = (v: Json): string | undefined =>
  isMap(v) && typeof v['name'] === 'string' ? (v['name'] as string) : undefined;

function restoreList(
  target: readonly Json[],
  live: readonly Json[],
  normalizedLive: readonly Json[],
): Json[] {
  const out = [...target];
  const named = live.every((item) => nameOf(item) !== undefined);
  if (named) {
    // Items keyed by name: a live item the rules removed entirely comes back whole; one they
    // changed is merged into the target item of the same name.
    for (const item of live) {
      const name = nameOf(item);
      const normalized = normalizedLive.find((n) => nameOf(n) === name);
      if (normalized !== undefined && deepEqual(item, normalized)) continue;
      const at = out.findIndex((t) => nameOf(t) === name);
      if (normalized === undefined) {
        if (at >= 0) out[at] = structuredClone(item);
        else out.push(structuredClone(item));
      } else if (at >= 0) out[at] = restore(out[at], item, normalized);
    }
    return out;
  }
  if (live.length !== normalizedLive.length) {
    // Positional items removed by the rules: the live list is what the ignored field holds.
    return structuredClone([...live]);
  }
  live.forEach((item, i) => {
    if (!deepEqual(item, normalizedLive[i])) out[i] = restore(out[i], item, normalizedLive[i]);
  });
  return out;
}
