import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isMap, isSeq, type Node, parse, parseDocument } from 'yaml';
import { KUSTOMIZE_TEST_KUSTOMIZATION, SET_IMAGE_VECTORS } from '../../test/manifests/upstream-vectors.ts';
import { SlipwayError } from '../util/errors.ts';
import { type ImageSpec, parseImageSpec } from './image-ref.ts';
import { lineDiff } from './line-diff.ts';
import { type ImageEntry, planImageEntry, setImages } from './set-image.ts';

const D = 'sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3';

function imagesOf(text: string): ImageEntry[] {
  const doc = parse(text, { version: '1.1' }) as { images?: ImageEntry[] } | null;
  return doc?.images ?? [];
}

const byName = (entries: ImageEntry[]) => [...entries].sort((a, b) => (a.name < b.name ? -1 : 1));

describe('setImages: kustomize TestSetImage vectors', () => {
  for (const v of SET_IMAGE_VECTORS) {
    it(`${v.description} ${JSON.stringify(v.args)}`, () => {
      const source = v.infile ? `${v.infile.join('\n')}\n` : KUSTOMIZE_TEST_KUSTOMIZATION;
      const run = () => setImages(source, v.args.map(parseImageSpec));
      if (v.error === 'no image specified') {
        expect(run).toThrow(/no image specified/);
        return;
      }
      if (v.error) {
        expect(run).toThrow(/invalid image/);
        return;
      }
      const out = run();
      // kustomize writes entries sorted by name; Slipway appends, so compare as sets.
      expect(byName(imagesOf(out))).toEqual(byName(v.expected ?? []));
      // Everything that is not `images:` reads back the same.
      const { images: _a, ...restBefore } = (parse(source) ?? {}) as Record<string, unknown>;
      const { images: _b, ...restAfter } = parse(out) as Record<string, unknown>;
      expect(restAfter).toEqual(restBefore);
    });
  }
});

describe('planImageEntry', () => {
  it('replaces every part, as kustomize does: name:tag drops a newName and a digest', () => {
    expect(
      planImageEntry({ name: 'a', newName: 'r/a', newTag: 'v1', digest: D }, { name: 'a', newTag: 'v2' }),
    ).toEqual({
      name: 'a',
      newTag: 'v2',
    });
  });
  it('a digest clears a tag, a tag clears a digest', () => {
    expect(planImageEntry({ name: 'a', newTag: 'v1' }, { name: 'a', newName: '*', digest: D })).toEqual({
      name: 'a',
      digest: D,
    });
    expect(planImageEntry({ name: 'a', digest: D }, { name: 'a', newName: '*', newTag: 'v1' })).toEqual({
      name: 'a',
      newTag: 'v1',
    });
  });
  it('drops tagSuffix, which kustomize does not carry over', () => {
    expect(planImageEntry({ name: 'a', newTag: 'v1', tagSuffix: '-x' }, { name: 'a', newTag: 'v2' })).toEqual(
      {
        name: 'a',
        newTag: 'v2',
      },
    );
  });
});

// The seed's overlays/dev/kustomization.yaml, byte for byte (the fixture config repo's copy).
const SEED_OVERLAY = readFileSync(
  new URL(
    '../../test/manifests/fixtures/deploy-configs/apps/my-service/overlays/dev/kustomization.yaml',
    import.meta.url,
  ),
  'utf8',
);

describe('setImages: byte preservation', () => {
  it("the seed's CI step changes exactly the newTag line", () => {
    const out = setImages(SEED_OVERLAY, [parseImageSpec('my-service=ghcr.io/myorg/my-service:def5678')]);
    expect(lineDiff(SEED_OVERLAY, out)).toEqual({
      removed: ['    newTag: abc1234'],
      added: ['    newTag: def5678'],
    });
    expect(out).toBe(SEED_OVERLAY.replace('newTag: abc1234', 'newTag: def5678'));
  });

  it('keeps comments, quoting, flow maps, odd spacing and long lines everywhere else', () => {
    const long = `x${'y'.repeat(120)}`;
    const source = [
      '# top   comment',
      'apiVersion: kustomize.config.k8s.io/v1beta1   # aligned   comment',
      "kind: 'Kustomization'",
      `commonAnnotations: {note: ${long}}`,
      'labels:',
      '- pairs: {app: web}',
      'images:',
      '# before the entry',
      '- name: web      # the app',
      '  newName: "registry.example.com/web"',
      "  newTag: 'v1.0.0'   # pinned",
      '- name: sidecar',
      '  newTag: "1.2"',
      'resources:',
      '    - a.yaml',
      '',
    ].join('\n');
    const out = setImages(source, [parseImageSpec('web=*:v1.0.1')]);
    expect(lineDiff(source, out)).toEqual({
      removed: ["  newTag: 'v1.0.0'   # pinned"],
      added: ["  newTag: 'v1.0.1'   # pinned"],
    });
  });

  it('a new tag that would read as a number or boolean is quoted (kustomize reads newTag as a string)', () => {
    const source = 'images:\n- name: web\n  newTag: v1\n';
    for (const [tag, written] of [
      ['1234', '"1234"'],
      ['3.2e2', '"3.2e2"'],
      ['on', '"on"'],
      ['0755', '"0755"'],
      ['v2', 'v2'],
    ]) {
      expect(setImages(source, [parseImageSpec(`web:${tag}`)])).toBe(
        `images:\n- name: web\n  newTag: ${written}\n`,
      );
    }
  });

  it('removes the keys kustomize would drop, one line each, moving the next key onto a `- ` line', () => {
    const source = [
      'images:',
      `  - digest: ${D}`,
      '    tagSuffix: -x',
      '    name: web # keep me',
      '    newName: reg/web',
      'namespace: x',
      '',
    ].join('\n');
    const out = setImages(source, [parseImageSpec('web:v2')]);
    expect(out).toBe(['images:', '  - name: web # keep me', '    newTag: v2', 'namespace: x', ''].join('\n'));
  });

  it('appends a new entry in the style of the existing ones, and adds images: when absent', () => {
    const indented = 'images:\n  - name: a\n    newTag: v1\nfoo: bar\n';
    expect(setImages(indented, [parseImageSpec('b=reg/b:v2')])).toBe(
      'images:\n  - name: a\n    newTag: v1\n  - name: b\n    newName: reg/b\n    newTag: v2\nfoo: bar\n',
    );
    const none = 'resources:\n  - a.yaml\n# trailing comment\n';
    const out = setImages(none, [parseImageSpec('b:v2')]);
    expect(out).toBe('resources:\n  - a.yaml\nimages:\n  - name: b\n    newTag: v2\n# trailing comment\n');
    expect(setImages('kind: Kustomization', [parseImageSpec('b:v2')])).toBe(
      'kind: Kustomization\nimages:\n- name: b\n  newTag: v2\n',
    );
  });

  it('returns the source unchanged when the entry already says so', () => {
    expect(setImages(SEED_OVERLAY, [parseImageSpec('my-service=ghcr.io/myorg/my-service:abc1234')])).toBe(
      SEED_OVERLAY,
    );
  });

  it('the last spec for a name wins, as in kustomize (a map keyed by name)', () => {
    const out = setImages('images:\n- name: a\n  newTag: v1\n', [
      parseImageSpec('a:v2'),
      parseImageSpec('a:v3'),
    ]);
    expect(imagesOf(out)).toEqual([{ name: 'a', newTag: 'v3' }]);
  });

  it('falls back to a structural edit for flow-style images', () => {
    const out = setImages('images: [{name: a, newTag: v1}]\nkind: Kustomization\n', [
      parseImageSpec('a@' + D),
    ]);
    expect(imagesOf(out)).toEqual([{ name: 'a', digest: D }]);
    expect(out).toContain('kind: Kustomization\n');
  });
});

describe('setImages: malformed input', () => {
  const failure = (fn: () => unknown): SlipwayError => {
    try {
      fn();
    } catch (err) {
      if (err instanceof SlipwayError) return err;
      throw err;
    }
    throw new Error('expected a SlipwayError');
  };

  it('a YAML syntax error names the file, line and column', () => {
    const err = failure(() =>
      setImages('kind: Kustomization\nimages:\n- name: a\n   newTag: [v1\n', [parseImageSpec('a:v2')], {
        file: 'apps/x/kustomization.yaml',
      }),
    );
    expect(err.subject).toMatch(/^apps\/x\/kustomization\.yaml:\d+:\d+$/);
    expect(err.reason).toBe('InvalidYaml');
  });

  it('an images entry that is not a map is refused at its line', () => {
    const err = failure(() =>
      setImages('kind: K\nimages:\n- just-a-string\n', [parseImageSpec('a:v2')], { file: 'k.yaml' }),
    );
    expect(err.subject).toBe('k.yaml:3:3');
  });

  it('refuses alias bombs instead of expanding them', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'images: []',
      '',
    ].join('\n');
    const err = failure(() => setImages(bomb, [parseImageSpec('a:v2')], { file: 'bomb.yaml' }));
    expect(err.subject).toBe('bomb.yaml');
    expect(err.message).toMatch(/alias/i);
  });

  it('refuses a second document', () => {
    const err = failure(() =>
      setImages('kind: K\n---\nkind: L\n', [parseImageSpec('a:v2')], { file: 'k.yaml' }),
    );
    // The second document starts at its `---` marker.
    expect(err.subject).toBe('k.yaml:2:1');
  });
});

// --- property: an edit changes only the target entry ---------------------------------------------

const TAGS = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,12}$/),
  fc.constantFrom('1234', '3.2e2', 'on', 'yes', 'y', 'null', '0755', '1.10', '0x1F', 'true'),
);
const NAMES = fc.constantFrom('web', 'api', 'worker', 'my-service', 'cache');
const NEW_NAMES = fc.constantFrom(
  'reg.example.com/web',
  'localhost:5000/a/b',
  'ghcr.io/myorg/my-service',
  'y',
  'on',
);
const QUOTES = fc.constantFrom('plain', 'single', 'double');

function scalar(value: string, style: string): string {
  if (style === 'single') return `'${value.replace(/'/g, "''")}'`;
  if (style === 'double' || parseDocument(`k: ${value}`, { version: '1.1' }).get('k') !== value) {
    return JSON.stringify(value);
  }
  return value;
}

const entryArb = fc.record({
  name: NAMES,
  newName: fc.option(fc.tuple(NEW_NAMES, QUOTES), { nil: undefined }),
  newTag: fc.option(fc.tuple(TAGS, QUOTES), { nil: undefined }),
  digest: fc.option(fc.constant(D), { nil: undefined }),
  comment: fc.boolean(),
  order: fc.constantFrom('name-first', 'digest-first'),
});

const fileArb = fc.record({
  entries: fc.uniqueArray(entryArb, { selector: (e) => e.name, maxLength: 4 }),
  indent: fc.constantFrom(0, 2),
  before: fc.array(fc.tuple(fc.constantFrom('namespace', 'namePrefix', 'x-note'), TAGS, QUOTES), {
    maxLength: 3,
  }),
  after: fc.boolean(),
});

type FileShape = typeof fileArb extends fc.Arbitrary<infer T> ? T : never;

function render(file: FileShape): string {
  const pad = ' '.repeat(file.indent);
  const seen = new Set<string>();
  const lines = ['# generated', 'apiVersion: kustomize.config.k8s.io/v1beta1', 'kind: Kustomization'];
  for (const [key, value, style] of file.before) {
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push(`${key}: ${scalar(value, style)}   # keep`);
  }
  if (file.entries.length > 0) {
    lines.push('images:');
    for (const e of file.entries) {
      const pairs: string[] = [`name: ${e.name}${e.comment ? '  # the app' : ''}`];
      if (e.newName) pairs.push(`newName: ${scalar(e.newName[0], e.newName[1])}`);
      if (e.newTag) pairs.push(`newTag: ${scalar(e.newTag[0], e.newTag[1])}`);
      if (e.digest) pairs[e.order === 'digest-first' ? 'unshift' : 'push'](`digest: ${e.digest}`);
      lines.push(`${pad}- ${pairs[0]}`, ...pairs.slice(1).map((p) => `${pad}  ${p}`));
    }
  }
  if (file.after) lines.push('resources:', `${pad}- deployment.yaml`);
  return `${lines.join('\n')}\n`;
}

const specArb = fc
  .record({
    name: NAMES,
    newName: fc.option(fc.oneof(NEW_NAMES, fc.constant('*')), { nil: undefined }),
    newTag: fc.option(fc.oneof(TAGS, fc.constant('*')), { nil: undefined }),
    digest: fc.option(fc.constantFrom(D, '*'), { nil: undefined }),
  })
  .filter((s) => s.newName !== undefined || s.newTag !== undefined || s.digest !== undefined)
  .map((s) => {
    const spec: ImageSpec = { name: s.name };
    if (s.newName !== undefined) spec.newName = s.newName;
    if (s.newTag !== undefined) spec.newTag = s.newTag;
    if (s.digest !== undefined) spec.digest = s.digest;
    return spec;
  });

/** The line span [first, last] of the `images` entry named `name`, or undefined. */
function entrySpan(text: string, name: string): [number, number] | undefined {
  const doc = parseDocument(text, { keepSourceTokens: true });
  const images = isMap(doc.contents) ? doc.contents.get('images', true) : undefined;
  if (!isSeq(images)) return undefined;
  for (const item of images.items as Node[]) {
    if (isMap(item) && item.get('name') === name && item.range) {
      const first = text.slice(0, item.range[0]).split('\n').length - 1;
      const end = item.range[1] > 0 && text[item.range[1] - 1] === '\n' ? item.range[1] - 1 : item.range[1];
      const last = text.slice(0, end).split('\n').length - 1;
      // The `- ` marker sits on the first line; a preceding item's lines end before it.
      return [first, last];
    }
  }
  return undefined;
}

describe('setImages: property', () => {
  it('edit then re-parse: only the target entry changes, and every other line is byte-identical', () => {
    fc.assert(
      fc.property(fileArb, specArb, (file, spec) => {
        const source = render(file);
        const before = imagesOf(source);
        const out = setImages(source, [spec]);
        const after = imagesOf(out);
        // The target entry is what kustomize computes.
        const existing = before.find((e) => e.name === spec.name);
        const planned = planImageEntry(existing, spec);
        const got = after.find((e) => e.name === spec.name);
        expect(
          got && { ...got, ...(got.newTag !== undefined ? { newTag: String(got.newTag) } : {}) },
        ).toEqual(planned);
        // Every other entry, and every other key, reads back the same.
        expect(after.filter((e) => e.name !== spec.name)).toEqual(before.filter((e) => e.name !== spec.name));
        const { images: _a, ...restBefore } = parse(source, { version: '1.1' }) as Record<string, unknown>;
        const { images: _b, ...restAfter } = parse(out, { version: '1.1' }) as Record<string, unknown>;
        expect(restAfter).toEqual(restBefore);
        // Bytes outside the target entry's lines are identical.
        const a = source.split('\n');
        const b = out.split('\n');
        const spanA = entrySpan(source, spec.name);
        const spanB = entrySpan(out, spec.name);
        if (!spanB) throw new Error('no target entry in the output');
        if (spanA) {
          expect(b.slice(0, spanB[0])).toEqual(a.slice(0, spanA[0]));
          expect(b.slice(spanB[1] + 1)).toEqual(a.slice(spanA[1] + 1));
        } else if (source.includes('\nimages:\n')) {
          expect([...b.slice(0, spanB[0]), ...b.slice(spanB[1] + 1)]).toEqual(a);
        } else {
          // `images:` itself was added, on the line before the entry.
          expect([...b.slice(0, spanB[0] - 1), ...b.slice(spanB[1] + 1)]).toEqual(a);
        }
      }),
      { numRuns: 300 },
    );
  });
});
