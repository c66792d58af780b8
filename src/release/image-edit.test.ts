import { describe, expect, it } from 'vitest';
import { parseImageSpec } from '../manifests/index.ts';
import { imageMessageVars } from './image-edit.ts';

describe('imageMessageVars', () => {
  const path = 'apps/my-service/overlays/dev';
  it.each([
    [
      'my-service=ghcr.io/myorg/my-service:abc1234',
      'my-service',
      'abc1234',
      'ghcr.io/myorg/my-service:abc1234',
    ],
    ['ghcr.io/myorg/my-service:abc1234', 'my-service', 'abc1234', 'ghcr.io/myorg/my-service:abc1234'],
    [
      'my-service@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'my-service',
      'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'my-service@sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    ],
    ['my-service=*:v2', 'my-service', 'v2', '*:v2'],
  ])('%s', (arg, service, tag, image) => {
    expect(imageMessageVars(parseImageSpec(arg), path, 'main')).toEqual({
      service,
      tag,
      image,
      path,
      branch: 'main',
    });
  });
});
