import { describe, expect, it } from 'vitest';
import type { RunResult } from '../../ci/index.ts';
import { formatLogLine, formatRunSummary, parseEnvFlags } from './ci.ts';

describe('parseEnvFlags', () => {
  it('splits at the first = and keeps empty values', () => {
    expect(parseEnvFlags(['REGISTRY=127.0.0.1:5000', 'EMPTY=', 'URL=a=b'])).toEqual({
      REGISTRY: '127.0.0.1:5000',
      EMPTY: '',
      URL: 'a=b',
    });
  });

  it('refuses an item without a variable name, naming the flag', () => {
    expect(() => parseEnvFlags(['=x'])).toThrow('--env: expected NAME=VALUE with a variable name, got "=x"');
    expect(() => parseEnvFlags(['REGISTRY'])).toThrow(/--env: expected NAME=VALUE/);
    expect(() => parseEnvFlags(['1X=y'])).toThrow(/--env/);
  });
});

describe('ci run output', () => {
  it('streams a log line with its time, step and stream', () => {
    expect(
      formatLogLine({
        time: '2026-11-27T10:00:00.000Z',
        step: 2,
        stepName: 'Run unit tests',
        stream: 'stderr',
        text: 'boom',
      }),
    ).toBe('2026-11-27T10:00:00.000Z [Run unit tests] (stderr) boom\n');
  });

  it('prints the summary: steps, published tags, scan counts, status and log', () => {
    const result: RunResult = {
      runId: '20261127T100000Z-abc123',
      trigger: { kind: 'manual' },
      status: 'failure',
      sha: '0123456789abcdef0123456789abcdef01234567',
      ref: 'refs/heads/main',
      eventName: 'push',
      repository: 'acme/orders-api',
      job: 'build-and-push',
      workflowPath: '.github/workflows/ci.yaml',
      workflowTriggers: true,
      steps: [
        {
          index: 0,
          name: 'Run linting',
          outcome: 'success',
          conclusion: 'success',
          outputs: {},
          durationMs: 420,
        },
        {
          index: 1,
          name: 'Build and push image',
          outcome: 'success',
          conclusion: 'success',
          outputs: {},
          durationMs: 3718,
          note: 'built linux/amd64',
        },
        {
          index: 2,
          name: 'Scan image for CVEs',
          outcome: 'failure',
          conclusion: 'failure',
          outputs: {},
          durationMs: 3,
          error: "step 'Scan image for CVEs': 2 finding(s)",
        },
        { index: 3, name: 'Notify', outcome: 'skipped', conclusion: 'skipped', outputs: {}, durationMs: 0 },
      ],
      failedStep: 'Scan image for CVEs',
      logDir: '/runs/x',
      logPath: '/runs/x/run.log',
      summary: '',
      published: [{ reference: 'r.example/acme/orders-api:0123456', digest: 'sha256:aa' }],
      scan: { critical: 2, high: 0, medium: 1, low: 0, unknown: 0, passed: false },
      startedAt: '2026-11-27T10:00:00.000Z',
      durationMs: 7338,
    };
    expect(formatRunSummary(result)).toBe(
      [
        '',
        'STEP                   OUTCOME   TIME   DETAIL',
        'Run linting            success   0.4s',
        'Build and push image   success   3.7s   built linux/amd64',
        "Scan image for CVEs    failure   0.0s   step 'Scan image for CVEs': 2 finding(s)",
        'Notify                 skipped',
        '',
        'published r.example/acme/orders-api:0123456@sha256:aa',
        'scan: CRITICAL 2, HIGH 0, MEDIUM 1, LOW 0, UNKNOWN 0 (failed)',
        'run 20261127T100000Z-abc123: failure (failed step: Scan image for CVEs) in 7.3s, acme/orders-api@0123456789ab',
        'log: /runs/x/run.log',
        '',
      ].join('\n'),
    );
  });
});
