/**
 * `slipway image set` against the real kustomize binary: the same argument gives the same
 * `images:` as `kustomize edit set image` (a differential test over upstream's vectors), and the
 * fixture config repository renders the new image afterwards.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseImageSpec } from '../../src/manifests/image-ref.ts';
import { lineDiff } from '../../src/manifests/line-diff.ts';
import { renderPath } from '../../src/manifests/render.ts';
import { type ImageEntry, setImageInKustomization } from '../../src/manifests/set-image.ts';
import { copyFixtureRepo, ensureTools, runCli, scratchDir } from './helpers.ts';
import { KUSTOMIZE_TEST_KUSTOMIZATION, SET_IMAGE_VECTORS } from './upstream-vectors.ts';

const run = promisify(execFile);
const scratch = scratchDir();
let kustomize: string;
beforeAll(() => {
  kustomize = ensureTools().kustomize;
}, 900_000);
afterAll(() => scratch.remove());

const D = 'sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3';

function read(file: string): { images: ImageEntry[]; rest: Record<string, unknown> } {
  const { images = [], ...rest } = (parse(readFileSync(file, 'utf8'), { version: '1.1' }) ?? {}) as Record<
    string,
    unknown
  > & {
    images?: ImageEntry[];
  };
  // kustomize writes with omitempty (an empty list and an absent key mean the same) and fills in
  // the default apiVersion and kind; neither is a difference in meaning.
  const nonEmpty = Object.fromEntries(
    Object.entries(rest).filter(
      ([k, v]) => !(Array.isArray(v) && v.length === 0) && v !== null && k !== 'apiVersion' && k !== 'kind',
    ),
  );
  return { images: [...images].sort((a, b) => (a.name < b.name ? -1 : 1)), rest: nonEmpty };
}

let caseNo = 0;
function twoCopies(source: string): { upstream: string; ours: string } {
  caseNo++;
  const upstream = join(scratch.dir, `case-${caseNo}`, 'upstream');
  const ours = join(scratch.dir, `case-${caseNo}`, 'ours');
  for (const dir of [upstream, ours]) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'kustomization.yaml'), source);
  }
  return { upstream, ours };
}

const EXTRA_CASES = [
  {
    description: 'name:tag drops newName and tagSuffix',
    infile: `images:\n- name: app\n  newName: reg/app\n  newTag: v1\n  tagSuffix: -x\n`,
    args: ['app:v2'],
  },
  {
    description: 'a digest clears a tag',
    infile: 'images:\n- name: app\n  newName: reg/app\n  newTag: v1\n',
    args: [`app=*@${D}`],
  },
  {
    description: 'a tag clears a digest',
    infile: `images:\n- name: app\n  digest: ${D}\n`,
    args: ['app=reg/app:v3'],
  },
  {
    description: 'the last spec for a name wins',
    infile: 'resources: []\n',
    args: ['app:v1', 'app=reg/app:v2'],
  },
  {
    description: "the seed's CI step",
    infile: readFileSync(
      new URL('./fixtures/deploy-configs/apps/my-service/overlays/dev/kustomization.yaml', import.meta.url),
      'utf8',
    ),
    args: ['my-service=ghcr.io/myorg/my-service:def5678'],
  },
];

describe('image set agrees with `kustomize edit set image`', () => {
  const cases = [
    ...SET_IMAGE_VECTORS.filter((v) => !v.error).map((v) => ({
      description: v.description,
      infile: v.infile ? `${v.infile.join('\n')}\n` : KUSTOMIZE_TEST_KUSTOMIZATION,
      args: v.args,
    })),
    ...EXTRA_CASES,
  ];
  for (const c of cases) {
    it(`${c.description}: ${c.args.join(' ')}`, async () => {
      const { upstream, ours } = twoCopies(c.infile);
      await run(kustomize, ['edit', 'set', 'image', ...c.args], { cwd: upstream });
      const result = await setImageInKustomization(ours, c.args.map(parseImageSpec));
      expect(result.changed).toBe(readFileSync(join(ours, 'kustomization.yaml'), 'utf8') !== c.infile);
      const theirs = read(join(upstream, 'kustomization.yaml'));
      const mine = read(join(ours, 'kustomization.yaml'));
      expect(mine.images).toEqual(theirs.images);
      expect(mine.rest).toEqual(theirs.rest);
    });
  }

  it('both refuse an argument without =, : or @', async () => {
    const { upstream } = twoCopies(KUSTOMIZE_TEST_KUSTOMIZATION);
    await expect(run(kustomize, ['edit', 'set', 'image', 'bad'], { cwd: upstream })).rejects.toThrow(
      /invalid format of image/,
    );
    expect(() => parseImageSpec('bad')).toThrow(/invalid image "bad"/);
  });
});

describe('slipway image set (CLI) on the fixture config repository', () => {
  it('sets the new tag on one line, and the overlay renders the new image', async () => {
    const repo = copyFixtureRepo(join(scratch.dir, 'cli'));
    const dev = join(repo, 'apps/my-service/overlays/dev');
    const file = join(dev, 'kustomization.yaml');
    const before = readFileSync(file, 'utf8');
    const res = await runCli(
      'image',
      'set',
      'my-service=ghcr.io/myorg/my-service:def5678',
      '--kustomization',
      dev,
    );
    expect(res).toMatchObject({ code: 0, err: '' });
    expect(res.out).toBe(`${file} updated\n-    newTag: abc1234\n+    newTag: def5678\n`);
    expect(lineDiff(before, readFileSync(file, 'utf8'))).toEqual({
      removed: ['    newTag: abc1234'],
      added: ['    newTag: def5678'],
    });
    const { objects } = await renderPath(dev, { root: repo });
    const deployment = objects.find((o) => o.kind === 'Deployment') as unknown as {
      spec: { template: { spec: { containers: Array<{ image: string }> } } };
    };
    expect(deployment.spec.template.spec.containers[0]?.image).toBe('ghcr.io/myorg/my-service:def5678');
    // The other environments are untouched.
    const staging = await renderPath(join(repo, 'apps/my-service/overlays/staging'), { root: repo });
    expect(staging.yaml).toContain('image: ghcr.io/myorg/my-service:abc1234');
    // Running it again changes nothing.
    const again = await runCli(
      'image',
      'set',
      'my-service=ghcr.io/myorg/my-service:def5678',
      '--kustomization',
      file,
    );
    expect(again.out).toBe(`${file} unchanged\n`);
  });

  it('an invalid reference fails with a clear error and leaves the file alone', async () => {
    const repo = copyFixtureRepo(join(scratch.dir, 'cli-invalid'));
    const file = join(repo, 'apps/my-service/overlays/dev/kustomization.yaml');
    const before = readFileSync(file, 'utf8');
    const res = await runCli(
      'image',
      'set',
      'my-service=ghcr.io/MyOrg/my-service:v1',
      '--kustomization',
      file,
    );
    expect(res.code).toBe(1);
    expect(res.err).toMatch(
      /^error: image: invalid image "my-service=ghcr.io\/MyOrg\/my-service:v1": new name .*lowercase/,
    );
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('a malformed kustomization names file and line, and is not written', async () => {
    const dir = join(scratch.dir, 'cli-malformed');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'kustomization.yaml');
    writeFileSync(file, 'images:\n- name: a\n  newTag: [v1\n');
    const res = await runCli('image', 'set', 'a:v2', '--kustomization', dir);
    expect(res.code).toBe(1);
    expect(res.err).toMatch(
      new RegExp(`^error: ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+:\\d+: `),
    );
    expect(readFileSync(file, 'utf8')).toBe('images:\n- name: a\n  newTag: [v1\n');
  });

  it('--helm-values edits a values file with the same rules', async () => {
    const file = join(scratch.dir, 'values.yaml');
    writeFileSync(file, '# chart values\nimage:\n  repository: nginx   # upstream default\n  tag: "1.25"\n');
    const res = await runCli(
      'image',
      'set',
      'my-service=ghcr.io/myorg/my-service:abc1234',
      '--helm-values',
      file,
    );
    expect(res.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toBe(
      '# chart values\nimage:\n  repository: ghcr.io/myorg/my-service   # upstream default\n  tag: "abc1234"\n',
    );
    const two = await runCli('image', 'set', 'a:v1', 'b:v2', '--helm-values', file);
    expect(two.code).toBe(1);
    expect(two.err).toMatch(/exactly one image spec/);
  });
});
