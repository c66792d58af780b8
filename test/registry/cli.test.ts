/** `slipway image watch --once` end to end: real registry, real config repository, the CLI's own parsing and output. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { readOverlayImage } from '../../src/image-automation/index.ts';
import { RegistryClient } from '../../src/registry/index.ts';
import { commitCount, makeConfigRepo, showFile } from '../git/helpers.ts';
import { pushImage, startRegistry, type TestRegistry } from '../support/registry.ts';

const OVERLAY = 'apps/app/overlays/dev';
const PASSWORD = 'cli-Pa55word';

let registry: TestRegistry;
let root: string;

beforeAll(async () => {
  registry = await startRegistry({ auth: { kind: 'htpasswd', users: { ci: PASSWORD } } });
  root = mkdtempSync(join(tmpdir(), 'slipway-watch-cli-'));
  const client = new RegistryClient({
    host: registry.host,
    credentials: { username: 'ci', password: PASSWORD },
  });
  try {
    for (const tag of ['1.0.0', '1.1.0', '1.2.0-rc.1', 'latest']) await pushImage(client, 'cli/app', tag);
  } finally {
    await client.close();
  }
});

afterAll(async () => {
  await registry?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'slipway', ...args], { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

it('polls once, releases, and prints the outcome; a second run changes nothing', async () => {
  const bare = makeConfigRepo(join(root, 'once'), ['app']);
  const passwordFile = join(root, 'password');
  writeFileSync(passwordFile, `${PASSWORD}\n`);
  const args = [
    'image',
    'watch',
    '--once',
    '--image',
    `${registry.host}/cli/app`,
    '--policy',
    'semver:^1.0.0',
    '--repo',
    bare,
    '--path',
    OVERLAY,
    '--name',
    'app',
    '--username',
    'ci',
    '--password-file',
    passwordFile,
    '-o',
    'json',
  ];
  const previousCache = process.env['SLIPWAY_CACHE'];
  process.env['SLIPWAY_CACHE'] = join(root, 'cache');
  try {
    const first = await run(args);
    expect(first.err).not.toContain(PASSWORD);
    expect(first.code).toBe(0);
    const outcome: unknown = JSON.parse(first.out);
    expect(outcome).toMatchObject({
      released: true,
      previous: 'v0',
      image: `${registry.host}/cli/app:1.1.0`,
    });
    expect(readOverlayImage(showFile(bare, 'main', `${OVERLAY}/kustomization.yaml`), 'app')).toEqual({
      newName: `${registry.host}/cli/app`,
      tag: '1.1.0',
    });
    const commits = commitCount(bare);
    const second = await run(args);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.out)).toMatchObject({ released: false, previous: '1.1.0' });
    expect(commitCount(bare)).toBe(commits);
  } finally {
    if (previousCache === undefined) delete process.env['SLIPWAY_CACHE'];
    else process.env['SLIPWAY_CACHE'] = previousCache;
  }
});

it('fails with an error naming the registry when the credentials are refused', async () => {
  const bare = makeConfigRepo(join(root, 'refused'), ['app']);
  const passwordFile = join(root, 'wrong');
  writeFileSync(passwordFile, 'not-the-password');
  const result = await run([
    'image',
    'watch',
    '--once',
    '--image',
    `${registry.host}/cli/app`,
    '--policy',
    'semver:^1.0.0',
    '--repo',
    bare,
    '--path',
    OVERLAY,
    '--username',
    'ci',
    '--password-file',
    passwordFile,
  ]);
  expect(result.code).toBe(1);
  expect(result.err).toBe(
    `error: ${registry.host}/cli/app: the registry refused the credentials of user "ci": UNAUTHORIZED: authentication required\n`,
  );
  expect(result.err).not.toContain('not-the-password');
});

it('is listed under `slipway image`', async () => {
  const help = await run(['image', '--help']);
  expect(help.out).toMatch(/watch \[options\]/);
});
