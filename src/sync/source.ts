/**
 * Where an Application's manifests come from: its `targetRevision` resolved on `repoURL`, and
 * `path` rendered at that commit (kustomize, Helm or a plain directory, detected as Argo CD does).
 *
 * Two caches keep a fleet of apps cheap. Resolutions are cached per (repoURL, targetRevision) for
 * one poll interval, so however many apps follow `main` of one repository, the remote is asked once
 * per interval (a hard refresh bypasses this). Renders are cached per (commit, path, source options):
 * a commit never changes, so neither does what it renders to.
 * @module
 */
import { join } from 'node:path';
import { withRepo } from '../git/repo.ts';
import type { KubeObject } from '../kube/types.ts';
import { renderPath } from '../manifests/render.ts';
import { SlipwayError } from '../util/errors.ts';
import type { ApplicationSource } from './application.ts';

/** What one source rendered to at one commit. */
export interface RenderedSource {
  /** The resolved commit SHA. */
  revision: string;
  objects: KubeObject[];
  /** `Kustomize`, `Helm` or `Directory`. */
  sourceType: string;
}

/** Options of {@link SourceCache}. */
export interface SourceCacheOptions {
  /** How long a resolved revision is reused (the controller's poll interval). */
  resolveTtlMs: number;
  /** Folder of the git caches; default `${SLIPWAY_CACHE:-~/.cache/slipway}/git`. */
  cacheRoot?: string | undefined;
  /** Milliseconds since the epoch; default `Date.now`. */
  now?: () => number;
  /** Rendered entries kept; default 256 (oldest dropped first). */
  maxRenders?: number;
}

/** Resolves and renders sources, sharing fetches and renders between Applications. */
export class SourceCache {
  readonly #options: SourceCacheOptions;
  readonly #resolved = new Map<string, { at: number; revision: Promise<string> }>();
  readonly #rendered = new Map<string, Promise<RenderedSource>>();

  constructor(options: SourceCacheOptions) {
    this.#options = options;
  }

  /**
   * The commit `source.targetRevision` (default `HEAD`) names on `source.repoURL`; reused for one
   * poll interval unless `hard`.
   */
  resolve(source: ApplicationSource, hard = false): Promise<string> {
    const ref = source.targetRevision || 'HEAD';
    const key = `${source.repoURL}\n${ref}`;
    const now = (this.#options.now ?? Date.now)();
    const cached = this.#resolved.get(key);
    if (!hard && cached !== undefined && now - cached.at < this.#options.resolveTtlMs) return cached.revision;
    const revision = withRepo(this.#repoOptions(source.repoURL), (repo) => repo.resolveRef(ref));
    this.#resolved.set(key, { at: now, revision });
    // A failed resolution is not cached: the next reconcile asks again.
    revision.catch(() => {
      if (this.#resolved.get(key)?.revision === revision) this.#resolved.delete(key);
    });
    return revision;
  }

  /** Renders `source.path` at `revision` (a commit SHA). */
  render(source: ApplicationSource, revision: string): Promise<RenderedSource> {
    const key = JSON.stringify([
      source.repoURL,
      revision,
      source.path ?? '',
      source.kustomize,
      source.helm,
      source.directory,
    ]);
    const cached = this.#rendered.get(key);
    if (cached !== undefined) return cached;
    const rendered = this.#renderAt(source, revision);
    this.#rendered.set(key, rendered);
    rendered.catch(() => this.#rendered.delete(key));
    const max = this.#options.maxRenders ?? 256;
    while (this.#rendered.size > max) {
      const oldest = this.#rendered.keys().next().value;
      if (oldest === undefined) break;
      this.#rendered.delete(oldest);
    }
    return rendered;
  }

  async #renderAt(source: ApplicationSource, revision: string): Promise<RenderedSource> {
    const path = source.path ?? '.';
    if (source.chart !== undefined && source.chart !== '') {
      throw new SlipwayError(
        'Helm repository charts (spec.source.chart) are not supported; use a path in git',
        {
          subject: source.repoURL,
          reason: 'UnsupportedSource',
        },
      );
    }
    // Rendering happens under the cache's lock: the scratch work tree is shared by every user of it.
    return withRepo(this.#repoOptions(source.repoURL), async (repo) => {
      await repo.fetchCommit(revision);
      const root = await repo.checkout(revision);
      const result = await renderPath(join(root, path), {
        root,
        recursive: source.directory?.recurse === true,
        ...(source.helm?.releaseName ? { releaseName: source.helm.releaseName } : {}),
        ...(source.helm?.valueFiles ? { valuesFiles: source.helm.valueFiles } : {}),
      });
      return { revision, objects: result.objects, sourceType: result.sourceType };
    });
  }

  #repoOptions(url: string): { url: string; cacheRoot?: string } {
    return this.#options.cacheRoot === undefined ? { url } : { url, cacheRoot: this.#options.cacheRoot };
  }
}
