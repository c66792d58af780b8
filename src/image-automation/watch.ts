/**
 * Image automation (the seed's config-repo stage, "Option B"): watch a registry, choose a tag by
 * policy, and release it into an overlay when the overlay says something else.
 *
 * One poll is three straight steps:
 * 1. **observe** the registry: list tags (or, for `digest:<tag>`, resolve that tag's digest; for
 *    `newest-build`, read the build time of each candidate, cached by manifest digest);
 * 2. **choose** with the pure policy ({@link selectTag});
 * 3. **release** through the release library with an edit that writes the choice, which commits
 *    only when the overlay differs. The overlay is the only memory: nothing about past choices is
 *    stored anywhere else, so a restart (or a person editing the overlay) is simply seen on the
 *    next poll.
 *
 * Polls repeat at a jittered interval until the signal aborts; a failed poll is reported and
 * retried (sooner, with backoff, when the failure is transient), never left to end the loop.
 * @module
 */
import type { Platform } from '../registry/index.ts';
import { isRegistryNotFound } from '../registry/index.ts';
import {
  DEFAULT_MESSAGE_TEMPLATE,
  type ReleaseOptions,
  type ReleaseResult,
  renderMessage,
} from '../release/index.ts';
import { sleep } from '../util/abort.ts';
import { backoffDelay } from '../util/backoff.ts';
import { errorMessage, SlipwayError } from '../util/errors.ts';
import { limit } from '../util/limit.ts';
import type { CompiledTagFilter } from './filter.ts';
import { type EditObservation, imageEdit } from './overlay.ts';
import {
  describePolicy,
  formatChoice,
  type ImageChoice,
  PolicyError,
  policyCandidates,
  selectTag,
  type TagPolicy,
} from './policy.ts';

/** The release library's entry point (`release` from `src/release`), injected for the loop. */
export type ReleaseFn = (options: ReleaseOptions) => Promise<ReleaseResult>;

/** The registry calls a watch makes; {@link RegistryClient} provides them. */
export interface WatchRegistry {
  readonly host: string;
  listTags(repository: string, options?: { signal?: AbortSignal; pageSize?: number }): Promise<string[]>;
  headManifest(
    repository: string,
    reference: string,
    options?: { signal?: AbortSignal },
  ): Promise<{ digest: string }>;
  getImageConfig(
    repository: string,
    reference: string,
    options?: { signal?: AbortSignal; platform?: Platform },
  ): Promise<{ digest: string; created: Date | undefined }>;
}

/** What to watch and where to release it. */
export interface ImageWatchSpec {
  /** Repository path in the registry, e.g. `myorg/my-service`. */
  repository: string;
  /** The image name written into the overlay (`newName`), e.g. `ghcr.io/myorg/my-service`. */
  imageName: string;
  policy: TagPolicy;
  filter?: CompiledTagFilter;
  /** For `newest-build` on multi-arch tags: the platform whose build time counts (default: the newest of all). */
  platform?: Platform;
  /** The kustomize `images:` entry name, e.g. `my-service`. */
  entryName: string;
  /** Config repository and the overlay folder in it. */
  repo: string;
  path: string;
  branch?: string;
  /** Commit message template (`{service}`, `{tag}`, `{image}`, `{path}`, `{branch}`). */
  messageTemplate?: string;
  /** Options passed through to every release (credentials, cache root, author, timeouts). */
  releaseOptions?: Partial<Omit<ReleaseOptions, 'repo' | 'path' | 'branch' | 'edit' | 'message' | 'signal'>>;
}

/** What one poll found and did. */
export interface PollOutcome {
  /** The chosen image, e.g. `127.0.0.1:5000/app:1.2.3` or `…:latest@sha256:…`. */
  image: string;
  choice: ImageChoice;
  /** Tags the registry listed (0 for the digest policy, which asks for one tag only). */
  tagsSeen: number;
  /** The overlay's value before this poll, when it had one. */
  previous?: string;
  /** True when this poll committed and pushed a change. */
  released: boolean;
  /** The config repository commit after the poll. */
  commit: string;
}

/** Memory a watch keeps between polls: build times by manifest digest (immutable facts, not choices). */
export interface WatchCache {
  buildTimes: Map<string, Date | undefined>;
}

export function newWatchCache(): WatchCache {
  return { buildTimes: new Map() };
}

/** Candidate tags whose build time is read per poll; more than this is refused as a misconfiguration. */
export const MAX_BUILD_TIME_CANDIDATES = 500;

async function buildTimes(
  registry: WatchRegistry,
  spec: ImageWatchSpec,
  candidates: ReadonlyMap<string, string>,
  cache: WatchCache,
  signal: AbortSignal,
): Promise<Map<string, Date | undefined>> {
  if (candidates.size > MAX_BUILD_TIME_CANDIDATES) {
    throw new PolicyError(
      `${candidates.size} candidate tags; newest-build reads each one's build time, so filter them to at most ${MAX_BUILD_TIME_CANDIDATES}`,
      'InvalidPolicy',
      'policy newest-build',
    );
  }
  const run = limit(4);
  const seen = new Set<string>();
  const times = new Map<string, Date | undefined>();
  await Promise.all(
    [...candidates].map(([value, tag]) =>
      run(async () => {
        // A tag can move, a digest cannot: resolve the tag, then read the config once per digest.
        const { digest } = await registry.headManifest(spec.repository, tag, { signal });
        seen.add(digest);
        if (!cache.buildTimes.has(digest)) {
          const options = spec.platform ? { signal, platform: spec.platform } : { signal };
          const info = await registry.getImageConfig(spec.repository, digest, options);
          cache.buildTimes.set(digest, info.created);
        }
        times.set(value, cache.buildTimes.get(digest));
      }),
    ),
  );
  // Forget digests no candidate points at any more, so the cache stays the size of the repository.
  for (const digest of cache.buildTimes.keys()) if (!seen.has(digest)) cache.buildTimes.delete(digest);
  return times;
}

/** Steps 1 and 2 of a poll: what the registry has, and what the policy chooses from it. */
export async function chooseImage(
  registry: WatchRegistry,
  spec: ImageWatchSpec,
  cache: WatchCache,
  signal: AbortSignal,
): Promise<{ choice: ImageChoice; tagsSeen: number }> {
  const { policy } = spec;
  if (policy.kind === 'digest') {
    try {
      const { digest } = await registry.headManifest(spec.repository, policy.tag, { signal });
      return { choice: { tag: policy.tag, digest }, tagsSeen: 0 };
    } catch (err) {
      if (isRegistryNotFound(err)) {
        throw new PolicyError(
          `tag ${JSON.stringify(policy.tag)} not found: ${err.message}`,
          'NoMatchingTag',
          `policy ${describePolicy(policy)}`,
          err,
        );
      }
      throw err;
    }
  }
  const tags = await registry.listTags(spec.repository, { signal });
  const candidates = policyCandidates(tags, spec.filter);
  const times =
    policy.kind === 'newest-build' ? await buildTimes(registry, spec, candidates, cache, signal) : undefined;
  return { choice: { tag: selectTag(policy, candidates, times) }, tagsSeen: tags.length };
}

/**
 * One poll: choose, then release the choice (a no-op commit-wise when the overlay has it already).
 * @example
 * const outcome = await pollImage(spec, { registry, release }, newWatchCache(), signal);
 * if (outcome.released) console.log(`released ${outcome.image} in ${outcome.commit}`);
 */
export async function pollImage(
  spec: ImageWatchSpec,
  deps: { registry: WatchRegistry; release: ReleaseFn },
  cache: WatchCache,
  signal: AbortSignal,
): Promise<PollOutcome> {
  const { choice, tagsSeen } = await chooseImage(deps.registry, spec, cache, signal);
  const image = `${spec.imageName}:${formatChoice(choice)}`;
  const branch = spec.branch ?? 'main';
  const observed: EditObservation = {};
  const result = await deps.release({
    ...spec.releaseOptions,
    repo: spec.repo,
    path: spec.path,
    branch,
    edit: imageEdit(spec.path, spec.entryName, spec.imageName, choice, observed),
    message: renderMessage(spec.messageTemplate ?? DEFAULT_MESSAGE_TEMPLATE, {
      service: spec.entryName,
      tag: formatChoice(choice),
      image,
      path: spec.path,
      branch,
    }),
    signal,
  });
  const outcome: PollOutcome = { image, choice, tagsSeen, released: result.changed, commit: result.commit };
  if (observed.previous !== undefined) outcome.previous = observed.previous;
  return outcome;
}

/** Options of {@link watchImage}. */
export interface WatchLoopOptions {
  /** Time between polls; default 30 s. */
  intervalMs?: number;
  /** Each wait is the interval ± this fraction, so many watches do not poll in step; default 0.1. */
  jitter?: number;
  /** Stops the loop (between or during polls); the loop then resolves. */
  signal?: AbortSignal;
  /** Called after every successful poll. */
  onPoll?: (outcome: PollOutcome) => void;
  /** Called after every failed poll, with the delay before the next try. */
  onError?: (err: unknown, retryInMs: number) => void;
  /** Deadline of one whole poll (registry calls and the release); default 10 min. */
  pollTimeoutMs?: number;
  /** Randomness for jitter; default Math.random. */
  random?: () => number;
}

/**
 * The delay before the next poll: the interval spread evenly over ±`jitter`.
 * @example nextPollDelay(30_000, 0.1, () => 0.5) === 30_000
 * @example nextPollDelay(30_000, 0.1, () => 0) === 27_000
 */
export function nextPollDelay(intervalMs: number, jitter: number, random: () => number): number {
  const j = Math.min(Math.max(jitter, 0), 1);
  return Math.max(0, Math.round(intervalMs * (1 + j * (2 * random() - 1))));
}

/**
 * The delay after a failed poll: transient failures (registry or git unreachable, a tag not pushed
 * yet) retry with backoff from 1 s up to the interval; others (bad credentials, a malformed policy)
 * wait the whole interval, as nothing will change sooner.
 */
export function retryDelay(err: unknown, failures: number, intervalMs: number, random: () => number): number {
  const transient = err instanceof SlipwayError && err.transient;
  if (!transient) return intervalMs;
  return backoffDelay(failures - 1, { initialMs: Math.min(1_000, intervalMs), maxMs: intervalMs }, random);
}

/**
 * Polls until `signal` aborts. Resolves when stopped; never rejects for a failed poll (those go to
 * `onError`), only for a bug in a callback.
 */
export async function watchImage(
  spec: ImageWatchSpec,
  deps: { registry: WatchRegistry; release: ReleaseFn },
  options: WatchLoopOptions = {},
): Promise<void> {
  const intervalMs = options.intervalMs ?? 30_000;
  const random = options.random ?? Math.random;
  const signal = options.signal ?? new AbortController().signal;
  const cache = newWatchCache();
  let failures = 0;
  while (!signal.aborted) {
    let delay: number;
    try {
      const pollSignal = AbortSignal.any([signal, AbortSignal.timeout(options.pollTimeoutMs ?? 10 * 60_000)]);
      const outcome = await pollImage(spec, deps, cache, pollSignal);
      failures = 0;
      options.onPoll?.(outcome);
      delay = nextPollDelay(intervalMs, options.jitter ?? 0.1, random);
    } catch (err) {
      if (signal.aborted) break;
      failures++;
      delay = retryDelay(err, failures, intervalMs, random);
      options.onError?.(err, delay);
    }
    try {
      await sleep(delay, signal);
    } catch {
      // Aborted while waiting: the loop condition ends it.
    }
  }
}

/** One line describing a poll, for logs. */
export function describeOutcome(outcome: PollOutcome): string {
  if (outcome.released) {
    return `released ${outcome.image}${outcome.previous ? ` (was ${outcome.previous})` : ''} in ${outcome.commit.slice(0, 12)}`;
  }
  return `${outcome.image} is already released (${outcome.commit.slice(0, 12)})`;
}

/** One line describing a failed poll, for logs. */
export function describeFailure(err: unknown, retryInMs: number): string {
  return `poll failed: ${errorMessage(err)}; next try in ${Math.round(retryInMs / 100) / 10} s`;
}
