/**
 * `slipway release`: the seed's CI step "update image tag in config repo" as one command: clone
 * (cached), `kustomize edit set image` on the overlay, commit, push with compare-and-retry. Prints
 * the commit on stdout (the unchanged head when the overlay already had the image).
 * @module
 */
import type { Command } from 'commander';
import { parseIdentity } from '../../git/index.ts';
import { parseImageSpec } from '../../manifests/index.ts';
import {
  DEFAULT_MESSAGE_TEMPLATE,
  imageEdit,
  imageMessageVars,
  normalizeOverlayPath,
  release,
  renderMessage,
} from '../../release/index.ts';
import { SlipwayError } from '../../util/errors.ts';
import type { Io } from '../output.ts';
import { printValue } from '../output.ts';

interface ReleaseCliOptions {
  repo: string;
  branch: string;
  path: string;
  image: string;
  message: string;
  author?: string;
  timeout: string;
  output: 'name' | 'json' | 'yaml';
}

export function registerRelease(program: Command, io: Io): void {
  program
    .command('release')
    .description(
      'write a new image into an environment overlay of the config repository, commit and push; ' +
        'prints the commit (credentials: SLIPWAY_GIT_TOKEN, SLIPWAY_GIT_USERNAME/SLIPWAY_GIT_PASSWORD, SLIPWAY_SSH_KEY)',
    )
    .requiredOption('--repo <url>', 'config repository (https://, ssh://, user@host:path, file:// or a path)')
    .option('--branch <name>', 'branch to commit to', 'main')
    .requiredOption(
      '--path <dir>',
      'overlay folder relative to the repository root, e.g. apps/my-service/overlays/dev',
    )
    .requiredOption(
      '--image <spec>',
      'as `kustomize edit set image`, e.g. my-service=ghcr.io/myorg/my-service:abc1234',
    )
    .option(
      '--message <template>',
      'commit message; {service} {tag} {image} {path} {branch} are replaced',
      DEFAULT_MESSAGE_TEMPLATE,
    )
    .option(
      '--author <identity>',
      'author and committer, "Name <email>" (default Slipway <slipway@localhost>)',
    )
    .option(
      '--timeout <duration>',
      'deadline of each git command that talks to the server (e.g. 30s, 2m)',
      '60s',
    )
    .option('-o, --output <format>', 'name (the commit) | json | yaml', 'name')
    .action(async (opts: ReleaseCliOptions) => {
      const spec = parseImageSpec(opts.image);
      const path = normalizeOverlayPath(opts.path);
      const author = opts.author !== undefined ? parseIdentity(opts.author) : undefined;
      const result = await release({
        repo: opts.repo,
        branch: opts.branch,
        path,
        edit: imageEdit(path, spec),
        message: renderMessage(opts.message, imageMessageVars(spec, path, opts.branch)),
        timeoutMs: parseTimeout(opts.timeout),
        log: (line) => io.err(`${line}\n`),
        ...(author ? { author } : {}),
      });
      printValue(io, opts.output === 'name' ? 'table' : opts.output, result, () => `${result.commit}\n`);
    });
}

/** `90`, `90s`, `1500ms`, `2m` into milliseconds. */
function parseTimeout(text: string): number {
  const match = /^(\d+)(ms|s|m)?$/.exec(text.trim());
  if (!match) {
    throw new SlipwayError(`expected a duration such as 30s, 2m or 1500ms, got ${JSON.stringify(text)}`, {
      subject: '--timeout',
      reason: 'InvalidDuration',
    });
  }
  const n = Number(match[1]);
  const ms = match[2] === 'ms' ? n : match[2] === 'm' ? n * 60_000 : n * 1000;
  if (ms <= 0)
    throw new SlipwayError('must be more than 0', { subject: '--timeout', reason: 'InvalidDuration' });
  return ms;
}
