/**
 * The image watch end to end: a real registry, a real bare config repository (git CLI), and the
 * real release library. The overlay is the only record of what was chosen.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/devcluster/processes.ts';
import {
  compileTagFilter,
  type ImageWatchSpec,
  newWatchCache,
  type PollOutcome,
  parsePolicy,
  pollImage,
  readOverlayImage,
  watchImage,
} from '../../src/image-automation/index.ts';
import { RegistryClient } from '../../src/registry/index.ts';
import { release } from '../../src/release/index.ts';
import { sleep } from '../../src/util/abort.ts';
import { commitCount, git, makeConfigRepo, showFile } from '../git/helpers.ts';
import { pushImage, startRegistry, type TestRegistry } from '../support/registry.ts';

const OVERLAY = 'apps/app/overlays/dev';

let registry: TestRegistry;
let client: RegistryClient;
let root: string;

beforeAll(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ host: registry.host });
  root = mkdtempSync(join(tmpdir(), 'slipway-watch-'));
});

afterAll(async () => {
  await client?.close();
  await registry?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

let n = 0;
/** A fresh config repository and a spec that watches `repository` into its dev overlay. */
function setup(
  repository: string,
  policy: string,
  extra: Partial<ImageWatchSpec> = {},
): { spec: ImageWatchSpec; bare: string } {
  const dir = join(root, `case-${++n}`);
  const bare = makeConfigRepo(dir, ['app']);
  const spec: ImageWatchSpec = {
    repository,
    imageName: `${registry.host}/${repository}`,
    policy: parsePolicy(policy),
    entryName: 'app',
    repo: bare,
    path: OVERLAY,
    releaseOptions: { cacheRoot: join(dir, 'cache'), env: {} },
    ...extra,
  };
  return { spec, bare };
}

function overlay(bare: string) {
  return readOverlayImage(showFile(bare, 'main', `${OVERLAY}/kustomization.yaml`), 'app');
}

const deps = () => ({ registry: client, release });
const signal = () => AbortSignal.timeout(60_000);

describe('pollImage', () => {
  it('releases the chosen tag once, and again only when the choice changes', async () => {
    await pushImage(client, 'watch/semver', '1.0.0');
    await pushImage(client, 'watch/semver', 'latest');
    const { spec, bare } = setup('watch/semver', 'semver:^1.0.0');
    const commits = commitCount(bare);

    const first = await pollImage(spec, deps(), newWatchCache(), signal());
    expect(first).toMatchObject({ released: true, previous: 'v0', choice: { tag: '1.0.0' } });
    expect(overlay(bare)).toEqual({ newName: `${registry.host}/watch/semver`, tag: '1.0.0' });
    expect(commitCount(bare)).toBe(commits + 1);
    expect(git(['--git-dir', bare, 'log', '-1', '--format=%s', 'main']).trim()).toBe('Update app to 1.0.0');
    // Only the image lines changed: the rest of the overlay is as the seed wrote it.
    expect(showFile(bare, 'main', `${OVERLAY}/kustomization.yaml`)).toContain(
      'namespace: app-dev\nresources:\n  - ../../base\n',
    );

    const same = await pollImage(spec, deps(), newWatchCache(), signal());
    expect(same).toMatchObject({ released: false, previous: '1.0.0', commit: first.commit });
    expect(commitCount(bare)).toBe(commits + 1);

    await pushImage(client, 'watch/semver', '1.1.0');
    await pushImage(client, 'watch/semver', '2.0.0'); // outside the range
    const next = await pollImage(spec, deps(), newWatchCache(), signal());
    expect(next).toMatchObject({
      released: true,
      previous: '1.0.0',
      image: `${registry.host}/watch/semver:1.1.0`,
    });
    expect(overlay(bare)?.tag).toBe('1.1.0');
    expect(commitCount(bare)).toBe(commits + 2);
  });

  it('keeps no memory but the overlay: a person rolling the overlay back is seen on the next poll', async () => {
    await pushImage(client, 'watch/rollback', '3.1.0');
    const { spec, bare } = setup('watch/rollback', 'semver:>=3');
    await pollImage(spec, deps(), newWatchCache(), signal());
    expect(overlay(bare)?.tag).toBe('3.1.0');

    // Someone edits the overlay by hand and pushes.
    const work = join(root, `hand-${n}`);
    git(['clone', '--quiet', bare, work]);
    const file = join(work, OVERLAY, 'kustomization.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('newTag: 3.1.0', 'newTag: 3.0.9'));
    git(['commit', '--quiet', '-am', 'hand edit'], work);
    git(['push', '--quiet', 'origin', 'main'], work);

    const again = await pollImage(spec, deps(), newWatchCache(), signal());
    expect(again).toMatchObject({ released: true, previous: '3.0.9' });
    expect(overlay(bare)?.tag).toBe('3.1.0');
  });

  it('pins a mutable tag by digest and follows it when it is pushed again', async () => {
    const a = await pushImage(client, 'watch/digest', 'latest');
    const { spec, bare } = setup('watch/digest', 'digest:latest');
    const first = await pollImage(spec, deps(), newWatchCache(), signal());
    expect(first.choice).toEqual({ tag: 'latest', digest: a.digest });
    expect(overlay(bare)).toMatchObject({ tag: 'latest', digest: a.digest });
    expect(git(['--git-dir', bare, 'log', '-1', '--format=%s', 'main']).trim()).toBe(
      `Update app to latest@${a.digest}`,
    );

    expect((await pollImage(spec, deps(), newWatchCache(), signal())).released).toBe(false);

    const b = await pushImage(client, 'watch/digest', 'latest');
    const second = await pollImage(spec, deps(), newWatchCache(), signal());
    expect(second).toMatchObject({
      released: true,
      previous: `latest@${a.digest}`,
      choice: { digest: b.digest },
    });
    expect(overlay(bare)).toMatchObject({ tag: 'latest', digest: b.digest });
  });

  it('writes the original tag when a filter extracts a value to order', async () => {
    await pushImage(client, 'watch/ci', 'main-aaa111-1700000000');
    await pushImage(client, 'watch/ci', 'main-bbb222-1700000900');
    await pushImage(client, 'watch/ci', 'latest');
    const { spec, bare } = setup('watch/ci', 'numerical:asc', {
      filter: compileTagFilter({ pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$', extract: '$ts' }),
    });
    await pollImage(spec, deps(), newWatchCache(), signal());
    expect(overlay(bare)?.tag).toBe('main-bbb222-1700000900');
  });
});

describe('watchImage', () => {
  it('polls at its interval, releases new tags, and stops when aborted', async () => {
    await pushImage(client, 'watch/loop', '0.1.0');
    const { spec, bare } = setup('watch/loop', 'semver:>=0.1.0');
    const controller = new AbortController();
    const polls: PollOutcome[] = [];
    const errors: unknown[] = [];
    const loop = watchImage(spec, deps(), {
      intervalMs: 100,
      signal: controller.signal,
      onPoll: (o) => polls.push(o),
      onError: (e) => errors.push(e),
    });
    const until = async (check: () => boolean) => {
      const deadline = Date.now() + 30_000;
      while (!check()) {
        if (Date.now() > deadline)
          throw new Error(`timed out; polls: ${JSON.stringify(polls)}; errors: ${errors}`);
        await sleep(20);
      }
    };
    await until(() => polls.some((p) => p.released && p.choice.tag === '0.1.0'));
    await pushImage(client, 'watch/loop', '0.2.0');
    await until(() => polls.some((p) => p.released && p.choice.tag === '0.2.0'));
    expect(overlay(bare)?.tag).toBe('0.2.0');
    const stoppedAt = Date.now();
    controller.abort();
    await loop;
    expect(Date.now() - stoppedAt).toBeLessThan(10_000);
    expect(errors).toEqual([]);
    // Every poll after a release found the overlay already right.
    expect(polls.filter((p) => p.released).map((p) => p.choice.tag)).toEqual(['0.1.0', '0.2.0']);
  });

  it('reports a registry that is down and keeps polling until stopped', async () => {
    const port = await freePort();
    const down = new RegistryClient({ host: `127.0.0.1:${port}`, timeoutMs: 2_000 });
    const { spec } = setup('watch/down', 'semver:*');
    const controller = new AbortController();
    const errors: Array<{ err: unknown; retryInMs: number }> = [];
    try {
      const loop = watchImage(
        spec,
        { registry: down, release },
        {
          intervalMs: 50,
          signal: controller.signal,
          onError: (err, retryInMs) => {
            errors.push({ err, retryInMs });
            if (errors.length >= 2) controller.abort();
          },
        },
      );
      await loop;
    } finally {
      await down.close();
    }
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(String(errors[0]?.err)).toContain(`127.0.0.1:${port}`);
    expect(String(errors[0]?.err)).toContain('connection refused');
  });
});
