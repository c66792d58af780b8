import { describe, expect, it } from 'vitest';
import { parsePushPorcelain } from './push.ts';

// `git push --porcelain` output of git 2.39 (stdout), one case per verdict.
describe('parsePushPorcelain', () => {
  it.each([
    ['To file:///r.git\n \t1a2b:refs/heads/main\t3c4d..1a2b\nDone\n', { kind: 'pushed' }],
    ['To file:///r.git\n*\t1a2b:refs/heads/new\t[new branch]\nDone\n', { kind: 'pushed' }],
    ['To file:///r.git\n=\t1a2b:refs/heads/main\t[up to date]\nDone\n', { kind: 'pushed' }],
    [
      'To file:///r.git\n!\t1a2b:refs/heads/main\t[rejected] (fetch first)\nDone\n',
      { kind: 'stale', reason: '[rejected] (fetch first)' },
    ],
    [
      'To file:///r.git\n!\t1a2b:refs/heads/main\t[rejected] (non-fast-forward)\nDone\n',
      { kind: 'stale', reason: '[rejected] (non-fast-forward)' },
    ],
    [
      "To file:///r.git\n!\t1a2b:refs/heads/main\t[remote rejected] (cannot lock ref 'refs/heads/main': is at 3c4d but expected 5e6f)\nDone\n",
      {
        kind: 'stale',
        reason: "[remote rejected] (cannot lock ref 'refs/heads/main': is at 3c4d but expected 5e6f)",
      },
    ],
    [
      'To file:///r.git\n!\t1a2b:refs/heads/main\t[remote rejected] (pre-receive hook declined)\nDone\n',
      { kind: 'refused', reason: '[remote rejected] (pre-receive hook declined)' },
    ],
    [
      'To https://h/r.git\n!\t1a2b:refs/heads/main\t[remote rejected] (protected branch hook declined)\nDone\n',
      { kind: 'refused', reason: '[remote rejected] (protected branch hook declined)' },
    ],
    ['', { kind: 'refused', reason: 'git reported no ref update' }],
  ])('%j', (stdout, verdict) => {
    expect(parsePushPorcelain(stdout)).toEqual(verdict);
  });
});
