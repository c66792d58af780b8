import { describe, expect, it } from 'vitest';
import { assertRefName, parseLsRemote } from './repo.ts';

describe('assertRefName', () => {
  it.each(['main', 'release/1.2', 'feature/x-y_z', 'v1.0.0', 'HEAD'])('accepts %j', (name) => {
    expect(() => assertRefName(name, 'branch')).not.toThrow();
  });

  // The rules of `git check-ref-format`, plus no leading "-" (it would be read as an option).
  it.each([
    '',
    '-delete',
    '/main',
    'main/',
    'a..b',
    'a//b',
    'a@{1}',
    'has space',
    'ta\tb',
    'tilde~1',
    'caret^',
    'colon:x',
    'q?',
    'star*',
    'br[acket',
    'back\\slash',
    'end.',
    'x.lock',
    '.hidden',
    'a/.b',
  ])('refuses %j', (name) => {
    expect(() => assertRefName(name, 'branch')).toThrow(/is not a valid git branch name/);
  });
});

describe('parseLsRemote', () => {
  it('maps ref names to commits, peeled tags included', () => {
    const out = 'aaa\trefs/heads/main\nbbb\trefs/tags/v1\nccc\trefs/tags/v1^{}\n';
    expect([...parseLsRemote(out)]).toEqual([
      ['refs/heads/main', 'aaa'],
      ['refs/tags/v1', 'bbb'],
      ['refs/tags/v1^{}', 'ccc'],
    ]);
  });
});
