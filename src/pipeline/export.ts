/**
 * `slipway ci export`: the GitHub Actions workflow that does on GitHub what Slipway's runner does
 * here — the service's workflow as committed (validated by the same parser the runner uses), with
 * the pipeline's `env` overrides written into its top-level `env`, plus the release job Slipway
 * performs after a green run: the image `<repository>:<short sha>` written into the first
 * environment's overlay, committed and pushed with retry (the seed's Step 7). Promotion to the
 * later environments stays with Slipway. Comments and formatting of the original are kept. Pure.
 * @module
 */
import { posix } from 'node:path';
import { isMap, parseDocument, YAMLMap } from 'yaml';
import { parseWorkflow, selectJob } from '../ci/index.ts';
import { SlipwayError } from '../util/errors.ts';
import { SHORT_SHA_LENGTH } from './bundle.ts';
import type { Pipeline } from './spec.ts';

/** `owner/name` of a GitHub repository URL, or undefined for other hosts. */
export function githubRepository(url: string): string | undefined {
  const m =
    /^(?:https:\/\/(?:[^@/]+@)?github\.com\/|git@github\.com:|ssh:\/\/git@github\.com\/)([^/\s]+\/[^/\s]+?)(?:\.git)?\/?$/.exec(
      url,
    );
  return m?.[1];
}

/**
 * The exported workflow text for `pipeline`, from the service's workflow `text` (read from `file`).
 * @throws {SlipwayError} when the workflow is invalid (as the runner would refuse it).
 */
export function exportWorkflow(pipeline: Pipeline, text: string, file: string): string {
  const workflow = parseWorkflow(text, file);
  const [jobId] = selectJob(workflow, file);
  const doc = parseDocument(text);
  const spec = pipeline.spec;
  const first = spec.environments.find((e) => e.name === pipeline.order[0]);
  if (first?.overlay === undefined) {
    throw new SlipwayError('the first environment needs an overlay for the exported release job', {
      subject: `pipeline ${pipeline.name}: environments[0].overlay`,
      reason: 'NoOverlay',
    });
  }
  // 1. The pipeline's overrides of the workflow's env.
  if (Object.keys(spec.env).length > 0) {
    let env = doc.get('env', true);
    if (!isMap(env)) {
      env = new YAMLMap();
      doc.set('env', env);
    }
    for (const [k, v] of Object.entries(spec.env)) (env as YAMLMap).set(k, v);
  }
  // 2. The release into the first environment, after the build job succeeded on a push.
  const overlay = posix.join(spec.config.path, first.overlay);
  const github = githubRepository(spec.config.repo);
  const checkout = github
    ? {
        name: 'Check out the config repository',
        uses: 'actions/checkout@v4',
        with: {
          repository: github,
          ref: spec.config.branch,
          // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub Actions expression, not a JS placeholder
          token: '${{ secrets.CONFIG_REPO_TOKEN }}',
          path: 'deploy-configs',
        },
      }
    : {
        name: 'Check out the config repository',
        env: { CONFIG_REPO: spec.config.repo, CONFIG_BRANCH: spec.config.branch },
        run: 'git clone --depth 1 --branch "$CONFIG_BRANCH" "$CONFIG_REPO" deploy-configs',
      };
  const release = {
    needs: jobId,
    if: `github.event_name == 'push' && github.ref == 'refs/heads/${spec.source.branch}'`,
    'runs-on': 'ubuntu-latest',
    permissions: { contents: 'read' },
    steps: [
      checkout,
      {
        name: `Update image tag in ${first.name}`,
        'working-directory': `deploy-configs/${overlay}`,
        env: { IMAGE_NAME: spec.service, IMAGE_REPOSITORY: spec.image.repository },
        run: `kustomize edit set image "$IMAGE_NAME=$IMAGE_REPOSITORY:\${GITHUB_SHA::${SHORT_SHA_LENGTH}}"`,
      },
      {
        name: 'Commit and push',
        'working-directory': 'deploy-configs',
        env: { SERVICE: spec.service, CONFIG_BRANCH: spec.config.branch },
        run: [
          'git config user.name "slipway"',
          'git config user.email "slipway@localhost"',
          `git commit -am "Update $SERVICE to \${GITHUB_SHA::${SHORT_SHA_LENGTH}}"`,
          '# Never forced: a lost race rebases onto the new head and tries again.',
          'for attempt in 1 2 3 4 5; do',
          '  git push origin "HEAD:$CONFIG_BRANCH" && exit 0',
          '  git pull --rebase origin "$CONFIG_BRANCH"',
          'done',
          'exit 1',
          '',
        ].join('\n'),
      },
    ],
  };
  const jobs = doc.get('jobs', true) as YAMLMap;
  const name = jobs.has('release') ? `release-${first.name}` : 'release';
  jobs.set(name, doc.createNode(release));
  doc.commentBefore = [
    ` Exported by slipway ci export from pipeline ${pipeline.name}: the workflow Slipway runs, with the`,
    ` pipeline's env and the release into ${first.name} (${overlay}). Promotion beyond ${first.name} stays with Slipway.`,
    doc.commentBefore ? doc.commentBefore : undefined,
  ]
    .filter((l): l is string => l !== undefined)
    .join('\n');
  return doc.toString({ lineWidth: 0 });
}
