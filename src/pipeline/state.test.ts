import { describe, expect, it } from 'vitest';
import { type PipelineEvent, replay } from './state.ts';

const at = (n: number) => `2026-11-27T10:0${n}:00.000Z`;
const B1 = 'aaaaaaa-000000000001';

describe('replay', () => {
  it('follows a bundle through an environment and keeps the promotion record', () => {
    const events: PipelineEvent[] = [
      {
        type: 'run-queued',
        sha: 'a'.repeat(40),
        trigger: { kind: 'hook', detail: 'post-receive' },
        at: at(0),
      },
      {
        type: 'run-started',
        sha: 'a'.repeat(40),
        trigger: { kind: 'hook', detail: 'post-receive' },
        at: at(1),
      },
      { type: 'bundle-created', bundleId: B1, sha: 'a'.repeat(40), at: at(2) },
      { type: 'run-finished', sha: 'a'.repeat(40), status: 'success', runId: 'r1', bundleId: B1, at: at(2) },
      { type: 'awaiting-approval', env: 'prod', bundleId: B1, at: at(3) },
      { type: 'approved', env: 'prod', bundleId: B1, by: 'alice', at: at(4) },
      {
        type: 'release-started',
        env: 'prod',
        bundleId: B1,
        kind: 'promotion',
        by: 'alice',
        reason: 'approved',
        at: at(5),
      },
      {
        type: 'released',
        env: 'prod',
        bundleId: B1,
        kind: 'promotion',
        by: 'alice',
        reason: 'approved',
        commit: 'c'.repeat(40),
        at: at(6),
      },
      { type: 'observed', env: 'prod', bundleId: B1, state: 'healthy', at: at(7) },
    ];
    const state = replay(['dev', 'prod'], events);
    expect(state.runs).toEqual([
      {
        sha: 'a'.repeat(40),
        trigger: { kind: 'hook', detail: 'post-receive' },
        state: 'success',
        at: at(2),
        runId: 'r1',
        bundleId: B1,
      },
    ]);
    expect(state.envs['prod']).toEqual({
      current: B1,
      bundles: {
        [B1]: {
          state: 'healthy',
          since: at(7),
          commit: 'c'.repeat(40),
          approvedBy: 'alice',
          approvedAt: at(4),
        },
      },
      good: [B1],
      promotions: [
        {
          bundleId: B1,
          kind: 'promotion',
          by: 'alice',
          at: at(6),
          reason: 'approved',
          commit: 'c'.repeat(40),
        },
      ],
    });
    expect(state.envs['dev']).toEqual({ bundles: {}, good: [], promotions: [] });
  });

  it('a failure removes the bundle from the good ones', () => {
    const state = replay(
      ['dev'],
      [
        { type: 'observed', env: 'dev', bundleId: B1, state: 'healthy', at: at(0) },
        { type: 'failed', env: 'dev', bundleId: B1, reason: 'degraded', at: at(1) },
      ],
    );
    expect(state.envs['dev']?.good).toEqual([]);
    expect(state.envs['dev']?.bundles[B1]).toEqual({ state: 'failed', since: at(1), reason: 'degraded' });
  });

  it('records superseded runs with what superseded them', () => {
    const state = replay(
      [],
      [
        { type: 'run-queued', sha: '1'.repeat(40), trigger: { kind: 'poll' }, at: at(0) },
        { type: 'run-queued', sha: '2'.repeat(40), trigger: { kind: 'poll' }, at: at(1) },
        { type: 'run-superseded', sha: '1'.repeat(40), by: '2'.repeat(40), at: at(2) },
      ],
    );
    expect(state.runs.map((r) => [r.sha[0], r.state, r.reason])).toEqual([
      ['1', 'superseded', `superseded by ${'2'.repeat(40)}`],
      ['2', 'queued', undefined],
    ]);
  });
});
