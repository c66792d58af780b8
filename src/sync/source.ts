/**
 * Where an Application's manifests come from: its `targetRevision` resolved on `repoURL`, and
 * `path` rendered at that commit (kustomize, Helm or a plain directory, detected as Argo CD does).
 *
 * Two caches keep a fleet of apps cheap. Resolutions are cached per (repoURL, targetRevision) for
 * one poll interval, so however many apps follow `main` of one repository, the remote is asked once
 * per interval (a hard refresh bypasses this). Renders are cached per (commit, path, source options):
 * a commit never changes, so neither does what it renders to. Source options are applied by
 * `source-render.ts`; Helm renders (and options expanding `$ARGOCD_APP_*`) are cached per app too.
 * @module
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { withRepo } from '../git/repo.ts';
import type { KubeObject } from '../kube/types.ts';
import { SlipwayError } from '../util/errors.ts';
import type { ApplicationSource } from './application.ts';
import { type BuildContext, dependsOnApp, renderCacheKey, type SourceKind } from './source-options.ts';
import { renderSource } from './source-render.ts';

/** What one source rendered to at one commit. */
export interface RenderedSource {
  /** The resolved commit SHA. */
  revision: string;
  objects: KubeObject[];
  /** `Kustomize`, `Helm` or `Directory`. */
  sourceType: string;
  /** Source options accepted but not acted on, with why (e.g. `kustomize.version`). */
  notes?: string[];
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

/** Commits whose files are kept on disk for renders (a fleet rarely renders more than two). */
const MAX_TREES = 4;

/** One commit's files on disk, and how many renders are reading them. */
interface TreeSnapshot {
  dir: Promise<string>;
  users: number;
}

/** Resolves and renders sources, sharing fetches and renders between Applications. */
export class SourceCache {
  readonly #options: SourceCacheOptions;
  readonly #resolved = new Map<string, { at: number; revision: Promise<string> }>();
  readonly #rendered = new Map<string, Promise<RenderedSource>>();
  /** Snapshots of commits' files by `repoURL\ncommit`, least recently used first. */
  readonly #trees = new Map<string, TreeSnapshot>();
  #treeRoot: string | undefined;

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

  /**
   * Forgets what refs of `repoURL` resolved to, because a push to it was announced: the next
   * resolve asks the remote again, once for every Application that follows the same ref.
   */
  forgetResolved(repoURL: string): void {
    for (const key of [...this.#resolved.keys()])
      if (key.startsWith(`${repoURL}\n`)) this.#resolved.delete(key);
  }

  /**
   * Renders `source.path` at `revision` (a commit SHA) with the source's options. `context` (the
   * app's name and destination namespace) matters to Helm charts (default release name and
   * namespace) and to options with `$ARGOCD_APP_*` expansions; other renders are shared by every
   * app with the same source. Without a context, the release name is the path's last segment.
   */
  render(source: ApplicationSource, revision: string, context?: BuildContext): Promise<RenderedSource> {
    const ctx = context ?? { appName: basename(source.path || '.') || 'release', namespace: '' };
    const shared = renderCacheKey(source, revision);
    const own = renderCacheKey(source, revision, ctx);
    const cached = this.#rendered.get(own);
    if (cached !== undefined) return cached;
    // The first render of this source at this commit, for whichever app asked first: reused by
    // every other app unless what it rendered depends on the app (a Helm chart, `$` expansions).
    const first = this.#rendered.get(shared);
    const rendered =
      first === undefined
        ? this.#renderAt(source, revision, ctx)
        : first.then((r) =>
            dependsOnApp(source, r.sourceType as SourceKind) ? this.#renderAt(source, revision, ctx) : r,
          );
    if (first === undefined) this.#remember(shared, rendered);
    this.#remember(own, rendered);
    return rendered;
  }

  #remember(key: string, rendered: Promise<RenderedSource>): void {
    this.#rendered.set(key, rendered);
    rendered.catch(() => {
      if (this.#rendered.get(key) === rendered) this.#rendered.delete(key);
    });
    const max = this.#options.maxRenders ?? 256;
    while (this.#rendered.size > max) {
      const oldest = this.#rendered.keys().next().value;
      if (oldest === undefined) break;
      this.#rendered.delete(oldest);
    }
  }

  async #renderAt(
    source: ApplicationSource,
    revision: string,
    context: BuildContext,
  ): Promise<RenderedSource> {
    if (source.chart !== undefined && source.chart !== '') {
      throw new SlipwayError(
        'Helm repository charts (spec.source.chart) are not supported; use a path in git',
        {
          subject: source.repoURL,
          reason: 'UnsupportedSource',
        },
      );
    }
    const tree = this.#treeAt(source.repoURL, revision);
    tree.users++;
    try {
      const root = await tree.dir;
      const result = await renderSource(root, source, revision, context);
      return { revision, objects: result.objects, sourceType: result.sourceType, notes: result.notes };
    } finally {
      tree.users--;
      this.#evictTrees();
    }
  }

  /**
   * The files of `revision`, written once into a snapshot folder that every render of that commit
   * shares: a fleet of apps in one config repository costs one checkout per commit, not one per
   * app, and renders run outside the cache's lock.
   */
  #treeAt(repoURL: string, revision: string): TreeSnapshot {
    const key = `${repoURL}\n${revision}`;
    let tree = this.#trees.get(key);
    if (tree === undefined) {
      const dir = (async () => {
        this.#treeRoot ??= await mkdtemp(join(tmpdir(), 'slipway-trees-'));
        const target = join(this.#treeRoot, `${this.#trees.size}-${revision.slice(0, 12)}-${Date.now()}`);
        await withRepo(this.#repoOptions(repoURL), async (repo) => {
          await repo.fetchCommit(revision);
          await repo.exportTree(revision, target);
        });
        return target;
      })();
      tree = { dir, users: 0 };
      const created = tree;
      this.#trees.set(key, created);
      dir.catch(() => {
        if (this.#trees.get(key) === created) this.#trees.delete(key);
      });
    } else {
      // Most recently used last: eviction takes the oldest first.
      this.#trees.delete(key);
      this.#trees.set(key, tree);
    }
    return tree;
  }

  /** Removes the least recently used snapshots nobody is reading, beyond {@link MAX_TREES}. */
  #evictTrees(): void {
    for (const [key, tree] of this.#trees) {
      if (this.#trees.size <= MAX_TREES) return;
      if (tree.users > 0) continue;
      this.#trees.delete(key);
      void tree.dir.then((dir) => rm(dir, { recursive: true, force: true })).catch(() => undefined);
    }
  }

  /** Removes every snapshot folder (renders still running keep reading until they end). */
  async close(): Promise<void> {
    const root = this.#treeRoot;
    this.#trees.clear();
    this.#treeRoot = undefined;
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  }

  #repoOptions(url: string): { url: string; cacheRoot?: string } {
    return this.#options.cacheRoot === undefined ? { url } : { url, cacheRoot: this.#options.cacheRoot };
  }
}
