/**
 * renderPath against the real kustomize, helm and kubectl binaries: Argo CD's source-type rules,
 * Helm values and --set, plain directories, errors that name the file, and path confinement.
 */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectSourceType, renderPath } from '../../src/manifests/render.ts';
import { SlipwayError } from '../../src/util/errors.ts';
import { copyFixtureRepo, ensureTools, FIXTURE_REPO, scratchDir } from './helpers.ts';

const scratch = scratchDir();
beforeAll(() => {
  ensureTools();
}, 900_000);
afterAll(() => scratch.remove());

async function failure(p: Promise<unknown>): Promise<SlipwayError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof SlipwayError) return err;
    throw err;
  }
  throw new Error('expected a SlipwayError');
}

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

const overlay = (repo: string, env: string) => join(repo, 'apps', 'my-service', 'overlays', env);

describe('kustomize overlays', () => {
  it("renders the seed's dev overlay: namespace, patch and image applied", async () => {
    const result = await renderPath(overlay(FIXTURE_REPO, 'dev'), { root: FIXTURE_REPO });
    expect(result.sourceType).toBe('Kustomize');
    expect(result.tool).toBe('kustomize');
    expect(result.objects.map((o) => `${o.kind}/${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      'Service/my-service-dev/my-service',
      'Deployment/my-service-dev/my-service',
    ]);
    const deployment = result.objects[1] as unknown as {
      spec: { replicas: number; template: { spec: { containers: Array<Record<string, unknown>> } } };
    };
    expect(deployment.spec.replicas).toBe(1);
    expect(deployment.spec.template.spec.containers[0]).toMatchObject({
      image: 'ghcr.io/myorg/my-service:abc1234',
      resources: { requests: { cpu: '100m', memory: '128Mi' } },
    });
    expect(result.yaml).toContain('image: ghcr.io/myorg/my-service:abc1234');
  });

  it('falls back to `kubectl kustomize` when the kustomize binary is absent', async (ctx) => {
    const kubectl = ['/usr/bin/kubectl', '/usr/local/bin/kubectl'].find((p) => existsSync(p));
    if (!kubectl) ctx.skip();
    const env = {
      PATH: join(kubectl as string, '..'),
      HOME: scratch.dir,
      SLIPWAY_CACHE: join(scratch.dir, 'no-cache'),
    };
    const result = await renderPath(overlay(FIXTURE_REPO, 'prod'), { root: FIXTURE_REPO, env });
    expect(result.tool).toBe('kubectl kustomize');
    expect(result.objects.find((o) => o.kind === 'Deployment')?.metadata.namespace).toBe('my-service-prod');
  });

  it('a malformed kustomization is reported with its file and line before kustomize runs', async () => {
    const repo = copyFixtureRepo(join(scratch.dir, 'malformed'));
    const file = join(overlay(repo, 'dev'), 'kustomization.yaml');
    write(
      file,
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\n  namespace: x\n',
    );
    const err = await failure(renderPath(overlay(repo, 'dev'), { root: repo }));
    expect(err.subject).toMatch(/^apps\/my-service\/overlays\/dev\/kustomization\.yaml:5:\d+$/);
    expect(err.reason).toBe('InvalidYaml');
  });

  it('a malformed base kustomization is named too', async () => {
    const repo = copyFixtureRepo(join(scratch.dir, 'malformed-base'));
    write(
      join(repo, 'apps/my-service/base/kustomization.yaml'),
      'kind: Kustomization\nresources: [deployment.yaml,\n  service.yaml\n',
    );
    const err = await failure(renderPath(overlay(repo, 'dev'), { root: repo }));
    expect(err.subject).toMatch(/^apps\/my-service\/base\/kustomization\.yaml:\d+:\d+$/);
    expect(err.reason).toBe('InvalidYaml');
  });

  it('an unknown kustomization field is named at its line (kustomize itself does not say where)', async () => {
    const repo = copyFixtureRepo(join(scratch.dir, 'unknown-field'));
    write(
      join(repo, 'apps/my-service/base/kustomization.yaml'),
      'resources:\n- deployment.yaml\nresourcez:\n- service.yaml\n',
    );
    const err = await failure(renderPath(overlay(repo, 'dev'), { root: repo }));
    expect(err.subject).toBe('apps/my-service/base/kustomization.yaml:3:1');
    expect(err.message).toMatch(/unknown kustomization field "resourcez"/);
  });

  it("kustomize's own errors are shown with the file they name", async () => {
    const repo = copyFixtureRepo(join(scratch.dir, 'bad-resource'));
    write(
      join(repo, 'apps/my-service/base/deployment.yaml'),
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: [x\n',
    );
    const err = await failure(renderPath(overlay(repo, 'dev'), { root: repo }));
    expect(err.reason).toBe('RenderFailed');
    expect(err.subject).toBe('apps/my-service/overlays/dev');
    expect(err.message).toMatch(/kustomize build failed: .*deployment\.yaml/);
  });

  it('refuses a resource path that climbs out of the root with ..', async () => {
    const repo = copyFixtureRepo(join(scratch.dir, 'dotdot'));
    write(
      join(scratch.dir, 'dotdot', 'secret.yaml'),
      'apiVersion: v1\nkind: Secret\nmetadata: {name: stolen}\n',
    );
    write(
      join(repo, 'apps/my-service/base/kustomization.yaml'),
      'resources:\n  - deployment.yaml\n  - ../../../../secret.yaml\n',
    );
    const err = await failure(renderPath(overlay(repo, 'dev'), { root: repo }));
    expect(err.reason).toBe('PathOutsideRoot');
    expect(err.subject).toBe('apps/my-service/base/kustomization.yaml: resources[1]');
  });

  it('refuses a symlink that leads out of the root', async () => {
    const repo = copyFixtureRepo(join(scratch.dir, 'symlink'));
    write(
      join(scratch.dir, 'symlink', 'outside', 'service.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata: {name: x}\n',
    );
    const link = join(repo, 'apps/my-service/base/service.yaml');
    const { rmSync } = await import('node:fs');
    rmSync(link);
    symlinkSync(join(scratch.dir, 'symlink', 'outside', 'service.yaml'), link);
    const err = await failure(renderPath(overlay(repo, 'dev'), { root: repo }));
    expect(err.reason).toBe('PathOutsideRoot');
    expect(err.message).toMatch(/symlink/);
    expect(err.subject).toMatch(/apps\/my-service\/base\/service\.yaml/);
  });

  it('refuses a rendered directory outside the root', async () => {
    const err = await failure(
      renderPath(join(FIXTURE_REPO, 'apps/my-service/overlays/dev'), {
        root: join(FIXTURE_REPO, 'apps/my-service/base'),
      }),
    );
    expect(err.reason).toBe('PathOutsideRoot');
  });
});

describe('Helm charts', () => {
  const chart = join(scratch.dir, 'chart', 'my-service');
  beforeAll(() => {
    write(
      join(chart, 'Chart.yaml'),
      'apiVersion: v2\nname: my-service\nversion: 0.1.0\nappVersion: "1.0.0"\n',
    );
    write(
      join(chart, 'values.yaml'),
      'replicaCount: 1\nimage:\n  repository: nginx\n  tag: ""\nenabled: on\n',
    );
    write(
      join(chart, 'templates', 'deployment.yaml'),
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: {{ .Release.Name }}',
        '  labels:',
        '    kube: "{{ .Capabilities.KubeVersion.Version }}"',
        'spec:',
        '  replicas: {{ .Values.replicaCount }}',
        '  selector: {matchLabels: {app: x}}',
        '  template:',
        '    metadata: {labels: {app: x}}',
        '    spec:',
        '      containers:',
        '        - name: app',
        '          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"',
        '',
      ].join('\n'),
    );
    write(join(scratch.dir, 'chart', 'prod-values.yaml'), 'replicaCount: 3\nimage:\n  tag: v2\n');
  });

  it('detects a chart by Chart.yaml, renders with values files and --set, last one wins', async () => {
    expect(await detectSourceType(chart)).toBe('Helm');
    const result = await renderPath(chart, {
      root: join(scratch.dir, 'chart'),
      valuesFiles: ['../prod-values.yaml'],
      helmSet: ['image.repository=ghcr.io/myorg/my-service'],
      releaseName: 'web',
      namespace: 'my-service-prod',
    });
    expect(result.sourceType).toBe('Helm');
    const [d] = result.objects as unknown as Array<{
      metadata: { name: string; labels: Record<string, string> };
      spec: { replicas: number; template: { spec: { containers: Array<{ image: string }> } } };
    }>;
    expect(d?.metadata.name).toBe('web');
    // The pinned helm reports the control plane's Kubernetes version to charts.
    expect(d?.metadata.labels['kube']).toBe('v1.36.0');
    expect(d?.spec.replicas).toBe(3);
    expect(d?.spec.template.spec.containers[0]?.image).toBe('ghcr.io/myorg/my-service:v2');
    expect(result.yaml).toContain('# Source: my-service/templates/deployment.yaml');
  });

  it('refuses a values file outside the root', async () => {
    const err = await failure(renderPath(chart, { root: chart, valuesFiles: ['../prod-values.yaml'] }));
    expect(err.reason).toBe('PathOutsideRoot');
  });

  it("helm's template errors name the template file and line", async () => {
    const broken = join(scratch.dir, 'broken-chart');
    write(join(broken, 'Chart.yaml'), 'apiVersion: v2\nname: broken\nversion: 0.1.0\n');
    write(
      join(broken, 'templates', 'cm.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name \n',
    );
    const err = await failure(renderPath(broken));
    expect(err.message).toMatch(/helm template failed: .*broken\/templates\/cm\.yaml:\d+/);
  });
});

describe('plain directories (Argo CD directory source)', () => {
  const dir = join(scratch.dir, 'plain');
  beforeAll(() => {
    write(
      join(dir, 'b-service.yaml'),
      'apiVersion: v1\nkind: Service\nmetadata: {name: b}\n---\n# only a comment\n',
    );
    write(
      join(dir, 'a-config.json'),
      '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}, "data": {"x": "on"}}',
    );
    write(
      join(dir, 'c-skip.yaml'),
      '# +argocd:skip-file-rendering\napiVersion: v1\nkind: Secret\nmetadata: {name: c}\n',
    );
    write(join(dir, 'ci.yml'), 'steps: [lint, test]\nnot: [valid\n');
    write(join(dir, 'README.md'), '# not a manifest\n');
    write(
      join(dir, 'sub', 'd-pod.yaml'),
      'apiVersion: v1\nkind: Pod\nmetadata: {name: d}\nspec: {containers: []}\n',
    );
  });

  it('reads *.yaml, *.yml and *.json in lexical order, non-recursively by default', async () => {
    const result = await renderPath(dir);
    expect(result.sourceType).toBe('Directory');
    expect(result.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['ConfigMap/a', 'Service/b']);
    // JSON values pass through as strings; the YAML output keeps them strings under YAML 1.1.
    expect(result.yaml).toContain('x: "on"');
  });

  it('reads subdirectories with recursive', async () => {
    const result = await renderPath(dir, { recursive: true });
    expect(result.objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/a',
      'Service/b',
      'Pod/d',
    ]);
  });

  it('a broken file that looks like a manifest is an error naming file:line:col', async () => {
    const broken = join(scratch.dir, 'plain-broken');
    write(join(broken, 'deploy.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: [x\n');
    const err = await failure(renderPath(broken, { root: scratch.dir }));
    expect(err.subject).toMatch(/^plain-broken\/deploy\.yaml:\d+:\d+$/);
  });

  it('refuses a manifest symlink that leads out of the root', async () => {
    const linked = join(scratch.dir, 'plain-link');
    mkdirSync(linked, { recursive: true });
    write(join(scratch.dir, 'elsewhere.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n');
    symlinkSync(join(scratch.dir, 'elsewhere.yaml'), join(linked, 'secret.yaml'));
    const err = await failure(renderPath(linked));
    expect(err.reason).toBe('PathOutsideRoot');
    expect(err.subject).toBe('secret.yaml');
  });
});
