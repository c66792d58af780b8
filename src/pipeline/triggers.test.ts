import { describe, expect, it } from 'vitest';
import { parseGitHubPush } from '../server/index.ts';
import { parsePipelines } from './spec.ts';
import { hookScript, pipelinePushHandler } from './triggers.ts';

const pipeline = parsePipelines(
  `apiVersion: slipway.dev/v1alpha1
kind: Pipeline
metadata: { name: orders }
spec:
  service: orders
  source: { repo: git@github.com:acme/orders.git, branch: main }
  image: { repository: r/orders }
  config: { repo: c, path: apps/orders }
  environments: [{ name: dev, overlay: overlays/dev }]
`,
  'f',
)[0]!;

const push = (ref: string, after: string) =>
  parseGitHubPush({
    ref,
    before: '0'.repeat(40),
    after,
    repository: { html_url: 'https://github.com/acme/orders', default_branch: 'main' },
    commits: [],
  })!;

describe('pipelinePushHandler', () => {
  it('starts a run for a push to the source branch of the source repository, with the delivery as reason', async () => {
    const seen: Array<[string, string]> = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    const handler = pipelinePushHandler([
      {
        pipeline,
        handle: async (sha, why) => {
          seen.push([sha, why]);
          done();
        },
      },
    ]);
    expect(handler(push('refs/heads/main', 'a'.repeat(40)))).toBe(1);
    await finished;
    expect(seen).toEqual([['a'.repeat(40), `github push 0000000..aaaaaaa`]]);
  });

  it.each([
    ['another branch', push('refs/heads/feature', 'a'.repeat(40))],
    ['a deleted branch', push('refs/heads/main', '0'.repeat(40))],
    [
      'another repository',
      { ...push('refs/heads/main', 'a'.repeat(40)), webURLs: ['https://github.com/acme/other'] },
    ],
  ])('ignores %s', (_, event) => {
    const handler = pipelinePushHandler([{ pipeline, handle: async () => undefined }]);
    expect(handler(event)).toBe(0);
  });
});

describe('hookScript', () => {
  it('embeds every value as a JSON literal and calls slipway with an argument array', () => {
    const script = hookScript({
      pipelineFile: '/tmp/it\'s "quoted" $(rm -rf)/slipway.yaml',
      command: ['/usr/bin/node', '/opt/slipway/bin/slipway.js'],
    });
    expect(script).toContain(
      JSON.stringify([
        '/usr/bin/node',
        '/opt/slipway/bin/slipway.js',
        'ci',
        'hook',
        'receive',
        '--pipeline',
        '/tmp/it\'s "quoted" $(rm -rf)/slipway.yaml',
      ]),
    );
    expect(script).toContain("spawn(argv[0], args, { stdio: 'ignore', detached: true })");
    expect(script).not.toContain('shell');
  });
});
