/**
 * `slipway release` end to end: the seed's dev overlay in a real bare repository, the real
 * manifests edit, stdout holding only the commit.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { commitCount, git, makeConfigRepo, revParse, showFile, tempDir } from '../git/helpers.ts';

// The seed's overlays/dev/kustomization.yaml, byte for byte (the fixture config repo's copy).
const SEED_OVERLAY = readFileSync(
  new URL(
    '../manifests/fixtures/deploy-configs/apps/my-service/overlays/dev/kustomization.yaml',
    import.meta.url,
  ),
  'utf8',
);
const OVERLAY = 'apps/my-service/overlays/dev';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'slipway', 'release', ...args], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  return { code, out, err };
}

describe('slipway release', () => {
  const tmp = tempDir('slipway-release-cli-');
  const previousCache = process.env['SLIPWAY_CACHE'];
  let bare: string;

  beforeAll(() => {
    process.env['SLIPWAY_CACHE'] = join(tmp.dir, 'cache');
    mkdirSync(join(tmp.dir, 'repo'));
    bare = makeConfigRepo(join(tmp.dir, 'repo'), ['other'], {
      [`${OVERLAY}/kustomization.yaml`]: SEED_OVERLAY,
    });
  });
  afterAll(() => {
    if (previousCache === undefined) delete process.env['SLIPWAY_CACHE'];
    else process.env['SLIPWAY_CACHE'] = previousCache;
    tmp.remove();
  });

  it('sets the image, commits "Update my-service to <tag>" as the author, pushes, and prints the commit', async () => {
    const { code, out, err } = await run([
      '--repo',
      bare,
      '--path',
      OVERLAY,
      '--image',
      'my-service=ghcr.io/myorg/my-service:def5678',
      '--author',
      'CI Bot <ci@example.com>',
    ]);
    expect(err).toContain('pushed');
    expect(code).toBe(0);
    const head = revParse(bare, 'main');
    expect(out).toBe(`${head}\n`);
    expect(git(['--git-dir', bare, 'log', '-1', '--format=%an <%ae>|%s', 'main']).trim()).toBe(
      'CI Bot <ci@example.com>|Update my-service to def5678',
    );
    // Byte-preserving: only the tag line differs from the seed's file.
    expect(showFile(bare, 'main', `${OVERLAY}/kustomization.yaml`)).toBe(
      SEED_OVERLAY.replace('newTag: abc1234', 'newTag: def5678'),
    );
  });

  it('prints the unchanged head and makes no commit when the overlay already has the image', async () => {
    const head = revParse(bare, 'main');
    const count = commitCount(bare);
    const { code, out } = await run([
      '--repo',
      bare,
      '--path',
      OVERLAY,
      '--image',
      'my-service=ghcr.io/myorg/my-service:def5678',
    ]);
    expect(code).toBe(0);
    expect(out).toBe(`${head}\n`);
    expect(commitCount(bare)).toBe(count);
  });

  it('renders a message template and prints JSON with -o json', async () => {
    const { code, out } = await run([
      '--repo',
      `file://${bare}`,
      '--path',
      `${OVERLAY}/`,
      '--image',
      'my-service:v9',
      '--message',
      'deploy {image} to {path} ({branch})',
      '-o',
      'json',
    ]);
    expect(code).toBe(0);
    const result: unknown = JSON.parse(out);
    expect(result).toEqual({
      commit: revParse(bare, 'main'),
      changed: true,
      attempts: 1,
      description: `set image my-service:v9 in ${OVERLAY}`,
    });
    expect(git(['--git-dir', bare, 'log', '-1', '--format=%s', 'main']).trim()).toBe(
      `deploy my-service:v9 to ${OVERLAY} (main)`,
    );
  });

  it.each([
    [
      ['--path', '../escape', '--image', 'a=b:c'],
      'error: --path: "../escape" leaves the repository (`..`)\n',
    ],
    [['--path', OVERLAY, '--image', 'nonsense'], 'error: image: invalid image "nonsense"'],
    [
      ['--path', OVERLAY, '--image', 'a=b:c', '--author', 'nobody'],
      'error: --author: expected "Name <email>"',
    ],
    [['--path', OVERLAY, '--image', 'a=b:c', '--timeout', 'soon'], 'error: --timeout: expected a duration'],
  ])('refuses bad input %j with a clear error and no commit', async (args, message) => {
    const count = commitCount(bare);
    const { code, out, err } = await run(['--repo', bare, ...args]);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(err.startsWith(message)).toBe(true);
    expect(commitCount(bare)).toBe(count);
  });
});
