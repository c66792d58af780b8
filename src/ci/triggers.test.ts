import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { branchMatches, workflowTriggers } from './triggers.ts';
import { parseWorkflow } from './workflow.ts';

const seed = parseWorkflow(
  readFileSync(join(import.meta.dirname, '../../test/fixtures/seed/ci.yaml'), 'utf8'),
  'ci.yaml',
);
const wf = (on: string) =>
  parseWorkflow(`on: ${on}\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n`, 'w.yaml');

describe('workflowTriggers', () => {
  it.each([
    ['push', 'main', true],
    ['pull_request', 'main', true],
    ['push', 'dev', false],
    ['pull_request', 'feature/x', false],
  ] as const)('seed workflow: %s on %s → %s', (event, branch, want) => {
    expect(workflowTriggers(seed, event, branch)).toBe(want);
  });

  it('reads string, list and branches-ignore forms', () => {
    expect(workflowTriggers(wf('push'), 'push', 'any')).toBe(true);
    expect(workflowTriggers(wf('push'), 'pull_request', 'any')).toBe(false);
    expect(workflowTriggers(wf('[push, pull_request]'), 'pull_request', 'x')).toBe(true);
    expect(workflowTriggers(wf('{push: {branches-ignore: [wip/**]}}'), 'push', 'wip/a/b')).toBe(false);
    expect(workflowTriggers(wf('{push: {branches-ignore: [wip/**]}}'), 'push', 'main')).toBe(true);
    expect(workflowTriggers(wf('{push: }'), 'push', 'main')).toBe(true);
  });
});

describe('branchMatches (GitHub filter pattern cheat sheet)', () => {
  it.each([
    [['feature/*'], 'feature/my-branch', true],
    [['feature/*'], 'feature/your/branch', false],
    [['feature/**'], 'feature/your/branch', true],
    [['main', 'releases/mona-the-octocat'], 'releases/mona-the-octocat', true],
    [['*'], 'main', true],
    [['*'], 'releases/v1', false],
    [['**'], 'releases/v1', true],
    [['releases/**', '!releases/**-alpha'], 'releases/10-alpha', false],
    [['releases/**', '!releases/**-alpha'], 'releases/10', true],
    [['v?'], 'v1', true],
  ] as const)('%j matches %s: %s', (patterns, branch, want) =>
    expect(branchMatches(patterns, branch)).toBe(want),
  );
});
