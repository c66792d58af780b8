/**
 * The contexts a workflow's expressions read (`github`, `env`, `secrets`, `steps`, `runner`, `job`)
 * and the environment its steps run with. Pure: the runner passes in what it observed.
 *
 * Precedence of `env` (lowest first): workflow `env:`, job `env:`, values written to
 * `$GITHUB_ENV` by earlier steps, step `env:`, then the caller's overrides — so
 * `--env REGISTRY=127.0.0.1:5000` replaces the seed's `REGISTRY: ghcr.io` everywhere without
 * editing the file.
 *
 * Secrets come from the process environment as `SLIPWAY_SECRET_<NAME>` (for example
 * `SLIPWAY_SECRET_GITHUB_TOKEN` for `secrets.GITHUB_TOKEN`), or from the caller. Only that prefix is
 * read, so ordinary variables such as `PATH` or `HOME` never become secrets by accident. A
 * missing secret is the empty string, as on GitHub.
 * @module
 */
import type { ExprValue } from './expressions.ts';

/** The environment-variable prefix that supplies `secrets.<NAME>`. */
export const SECRET_ENV_PREFIX = 'SLIPWAY_SECRET_';

/** What a run knows about the commit and its trigger, for the `github` context. */
export interface GithubInfo {
  sha: string;
  /** Full ref, e.g. `refs/heads/main`. */
  ref: string;
  /** `owner/name`. */
  repository: string;
  eventName: 'push' | 'pull_request';
  actor: string;
  /** The checkout folder. */
  workspace: string;
  /** The job id being run. */
  job: string;
  /** A unique id of this run. */
  runId: string;
}

/** The short name of a ref. @example refName('refs/heads/main') === 'main'; refName('refs/pull/7/merge') === '7/merge' */
export function refName(ref: string): string {
  const m = /^refs\/(?:heads|tags|pull)\/(.+)$/.exec(ref);
  return m?.[1] ?? ref;
}

/** The `github` context. */
export function githubContext(info: GithubInfo): Record<string, ExprValue> {
  const owner = info.repository.split('/')[0] ?? '';
  return {
    sha: info.sha,
    ref: info.ref,
    ref_name: refName(info.ref),
    ref_type: info.ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    repository: info.repository,
    repository_owner: owner,
    event_name: info.eventName,
    event: {},
    actor: info.actor,
    triggering_actor: info.actor,
    workspace: info.workspace,
    job: info.job,
    run_id: info.runId,
    run_number: '1',
    run_attempt: '1',
    server_url: 'https://github.com',
    action: '',
  };
}

/** The `runner` context. */
export function runnerContext(temp: string): Record<string, ExprValue> {
  return {
    os: 'Linux',
    arch: process.arch === 'arm64' ? 'ARM64' : process.arch === 'x64' ? 'X64' : process.arch.toUpperCase(),
    name: 'slipway',
    temp,
    environment: 'self-hosted',
  };
}

/** The variables GitHub sets for every step, from the same facts as the `github` context. */
export function defaultStepEnv(info: GithubInfo, runnerTemp: string): Record<string, string> {
  return {
    CI: 'true',
    SLIPWAY_CI: 'true',
    GITHUB_SHA: info.sha,
    GITHUB_REF: info.ref,
    GITHUB_REF_NAME: refName(info.ref),
    GITHUB_REPOSITORY: info.repository,
    GITHUB_REPOSITORY_OWNER: info.repository.split('/')[0] ?? '',
    GITHUB_EVENT_NAME: info.eventName,
    GITHUB_ACTOR: info.actor,
    GITHUB_WORKSPACE: info.workspace,
    GITHUB_JOB: info.job,
    GITHUB_RUN_ID: info.runId,
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: runnerTemp,
  };
}

/**
 * Secrets from an environment: every `SLIPWAY_SECRET_<NAME>` becomes `<NAME>`; `extra` wins.
 * @example secretsFromEnv({ SLIPWAY_SECRET_GITHUB_TOKEN: 't' }) // { GITHUB_TOKEN: 't' }
 */
export function secretsFromEnv(
  env: Readonly<Record<string, string | undefined>>,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (k.startsWith(SECRET_ENV_PREFIX) && k.length > SECRET_ENV_PREFIX.length && v !== undefined) {
      out[k.slice(SECRET_ENV_PREFIX.length)] = v;
    }
  }
  return { ...out, ...extra };
}

/**
 * `owner/name` from a remote URL: the last two segments of its path, without `.git`.
 * @example repositoryFromRemoteUrl('git@github.com:acme/api.git') === 'acme/api'
 * @example repositoryFromRemoteUrl('https://github.com/acme/api') === 'acme/api'
 */
export function repositoryFromRemoteUrl(url: string): string | undefined {
  const path = url
    .trim()
    .replace(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/]*/, '')
    .replace(/^[^/:]+:/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  const segments = path.split('/').filter((s) => s !== '');
  const name = segments.at(-1);
  const owner = segments.at(-2);
  return owner !== undefined && name !== undefined ? `${owner}/${name}` : undefined;
}

/** Scalars of a workflow `env:`/`with:` map as written (before expressions are evaluated). */
export type RawMap = Readonly<Record<string, string | number | boolean | null>>;

/** A YAML scalar as the text GitHub would see: null → '', others as written. */
export function scalarText(v: string | number | boolean | null): string {
  return v === null ? '' : String(v);
}
