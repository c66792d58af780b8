import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SlipwayError } from '../util/errors.ts';
import { setHelmImage, splitKeyPath } from './helm-values.ts';
import { parseImageSpec } from './image-ref.ts';
import { lineDiff } from './line-diff.ts';

const D = 'sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3';

// `helm create`'s values.yaml, trimmed: the layout the default keys follow.
const VALUES = `# Default values for my-service.
replicaCount: 1

image:
  repository: nginx
  # This sets the pull policy for images.
  pullPolicy: IfNotPresent
  # Overrides the image tag whose default is the chart appVersion.
  tag: ""

imagePullSecrets: []
service:
  type: ClusterIP
  port: 80
`;

describe('setHelmImage', () => {
  it('sets the tag in place, keeping the quote style, and nothing else', () => {
    const out = setHelmImage(VALUES, parseImageSpec('my-service:abc1234'));
    expect(lineDiff(VALUES, out)).toEqual({ removed: ['  tag: ""'], added: ['  tag: "abc1234"'] });
  });

  it('sets repository and tag for name=newName:tag', () => {
    const out = setHelmImage(VALUES, parseImageSpec('my-service=ghcr.io/myorg/my-service:abc1234'));
    expect(lineDiff(VALUES, out)).toEqual({
      removed: ['  repository: nginx', '  tag: ""'],
      added: ['  repository: ghcr.io/myorg/my-service', '  tag: "abc1234"'],
    });
  });

  it('keeps the repository for name=*:tag', () => {
    const out = setHelmImage(VALUES, parseImageSpec('my-service=*:v2'));
    expect((parse(out) as { image: Record<string, string> }).image).toEqual({
      repository: 'nginx',
      pullPolicy: 'IfNotPresent',
      tag: 'v2',
    });
  });

  it('a digest is written to the digest key (added when missing) and clears the tag', () => {
    const source = 'image:\n  repository: nginx\n  tag: "1.0"\n';
    const out = setHelmImage(source, parseImageSpec(`nginx@${D}`));
    expect(out).toBe(`image:\n  repository: nginx\n  tag: ""\n  digest: ${D}\n`);
  });

  it('a tag clears a digest the file sets, but never adds an empty digest key', () => {
    const withDigest = `image:\n  tag: ""\n  digest: ${D} # pinned\n`;
    expect(setHelmImage(withDigest, parseImageSpec('x:v3'))).toBe(
      'image:\n  tag: "v3"\n  digest: "" # pinned\n',
    );
    expect(setHelmImage('image:\n  tag: v1\n', parseImageSpec('x:v3'))).toBe('image:\n  tag: v3\n');
  });

  it('adds missing keys and parents, with the file indentation, in one block', () => {
    const source = 'replicaCount: 1\nservice:\n    port: 80\n';
    const out = setHelmImage(source, parseImageSpec('x=reg/app:1234'));
    expect(out).toBe(
      'replicaCount: 1\nservice:\n    port: 80\nimage:\n    repository: reg/app\n    tag: "1234"\n',
    );
    expect(setHelmImage('', parseImageSpec('x=reg/app:v1'))).toBe(
      'image:\n  repository: reg/app\n  tag: v1\n',
    );
  });

  it('uses custom key paths, with \\. for a literal dot', () => {
    const source = 'app:\n  container.image:\n    ref: a\n';
    const out = setHelmImage(source, parseImageSpec('x:v9'), { tag: 'app.container\\.image.ref' });
    expect(out).toBe('app:\n  container.image:\n    ref: v9\n');
    expect(splitKeyPath('a.b\\.c.d')).toEqual(['a', 'b.c', 'd']);
    expect(() => splitKeyPath('a..b')).toThrow(SlipwayError);
  });

  it('refuses a key whose parent is not a map, naming file:line:col', () => {
    try {
      setHelmImage('image: nginx:1.0\n', parseImageSpec('x:v2'), {}, { file: 'values.yaml' });
      throw new Error('no error');
    } catch (err) {
      expect(err).toBeInstanceOf(SlipwayError);
      expect((err as SlipwayError).subject).toBe('values.yaml:1:8');
      expect((err as SlipwayError).message).toMatch(/image is not a map/);
    }
  });

  it('property: the tag key ends with the tag and no other value changes', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,15}$/), (tag) => {
        const out = setHelmImage(VALUES, parseImageSpec(`x:${tag}`));
        const before = parse(VALUES, { version: '1.1' }) as Record<string, Record<string, unknown>>;
        const after = parse(out, { version: '1.1' }) as Record<string, Record<string, unknown>>;
        expect(after['image']?.['tag']).toBe(tag);
        expect({ ...after, image: { ...after['image'], tag: '' } }).toEqual(before);
        expect(lineDiff(VALUES, out).removed).toEqual(['  tag: ""']);
      }),
    );
  });
});
