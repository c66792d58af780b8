import { describe, expect, it } from 'vitest';
import {
  type BundleContent,
  bundleFromRun,
  bundleId,
  bundleRefusal,
  canonicalJson,
  createBundle,
} from './bundle.ts';

const SHA = '1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d';
const DIGEST = `sha256:${'e'.repeat(64)}`;
const commit = {
  sha: SHA,
  commitTime: '2026-11-27T09:00:00Z',
  author: 'Dev <dev@example.com>',
  message: 'Add feature',
};
const target = { service: 'my-service', repository: 'registry.local/my-service' };
const green = {
  runId: 'run-1',
  status: 'success',
  sha: SHA,
  published: [
    { reference: 'registry.local/my-service:1a2b3c4', digest: DIGEST },
    { reference: 'registry.local/my-service:latest', digest: DIGEST },
  ],
  scan: { critical: 0, high: 0, medium: 2, low: 5, unknown: 0, passed: true },
};
const now = new Date('2026-11-27T09:05:00Z');

describe('release bundles', () => {
  it('are made from a green run: short-SHA tag and its digest, never :latest', () => {
    const b = bundleFromRun(green, commit, target, now);
    expect(b.image).toEqual({ repository: 'registry.local/my-service', tag: '1a2b3c4', digest: DIGEST });
    expect(JSON.stringify(b)).not.toContain('latest');
    expect(b).toMatchObject({
      sourceSha: SHA,
      shortSha: '1a2b3c4',
      author: commit.author,
      runId: 'run-1',
      scan: green.scan,
    });
    expect(b.id).toMatch(/^1a2b3c4-[0-9a-f]{12}$/);
  });

  it('have an id derived from their content: same content, same id; any change, another id', () => {
    const a = bundleFromRun(green, commit, target, now);
    const { id, ...content } = a;
    expect(bundleId(content)).toBe(id);
    // key order does not matter
    const reordered = Object.fromEntries(Object.entries(content).reverse()) as BundleContent;
    expect(bundleId(reordered)).toBe(id);
    expect(bundleId({ ...content, runId: 'run-2' })).not.toBe(id);
    expect(
      bundleId({ ...content, image: { ...content.image, digest: `sha256:${'f'.repeat(64)}` } }),
    ).not.toBe(id);
  });

  it.each([
    [{ ...green, status: 'failure' }, 'the run run-1 ended failure'],
    [
      { ...green, scan: { ...green.scan, critical: 1, passed: false } },
      'the scan of run run-1 failed (1 critical, 0 high)',
    ],
    [{ ...green, published: [] }, 'published no image registry.local/my-service:1a2b3c4'],
    [
      { ...green, published: [{ reference: 'registry.local/my-service:latest', digest: DIGEST }] },
      'published no image',
    ],
  ])('are refused for %#: %s', (run, reason) => {
    expect(bundleRefusal(run, target.repository)).toContain(reason);
    expect(() => bundleFromRun(run, commit, target, now)).toThrow(reason);
  });

  it('refuse content that is not a bundle, naming the field', () => {
    const { id: _, ...content } = bundleFromRun(green, commit, target, now);
    expect(() => createBundle({ ...content, image: { ...content.image, digest: 'latest' } })).toThrow(
      /bundle: image\.digest/,
    );
  });

  it('canonical JSON sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[2,{"z":1}]},"b":1}',
    );
  });
});
