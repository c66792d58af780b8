/**
 * Slipway's git: the real git CLI behind a small API. A cached shallow clone per remote, commits
 * by a named identity, pushes that retry on a lost race and never force, credentials that never
 * touch disk or output.
 * @module
 */

export type { BasicCredentials, GitAccess } from './credentials.ts';
export { credentialsFromEnv } from './credentials.ts';
export type { GitCommandRecord, GitConfigEntry, GitFailureKind, GitResult, GitRunOptions } from './exec.ts';
export { classifyGitFailure, GitCommandError, observeGitCommands, redact, runGit } from './exec.ts';
export type { GitIdentity } from './identity.ts';
export { formatIdentity, parseIdentity, SLIPWAY_IDENTITY } from './identity.ts';
export type { CommitAndPushOptions, CommitAndPushResult, EditResult, PushVerdict, TreeEdit } from './push.ts';
export { commitAndPush, DEFAULT_PUSH_BACKOFF, parsePushPorcelain } from './push.ts';
export type { Remote, RemoteTransport } from './remote.ts';
export { parseRemote, redactUrl } from './remote.ts';
export type { RepoOptions } from './repo.ts';
export { assertRefName, defaultGitCacheRoot, GitRepo, withRepo } from './repo.ts';
