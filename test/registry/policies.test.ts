/**
 * Every tag policy against a real registry holding 33 tags: releases, pre-releases, `v`-prefixed
 * versions, CI tags (`main-<sha>-<unix time>`, `sha-…`), dates, `latest`, a multi-arch index, and
 * build times chosen by the test. Choosing goes through the same code the watch uses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseImage,
  compileTagFilter,
  type ImageWatchSpec,
  newWatchCache,
  PolicyError,
  parsePolicy,
} from '../../src/image-automation/index.ts';
import { RegistryClient } from '../../src/registry/index.ts';
import { pushImage, pushIndex, startRegistry, type TestRegistry } from '../support/registry.ts';

const REPO = 'policies/app';
const TAGS = [
  '0.9.0',
  '1.0.0',
  '1.0.1',
  '1.1.0',
  '1.2.0-rc.1',
  '1.2.0-rc.2',
  '1.2.0',
  '1.2.1',
  '1.3.0-beta.1',
  '1.10.0',
  '2.0.0-rc.1',
  '2.0.0',
  '2.1.0',
  'v2.2.0',
  '3.0.0-alpha.1',
  'latest',
  'main',
  'main-abc123-1700000000',
  'main-def456-1700000500',
  'main-0a1b2c-1699999999',
  'sha-1a2b3c4',
  'sha-9f8e7d6',
  '20240101',
  '20240315',
  '20231231',
  '1.0',
  '2',
  'build-7',
  'build-10',
  'build-9',
  'RELEASE.2023-05-08T00-20-00Z',
  'RELEASE.2024-01-08T21-18-21Z',
];
// Build times: one hour apart in list order, except two tags built much later than their names suggest.
const LATE_BUILDS: Record<string, string> = {
  'sha-9f8e7d6': '2030-01-01T00:00:00Z',
  'main-0a1b2c-1699999999': '2029-01-01T00:00:00Z',
};

let registry: TestRegistry;
let client: RegistryClient;

beforeAll(async () => {
  registry = await startRegistry();
  client = new RegistryClient({ host: registry.host });
  for (const [i, tag] of TAGS.entries()) {
    const created = new Date(LATE_BUILDS[tag] ?? Date.UTC(2024, 0, 1, i));
    await pushImage(client, REPO, tag, { created, format: i % 2 === 0 ? 'oci' : 'docker' });
  }
  // A multi-arch tag: its arm64 image is the newest build of all; its amd64 image is old.
  const amd = await pushImage(client, REPO, '', {
    untagged: true,
    created: new Date('2023-06-01T00:00:00Z'),
    platform: { os: 'linux', architecture: 'amd64' },
  });
  const arm = await pushImage(client, REPO, '', {
    untagged: true,
    created: new Date('2031-01-01T00:00:00Z'),
    platform: { os: 'linux', architecture: 'arm64' },
  });
  await pushIndex(client, REPO, 'multiarch', [amd, arm]);
}, 120_000);

afterAll(async () => {
  await client?.close();
  await registry?.stop();
});

function spec(
  policy: string,
  filter?: { pattern: string; extract?: string },
  extra: Partial<ImageWatchSpec> = {},
): ImageWatchSpec {
  return {
    repository: REPO,
    imageName: `${registry.host}/${REPO}`,
    policy: parsePolicy(policy),
    ...(filter ? { filter: compileTagFilter(filter) } : {}),
    entryName: 'app',
    repo: 'unused',
    path: 'unused',
    ...extra,
  };
}

async function choose(s: ImageWatchSpec): Promise<string> {
  const { choice } = await chooseImage(client, s, newWatchCache(), AbortSignal.timeout(60_000));
  return choice.digest ? `${choice.tag}@${choice.digest}` : choice.tag;
}

async function reason(s: ImageWatchSpec): Promise<string> {
  try {
    await choose(s);
    return 'ok';
  } catch (err) {
    if (err instanceof PolicyError) return err.reason;
    throw err;
  }
}

it('the registry holds at least 30 tags', async () => {
  const tags = await client.listTags(REPO);
  expect(tags.length).toBe(TAGS.length + 1);
  expect(tags.length).toBeGreaterThanOrEqual(30);
});

describe('semver', () => {
  it.each([
    ['semver:>=1.0.0 <2.0.0', '1.10.0'], // numeric, not lexical: 1.10.0 > 1.2.1; pre-releases skipped
    ['semver:~1.2', '1.2.1'],
    ['semver:1.2.x', '1.2.1'],
    ['semver:^1.2.0', '1.10.0'],
    ['semver:1.x', '1.10.0'], // "1.0" and "2" are not versions to Flux
    ['semver:>=1.2.0-rc.0 <1.2.0', '1.2.0-rc.2'], // the range names a pre-release, so they count
    ['semver:>=2.0.0', 'v2.2.0'], // a v-prefixed tag is a version, and is written back as tagged
    ['semver:>=3.0.0-0', '3.0.0-alpha.1'],
    ['semver:<1.0.0', '0.9.0'],
  ])('%s → %s', async (policy, expected) => {
    expect(await choose(spec(policy))).toBe(expected);
  });

  it('reports that nothing matches', async () => {
    expect(await reason(spec('semver:>=9'))).toBe('NoMatchingTag');
  });

  it('takes the latest release candidate through a filter (Flux docs)', async () => {
    expect(await choose(spec('semver:^1.x-0', { pattern: '.*-rc.*' }))).toBe('1.2.0-rc.2');
  });
});

describe('alphabetical', () => {
  it.each([
    ['alphabetical', undefined, 'v2.2.0'],
    ['alphabetical:desc', undefined, '0.9.0'],
    [
      'alphabetical:asc',
      { pattern: '^RELEASE\\.(?P<ts>.*)Z$', extract: '$ts' },
      'RELEASE.2024-01-08T21-18-21Z',
    ],
    ['alphabetical:asc', { pattern: '^build-' }, 'build-9'], // lexical order
    ['alphabetical:asc', { pattern: '^sha-' }, 'sha-9f8e7d6'],
  ])('%s with filter %j → %s', async (policy, filter, expected) => {
    expect(await choose(spec(policy, filter))).toBe(expected);
  });
});

describe('numerical', () => {
  it.each([
    [
      'numerical:asc',
      { pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$', extract: '$ts' },
      'main-def456-1700000500',
    ],
    [
      'numerical:desc',
      { pattern: '^main-[a-f0-9]+-(?P<ts>[0-9]+)$', extract: '$ts' },
      'main-0a1b2c-1699999999',
    ],
    ['numerical', { pattern: '^[0-9]{8}$' }, '20240315'],
    ['numerical', { pattern: '^build-(\\d+)$', extract: '$1' }, 'build-10'], // numeric order
  ])('%s with filter %j → %s', async (policy, filter, expected) => {
    expect(await choose(spec(policy, filter))).toBe(expected);
  });

  it('refuses to order tags that are not numbers', async () => {
    expect(await reason(spec('numerical'))).toBe('InvalidPolicy');
  });
});

describe('newest-build', () => {
  it('chooses by the image config creation time, across formats and multi-arch indexes', async () => {
    // The index's arm64 image (2031) is the newest build of all.
    expect(await choose(spec('newest-build'))).toBe('multiarch');
    // Counting only amd64 builds, the index is old (2023) and sha-9f8e7d6 (2030) wins.
    expect(
      await choose(spec('newest-build', undefined, { platform: { os: 'linux', architecture: 'amd64' } })),
    ).toBe('sha-9f8e7d6');
    // Among main-* tags, the build time wins over the timestamp in the name.
    expect(await choose(spec('newest-build', { pattern: '^main-' }))).toBe('main-0a1b2c-1699999999');
  });

  it('reads each image config once per digest across polls', async () => {
    const cache = newWatchCache();
    const s = spec('newest-build', { pattern: '^build-' });
    await chooseImage(client, s, cache, AbortSignal.timeout(60_000));
    expect(cache.buildTimes.size).toBe(3);
    const remembered = [...cache.buildTimes.entries()];
    await chooseImage(client, s, cache, AbortSignal.timeout(60_000));
    expect([...cache.buildTimes.entries()]).toEqual(remembered);
  });
});

describe('digest', () => {
  it('follows a mutable tag: the choice changes when the tag is pushed again', async () => {
    const first = await client.headManifest(REPO, 'latest');
    expect(await choose(spec('digest:latest'))).toBe(`latest@${first.digest}`);
    const again = await pushImage(client, REPO, 'latest', { created: new Date('2020-01-01T00:00:00Z') });
    expect(again.digest).not.toBe(first.digest);
    expect(await choose(spec('digest:latest'))).toBe(`latest@${again.digest}`);
  });

  it('reports a tag that does not exist', async () => {
    expect(await reason(spec('digest:no-such-tag'))).toBe('NoMatchingTag');
  });
});
