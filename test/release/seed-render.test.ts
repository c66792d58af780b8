/**
 * The seed's Step 8 after a release: the fixture config repo (the seed's base and overlays) in a
 * real bare repository, `slipway release` into dev, then a fresh clone renders dev with the new
 * image while staging and prod still render the old one.
 */
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { containerImages, renderPath } from '../../src/manifests/index.ts';
import { git, tempDir } from '../git/helpers.ts';

const FIXTURE = new URL('../manifests/fixtures/deploy-configs', import.meta.url).pathname;

describe('a release into the seed’s dev overlay renders with the new image', () => {
  const tmp = tempDir('slipway-seed-render-');
  const previousCache = process.env['SLIPWAY_CACHE'];
  process.env['SLIPWAY_CACHE'] = join(tmp.dir, 'cache');
  afterAll(() => {
    if (previousCache === undefined) delete process.env['SLIPWAY_CACHE'];
    else process.env['SLIPWAY_CACHE'] = previousCache;
    tmp.remove();
  });

  it('kustomize build of overlays/dev names the released tag; the other environments are untouched', async () => {
    const work = join(tmp.dir, 'work');
    cpSync(FIXTURE, work, { recursive: true });
    git(['init', '-q', '-b', 'main'], work);
    git(['add', '-A'], work);
    git(['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'seed'], work);
    const bare = join(tmp.dir, 'deploy-configs.git');
    git(['clone', '-q', '--bare', work, bare]);

    let out = '';
    const code = await main(
      [
        'node',
        'slipway',
        'release',
        '--repo',
        `file://${bare}`,
        '--path',
        'apps/my-service/overlays/dev',
        '--image',
        'my-service=ghcr.io/myorg/my-service:def5678',
      ],
      { out: (t) => (out += t), err: () => undefined },
    );
    expect(code).toBe(0);
    expect(out.trim()).toMatch(/^[0-9a-f]{40}$/);
    expect(git(['--git-dir', bare, 'log', '-1', '--format=%s', 'main']).trim()).toBe(
      'Update my-service to def5678',
    );

    const checkout = join(tmp.dir, 'checkout');
    git(['clone', '-q', bare, checkout]);
    const imagesOf = async (env: string) => {
      const { objects } = await renderPath(join(checkout, 'apps/my-service/overlays', env), {
        root: checkout,
      });
      return objects.flatMap((o) => containerImages(o).map((c) => c.image));
    };
    expect(await imagesOf('dev')).toEqual(['ghcr.io/myorg/my-service:def5678']);
    for (const env of ['staging', 'prod']) {
      expect(await imagesOf(env)).not.toContain('ghcr.io/myorg/my-service:def5678');
    }
  });
});
