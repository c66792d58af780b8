/**
 * `valueFrom.fieldRef.fieldPath` lookups on the object an analysis is about (the Rollout): the
 * downward-API paths under `metadata` (`ExtractFieldPathAsString`), and plain dotted paths into
 * the rest of the object (Argo's `extractValueFromRollout`).
 * @module
 */
import { SlipwayError } from '../util/errors.ts';

function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(map?.[k] ?? '')}`)
    .join('\n');
}

/**
 * The value at `fieldPath` in `obj`, as a string.
 *
 * @example
 * extractFieldPath({ metadata: { labels: { rev: '3' } } }, "metadata.labels['rev']") // '3'
 * extractFieldPath({ spec: { replicas: 4 } }, 'spec.replicas')                     // '4'
 * extractFieldPath({ spec: { template: { spec: { containers: [{ name: 'app' }] } } } },
 *   'spec.template.spec.containers[0].name')                                       // 'app'
 */
export function extractFieldPath(obj: unknown, fieldPath: string): string {
  if (fieldPath.startsWith('metadata')) return extractMetadataPath(obj, fieldPath);
  let value: unknown = obj;
  for (const segment of fieldPath.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(segment);
    if (!m) throw unsupported(fieldPath);
    if (m[1] !== '') value = child(value, m[1] ?? '', fieldPath);
    for (const index of (m[2] ?? '').matchAll(/\[(\d+)\]/g))
      value = child(value, Number(index[1]), fieldPath);
  }
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function child(value: unknown, key: string | number, fieldPath: string): unknown {
  const next =
    typeof key === 'number'
      ? Array.isArray(value)
        ? value[key]
        : undefined
      : value !== null && typeof value === 'object' && !Array.isArray(value)
        ? (value as Record<string, unknown>)[key]
        : undefined;
  if (next === undefined)
    throw new SlipwayError(`field ${JSON.stringify(String(key))} not found in fieldPath ${fieldPath}`, {
      reason: 'InvalidFieldPath',
    });
  return next;
}

function unsupported(fieldPath: string): SlipwayError {
  return new SlipwayError(`unsupported fieldPath: ${fieldPath}`, { reason: 'InvalidFieldPath' });
}

function extractMetadataPath(obj: unknown, fieldPath: string): string {
  const metadata = ((obj as { metadata?: Record<string, unknown> } | null)?.metadata ?? {}) as {
    name?: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  const subscript = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
  if (subscript) return metadata[subscript[1] as 'labels' | 'annotations']?.[subscript[2] ?? ''] ?? '';
  switch (fieldPath) {
    case 'metadata.annotations':
      return formatMap(metadata.annotations);
    case 'metadata.labels':
      return formatMap(metadata.labels);
    case 'metadata.name':
      return metadata.name ?? '';
    case 'metadata.namespace':
      return metadata.namespace ?? '';
    case 'metadata.uid':
      return metadata.uid ?? '';
    default:
      throw unsupported(fieldPath);
  }
}
