// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is Argo CD's build-environment syntax under test, not a JS placeholder
/**
 * Application source options rendered by SourceCache from a real git repository with the real
 * kustomize and helm binaries. The kustomize cases port Argo CD's `util/kustomize/kustomize_test.go`
 * (TestKustomizeBuild, TestKustomizeBuildForceCommonLabels, TestKustomizeBuildPatches) and its
 * testdata.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { observeGitCommands } from '../../src/git/exec.ts';
import type { KubeObject } from '../../src/kube/types.ts';
import type { ApplicationSource } from '../../src/sync/application.ts';
import { SourceCache } from '../../src/sync/source.ts';
import { ConfigRepo } from './helpers.ts';

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.15.4
        ports:
        - containerPort: 80
`;

const STATEFULSET = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: nginx
  serviceName: "nginx"
  replicas: 3
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.8
`;

const CHART = {
  'Chart.yaml': 'apiVersion: v2\nname: web\nversion: 0.1.0\n',
  'values.yaml': 'image:\n  tag: "1.0"\ngreeting: hello\nlist: []\n',
  'crds/widgets.yaml':
    'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\nspec:\n  group: example.com\n  names: {kind: Widget, plural: widgets}\n  scope: Namespaced\n  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]\n',
  'templates/config.yaml': [
    'apiVersion: v1',
    'kind: ConfigMap',
    'metadata:',
    '  name: {{ .Release.Name }}-config',
    '  namespace: {{ .Release.Namespace }}',
    'data:',
    '  tag: {{ .Values.image.tag | quote }}',
    '  greeting: {{ .Values.greeting | quote }}',
    '  list: {{ join ";" .Values.list | quote }}',
    '  {{- with .Values.file }}',
    '  file: {{ . | quote }}',
    '  {{- end }}',
    '',
  ].join('\n'),
};

describe('Application source options on a real repository with real kustomize and helm', () => {
  const cleanups: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  function fixture() {
    const repo = new ConfigRepo();
    const cacheRoot = mkdtempSync(join(tmpdir(), 'slipway-source-options-'));
    cleanups.push(
      () => repo.cleanup(),
      () => rmSync(cacheRoot, { recursive: true, force: true }),
    );
    const commands: string[] = [];
    cleanups.push(observeGitCommands((r) => commands.push(r.command)));
    const cache = new SourceCache({ resolveTtlMs: 60_000, cacheRoot });
    const src = (path: string, extra: Partial<ApplicationSource> = {}): ApplicationSource => ({
      repoURL: repo.url,
      targetRevision: 'main',
      path,
      ...extra,
    });
    return { repo, cache, src, commands };
  }
  const ctx = { appName: 'argo-cd-tests', namespace: 'dest' };
  const byKind = (objects: readonly KubeObject[], kind: string) => objects.find((o) => o.kind === kind);

  it('applies kustomize options as Argo CD’s TestKustomizeBuild expects, without touching the cache', async () => {
    const { repo, cache, src } = fixture();
    repo.write('k/kustomization.yaml', 'resources:\n  - ./deployment.yaml\n  - ./statefulset.yaml\n');
    repo.write('k/deployment.yaml', DEPLOYMENT).write('k/statefulset.yaml', STATEFULSET);
    const revision = repo.commit('kustomization');
    const source = src('k', {
      kustomize: {
        namePrefix: 'namePrefix-',
        nameSuffix: '-nameSuffix',
        images: ['nginx:1.15.5'],
        commonLabels: {
          'app.kubernetes.io/managed-by': 'argo-cd',
          'app.kubernetes.io/part-of': '${ARGOCD_APP_NAME}',
        },
        commonAnnotations: {
          'app.kubernetes.io/managed-by': 'argo-cd',
          'app.kubernetes.io/part-of': '${ARGOCD_APP_NAME}',
        },
        namespace: 'custom-namespace',
        commonAnnotationsEnvsubst: true,
        replicas: [
          { name: 'nginx-deployment', count: 2 },
          { name: 'web', count: '4' },
        ],
      },
    });
    const { objects, sourceType } = await cache.render(source, revision, ctx);
    expect(sourceType).toBe('Kustomize');
    const expectedMeta = {
      'app.kubernetes.io/managed-by': 'argo-cd',
      'app.kubernetes.io/part-of': 'argo-cd-tests',
    };
    const sts = byKind(objects, 'StatefulSet') as KubeObject & { spec: { replicas: number } };
    expect(sts.metadata).toMatchObject({
      name: 'namePrefix-web-nameSuffix',
      namespace: 'custom-namespace',
      labels: expectedMeta,
      annotations: expectedMeta,
    });
    expect(sts.spec.replicas).toBe(4);
    const deployment = byKind(objects, 'Deployment') as KubeObject & {
      spec: { replicas: number; template: { spec: { containers: Array<{ image: string }> } } };
    };
    expect(deployment.metadata).toMatchObject({
      name: 'namePrefix-nginx-deployment-nameSuffix',
      namespace: 'custom-namespace',
      labels: { app: 'nginx', ...expectedMeta },
      annotations: expectedMeta,
    });
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.template.spec.containers[0]?.image).toBe('nginx:1.15.5');

    // The same source without options renders the files as committed: the edits went to a copy.
    const plain = await cache.render(src('k'), revision, ctx);
    expect(byKind(plain.objects, 'Deployment')?.metadata.name).toBe('nginx-deployment');
    expect(byKind(plain.objects, 'Deployment')?.metadata.namespace).toBeUndefined();
  });

  it('needs forceCommonLabels to overwrite a label the kustomization sets (TestKustomizeBuildForceCommonLabels)', async () => {
    const { repo, cache, src } = fixture();
    repo.write(
      'force/kustomization.yaml',
      'resources:\n  - ./deployment.yaml\ncommonLabels:\n  foo: bar\ncommonAnnotations:\n  one: two\n',
    );
    repo.write('force/deployment.yaml', DEPLOYMENT);
    const revision = repo.commit('force_common');
    const forced = await cache.render(
      src('force', {
        kustomize: { forceCommonLabels: true, commonLabels: { foo: 'edited', test: '${ARGOCD_APP_NAME}' } },
      }),
      revision,
      ctx,
    );
    expect(forced.objects[0]?.metadata.labels).toEqual({
      app: 'nginx',
      foo: 'edited',
      test: 'argo-cd-tests',
    });
    await expect(
      cache.render(src('force', { kustomize: { commonLabels: { foo: 'edited' } } }), revision, ctx),
    ).rejects.toThrow(/^spec\.source\.kustomize: kustomize edit add label failed: .*foo/s);
  });

  it('appends inline patches to the kustomization (TestKustomizeBuildPatches)', async () => {
    const { repo, cache, src } = fixture();
    repo
      .write('p/kustomization.yaml', 'resources:\n  - ./deployment.yaml\n')
      .write('p/deployment.yaml', DEPLOYMENT);
    const revision = repo.commit('patches');
    const { objects } = await cache.render(
      src('p', {
        kustomize: {
          patches: [
            {
              patch:
                '[ { "op": "replace", "path": "/spec/template/spec/containers/0/ports/0/containerPort", "value": 443 },  { "op": "replace", "path": "/spec/template/spec/containers/0/name", "value": "test" }]',
              target: { kind: 'Deployment', name: 'nginx-deployment' },
            },
          ],
        },
      }),
      revision,
      ctx,
    );
    const container = (
      objects[0] as unknown as {
        spec: {
          template: {
            spec: { containers: Array<{ name: string; ports: Array<{ containerPort: number }> }> };
          };
        };
      }
    ).spec.template.spec.containers[0];
    expect(container?.name).toBe('test');
    expect(container?.ports[0]?.containerPort).toBe(443);
  });

  it('renders a Helm chart with Argo CD’s defaults and every helm option', async () => {
    const { repo, cache, src } = fixture();
    for (const [file, text] of Object.entries(CHART)) repo.write(`charts/web/${file}`, text);
    repo.write('charts/web/values-dev.yaml', 'greeting: hi-dev\n');
    repo.write('envs/prod.yaml', 'image:\n  tag: "3.0"\n');
    repo.write('charts/web/files/motd.txt', 'welcome');
    const revision = repo.commit('chart');

    // Defaults: release name = the app (its name part), namespace = the destination, CRDs included.
    const plain = await cache.render(src('charts/web'), revision, {
      appName: 'argocd_guestbook',
      namespace: 'dest',
    });
    expect(plain.sourceType).toBe('Helm');
    expect(plain.objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'ConfigMap/guestbook-config',
      'CustomResourceDefinition/widgets.example.com',
    ]);
    expect(byKind(plain.objects, 'ConfigMap')?.metadata.namespace).toBe('dest');
    // Another app on the same chart gets its own release, not the first app's render.
    const second = await cache.render(src('charts/web'), revision, { appName: 'other', namespace: 'o' });
    expect(byKind(second.objects, 'ConfigMap')?.metadata).toMatchObject({
      name: 'other-config',
      namespace: 'o',
    });

    const options = await cache.render(
      src('charts/web', {
        helm: {
          releaseName: 'rel',
          namespace: 'other',
          valueFiles: ['values-dev.yaml', '/envs/prod.yaml', 'missing.yaml'],
          ignoreMissingValueFiles: true,
          valuesObject: { image: { tag: '4.0' } },
          parameters: [
            { name: 'greeting', value: 'a,b', forceString: true },
            { name: 'list', value: '{x,y}' },
          ],
          fileParameters: [{ name: 'file', path: 'files/motd.txt' }],
          skipCrds: true,
          passCredentials: true,
        },
      }),
      revision,
      ctx,
    );
    expect(options.objects).toHaveLength(1);
    expect(options.objects[0]?.metadata).toMatchObject({ name: 'rel-config', namespace: 'other' });
    // Inline values come after the value files; --set wins over both.
    expect(options.objects[0]?.['data']).toEqual({
      tag: '4.0',
      greeting: 'a,b',
      list: 'x;y',
      file: 'welcome',
    });
    expect(options.notes).toContain('passCredentials: charts come from git, there is nothing to pass');
  });

  it('refuses Helm value files outside the repository and missing ones unless told to ignore them', async () => {
    const { repo, cache, src } = fixture();
    for (const [file, text] of Object.entries(CHART)) repo.write(`charts/web/${file}`, text);
    const revision = repo.commit('chart');
    await expect(
      cache.render(src('charts/web', { helm: { valueFiles: ['../../../../etc/passwd'] } }), revision, ctx),
    ).rejects.toThrow(/leaves the root/);
    await expect(
      cache.render(
        src('charts/web', { helm: { fileParameters: [{ name: 'f', path: '/../../etc/hostname' }] } }),
        revision,
        ctx,
      ),
    ).rejects.toThrow(/leaves the root/);
    await expect(
      cache.render(src('charts/web', { helm: { valueFiles: ['nope.yaml'] } }), revision, ctx),
    ).rejects.toThrow(/"\S*nope\.yaml" does not exist/);
  });

  it('filters plain directories with include/exclude globs and recurse, and refuses jsonnet', async () => {
    const { repo, cache, src } = fixture();
    const cm = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
    repo.write('d/config.yaml', cm('config')).write('d/other.yaml', cm('other'));
    repo.write('d/env-usw2/a.yaml', cm('usw2-a')).write('d/env-usw2/db-secret.yaml', cm('usw2-secret'));
    repo.write('d/env-euw1/b.yaml', cm('euw1-b'));
    repo.write('j/main.jsonnet', '{}');
    const revision = repo.commit('directories');
    const names = async (directory: ApplicationSource['directory']) =>
      (await cache.render(src('d', { directory }), revision, ctx)).objects.map((o) => o.metadata.name).sort();

    expect(await names({})).toEqual(['config', 'other']);
    expect(await names({ recurse: true })).toEqual(['config', 'euw1-b', 'other', 'usw2-a', 'usw2-secret']);
    expect(
      await names({ recurse: true, include: '{config.yaml,env-usw2/*}', exclude: '*-secret.yaml' }),
    ).toEqual(['config', 'usw2-a']);
    expect(await names({ recurse: true, exclude: 'env-*' })).toEqual(['config', 'other']);
    await expect(cache.render(src('j', { directory: {} }), revision, ctx)).rejects.toThrow(
      /j\/main\.jsonnet: jsonnet sources are not supported/,
    );
    await expect(
      cache.render(
        src('d', { directory: { jsonnet: { tlas: [{ name: 'a', value: 'b' }] } } }),
        revision,
        ctx,
      ),
    ).rejects.toThrow('spec.source.directory.jsonnet: jsonnet is not supported (tlas given)');
  });

  it('names the path when it does not exist at the commit', async () => {
    const { cache, src, repo } = fixture();
    const revision = repo.commit('nothing');
    await expect(cache.render(src('apps/nowhere'), revision, ctx)).rejects.toThrow(
      `spec.source.path: apps/nowhere: no such directory in ${repo.url} at ${revision.slice(0, 7)}`,
    );
  });

  it('caches by commit, path and options: one render per distinct key, shared across apps unless Helm; one checkout per commit', async () => {
    const { cache, src, repo, commands } = fixture();
    const revision = repo.commit('seed');
    const path = 'apps/my-service/overlays/dev';
    const checkouts = () => commands.filter((c) => c === 'git checkout-index').length;
    const a = await cache.render(src(path), revision, { appName: 'a', namespace: 'x' });
    const before = checkouts();
    // Another app on the same plain kustomize source shares the render.
    expect(await cache.render(src(path), revision, { appName: 'b', namespace: 'y' })).toBe(a);
    expect(checkouts()).toBe(before);
    // Different options render again, and are cached in turn.
    const prefixed = await cache.render(src(path, { kustomize: { namePrefix: 'p-' } }), revision, ctx);
    expect(prefixed.objects.every((o) => o.metadata.name?.startsWith('p-'))).toBe(true);
    expect(await cache.render(src(path, { kustomize: { namePrefix: 'p-' } }), revision, ctx)).toBe(prefixed);
    // …from the same snapshot of the commit's files.
    expect(checkouts()).toBe(before);
    expect(before).toBe(1);
    // Apps asking at the same time for a source nobody rendered yet share the one render.
    const other = src(path, { kustomize: { nameSuffix: '-s' } });
    const [c, d] = await Promise.all([
      cache.render(other, revision, { appName: 'c', namespace: 'x' }),
      cache.render(other, revision, { appName: 'd', namespace: 'y' }),
    ]);
    expect(c).toBe(d);
    expect(c).not.toBe(prefixed);
    expect(checkouts()).toBe(before);
  });
});
