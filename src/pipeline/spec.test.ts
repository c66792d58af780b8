import { describe, expect, it } from 'vitest';
import { PipelineSpecError, parsePipelines, promotionOrder } from './spec.ts';

const SEED_PIPELINE = `apiVersion: slipway.dev/v1alpha1
kind: Pipeline
metadata:
  name: my-service
spec:
  service: my-service
  source:
    repo: https://github.com/myorg/my-service.git
  image:
    repository: ghcr.io/myorg/my-service
  config:
    repo: https://github.com/myorg/deploy-configs.git
    path: apps/my-service
  environments:
    - name: dev
      overlay: overlays/dev
      application: my-service-dev
    - name: staging
      overlay: overlays/staging
      application: my-service-staging
      promotion: { type: auto, soak: 10m }
    - name: prod
      overlay: overlays/prod
      application: my-service-prod
      promotion: { type: manual }
`;

const issuesOf = (text: string) => {
  try {
    parsePipelines(text, 'slipway.yaml');
  } catch (err) {
    if (err instanceof PipelineSpecError)
      return err.issues.map((i) => `${i.line}:${i.column} ${i.path}: ${i.message}`);
    throw err;
  }
  throw new Error('expected a PipelineSpecError');
};

describe('parsePipelines', () => {
  it('accepts the seed pipeline with defaults filled in', () => {
    const [p] = parsePipelines(SEED_PIPELINE, 'slipway.yaml');
    expect(p!.name).toBe('my-service');
    expect(p!.order).toEqual(['dev', 'staging', 'prod']);
    expect(p!.spec.source).toEqual({
      repo: 'https://github.com/myorg/my-service.git',
      branch: 'main',
      workflow: '.github/workflows/ci.yaml',
    });
    expect(p!.spec.environments[0]!.promotion).toEqual({ type: 'auto' });
    expect(p!.spec.environments[1]!.promotion).toEqual({ type: 'auto', soak: '10m' });
    expect(p!.spec.environments[2]!.promotion).toEqual({ type: 'manual' });
  });

  it('names the line and field of an unknown promotion type', () => {
    expect(issuesOf(SEED_PIPELINE.replace('{ type: manual }', '{ type: approval }'))).toEqual([
      expect.stringMatching(/^25:26 spec\.environments\[2\]\.promotion\.type: /),
    ]);
  });

  it('names an unknown field', () => {
    expect(
      issuesOf(SEED_PIPELINE.replace('    repository: ghcr.io', '    registry: x\n    repository: ghcr.io')),
    ).toEqual(['10:15 spec.image.registry: unknown field']);
  });

  it('refuses overlay paths that leave the repository', () => {
    expect(issuesOf(SEED_PIPELINE.replace('overlay: overlays/prod', 'overlay: ../../etc'))).toEqual([
      '23:16 spec.environments[2].overlay: must be a path inside the repository (no leading / or ..)',
    ]);
  });

  it('refuses an unknown environment in from, and a cycle', () => {
    expect(
      issuesOf(
        SEED_PIPELINE.replace(
          '      promotion: { type: manual }',
          '      from: qa\n      promotion: { type: manual }',
        ),
      ),
    ).toEqual(['25:13 spec.environments[2].from: unknown environment "qa"']);
    const cyclic = SEED_PIPELINE.replace('    - name: dev\n', '    - name: dev\n      from: prod\n');
    expect(issuesOf(cyclic)[0]).toMatch(
      /spec\.environments\[0\]\.from: promotion cycle: dev → prod → staging → dev/,
    );
  });

  it('reports malformed YAML with its line', () => {
    expect(issuesOf('apiVersion: slipway.dev/v1alpha1\nkind: [Pipeline\n')[0]).toMatch(
      /^\d+:\d+ : malformed YAML/,
    );
  });

  it('requires at least one environment and an overlay or application for each', () => {
    expect(issuesOf(SEED_PIPELINE.replace(/ {2}environments:[\s\S]*$/, '  environments: []\n'))).toEqual([
      '14:17 spec.environments: at least one environment is required',
    ]);
    expect(
      issuesOf(
        SEED_PIPELINE.replace('      overlay: overlays/prod\n      application: my-service-prod\n', ''),
      )[0],
    ).toMatch(/spec\.environments\[2\]: needs an overlay, an application, or both/);
  });
});

describe('promotionOrder', () => {
  it('follows from, defaulting to the previous environment', () => {
    expect(promotionOrder([{ name: 'dev' }, { name: 'staging' }, { name: 'prod' }]).order).toEqual([
      'dev',
      'staging',
      'prod',
    ]);
    expect(
      promotionOrder([
        { name: 'dev' },
        { name: 'qa', from: 'dev' },
        { name: 'perf', from: 'dev' },
        { name: 'prod', from: 'qa' },
      ]).order,
    ).toEqual(['dev', 'qa', 'perf', 'prod']);
  });

  it('the first environment is the only root: pointing it elsewhere is a cycle', () => {
    const res = promotionOrder([{ name: 'dev', from: 'prod' }, { name: 'prod' }]);
    expect(res.issues.map((i) => i.message)).toEqual([
      'promotion cycle: dev → prod → dev',
      'promotion cycle: prod → dev → prod',
    ]);
  });

  it('refuses duplicate names', () => {
    expect(promotionOrder([{ name: 'dev' }, { name: 'dev' }]).issues.map((i) => i.message)).toEqual([
      'duplicate environment "dev"',
    ]);
  });
});
