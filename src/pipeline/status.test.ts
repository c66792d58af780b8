import { describe, expect, it } from 'vitest';
import { createBundle, type ReleaseBundle } from './bundle.ts';
import { parsePipelines } from './spec.ts';
import { type PipelineEvent, replay } from './state.ts';
import { pipelineStatus, statusRows } from './status.ts';

const pipeline = parsePipelines(
  `apiVersion: slipway.dev/v1alpha1
kind: Pipeline
metadata: { name: my-service }
spec:
  service: my-service
  source: { repo: r }
  image: { repository: ghcr.io/myorg/my-service }
  config: { repo: c, path: apps/my-service }
  environments:
    - { name: dev, overlay: overlays/dev }
    - { name: staging, overlay: overlays/staging, promotion: { type: auto, soak: 10m } }
    - { name: prod, overlay: overlays/prod, promotion: { type: manual } }
`,
  'f',
)[0]!;

const bundle = (sha: string, message: string): ReleaseBundle =>
  createBundle({
    service: 'my-service',
    sourceSha: sha,
    shortSha: sha.slice(0, 7),
    commitTime: '2026-11-27T09:00:00Z',
    author: 'Dev <dev@example.com>',
    message,
    image: {
      repository: 'ghcr.io/myorg/my-service',
      tag: sha.slice(0, 7),
      digest: `sha256:${'d'.repeat(64)}`,
    },
    runId: `run-${sha[0]}`,
    createdAt: '2026-11-27T09:01:00Z',
  });

describe('pipelineStatus', () => {
  const b1 = bundle('1'.repeat(40), 'first');
  const b2 = bundle('2'.repeat(40), 'second');
  const at = '2026-11-27T10:00:00.000Z';
  const events: PipelineEvent[] = [
    { type: 'bundle-created', bundleId: b1.id, sha: b1.sourceSha, at },
    {
      type: 'released',
      env: 'dev',
      bundleId: b1.id,
      kind: 'release',
      by: 'slipway',
      reason: 'r',
      commit: 'c1',
      at,
    },
    { type: 'observed', env: 'dev', bundleId: b1.id, state: 'healthy', at },
    {
      type: 'released',
      env: 'staging',
      bundleId: b1.id,
      kind: 'promotion',
      by: 'slipway',
      reason: 'r',
      commit: 'c2',
      at,
    },
    { type: 'observed', env: 'staging', bundleId: b1.id, state: 'healthy', at },
    { type: 'awaiting-approval', env: 'prod', bundleId: b1.id, at },
    { type: 'run-queued', sha: b2.sourceSha, trigger: { kind: 'poll' }, at },
    { type: 'run-finished', sha: b2.sourceSha, status: 'success', bundleId: b2.id, at },
    { type: 'bundle-created', bundleId: b2.id, sha: b2.sourceSha, at },
    {
      type: 'released',
      env: 'dev',
      bundleId: b2.id,
      kind: 'release',
      by: 'slipway',
      reason: 'r',
      commit: 'c3',
      at,
    },
    { type: 'run-queued', sha: '3'.repeat(40), trigger: { kind: 'hook' }, at },
    { type: 'run-finished', sha: '3'.repeat(40), status: 'failure', reason: 'the run r3 ended failure', at },
  ];
  const view = pipelineStatus(
    pipeline,
    replay(pipeline.order, events),
    new Map([
      [b1.id, b1],
      [b2.id, b2],
    ]),
  );

  it('lists commits newest first with each environment’s state of their bundle', () => {
    const { headers, rows } = statusRows(view);
    expect(headers).toEqual(['commit', 'run', 'bundle', 'dev', 'staging', 'prod', 'message']);
    expect(rows).toEqual([
      ['3333333', 'failure', '-', '-', '-', '-', 'the run r3 ended failure'],
      ['2222222', 'success', b2.id, 'released*', '-', '-', 'second'],
      ['1111111', 'unknown', b1.id, 'healthy', 'healthy*', 'awaiting-approval', 'first'],
    ]);
  });

  it('names each environment’s rule and current image', () => {
    expect(view.environments.map((e) => [e.name, e.rule, e.currentImage])).toEqual([
      ['dev', 'auto', 'ghcr.io/myorg/my-service:2222222'],
      ['staging', 'auto (soak 10m)', 'ghcr.io/myorg/my-service:1111111'],
      ['prod', 'manual', undefined],
    ]);
  });
});
