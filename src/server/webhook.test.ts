import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  appFilesHaveChanged,
  appRefreshPaths,
  appsToRefresh,
  parseGitHubPush,
  parseRevision,
  pathMatch,
  sourceRevisionHasChanged,
  verifyGitHubSignature,
  type WebhookApp,
  webURLRegex,
} from './webhook.ts';

describe('verifyGitHubSignature', () => {
  const body = Buffer.from('{"ref":"refs/heads/main"}');
  const sign = (secret: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
  it('accepts the HMAC of the exact body and refuses anything else', () => {
    expect(verifyGitHubSignature(body, sign('s3cret'), 's3cret')).toBe(true);
    expect(verifyGitHubSignature(body, sign('other'), 's3cret')).toBe(false);
    expect(verifyGitHubSignature(Buffer.from(`${body} `), sign('s3cret'), 's3cret')).toBe(false);
    expect(verifyGitHubSignature(body, undefined, 's3cret')).toBe(false);
    expect(verifyGitHubSignature(body, 'sha1=abc', 's3cret')).toBe(false);
    expect(verifyGitHubSignature(body, 'sha256=zz', 's3cret')).toBe(false);
  });
});

describe('parseRevision (upstream ParseRevision)', () => {
  it.each([
    ['refs/heads/main', 'main'],
    ['refs/heads/feature/x', 'feature/x'],
    ['refs/tags/v1.2.3', 'v1.2.3'],
    ['main', 'main'],
    ['HEAD', 'HEAD'],
  ])('%s → %s', (ref, want) => expect(parseRevision(ref)).toBe(want));
});

describe('webURLRegex (upstream GetWebURLRegex)', () => {
  const re = webURLRegex('https://github.com/myorg/deploy-configs');
  it.each([
    ['https://github.com/myorg/deploy-configs', true],
    ['https://github.com/myorg/deploy-configs.git', true],
    ['HTTPS://GITHUB.COM/myorg/deploy-configs', true],
    ['http://github.com/myorg/deploy-configs', true],
    ['git@github.com:myorg/deploy-configs.git', true],
    ['ssh://git@github.com/myorg/deploy-configs.git', true],
    ['ssh://git@ssh.github.com:443/myorg/deploy-configs.git', true],
    ['https://user@github.com/myorg/deploy-configs', true],
    ['https://github.com/myorg/deploy-configs-other', false],
    ['https://github.com/otherorg/deploy-configs', false],
    ['https://gitlab.com/myorg/deploy-configs', false],
    ['https://github.com/myorg/deploy-configs/sub', false],
  ])('%s → %s', (url, want) => expect(re.test(url)).toBe(want));
});

describe('sourceRevisionHasChanged', () => {
  it.each([
    ['HEAD', 'main', true, true],
    ['', 'main', false, false],
    ['main', 'main', false, true],
    ['main', 'dev', false, false],
    ['refs/heads/main', 'main', false, true],
    ['refs/tags/v1.0.0', 'v1.0.0', false, true],
    ['v1.0.0', 'v1.0.1', false, false],
  ] as const)('target %s, pushed %s, head %s → %s', (target, rev, head, want) =>
    expect(sourceRevisionHasChanged(target, rev, head)).toBe(want),
  );
});

describe('refresh paths (upstream GetAppRefreshPaths / AppFilesHaveChanged)', () => {
  const app = (annotation: string | undefined, path = 'apps/my-service/overlays/dev'): WebhookApp => ({
    metadata: {
      name: 'a',
      ...(annotation === undefined
        ? {}
        : { annotations: { 'argocd.argoproj.io/manifest-generate-paths': annotation } }),
    },
    spec: { source: { repoURL: 'https://github.com/myorg/deploy-configs', targetRevision: 'main', path } },
  });
  it('joins relative entries with the source path and keeps absolute ones', () => {
    expect(appRefreshPaths(app('.; ../../base ;/shared/*.yaml'))).toEqual([
      'apps/my-service/overlays/dev',
      'apps/my-service/base',
      'shared/*.yaml',
    ]);
    expect(appRefreshPaths(app(undefined))).toEqual([]);
  });
  it.each([
    [[], ['x'], true],
    [['a'], [], true],
    [['apps/my-service/overlays/dev'], ['apps/my-service/overlays/dev/kustomization.yaml'], true],
    [['apps/my-service/overlays/dev'], ['apps/my-service/overlays/prod/kustomization.yaml'], false],
    [['apps/my-service/overlays/dev'], ['apps/my-service/overlays/dev'], true],
    [['shared/*.yaml'], ['shared/a.yaml'], true],
    [['shared/*.yaml'], ['shared/x/a.yaml'], false],
    [['apps/my-service/overlays/de'], ['apps/my-service/overlays/dev/k.yaml'], false],
  ] as const)('paths %j, changed %j → %s', (paths, files, want) =>
    expect(appFilesHaveChanged(paths, files)).toBe(want),
  );
  it('matches globs like filepath.Match', () => {
    expect(pathMatch('/a/*/c', '/a/b/c')).toBe(true);
    expect(pathMatch('/a/*', '/a/b/c')).toBe(false);
    expect(pathMatch('/a/?.yaml', '/a/b.yaml')).toBe(true);
    expect(pathMatch('/a/[bc].yaml', '/a/c.yaml')).toBe(true);
    expect(pathMatch('/a/[^bc].yaml', '/a/c.yaml')).toBe(false);
  });
});

describe('appsToRefresh', () => {
  const push = parseGitHubPush({
    ref: 'refs/heads/main',
    before: '1111111111111111111111111111111111111111',
    after: '2222222222222222222222222222222222222222',
    repository: { html_url: 'https://github.com/myorg/deploy-configs', default_branch: 'main' },
    commits: [{ added: [], modified: ['apps/my-service/overlays/dev/kustomization.yaml'], removed: [] }],
  })!;
  const app = (
    name: string,
    repoURL: string,
    targetRevision: string,
    annotations?: Record<string, string>,
  ): WebhookApp => ({
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec: { source: { repoURL, targetRevision, path: `apps/my-service/overlays/${name}` } },
  });
  it('reads the push', () => {
    expect(push).toMatchObject({
      revision: 'main',
      touchedHead: true,
      after: '2222222222222222222222222222222222222222',
    });
    expect(parseGitHubPush({ zen: 'ping' })).toBeUndefined();
  });
  it('refreshes apps on the same repository and revision whose paths changed', () => {
    const only = { 'argocd.argoproj.io/manifest-generate-paths': '.' };
    const apps = [
      app('dev', 'git@github.com:myorg/deploy-configs.git', 'HEAD', only),
      app('staging', 'https://github.com/myorg/deploy-configs.git', 'main', only),
      app('prod', 'https://github.com/myorg/deploy-configs.git', 'main'),
      app('other', 'https://github.com/myorg/other.git', 'main'),
      app('tag', 'https://github.com/myorg/deploy-configs.git', 'v1.0.0'),
    ];
    expect(appsToRefresh(apps, push).map((a) => a.metadata.name)).toEqual(['dev', 'prod']);
  });
  it('puts the apps whose own files changed first, so their sync is not queued behind the rest', () => {
    const apps = ['prod', 'staging', 'dev'].map((env) =>
      app(env, 'https://github.com/myorg/deploy-configs.git', 'main'),
    );
    expect(appsToRefresh(apps, push).map((a) => a.metadata.name)).toEqual(['dev', 'prod', 'staging']);
  });
});
