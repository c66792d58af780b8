/**
 * Release bundles: the immutable record of one green CI run of one commit — which source commit,
 * which image (repository, short-SHA tag, pushed digest), what the scan found, which run made it.
 * Everything after CI (releases, promotions, rollbacks) refers to a bundle by its id, never to a
 * moving tag: `:latest` is not part of a bundle and nothing Slipway writes names it.
 *
 * The id is derived from the content (`<shortSha>-<12 hex of sha256 over the canonical body>`), so
 * a bundle cannot be changed without changing its id, and a store can verify what it reads. Pure.
 * @module
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { SlipwayError } from '../util/errors.ts';

/** Length of the short SHA images are tagged with (`git rev-parse --short` on a small repository). */
export const SHORT_SHA_LENGTH = 7;

const Sha = z.string().regex(/^[0-9a-f]{40}$/, 'must be a full 40-hex commit SHA');
const Digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'must be sha256:<64 hex>');

export const ScanSummarySchema = z.strictObject({
  critical: z.number().int().nonnegative(),
  high: z.number().int().nonnegative(),
  medium: z.number().int().nonnegative(),
  low: z.number().int().nonnegative(),
  unknown: z.number().int().nonnegative(),
  passed: z.boolean(),
});
export type ScanSummary = z.infer<typeof ScanSummarySchema>;

export const ReleaseBundleSchema = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{7}-[0-9a-f]{12}$/, 'must be <shortSha>-<12 hex>'),
  service: z.string().min(1),
  sourceSha: Sha,
  shortSha: z.string().regex(/^[0-9a-f]{7}$/),
  /** Committer time of the source commit (ISO 8601). */
  commitTime: z.string().min(1),
  /** `Name <email>` of the source commit's author. */
  author: z.string(),
  /** The commit message's first line. */
  message: z.string(),
  image: z.strictObject({
    repository: z.string().min(1),
    /** Always the short SHA; never `latest`. */
    tag: z.string().regex(/^[0-9a-f]{7}$/),
    digest: Digest,
  }),
  /** Absent when the workflow has no scan step. */
  scan: ScanSummarySchema.optional(),
  runId: z.string().min(1),
  createdAt: z.string().min(1),
});
export type ReleaseBundle = z.infer<typeof ReleaseBundleSchema>;

/** A bundle before its id is computed. */
export type BundleContent = Omit<ReleaseBundle, 'id'>;

/** JSON with object keys sorted at every level: one text per value, whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The content-derived id of a bundle.
 * @example bundleId({ shortSha: 'abc1234', ... }) // 'abc1234-3f9c0e12ab45'
 */
export function bundleId(content: BundleContent): string {
  const hash = createHash('sha256').update(canonicalJson(content)).digest('hex');
  return `${content.shortSha}-${hash.slice(0, 12)}`;
}

/** A bundle with its id, validated. Throws naming the field when the content is not a bundle. */
export function createBundle(content: BundleContent): ReleaseBundle {
  const withId = { id: bundleId(content), ...content };
  const parsed = ReleaseBundleSchema.safeParse(withId);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new SlipwayError(issue?.message ?? 'invalid bundle', {
      subject: `bundle: ${issue?.path.join('.') ?? ''}`,
      reason: 'InvalidBundle',
    });
  }
  return parsed.data;
}

/** The source commit's facts a bundle records (read from git by the caller). */
export interface CommitInfo {
  sha: string;
  commitTime: string;
  author: string;
  message: string;
}

/**
 * The parts of a CI run a bundle is made from. `published` and `scan` come from the CI runner's
 * image build and scan steps; they are optional here because runs of workflows without those steps
 * have none.
 */
export interface GreenRun {
  runId: string;
  status: string;
  sha: string;
  published?: ReadonlyArray<{ reference: string; digest: string }>;
  scan?: ScanSummary;
}

/**
 * Why a run gives no bundle, or undefined when it gives one: the run failed, its scan failed, or
 * it published no image `repository:<shortSha>`.
 */
export function bundleRefusal(run: GreenRun, repository: string): string | undefined {
  if (run.status !== 'success') return `the run ${run.runId} ended ${run.status}`;
  if (run.scan && !run.scan.passed) {
    return `the scan of run ${run.runId} failed (${run.scan.critical} critical, ${run.scan.high} high)`;
  }
  if (publishedImage(run, repository) === undefined) {
    return `the run ${run.runId} published no image ${repository}:${run.sha.slice(0, SHORT_SHA_LENGTH)}`;
  }
  return undefined;
}

function publishedImage(run: GreenRun, repository: string): { digest: string } | undefined {
  const wanted = `${repository}:${run.sha.slice(0, SHORT_SHA_LENGTH)}`;
  return run.published?.find((p) => p.reference === wanted);
}

/**
 * The bundle of a green run: the image `repository:<shortSha>` it published (never `:latest`),
 * with its digest and the run's scan summary.
 * @throws {SlipwayError} `NoBundle` when {@link bundleRefusal} gives a reason.
 * @example bundleFromRun(run, commit, { service: 'my-service', repository: 'ghcr.io/myorg/my-service' }, now)
 */
export function bundleFromRun(
  run: GreenRun,
  commit: CommitInfo,
  target: { service: string; repository: string },
  now: Date,
): ReleaseBundle {
  const refusal = bundleRefusal(run, target.repository);
  if (refusal !== undefined) throw new SlipwayError(refusal, { subject: target.service, reason: 'NoBundle' });
  if (commit.sha !== run.sha) {
    throw new SlipwayError(`commit facts are for ${commit.sha}, the run built ${run.sha}`, {
      subject: target.service,
      reason: 'InternalError',
    });
  }
  const shortSha = run.sha.slice(0, SHORT_SHA_LENGTH);
  const content: BundleContent = {
    service: target.service,
    sourceSha: run.sha,
    shortSha,
    commitTime: commit.commitTime,
    author: commit.author,
    message: commit.message,
    image: {
      repository: target.repository,
      tag: shortSha,
      digest: publishedImage(run, target.repository)!.digest,
    },
    runId: run.runId,
    createdAt: now.toISOString(),
  };
  if (run.scan) content.scan = run.scan;
  return createBundle(content);
}

/** The image reference an overlay is given for a bundle: `repository:<shortSha>`. */
export function bundleImage(bundle: Pick<ReleaseBundle, 'image'>): string {
  return `${bundle.image.repository}:${bundle.image.tag}`;
}
