/**
 * Real repositories and state folders for the pipeline tests: the seed's deploy-configs in a bare
 * repository (made with the git CLI), a pipeline spec pointing at it, and bundles recorded the way
 * a green CI run records them.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BundleStore,
  createBundle,
  EventLog,
  type Pipeline,
  type PipelineDeps,
  parsePipelines,
  type ReleaseBundle,
} from '../../src/pipeline/index.ts';
import { git } from '../git/helpers.ts';
import { ConfigRepo } from '../sync/helpers.ts';

/** A scratch world: config repo, state folder, git cache. */
export class PipelineWorld {
  readonly root: string;
  readonly config: ConfigRepo;
  readonly state: string;
  readonly cache: string;

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'slipway-pipeline-'));
    this.config = new ConfigRepo();
    this.state = join(this.root, 'state');
    this.cache = join(this.root, 'cache');
  }

  /** The pipeline YAML for the seed app with the given environment lines. */
  pipelineYaml(environments: string, extra = ''): string {
    return `apiVersion: slipway.dev/v1alpha1
kind: Pipeline
metadata: { name: my-service }
spec:
  service: my-service
  source: { repo: https://github.com/myorg/my-service.git }
  image: { repository: ghcr.io/myorg/my-service }
  config: { repo: ${this.config.url}, path: apps/my-service }
${extra}  environments:
${environments}`;
  }

  /** Parses `yaml` (and writes it to `slipway.yaml` in the root, for the CLI). */
  pipeline(yaml: string): Pipeline {
    const file = join(this.root, 'slipway.yaml');
    writeFileSync(file, yaml);
    return parsePipelines(yaml, file)[0]!;
  }

  get pipelineFile(): string {
    return join(this.root, 'slipway.yaml');
  }

  deps(pipeline: Pipeline, extra: Partial<PipelineDeps> = {}): PipelineDeps {
    return { pipeline, stateRoot: this.state, gitCacheRoot: this.cache, ...extra };
  }

  /** Records a bundle for a fresh source commit as a green run would: stored, then `bundle-created`. */
  async addBundle(pipeline: Pipeline, n: number): Promise<ReleaseBundle> {
    const sha = createHash('sha1').update(`commit ${n}`).digest('hex');
    const bundle = createBundle({
      service: 'my-service',
      sourceSha: sha,
      shortSha: sha.slice(0, 7),
      commitTime: new Date(Date.UTC(2026, 10, 27, 9, n)).toISOString(),
      author: 'Dev <dev@example.com>',
      message: `change ${n}`,
      image: {
        repository: 'ghcr.io/myorg/my-service',
        tag: sha.slice(0, 7),
        digest: `sha256:${createHash('sha256').update(`image ${n}`).digest('hex')}`,
      },
      runId: `run-${n}`,
      createdAt: new Date(Date.UTC(2026, 10, 27, 9, n, 30)).toISOString(),
    });
    await new BundleStore(this.state).put(bundle);
    new EventLog(this.state, pipeline.name).append({ type: 'bundle-created', bundleId: bundle.id, sha });
    return bundle;
  }

  /** The overlay's kustomization on the remote's main. */
  overlay(env: string): string {
    return git(['show', `main:apps/my-service/overlays/${env}/kustomization.yaml`], this.config.bare);
  }

  head(branch = 'main'): string {
    return git(['rev-parse', branch], this.config.bare).trim();
  }

  message(rev: string): string {
    return git(['log', '-1', '--format=%B', rev], this.config.bare);
  }

  cleanup(): void {
    this.config.cleanup();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** `newTag: <tag>` of an overlay's kustomization (quoted when the short SHA is all digits). */
export function tagOf(kustomization: string): string | undefined {
  return /newTag: "?([^"\s]+)/.exec(kustomization)?.[1];
}
