/**
 * Git push webhooks, as Argo CD's `/api/webhook` handles GitHub's: verify the HMAC signature,
 * read the push (repository web URL, revision, whether the default branch moved, changed files),
 * and pick the Applications to refresh by repository URL, target revision and
 * `argocd.argoproj.io/manifest-generate-paths`. Pure; the HTTP server is in `http.ts`.
 *
 * Semantics follow argo-cd `util/webhook/webhook.go` (`GetWebURLRegex`, `ParseRevision`,
 * `sourceRevisionHasChanged`) and `util/app/path/path.go` (`GetAppRefreshPaths`,
 * `AppFilesHaveChanged`).
 * @module
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { posix } from 'node:path';

/** The annotation that limits which changed files refresh an app (`;`-separated paths or globs). */
export const MANIFEST_GENERATE_PATHS = 'argocd.argoproj.io/manifest-generate-paths';

/**
 * True when `signatureHeader` (`X-Hub-Signature-256: sha256=<hex>`) is the HMAC-SHA256 of the
 * exact request body under `secret`. Compared in constant time.
 */
export function verifyGitHubSignature(
  body: Buffer,
  signatureHeader: string | undefined,
  secret: string,
): boolean {
  if (!signatureHeader?.startsWith('sha256=')) return false;
  const given = Buffer.from(signatureHeader.slice('sha256='.length), 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** What a push changed, in the terms the matching rules need. */
export interface PushEvent {
  /** Web URLs of the repository (no `.git`). */
  webURLs: string[];
  /** The pushed branch or tag (`refs/heads/main` → `main`). */
  revision: string;
  /** True when the push moved the repository's default branch. */
  touchedHead: boolean;
  /** Files added, modified or removed by the pushed commits; empty when the payload has none. */
  changedFiles: string[];
  before: string;
  after: string;
}

/**
 * Upstream's `ParseRevision`: the last of at most three `/`-separated parts, so `refs/heads/main`
 * is `main` and `refs/heads/feature/x` is `feature/x`.
 */
export function parseRevision(ref: string): string {
  const parts = ref.split('/');
  return parts.length <= 3 ? (parts[parts.length - 1] ?? '') : parts.slice(2).join('/');
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

/** Reads a GitHub `push` payload; undefined when it is not one. */
export function parseGitHubPush(payload: unknown): PushEvent | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const p = payload as Record<string, unknown>;
  const repo = p['repository'] as Record<string, unknown> | undefined;
  const htmlUrl = str(repo?.['html_url']);
  if (!htmlUrl || typeof p['ref'] !== 'string') return undefined;
  const revision = parseRevision(str(p['ref']));
  const changedFiles: string[] = [];
  for (const commit of Array.isArray(p['commits']) ? (p['commits'] as Array<Record<string, unknown>>) : []) {
    changedFiles.push(
      ...strings(commit['added']),
      ...strings(commit['modified']),
      ...strings(commit['removed']),
    );
  }
  return {
    webURLs: [htmlUrl],
    revision,
    touchedHead: str(repo?.['default_branch']) === revision,
    changedFiles,
    before: parseRevision(str(p['before'])),
    after: parseRevision(str(p['after'])),
  };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// RFC 3986 user names as upstream accepts them before `@`.
const USERNAME = String.raw`[\w.][\w.-]{0,30}[\w.$-]?`;

/**
 * The pattern of every repoURL that names the same repository as a webhook's web URL: any of
 * http(s):// or ssh:// or scp-style, an optional user, an optional `ssh.`/`altssh.` host prefix, an
 * optional port, an optional `.git` (upstream `GetWebURLRegex`), case-insensitive.
 * @example webURLRegex('https://github.com/myorg/deploy-configs').test('git@github.com:myorg/deploy-configs.git') // true
 */
export function webURLRegex(webURL: string): RegExp {
  const url = new URL(webURL);
  const path = escapeRegExp(url.pathname.replace(/^\//, ''));
  const host = escapeRegExp(url.hostname);
  return new RegExp(
    `^((https?|ssh)://)?(${USERNAME}@)?((alt)?ssh\\.)?${host}(:\\d+)?[:/]${path}(\\.git)?$`,
    'i',
  );
}

/** Upstream `sourceRevisionHasChanged`: does a push of `revision` concern an app tracking `targetRevision`? */
export function sourceRevisionHasChanged(
  targetRevision: string | undefined,
  revision: string,
  touchedHead: boolean,
): boolean {
  const target = targetRevision ?? '';
  const parsed = parseRevision(target);
  if (parsed === 'HEAD' || parsed === '') return touchedHead;
  if (target.startsWith('refs/heads/') || target.startsWith('refs/tags/')) return revision === parsed;
  return target === revision;
}

/** The minimal shape of an Application these rules read. */
export interface WebhookApp {
  metadata: {
    name: string;
    namespace?: string | undefined;
    annotations?: Record<string, string> | undefined;
  };
  spec: {
    source?: { repoURL?: string; targetRevision?: string; path?: string } | undefined;
    sources?: Array<{ repoURL?: string; targetRevision?: string; path?: string }> | undefined;
  };
}

function sourcesOf(app: WebhookApp): Array<{ repoURL?: string; targetRevision?: string; path?: string }> {
  return app.spec.sources && app.spec.sources.length > 0
    ? app.spec.sources
    : app.spec.source
      ? [app.spec.source]
      : [];
}

/**
 * Upstream `GetAppRefreshPaths`: the annotation's entries, `/x` relative to the repository root,
 * others joined with each source's path (so `.` is the source path itself).
 */
export function appRefreshPaths(app: WebhookApp): string[] {
  const value = app.metadata.annotations?.[MANIFEST_GENERATE_PATHS] ?? '';
  const paths: string[] = [];
  for (const raw of value.split(';')) {
    const item = raw.trim();
    if (!item) continue;
    if (item.startsWith('/')) paths.push(item.slice(1));
    else
      for (const source of sourcesOf(app)) paths.push(posix.normalize(posix.join(source.path ?? '', item)));
  }
  return paths;
}

/** Go's `filepath.Match` on `/`-separated paths: `*` and `?` never cross a `/`; `[...]` classes. */
export function pathMatch(pattern: string, name: string): boolean {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += escapeRegExp(pattern[++i]!);
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) return false; // Go: ErrBadPattern, which upstream treats as no match
      let body = pattern.slice(i + 1, end);
      if (body.startsWith('^')) body = `^${body.slice(1)}`;
      re += `[${body.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else re += escapeRegExp(c);
  }
  return new RegExp(`^${re}$`).test(name);
}

const abs = (p: string) => (p.startsWith('/') ? p : `/${p}`);

/** Upstream `AppFilesHaveChanged`: no file list or no refresh paths means refresh. */
export function appFilesHaveChanged(
  refreshPaths: readonly string[],
  changedFiles: readonly string[],
): boolean {
  if (changedFiles.length === 0 || refreshPaths.length === 0) return true;
  return changedFiles.some((file) => {
    const f = abs(file);
    return refreshPaths.some((path) => {
      const p = abs(path).replace(/\/+$/, '') || '/';
      return f === p || f.startsWith(p === '/' ? '/' : `${p}/`) || pathMatch(p, f);
    });
  });
}

/** The apps a push should refresh (each at most once). */
export function appsToRefresh<A extends WebhookApp>(apps: readonly A[], event: PushEvent): A[] {
  const chosen = new Set<A>();
  for (const webURL of event.webURLs) {
    let regex: RegExp;
    try {
      regex = webURLRegex(webURL);
    } catch {
      continue; // an unparsable URL in a payload concerns no app
    }
    for (const app of apps) {
      if (chosen.has(app)) continue;
      const uses = sourcesOf(app).some(
        (s) =>
          regex.test(s.repoURL ?? '') &&
          sourceRevisionHasChanged(s.targetRevision, event.revision, event.touchedHead),
      );
      if (uses && appFilesHaveChanged(appRefreshPaths(app), event.changedFiles)) chosen.add(app);
    }
  }
  // Apps whose own files the push changed come first: their sync is what the push is for, while
  // the others (refreshed as Argo CD does without manifest-generate-paths) only note the revision.
  const own = (app: A) =>
    event.changedFiles.length > 0 &&
    appFilesHaveChanged(
      sourcesOf(app).map((s) => s.path ?? ''),
      event.changedFiles,
    );
  return [...chosen].sort((a, b) => Number(own(b)) - Number(own(a)));
}
