import { describe, expect, it } from 'vitest';
import { buildWatch, parseDuration, parsePlatform } from './image-watch.ts';

const base = {
  image: '127.0.0.1:5000/team/my-service',
  policy: 'semver:>=1.0.0 <2.0.0',
  repo: '/tmp/config.git',
  path: 'apps/my-service/overlays/dev/',
  branch: 'main',
  message: 'Update {service} to {tag}',
  interval: '30s',
  registryTimeout: '30s',
  gitTimeout: '60s',
  output: 'text' as const,
};

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['1500ms', 1_500],
    ['2h', 7_200_000],
    ['1.5s', 1_500],
    ['45', 45_000],
  ])('%s = %i ms', (text, ms) => {
    expect(parseDuration(text, '--interval')).toBe(ms);
  });

  it.each(['', 'soon', '10d', '-5s', '5 s', 's'])('rejects %j naming the flag', (text) => {
    expect(() => parseDuration(text, '--interval')).toThrow(/^--interval: expected a duration/);
  });
});

describe('parsePlatform', () => {
  it('reads os/arch[/variant]', () => {
    expect(parsePlatform('linux/amd64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/arm64/v8')).toEqual({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(() => parsePlatform('linux')).toThrow(/--platform/);
  });
});

describe('buildWatch', () => {
  it('turns the flags into a watch', async () => {
    const { spec, client, intervalMs } = await buildWatch(
      { ...base, filter: '^v(?P<v>.*)$', extract: '$v', platform: 'linux/arm64' },
      {},
    );
    try {
      expect(client.host).toBe('127.0.0.1:5000');
      expect(intervalMs).toBe(30_000);
      expect(spec).toMatchObject({
        repository: 'team/my-service',
        imageName: '127.0.0.1:5000/team/my-service',
        entryName: 'my-service',
        path: 'apps/my-service/overlays/dev',
        platform: { os: 'linux', architecture: 'arm64' },
      });
      expect(spec.policy.kind).toBe('semver');
      expect(spec.filter?.extract).toBe('$v');
    } finally {
      await client.close();
    }
  });

  it('defaults Docker Hub names as Docker does', async () => {
    const { spec, client } = await buildWatch({ ...base, image: 'nginx', name: 'web' }, {});
    try {
      expect(client.host).toBe('docker.io');
      expect(spec).toMatchObject({
        repository: 'library/nginx',
        imageName: 'docker.io/library/nginx',
        entryName: 'web',
      });
    } finally {
      await client.close();
    }
  });

  it.each([
    [
      { image: '127.0.0.1:5000/app:1.0.0' },
      /--image 127\.0\.0\.1:5000\/app:1\.0\.0: give the repository without a tag/,
    ],
    [{ policy: 'bogus' }, /policy "bogus": unknown policy/],
    [{ extract: '$1' }, /--extract: needs --filter/],
    [{ filter: '(' }, /filter pattern "\(".*invalid regular expression/],
    [{ path: '../outside' }, /--path.*leaves the repository/],
    [{ interval: '500ms' }, /--interval: must be at least 1s/],
    [{ image: 'UPPER/Case' }, /repository name must be lowercase/],
  ])('rejects %j', async (override, message) => {
    await expect(buildWatch({ ...base, ...override }, {})).rejects.toThrow(message);
  });

  it('needs both halves of the registry credentials, and reads the password from the environment', async () => {
    await expect(buildWatch({ ...base, username: 'alice' }, {})).rejects.toThrow(
      /registry credentials: give both/,
    );
    const { client } = await buildWatch({ ...base, username: 'alice' }, { SLIPWAY_REGISTRY_PASSWORD: 'pw' });
    await client.close();
  });
});
