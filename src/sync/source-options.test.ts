// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${NAME} is Argo CD's build-environment syntax under test, not a JS placeholder
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { ApplicationSource } from './application.ts';
import {
  buildEnv,
  checkDirectoryOptions,
  cleanSetParameter,
  dependsOnApp,
  directoryFilter,
  envsubst,
  explicitSourceType,
  globMatch,
  helmTemplatePlan,
  kustomizeEdits,
  renderCacheKey,
  resolveHelmFilePath,
  withKustomizePatches,
} from './source-options.ts';

const source = (extra: Partial<ApplicationSource> = {}): ApplicationSource => ({
  repoURL: 'file:///repos/config.git',
  path: 'apps/web',
  targetRevision: 'main',
  ...extra,
});
const ctx = { appName: 'guestbook', namespace: 'web' };

describe('envsubst (Argo CD Env.Envsubst, TestEnv_Envsubst vectors)', () => {
  const env = { FOO: 'bar' };
  it.each([
    ['', ''],
    ['$FOO', 'bar'],
    ['${FOO}', 'bar'],
    ['${FOO', 'FOO'],
    ['$BAR', ''],
    ['${BAR}', ''],
    [
      'echo $FOO; echo $BAR; echo ${FOO}; echo ${BAR}; echo ${FOO',
      'echo bar; echo ; echo bar; echo ; echo FOO',
    ],
    ['cost: $$5', 'cost: $5'],
    ['trailing $', 'trailing $'],
    ['a $ b', 'a $ b'],
    ['${}x', 'x'],
  ])('%j -> %j', (input, want) => {
    expect(envsubst(input, env)).toBe(want);
  });

  it('expands overlapping names (TestEnv_Envsubst_Overlap)', () => {
    const e = { ARGOCD_APP_NAMESPACE: 'default', ARGOCD_APP_NAME: 'guestbook' };
    expect(envsubst('namespace: $ARGOCD_APP_NAMESPACE; name: $ARGOCD_APP_NAME', e)).toBe(
      'namespace: default; name: guestbook',
    );
  });

  it('builds Argo CD’s environment from the app and the commit', () => {
    const env = buildEnv(source(), '0123456789abcdef', ctx);
    expect(env).toMatchObject({
      ARGOCD_APP_NAME: 'guestbook',
      ARGOCD_APP_NAMESPACE: 'web',
      ARGOCD_APP_REVISION: '0123456789abcdef',
      ARGOCD_APP_REVISION_SHORT: '0123456',
      ARGOCD_APP_REVISION_SHORT_8: '01234567',
      ARGOCD_APP_SOURCE_PATH: 'apps/web',
      ARGOCD_APP_SOURCE_REPO_URL: 'file:///repos/config.git',
      ARGOCD_APP_SOURCE_TARGET_REVISION: 'main',
    });
  });
});

describe('explicitSourceType', () => {
  it('is the one option block, or undefined', () => {
    expect(explicitSourceType(source())).toBeUndefined();
    expect(explicitSourceType(source({ kustomize: {} }))).toBe('Kustomize');
    expect(explicitSourceType(source({ helm: {} }))).toBe('Helm');
    expect(explicitSourceType(source({ directory: { recurse: true } }))).toBe('Directory');
  });
  it('refuses two blocks and plugins, naming the field', () => {
    expect(() => explicitSourceType(source({ kustomize: {}, helm: {} }))).toThrow(
      'spec.source: multiple application sources defined: Kustomize,Helm',
    );
    expect(() => explicitSourceType(source({ plugin: { name: 'cmp' } }))).toThrow(
      /spec\.source\.plugin: config management plugins are not supported/,
    );
  });
});

describe('kustomizeEdits (Argo CD kustomize.Build)', () => {
  const env = { ARGOCD_APP_NAME: 'argo-cd-tests' };

  it('turns TestKustomizeBuild’s options into Argo’s edit commands, in Argo’s order', () => {
    const edits = kustomizeEdits(
      {
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
      env,
    );
    expect(edits.commands).toEqual([
      ['edit', 'set', 'nameprefix', '--', 'namePrefix-'],
      ['edit', 'set', 'namesuffix', '--', '-nameSuffix'],
      ['edit', 'set', 'image', 'nginx:1.15.5'],
      ['edit', 'set', 'replicas', 'nginx-deployment=2', 'web=4'],
      [
        'edit',
        'add',
        'label',
        'app.kubernetes.io/managed-by:argo-cd',
        'app.kubernetes.io/part-of:argo-cd-tests',
      ],
      [
        'edit',
        'add',
        'annotation',
        'app.kubernetes.io/managed-by:argo-cd',
        'app.kubernetes.io/part-of:argo-cd-tests',
      ],
      ['edit', 'set', 'namespace', '--', 'custom-namespace'],
    ]);
  });

  it('leaves annotations unexpanded without commonAnnotationsEnvsubst, and passes --force flags', () => {
    const edits = kustomizeEdits(
      {
        commonLabels: { test: '${ARGOCD_APP_NAME}' },
        forceCommonLabels: true,
        labelWithoutSelector: true,
        commonAnnotations: { b: '$ARGOCD_APP_NAME', a: 'x' },
        forceCommonAnnotations: true,
      },
      env,
    );
    expect(edits.commands).toEqual([
      ['edit', 'add', 'label', '--force', '--without-selector', 'test:argo-cd-tests'],
      ['edit', 'add', 'annotation', '--force', 'a:x', 'b:$ARGOCD_APP_NAME'],
    ]);
  });

  it('keeps patches for the kustomization and notes a version it cannot honour', () => {
    const patch = { patch: '[]', target: { kind: 'Deployment' } };
    const edits = kustomizeEdits({ patches: [patch], version: 'v4.5.7', components: ['../c'] }, env);
    expect(edits.patches).toEqual([patch]);
    expect(edits.commands).toEqual([['edit', 'add', 'component', '../c']]);
    expect(edits.ignored).toEqual(['version v4.5.7: Slipway runs its one pinned kustomize']);
  });

  it('refuses a replica count that is not an integer, naming the field', () => {
    expect(() =>
      kustomizeEdits(
        {
          replicas: [
            { name: 'a', count: 1 },
            { name: 'b', count: 'two' },
          ],
        },
        env,
      ),
    ).toThrow('spec.source.kustomize.replicas[1].count: expected integer value for count. Received: two');
  });

  it('does nothing without options', () => {
    expect(kustomizeEdits(undefined, env)).toEqual({ commands: [], patches: [], ignored: [] });
    expect(kustomizeEdits({}, env).commands).toEqual([]);
  });
});

describe('withKustomizePatches', () => {
  const patch = { patch: '- op: add', target: { kind: 'Deployment', name: 'web' } };

  it('creates the patches list and keeps the rest of the file', () => {
    const out = withKustomizePatches(
      '# keep me\nresources:\n  - ./deployment.yaml\n',
      [patch],
      'kustomization.yaml',
    );
    expect(out).toContain('# keep me');
    expect(parse(out)).toEqual({ resources: ['./deployment.yaml'], patches: [patch] });
  });

  it('appends to an existing list', () => {
    const out = withKustomizePatches('patches:\n  - path: a.yaml\n', [patch], 'kustomization.yaml');
    expect(parse(out)).toEqual({ patches: [{ path: 'a.yaml' }, patch] });
  });

  it('refuses a kustomization that is not a map or whose patches is not a list', () => {
    expect(() => withKustomizePatches('- a\n', [patch], 'k.yaml')).toThrow(
      'k.yaml: expected the kustomization to be a map',
    );
    expect(() => withKustomizePatches('patches: x\n', [patch], 'k.yaml')).toThrow(
      "k.yaml: expected 'patches' to be a list",
    );
  });
});

describe('helmTemplatePlan (Argo CD helmTemplate)', () => {
  const env = buildEnv(source(), 'abcdef0123', ctx);

  it('defaults the release name to the app and the namespace to the destination, with CRDs', () => {
    const plan = helmTemplatePlan(undefined, { appName: 'argocd_guestbook', namespace: 'web' }, env);
    expect(plan).toMatchObject({
      releaseName: 'guestbook',
      namespace: 'web',
      includeCrds: true,
      values: undefined,
    });
  });

  it('maps every option', () => {
    const plan = helmTemplatePlan(
      {
        releaseName: 'rel',
        namespace: 'other',
        valueFiles: ['values-$ARGOCD_APP_NAME.yaml'],
        values: 'a: 1',
        parameters: [
          { name: 'image.tag', value: '$ARGOCD_APP_REVISION_SHORT' },
          { name: 'list', value: '{a,b}' },
          { name: 'text', value: 'x,y', forceString: true },
          { name: 'image.tag', value: 'later' },
        ],
        fileParameters: [{ name: 'config', path: 'files/$ARGOCD_APP_NAME.txt' }],
        skipCrds: true,
        passCredentials: true,
      },
      ctx,
      env,
    );
    expect(plan).toMatchObject({
      releaseName: 'rel',
      namespace: 'other',
      valueFiles: ['values-guestbook.yaml'],
      values: 'a: 1',
      set: ['image.tag=later', 'list={a,b}'],
      setString: ['text=x\\,y'],
      setFile: [{ name: 'config', path: 'files/guestbook.txt' }],
      includeCrds: false,
    });
    expect(plan.ignored).toEqual(['passCredentials: charts come from git, there is nothing to pass']);
  });

  it('prefers valuesObject over values', () => {
    const plan = helmTemplatePlan({ values: 'a: 1', valuesObject: { b: { c: 2 } } }, ctx, env);
    expect(parse(plan.values ?? '')).toEqual({ b: { c: 2 } });
  });
});

describe('cleanSetParameter (Argo CD TestHelmArgCleaner vectors)', () => {
  it.each([
    ['val', 'val'],
    ['bar', 'bar'],
    ['not, clean', 'not\\, clean'],
    ['a\\,b,c', 'a\\,b\\,c'],
    ['{a,b,c}', '{a,b,c}'],
    [',,,,,\\,', '\\,\\,\\,\\,\\,\\,'],
    ['\\,,\\\\,,', '\\,\\,\\\\,\\,'],
  ])('%s -> %s', (input, want) => {
    expect(cleanSetParameter(input)).toBe(want);
  });
});

describe('resolveHelmFilePath', () => {
  it('resolves relative to the chart and absolute to the repository root', () => {
    expect(resolveHelmFilePath('values-dev.yaml', '/r/charts/web', '/r', 'f')).toBe(
      '/r/charts/web/values-dev.yaml',
    );
    expect(resolveHelmFilePath('../common.yaml', '/r/charts/web', '/r', 'f')).toBe('/r/charts/common.yaml');
    expect(resolveHelmFilePath('/envs/dev.yaml', '/r/charts/web', '/r', 'f')).toBe('/r/envs/dev.yaml');
  });
  it('refuses URLs, naming the field', () => {
    expect(() =>
      resolveHelmFilePath('https://example.com/v.yaml', '/r', '/r', 'spec.source.helm.valueFiles[0]'),
    ).toThrow(/^spec\.source\.helm\.valueFiles\[0\]: remote value files are not supported/);
  });
});

describe('directoryFilter (Argo CD include/exclude globs)', () => {
  it('is undefined without patterns', () => {
    expect(directoryFilter(undefined)).toBeUndefined();
    expect(directoryFilter({ recurse: true })).toBeUndefined();
  });
  it('includes by alternatives, * crossing directories, and lets exclude win', () => {
    const filter = directoryFilter({ include: '{config.yaml,env-usw2/*}', exclude: '*-secret.yaml' });
    expect(filter?.('config.yaml')).toBe(true);
    expect(filter?.('env-usw2/a.yaml')).toBe(true);
    expect(filter?.('env-usw2/deep/b.yaml')).toBe(true);
    expect(filter?.('env-usw2/db-secret.yaml')).toBe(false);
    expect(filter?.('other.yaml')).toBe(false);
  });
  it('excludes alone', () => {
    const filter = directoryFilter({ exclude: 'test/*' });
    expect(filter?.('app.yaml')).toBe(true);
    expect(filter?.('test/app.yaml')).toBe(false);
  });
});

describe('checkDirectoryOptions', () => {
  it('accepts an empty jsonnet block and refuses jsonnet parameters', () => {
    expect(() => checkDirectoryOptions({ jsonnet: {} })).not.toThrow();
    expect(() =>
      checkDirectoryOptions({ jsonnet: { extVars: [{ name: 'a', value: 'b' }], libs: ['vendor'] } }),
    ).toThrow('spec.source.directory.jsonnet: jsonnet is not supported (extVars, libs given)');
  });
});

describe('renderCacheKey', () => {
  it('differs for every option and not for key order', () => {
    const base = renderCacheKey(source(), 'c1');
    const keys = [
      base,
      renderCacheKey(source(), 'c2'),
      renderCacheKey(source({ path: 'apps/other' }), 'c1'),
      renderCacheKey(source({ kustomize: { namePrefix: 'a-' } }), 'c1'),
      renderCacheKey(source({ kustomize: { namePrefix: 'b-' } }), 'c1'),
      renderCacheKey(source({ helm: { parameters: [{ name: 'a', value: '1' }] } }), 'c1'),
      renderCacheKey(source({ directory: { recurse: true } }), 'c1'),
      renderCacheKey(source({ directory: { include: '*.yaml' } }), 'c1'),
      renderCacheKey(source(), 'c1', ctx),
      renderCacheKey(source(), 'c1', { ...ctx, namespace: 'other' }),
    ];
    expect(new Set(keys).size).toBe(keys.length);
    expect(renderCacheKey(source({ kustomize: { namePrefix: 'a', nameSuffix: 'b' } }), 'c1')).toBe(
      renderCacheKey(source({ kustomize: { nameSuffix: 'b', namePrefix: 'a' } }), 'c1'),
    );
  });

  it('says which renders depend on the app', () => {
    expect(dependsOnApp(source(), 'Helm')).toBe(true);
    expect(dependsOnApp(source(), 'Kustomize')).toBe(false);
    expect(dependsOnApp(source({ kustomize: { images: ['web:$ARGOCD_APP_REVISION'] } }), 'Kustomize')).toBe(
      true,
    );
  });
});

describe('globMatch (gobwas/glob without separators, as Argo CD’s glob.Match)', () => {
  it.each([
    ['*', 'a/b/c.yaml', true],
    ['*.yaml', 'dir/x.yaml', true],
    ['*.yaml', 'x.yml', false],
    ['?.yaml', 'a.yaml', true],
    ['?.yaml', 'ab.yaml', false],
    ['[ab].yaml', 'b.yaml', true],
    ['[!ab].yaml', 'b.yaml', false],
    ['[a-c]x', 'cx', true],
    ['{a,b}.yaml', 'b.yaml', true],
    ['{config.yaml,env-usw2/*}', 'env-usw2/x/y.yaml', true],
    ['{a,{b,c}d}', 'cd', true],
    ['\\*.yaml', '*.yaml', true],
    ['\\*.yaml', 'a.yaml', false],
    ['a.yaml', 'axyaml', false],
    ['{unclosed', 'unclosed', false],
    ['', '', true],
    ['', 'a', false],
  ])('%s ~ %s = %s', (pattern, text, want) => {
    expect(globMatch(pattern, text)).toBe(want);
  });
});
