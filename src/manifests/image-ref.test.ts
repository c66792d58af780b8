import { describe, expect, it } from 'vitest';
import { SPLIT_VECTORS } from '../../test/manifests/upstream-vectors.ts';
import { SlipwayError } from '../util/errors.ts';
import {
  formatImage,
  invalidDigestReason,
  invalidNameReason,
  invalidTagReason,
  parseImageSpec,
  splitImage,
} from './image-ref.ts';

const D = 'sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3';

describe('splitImage (kustomize image.Split, TestSplit)', () => {
  it.each(SPLIT_VECTORS)('%s', (value, name, tag, digest) => {
    expect(splitImage(value)).toEqual({ name, tag, digest });
  });
});

describe('parseImageSpec: every argument form of kustomize edit set image', () => {
  it.each([
    ['image1=my-image1:my-tag', { name: 'image1', newName: 'my-image1', newTag: 'my-tag' }],
    [`image1=my-image1@${D}`, { name: 'image1', newName: 'my-image1', digest: D }],
    [`image1=my-image1:my-tag@${D}`, { name: 'image1', newName: 'my-image1', newTag: 'my-tag', digest: D }],
    ['ngnix=localhost:5000/my-project/ngnix', { name: 'ngnix', newName: 'localhost:5000/my-project/ngnix' }],
    ['image1:my-tag', { name: 'image1', newTag: 'my-tag' }],
    [`my-image1:my-tag@${D}`, { name: 'my-image1', newTag: 'my-tag', digest: D }],
    [`image1@${D}`, { name: 'image1', digest: D }],
    ['image1=*:v1', { name: 'image1', newName: '*', newTag: 'v1' }],
    ['image1=my-image1:*', { name: 'image1', newName: 'my-image1', newTag: '*' }],
    ['image2=my-image2@*', { name: 'image2', newName: 'my-image2', digest: '*' }],
    ['=nginx:1.2', { name: 'nginx', newTag: '1.2' }],
    [
      'my-service=ghcr.io/myorg/my-service:abc1234',
      { name: 'my-service', newName: 'ghcr.io/myorg/my-service', newTag: 'abc1234' },
    ],
  ])('%s', (arg, spec) => {
    expect(parseImageSpec(arg)).toEqual(spec);
  });

  it.each(['bad', 'args', 'nginx'])('refuses %s as kustomize does (no =, : or @)', (arg) => {
    expect(() => parseImageSpec(arg)).toThrow(
      /invalid image "[a-z]+": use one of: <image>=<newimage>:<newtag>/,
    );
  });

  it.each([
    ['a=b:c:d', /tag "c:d"/],
    ['app=Registry/App:v1', /lowercase/],
    ['app:-v1', /must not start with/],
    ['app@sha256:abc', /exactly 64 lowercase hex digits/],
    ['app@md5:abc', /at least 32 characters/],
    ['App_:v1', /image name "App_"/],
    ['app=:v1', /new name "": the name is empty/],
    [`app:${'x'.repeat(129)}`, /1-128 characters/],
  ])('refuses the invalid reference %s with a clear reason', (arg, reason) => {
    const err = (() => {
      try {
        parseImageSpec(arg);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(SlipwayError);
    expect((err as SlipwayError).reason).toBe('InvalidImageSpec');
    expect((err as SlipwayError).message).toMatch(reason);
  });
});

describe('reference grammar (distribution/reference)', () => {
  it.each([
    'nginx',
    'library/nginx',
    'docker.io/library/nginx',
    'localhost:5000/a/b',
    '127.0.0.1:5000/x',
    '[::1]:5000/x',
    'a__b/c-d.e',
  ])('accepts name %s', (name) => {
    expect(invalidNameReason(name)).toBeUndefined();
  });
  it.each(['', 'Nginx', 'a//b', '-a', 'a/', 'a:b', `a/${'b'.repeat(255)}`])('refuses name %j', (name) => {
    expect(invalidNameReason(name)).toBeDefined();
  });
  it.each(['v1', '1.2.3', 'abc1234', '_x', 'A-b.c_d'])('accepts tag %s', (tag) => {
    expect(invalidTagReason(tag)).toBeUndefined();
  });
  it.each(['', '.x', '-x', 'a:b', 'a/b'])('refuses tag %j', (tag) => {
    expect(invalidTagReason(tag)).toBeDefined();
  });
  it('digests: registered algorithms have fixed lengths, others at least 32 characters', () => {
    expect(invalidDigestReason(D)).toBeUndefined();
    expect(invalidDigestReason(`sha512:${'a'.repeat(128)}`)).toBeUndefined();
    expect(invalidDigestReason(`multihash+base58:${'Q'.repeat(32)}`)).toBeUndefined();
    expect(invalidDigestReason(D.toUpperCase())).toBeDefined();
    expect(invalidDigestReason('sha256:')).toBeDefined();
  });
});

describe('formatImage', () => {
  it('joins name, tag and digest as kustomize renders them', () => {
    expect(formatImage({ name: 'nginx', tag: '2', digest: D })).toBe(`nginx:2@${D}`);
    expect(formatImage({ name: 'nginx' })).toBe('nginx');
  });
});
