// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is GitHub expression syntax under test, not a JS placeholder
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { parseWorkflow } from '../ci/index.ts';
import { exportWorkflow, githubRepository } from './export.ts';
import { parsePipelines } from './spec.ts';

const SEED = readFileSync(new URL('../../test/fixtures/seed/ci.yaml', import.meta.url), 'utf8');
const pipeline = (configRepo: string) =>
  parsePipelines(
    `apiVersion: slipway.dev/v1alpha1
kind: Pipeline
metadata: { name: my-service }
spec:
  service: my-service
  source: { repo: https://github.com/myorg/my-service.git }
  image: { repository: registry.example.com/myorg/my-service }
  config: { repo: ${configRepo}, path: apps/my-service }
  env: { REGISTRY: registry.example.com }
  environments:
    - { name: dev, overlay: overlays/dev }
    - { name: prod, overlay: overlays/prod, promotion: { type: manual } }
`,
    'slipway.yaml',
  )[0]!;

describe('exportWorkflow', () => {
  const out = exportWorkflow(pipeline('https://github.com/myorg/deploy-configs.git'), SEED, 'ci.yaml');
  const doc = parse(out) as {
    env: Record<string, string>;
    jobs: Record<string, { needs?: string; if?: string; steps: Array<Record<string, unknown>> }>;
  };

  it("keeps the service's job as committed, comments included", () => {
    expect(doc.jobs['build-and-push']).toEqual((parse(SEED) as typeof doc).jobs['build-and-push']);
    expect(out).toContain('# .github/workflows/ci.yaml');
  });

  it("writes the pipeline's env overrides into the top-level env", () => {
    expect(doc.env).toEqual({ REGISTRY: 'registry.example.com', IMAGE_NAME: '${{ github.repository }}' });
  });

  it('adds the release into the first environment after a green push build', () => {
    const release = doc.jobs['release'];
    expect(release?.needs).toBe('build-and-push');
    expect(release?.if).toBe("github.event_name == 'push' && github.ref == 'refs/heads/main'");
    expect(release?.steps[0]).toMatchObject({
      uses: 'actions/checkout@v4',
      with: { repository: 'myorg/deploy-configs' },
    });
    expect(release?.steps[1]).toMatchObject({
      'working-directory': 'deploy-configs/apps/my-service/overlays/dev',
      env: { IMAGE_NAME: 'my-service', IMAGE_REPOSITORY: 'registry.example.com/myorg/my-service' },
      run: 'kustomize edit set image "$IMAGE_NAME=$IMAGE_REPOSITORY:${GITHUB_SHA::7}"',
    });
    expect(String(release?.steps[2]?.['run'])).toContain('git push origin "HEAD:$CONFIG_BRANCH"');
    expect(out).not.toContain(':latest"');
  });

  it('is a workflow the runner accepts', () => {
    const wf = parseWorkflow(out, 'exported.yaml');
    expect(Object.keys(wf.jobs)).toEqual(['build-and-push', 'release']);
  });

  it('clones a config repository outside GitHub with values passed as env, not spliced into the script', () => {
    const other = parse(
      exportWorkflow(pipeline('file:///srv/git/deploy configs.git'), SEED, 'ci.yaml'),
    ) as typeof doc;
    expect(other.jobs['release']?.steps[0]).toEqual({
      name: 'Check out the config repository',
      env: { CONFIG_REPO: 'file:///srv/git/deploy configs.git', CONFIG_BRANCH: 'main' },
      run: 'git clone --depth 1 --branch "$CONFIG_BRANCH" "$CONFIG_REPO" deploy-configs',
    });
  });

  it('refuses a workflow the runner would refuse', () => {
    expect(() => exportWorkflow(pipeline('x'), 'on: push\njobs: {}\n', 'bad.yaml')).toThrow(/bad\.yaml/);
  });

  it.each([
    ['https://github.com/myorg/deploy-configs.git', 'myorg/deploy-configs'],
    ['https://github.com/myorg/deploy-configs', 'myorg/deploy-configs'],
    ['git@github.com:myorg/deploy-configs.git', 'myorg/deploy-configs'],
    ['https://gitlab.com/myorg/deploy-configs.git', undefined],
  ])('githubRepository(%s)', (url, repo) => {
    expect(githubRepository(url)).toBe(repo);
  });
});
