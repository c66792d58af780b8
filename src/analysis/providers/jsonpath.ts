/**
 * The subset of Kubernetes JSONPath (`k8s.io/client-go/util/jsonpath`) that web metrics use: one
 * `{…}` expression of `$`, `.field`, `['field']`, `[n]` (negative counts from the end), `[*]` and
 * `.*`. Filters, ranges and unions are not supported and are rejected with a clear error.
 * @module
 */
import { SlipwayError } from '../../util/errors.ts';

type Step = { kind: 'field'; name: string } | { kind: 'index'; index: number } | { kind: 'wildcard' };

function parse(path: string): Step[] {
  const trimmed = path.trim();
  const m = /^\{(.*)\}$/s.exec(trimmed);
  if (!m)
    throw new SlipwayError(`unsupported JSONPath ${JSON.stringify(path)}: expected one {…} expression`, {
      reason: 'InvalidJsonPath',
    });
  let s = (m[1] ?? '').trim();
  if (s.startsWith('$')) s = s.slice(1);
  const steps: Step[] = [];
  const token = /^(?:\.\*|\.([A-Za-z0-9_-]+)|\[\*\]|\[(-?\d+)\]|\['([^']*)'\]|\["([^"]*)"\])/;
  while (s !== '') {
    const t = token.exec(s);
    if (!t)
      throw new SlipwayError(`unsupported JSONPath ${JSON.stringify(path)} at ${JSON.stringify(s)}`, {
        reason: 'InvalidJsonPath',
      });
    if (t[0] === '.*' || t[0] === '[*]') steps.push({ kind: 'wildcard' });
    else if (t[1] !== undefined) steps.push({ kind: 'field', name: t[1] });
    else if (t[2] !== undefined) steps.push({ kind: 'index', index: Number(t[2]) });
    else steps.push({ kind: 'field', name: t[3] ?? t[4] ?? '' });
    s = s.slice(t[0].length);
  }
  return steps;
}

/**
 * Every value `path` selects in `data`; throws `<name> is not found` like client-go when a field
 * is missing.
 *
 * @example
 * findResults({ data: { ok: true } }, '{$.data.ok}')            // [true]
 * findResults({ key: [{ v: '1' }, { v: '2' }] }, '{$.key[*].v}') // ['1', '2']
 * findResults({ a: 1 }, '{$}')                                   // [{ a: 1 }]
 */
export function findResults(data: unknown, path: string): unknown[] {
  let current: unknown[] = [data];
  for (const step of parse(path)) {
    const next: unknown[] = [];
    for (const value of current) {
      if (step.kind === 'field') {
        if (value === null || typeof value !== 'object' || Array.isArray(value) || !(step.name in value))
          throw new SlipwayError(`${step.name} is not found`, { reason: 'JsonPathNotFound' });
        next.push((value as Record<string, unknown>)[step.name]);
      } else if (step.kind === 'index') {
        if (!Array.isArray(value))
          throw new SlipwayError(`${JSON.stringify(value)} is not array or slice`, {
            reason: 'JsonPathNotFound',
          });
        const i = step.index < 0 ? value.length + step.index : step.index;
        if (i < 0 || i >= value.length)
          throw new SlipwayError(`array index out of bounds: index ${step.index}, length ${value.length}`, {
            reason: 'JsonPathNotFound',
          });
        next.push(value[i]);
      } else if (Array.isArray(value)) next.push(...value);
      else if (value !== null && typeof value === 'object') next.push(...Object.values(value));
    }
    current = next;
  }
  return current;
}
