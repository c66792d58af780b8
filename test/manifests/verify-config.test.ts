/**
 * `slipway verify config` on the fixture config repository (the seed's Step 5/6 layout), rendered
 * with the real kustomize: it passes as the seed writes it, and each kind of mistake fails with
 * the file (and line) to fix.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyConfig } from '../../src/manifests/verify-config.ts';
import { copyFixtureRepo, ensureTools, FIXTURE_REPO, runCli, scratchDir } from './helpers.ts';

const scratch = scratchDir();
beforeAll(() => {
  ensureTools();
}, 900_000);
afterAll(() => scratch.remove());

let n = 0;
const freshRepo = () => copyFixtureRepo(join(scratch.dir, `repo-${++n}`));

/** 1-based line of the first line of `file` containing `text`. */
function lineOf(file: string, text: string): number {
  const index = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(text));
  if (index < 0) throw new Error(`${text} not in ${file}`);
  return index + 1;
}

function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  if (!text.includes(from)) throw new Error(`${from} not in ${file}`);
  writeFileSync(file, text.replace(from, to));
}

describe('verify config', () => {
  it('passes on the fixture repository and prints one row per app and environment', async () => {
    const res = await runCli('verify', 'config', FIXTURE_REPO);
    expect(res.code).toBe(0);
    expect(res.err).toBe('');
    expect(res.out).toBe(
      [
        'APP          ENV       IMAGE                      TAG       NAMESPACE            RESULT',
        'my-service   dev       ghcr.io/myorg/my-service   abc1234   my-service-dev       ok',
        'my-service   prod      ghcr.io/myorg/my-service   abc1234   my-service-prod      ok',
        'my-service   staging   ghcr.io/myorg/my-service   abc1234   my-service-staging   ok',
        '',
      ].join('\n'),
    );
  });

  it('-o json carries every environment, its images and the schema versions', async () => {
    const res = await runCli('verify', 'config', FIXTURE_REPO, '--app', 'my-service', '-o', 'json');
    expect(res.code).toBe(0);
    const report = JSON.parse(res.out) as Awaited<ReturnType<typeof verifyConfig>>;
    expect(report.ok).toBe(true);
    expect(report.versions).toMatchObject({ kubernetes: 'v1.36.3' });
    expect(report.results.map((r) => [r.env, r.path, r.namespace, r.findings])).toEqual([
      ['dev', 'apps/my-service/overlays/dev', 'my-service-dev', []],
      ['prod', 'apps/my-service/overlays/prod', 'my-service-prod', []],
      ['staging', 'apps/my-service/overlays/staging', 'my-service-staging', []],
    ]);
    expect(report.results[0]?.images).toEqual([
      {
        workload: 'Deployment/my-service-dev/my-service',
        container: 'my-service',
        image: 'ghcr.io/myorg/my-service:abc1234',
        name: 'ghcr.io/myorg/my-service',
        tag: 'abc1234',
        digest: '',
      },
    ]);
  });

  it('fails on a :latest tag, naming the images entry that sets it', async () => {
    const repo = freshRepo();
    const dev = join(repo, 'apps/my-service/overlays/dev');
    expect(
      (await runCli('image', 'set', 'my-service=ghcr.io/myorg/my-service:latest', '--kustomization', dev))
        .code,
    ).toBe(0);
    const res = await runCli('verify', 'config', repo);
    expect(res.code).toBe(1);
    expect(res.out).toContain(
      'my-service   dev       ghcr.io/myorg/my-service   latest    my-service-dev       FAIL (1)',
    );
    expect(res.out).toContain(
      'my-service   prod      ghcr.io/myorg/my-service   abc1234   my-service-prod      ok',
    );
    const line = lineOf(join(dev, 'kustomization.yaml'), 'images:') + 1;
    expect(res.err).toContain(
      `error: my-service/dev: apps/my-service/overlays/dev/kustomization.yaml:${line}:5: Deployment/my-service-dev/my-service: container my-service: image "ghcr.io/myorg/my-service:latest" uses the :latest tag\n`,
    );
    expect(res.err).toMatch(/error: .*: 1 of 3 environments failed: my-service\/dev\n$/);
  });

  it('fails on an image without a tag, naming the line in the base that sets it', async () => {
    const repo = freshRepo();
    const base = join(repo, 'apps/my-service/base/deployment.yaml');
    edit(base, '          ports:', '        - name: sidecar\n          image: busybox\n          ports:');
    const report = await verifyConfig(repo, { app: 'my-service' });
    const findings = report.results.flatMap((r) => r.findings.filter((f) => f.check === 'image'));
    expect(findings).toHaveLength(3);
    expect(findings[0]).toMatchObject({
      subject: `apps/my-service/base/deployment.yaml:${lineOf(base, 'image: busybox')}:11`,
      message: 'container sidecar: image "busybox" has no tag or digest (the kubelet would pull :latest)',
    });
  });

  it('fails when an overlay sets no namespace, naming its kustomization', async () => {
    const repo = freshRepo();
    edit(
      join(repo, 'apps/my-service/overlays/staging/kustomization.yaml'),
      'namespace: my-service-staging\n',
      '',
    );
    const res = await runCli('verify', 'config', repo);
    expect(res.code).toBe(1);
    expect(res.out).toMatch(
      /\nmy-service {3}staging {3}ghcr\.io\/myorg\/my-service {3}abc1234 {3}- +FAIL \(1\)\n/,
    );
    expect(res.err).toContain(
      'error: my-service/staging: apps/my-service/overlays/staging/kustomization.yaml: the overlay sets no namespace',
    );
  });

  it('cluster-scoped objects are exempt from the namespace rule', async () => {
    const repo = freshRepo();
    const base = join(repo, 'apps/my-service/base');
    writeFileSync(
      join(base, 'clusterrole.yaml'),
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: my-service-reader\nrules: []\n',
    );
    edit(join(base, 'kustomization.yaml'), '  - service.yaml\n', '  - service.yaml\n  - clusterrole.yaml\n');
    const report = await verifyConfig(repo);
    expect(report.results.flatMap((r) => r.findings)).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it('fails on an unknown field in a Deployment, naming the file and line', async () => {
    const repo = freshRepo();
    const base = join(repo, 'apps/my-service/base/deployment.yaml');
    edit(
      base,
      '          image: my-service\n',
      '          image: my-service\n          imagePullPolicyy: Always\n',
    );
    const res = await runCli('verify', 'config', repo, '--app', 'my-service');
    expect(res.code).toBe(1);
    const line = lineOf(base, 'imagePullPolicyy');
    for (const env of ['dev', 'prod', 'staging']) {
      expect(res.err).toContain(
        `error: my-service/${env}: apps/my-service/base/deployment.yaml:${line}:11: Deployment/my-service-${env}/my-service: spec.template.spec.containers[0].imagePullPolicyy: unknown field "imagePullPolicyy"\n`,
      );
    }
  });

  it('a field added by an overlay patch is blamed on the overlay kustomization', async () => {
    const repo = freshRepo();
    edit(
      join(repo, 'apps/my-service/overlays/prod/kustomization.yaml'),
      '                resources:\n',
      '                imagePullPolicyy: Always\n                resources:\n',
    );
    const report = await verifyConfig(repo);
    const prod = report.results.find((r) => r.env === 'prod');
    expect(prod?.findings).toEqual([
      {
        severity: 'error',
        check: 'schema',
        subject: 'apps/my-service/overlays/prod/kustomization.yaml',
        object: 'Deployment/my-service-prod/my-service',
        message: 'spec.template.spec.containers[0].imagePullPolicyy: unknown field "imagePullPolicyy"',
      },
    ]);
  });

  it('fails on a Rollout with an invalid step, naming the file and line of the step', async () => {
    const repo = freshRepo();
    const base = join(repo, 'apps/canary-app/base');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(base, { recursive: true });
    mkdirSync(join(repo, 'apps/canary-app/overlays/dev'), { recursive: true });
    writeFileSync(join(base, 'kustomization.yaml'), 'resources:\n  - rollout.yaml\n');
    // The seed's Rollout (Step 15) with a mistyped step and a weight over 100.
    writeFileSync(
      join(base, 'rollout.yaml'),
      [
        'apiVersion: argoproj.io/v1alpha1',
        'kind: Rollout',
        'metadata:',
        '  name: canary-app',
        'spec:',
        '  replicas: 5',
        '  strategy:',
        '    canary:',
        '      steps:',
        '        - setWeight: 10',
        '        - pause: { duration: 5m }',
        '        - setWeigth: 30',
        '        - setWeight: 130',
        '      canaryService: canary-app-canary',
        '      stableService: canary-app-stable',
        '  selector:',
        '    matchLabels:',
        '      app: canary-app',
        '  template:',
        '    metadata:',
        '      labels:',
        '        app: canary-app',
        '    spec:',
        '      containers:',
        '        - name: canary-app',
        '          image: ghcr.io/myorg/canary-app:abc1234',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(repo, 'apps/canary-app/overlays/dev/kustomization.yaml'),
      'namespace: canary-app-dev\nresources:\n  - ../../base\n',
    );
    const res = await runCli('verify', 'config', repo, '--app', 'canary-app');
    expect(res.code).toBe(1);
    expect(res.out).toContain(
      'canary-app   dev   ghcr.io/myorg/canary-app   abc1234   canary-app-dev   FAIL (3)',
    );
    const file = 'apps/canary-app/base/rollout.yaml';
    expect(res.err).toBe(
      [
        `error: canary-app/dev: ${file}:12:11: Rollout/canary-app-dev/canary-app: spec.strategy.canary.steps[2].setWeigth: unknown field "setWeigth"`,
        `error: canary-app/dev: ${file}:12:11: Rollout/canary-app-dev/canary-app: spec.strategy.canary.steps[2]: Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause`,
        `error: canary-app/dev: ${file}:13:11: Rollout/canary-app-dev/canary-app: spec.strategy.canary.steps[3].setWeight: SetWeight needs to be between 0 and 100`,
        `error: ${repo}: 1 of 1 environments failed: canary-app/dev`,
        '',
      ].join('\n'),
    );
  });

  it('fails when the overlay declares an image no container uses', async () => {
    const repo = freshRepo();
    edit(
      join(repo, 'apps/my-service/overlays/dev/kustomization.yaml'),
      'images:\n  - name: my-service\n',
      'images:\n  - name: my-servic\n',
    );
    const report = await verifyConfig(repo);
    const dev = report.results.find((r) => r.env === 'dev');
    expect(dev?.ok).toBe(false);
    expect(dev?.findings.map((f) => [f.subject, f.message])).toEqual([
      [
        'apps/my-service/base/deployment.yaml:25:11',
        'container my-service: image "my-service" has no tag or digest (the kubelet would pull :latest)',
      ],
      [
        expect.stringMatching(/^apps\/my-service\/overlays\/dev\/kustomization\.yaml:\d+:\d+$/),
        'images entry "my-servic" matches no container (rendered images: my-service)',
      ],
    ]);
  });

  it('a render failure is a failed environment naming the file, not a crash', async () => {
    const repo = freshRepo();
    writeFileSync(join(repo, 'apps/my-service/overlays/dev/kustomization.yaml'), 'resources: [../../base\n');
    const report = await verifyConfig(repo);
    const dev = report.results.find((r) => r.env === 'dev');
    expect(dev?.findings).toEqual([
      expect.objectContaining({
        check: 'render',
        subject: expect.stringMatching(/^apps\/my-service\/overlays\/dev\/kustomization\.yaml:\d+:\d+$/),
      }),
    ]);
    expect(report.results.filter((r) => r.ok).map((r) => r.env)).toEqual(['prod', 'staging']);
  });

  it('an unknown --app is refused', async () => {
    const res = await runCli('verify', 'config', FIXTURE_REPO, '--app', 'nope');
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/no app "nope" \(apps: my-service\)/);
  });
});
