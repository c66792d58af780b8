import { describe, expect, it } from 'vitest';
import { normalizeOverlayPath } from './path.ts';

describe('normalizeOverlayPath', () => {
  it.each([
    ['apps/my-service/overlays/dev', 'apps/my-service/overlays/dev'],
    ['apps/my-service/overlays/dev/', 'apps/my-service/overlays/dev'],
    ['./apps//my-service/./overlays/dev', 'apps/my-service/overlays/dev'],
    ['apps/other/../my-service/overlays/dev', 'apps/my-service/overlays/dev'],
    ['.', '.'],
    ['overlays/.gitkeep-not-git', 'overlays/.gitkeep-not-git'],
  ])('%j is %j', (input, output) => {
    expect(normalizeOverlayPath(input)).toBe(output);
  });

  it.each([
    ['..', 'leaves the repository'],
    ['../other-repo/overlays/dev', 'leaves the repository'],
    ['apps/../../etc', 'leaves the repository'],
    ['/etc/kubernetes', 'is absolute'],
    ['.git/hooks', 'points into .git'],
    ['apps/x/.GIT/config', 'points into .git'],
    ['', 'is empty'],
    ['apps\\dev', 'backslash'],
    ['apps/\0dev', 'control character'],
    ['-rf', 'starts with "-"'],
  ])('refuses %j (%s) naming --path', (input, why) => {
    expect(() => normalizeOverlayPath(input)).toThrow(why);
    expect(() => normalizeOverlayPath(input)).toThrow(/^--path: /);
  });
});
