/**
 * Whether a workflow's `on:` would start for an event on a branch, as GitHub decides it: the
 * event must be listed, and its `branches` / `branches-ignore` filters must let the branch
 * through. Filter patterns use GitHub's glob (`*` stays within one `/` segment, `**` crosses
 * them, `?` one character) and `!pattern` negates; later patterns override earlier ones. Pure.
 *
 * Slipway runs a workflow when asked; the answer is recorded so a caller (a webhook) can decide
 * to skip commits the workflow does not want.
 * @module
 */
import type { Workflow } from './workflow.ts';

/** A branch filter pattern as a regular expression over branch names. */
function branchPattern(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '.';
    else re += c.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Whether `branch` passes GitHub's ordered include/negate list.
 * @example branchMatches(['main', 'release/**', '!release/old'], 'release/v1') === true
 */
export function branchMatches(patterns: readonly string[], branch: string): boolean {
  let matched = false;
  for (const p of patterns) {
    if (p.startsWith('!')) {
      if (branchPattern(p.slice(1)).test(branch)) matched = false;
    } else if (branchPattern(p).test(branch)) matched = true;
  }
  return matched;
}

/**
 * Whether `workflow` starts for `event` on `branch` (for `pull_request`, the base branch).
 * @example workflowTriggers(seed, 'push', 'main') === true; workflowTriggers(seed, 'push', 'dev') === false
 */
export function workflowTriggers(
  workflow: Workflow,
  event: 'push' | 'pull_request',
  branch: string,
): boolean {
  const on = workflow.on;
  if (typeof on === 'string') return on === event;
  if (Array.isArray(on)) return on.includes(event);
  if (!Object.hasOwn(on, event)) return false;
  const filter = on[event];
  if (filter === null || filter === undefined) return true;
  if (filter.branches !== undefined) return branchMatches(filter.branches, branch);
  if (filter['branches-ignore'] !== undefined) return !branchMatches(filter['branches-ignore'], branch);
  return true;
}
