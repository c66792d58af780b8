/**
 * `slipway image watch`: image automation ("Option B" of the config-repo stage). Polls a registry,
 * chooses a tag by policy, and releases it into an overlay of the config repository whenever the
 * overlay says something else. Runs until interrupted, or once with `--once`.
 * @module
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import type { Command } from 'commander';
import type { ImageWatchSpec, PollOutcome } from '../../image-automation/index.ts';
import type { Platform, RegistryClient, RegistryClientOptions } from '../../registry/index.ts';
import { DEFAULT_MESSAGE_TEMPLATE } from '../../release/message.ts';
import { SlipwayError } from '../../util/errors.ts';
import { type Io, printValue } from '../output.ts';

interface ImageWatchCliOptions {
  image: string;
  policy: string;
  filter?: string;
  extract?: string;
  repo: string;
  path: string;
  branch: string;
  name?: string;
  message: string;
  interval: string;
  once?: boolean;
  platform?: string;
  username?: string;
  passwordFile?: string;
  insecure?: boolean;
  caFile?: string;
  registryTimeout: string;
  gitTimeout: string;
  author?: string;
  output: 'text' | 'json' | 'yaml';
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/**
 * A Go-style duration (`30s`, `1m30s`, `1500ms`, `2h`) in milliseconds; a bare number is seconds.
 * @example parseDuration('1m30s', '--interval') === 90_000
 */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  const invalid = () =>
    new SlipwayError(`expected a duration such as 30s, 5m, 1m30s or 1500ms, got ${JSON.stringify(text)}`, {
      subject: flag,
      reason: 'InvalidDuration',
    });
  if (/^\d+(?:\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  if (!/^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/.test(trimmed)) throw invalid();
  let ms = 0;
  for (const m of trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g))
    ms += Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 0);
  return Math.round(ms);
}

/** `os/arch[/variant]`, e.g. `linux/arm64/v8`. */
export function parsePlatform(text: string): Platform {
  const [os, architecture, variant, ...rest] = text.split('/');
  if (!os || !architecture || rest.length > 0) {
    throw new SlipwayError(`expected os/arch[/variant], e.g. linux/amd64, got ${JSON.stringify(text)}`, {
      subject: '--platform',
      reason: 'InvalidPlatform',
    });
  }
  return variant ? { os, architecture, variant } : { os, architecture };
}

function registryCredentials(
  opts: ImageWatchCliOptions,
  env: NodeJS.ProcessEnv,
): RegistryClientOptions['credentials'] {
  const username = opts.username ?? env['SLIPWAY_REGISTRY_USERNAME'];
  let password = env['SLIPWAY_REGISTRY_PASSWORD'];
  if (opts.passwordFile !== undefined) {
    try {
      password = readFileSync(opts.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (err) {
      throw new SlipwayError('cannot read the registry password file', {
        subject: opts.passwordFile,
        reason: 'InvalidCredentials',
        cause: err,
      });
    }
  }
  if (username === undefined && password === undefined) return undefined;
  if (!username || password === undefined) {
    throw new SlipwayError(
      'give both a user (--username or SLIPWAY_REGISTRY_USERNAME) and a password (--password-file or SLIPWAY_REGISTRY_PASSWORD)',
      { subject: 'registry credentials', reason: 'InvalidCredentials' },
    );
  }
  return { username, password };
}

/** The watch as the options describe it, and a registry client for it (which the caller closes). */
export async function buildWatch(
  opts: ImageWatchCliOptions,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ spec: ImageWatchSpec; client: RegistryClient; intervalMs: number }> {
  // Loaded here, not at the top, so that `slipway --help` does not load the registry and git code.
  const { parseIdentity } = await import('../../git/index.ts');
  const { compileTagFilter, parsePolicy } = await import('../../image-automation/index.ts');
  const { parseNormalizedNamed, RegistryClient, referenceName, referenceString } = await import(
    '../../registry/index.ts'
  );
  const { normalizeOverlayPath } = await import('../../release/index.ts');
  const ref = parseNormalizedNamed(opts.image);
  if (ref.tag !== undefined || ref.digest !== undefined) {
    throw new SlipwayError(`give the repository without a tag or digest; the policy chooses the tag`, {
      subject: `--image ${referenceString(ref)}`,
      reason: 'InvalidImage',
    });
  }
  const policy = parsePolicy(opts.policy);
  if (opts.extract !== undefined && opts.filter === undefined) {
    throw new SlipwayError('needs --filter (the pattern whose groups it extracts)', {
      subject: '--extract',
      reason: 'InvalidPolicy',
    });
  }
  const path = normalizeOverlayPath(opts.path);
  const intervalMs = parseDuration(opts.interval, '--interval');
  if (intervalMs < 1_000) {
    throw new SlipwayError('must be at least 1s', { subject: '--interval', reason: 'InvalidDuration' });
  }
  const author = opts.author !== undefined ? parseIdentity(opts.author) : undefined;
  const credentials = registryCredentials(opts, env);
  const clientOptions: RegistryClientOptions = {
    host: ref.domain,
    timeoutMs: parseDuration(opts.registryTimeout, '--registry-timeout'),
  };
  if (credentials) clientOptions.credentials = credentials;
  if (opts.insecure) clientOptions.insecure = true;
  if (opts.caFile !== undefined) {
    try {
      clientOptions.ca = readFileSync(opts.caFile);
    } catch (err) {
      throw new SlipwayError('cannot read the CA file', {
        subject: opts.caFile,
        reason: 'InvalidCA',
        cause: err,
      });
    }
  }
  const spec: ImageWatchSpec = {
    repository: ref.path,
    imageName: referenceName(ref),
    policy,
    entryName: opts.name ?? posix.basename(ref.path),
    repo: opts.repo,
    path,
    branch: opts.branch,
    messageTemplate: opts.message,
    releaseOptions: {
      timeoutMs: parseDuration(opts.gitTimeout, '--git-timeout'),
      ...(author ? { author } : {}),
    },
  };
  if (opts.filter !== undefined) {
    spec.filter = compileTagFilter({
      pattern: opts.filter,
      ...(opts.extract !== undefined ? { extract: opts.extract } : {}),
    });
  }
  if (opts.platform !== undefined) spec.platform = parsePlatform(opts.platform);
  return { spec, client: new RegistryClient(clientOptions), intervalMs };
}

function printOutcome(
  io: Io,
  format: ImageWatchCliOptions['output'],
  outcome: PollOutcome,
  stream: boolean,
  describe: (o: PollOutcome) => string,
): void {
  if (stream && format === 'json') {
    io.out(`${JSON.stringify(outcome)}\n`);
    return;
  }
  // A stream of YAML documents needs separators.
  if (stream && format === 'yaml') io.out('---\n');
  printValue(io, format === 'text' ? 'table' : format, outcome, () => `${describe(outcome)}\n`);
}

/**
 * Adds `watch` to the `image` command.
 * @example slipway image watch --image ghcr.io/myorg/my-service --policy 'semver:>=1.0.0 <2.0.0' \
 *   --repo https://git.example.com/org/deploy-configs.git --path apps/my-service/overlays/dev
 */
export function registerImageWatch(imageCommand: Command, io: Io): void {
  imageCommand
    .command('watch')
    .description(
      'poll a registry, choose a tag by policy, and release it into an overlay when the overlay differs ' +
        '(registry credentials: SLIPWAY_REGISTRY_USERNAME/SLIPWAY_REGISTRY_PASSWORD; git: as `slipway release`)',
    )
    .requiredOption(
      '--image <repository>',
      'image repository to watch, without a tag, e.g. ghcr.io/myorg/my-service',
    )
    .requiredOption(
      '--policy <policy>',
      'semver:<range> | alphabetical[:asc|desc] | numerical[:asc|desc] | newest-build | digest:<tag>',
    )
    .option('--filter <regex>', 'consider only tags matching this (RE2-style) pattern')
    .option('--extract <template>', "order by this expansion of the filter's groups, e.g. '$ts'")
    .requiredOption('--repo <url>', 'config repository (https://, ssh://, user@host:path, file:// or a path)')
    .requiredOption('--path <dir>', 'overlay folder relative to the repository root')
    .option('--branch <name>', 'branch to commit to', 'main')
    .option('--name <name>', 'the kustomize images entry to set (default: last segment of --image)')
    .option(
      '--message <template>',
      'commit message; {service} {tag} {image} {path} {branch} are replaced',
      DEFAULT_MESSAGE_TEMPLATE,
    )
    .option('--interval <duration>', 'time between polls (±10% jitter)', '30s')
    .option('--once', 'poll once and exit (non-zero when the poll fails)')
    .option('--platform <os/arch>', 'newest-build: count only this platform of multi-arch tags')
    .option(
      '--username <user>',
      'registry user (the password comes from --password-file or SLIPWAY_REGISTRY_PASSWORD)',
    )
    .option('--password-file <file>', 'file holding the registry password')
    .option('--insecure', 'allow plain HTTP and unverified TLS for a registry that is not on loopback')
    .option('--ca-file <file>', 'PEM CA certificates to trust for the registry')
    .option('--registry-timeout <duration>', 'deadline of each registry request', '30s')
    .option('--git-timeout <duration>', 'deadline of each git command that talks to the server', '60s')
    .option('--author <identity>', 'author and committer, "Name <email>"')
    .option('-o, --output <format>', 'text | json | yaml (json streams one object per poll)', 'text')
    .action(async (opts: ImageWatchCliOptions) => {
      const { spec, client, intervalMs } = await buildWatch(opts);
      const { describeFailure, describeOutcome, newWatchCache, pollImage, watchImage } = await import(
        '../../image-automation/index.ts'
      );
      const { release } = await import('../../release/index.ts');
      const withLog: ImageWatchSpec = {
        ...spec,
        releaseOptions: { ...spec.releaseOptions, log: (line) => io.err(`${line}\n`) },
      };
      try {
        if (opts.once) {
          const outcome = await pollImage(
            withLog,
            { registry: client, release },
            newWatchCache(),
            AbortSignal.timeout(10 * 60_000),
          );
          printOutcome(io, opts.output, outcome, false, describeOutcome);
          return;
        }
        const controller = new AbortController();
        const stop = () => controller.abort(new SlipwayError('interrupted', { reason: 'Aborted' }));
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        io.err(
          `watching ${spec.imageName} (${opts.policy}) every ${opts.interval} → ${opts.repo} ${spec.path}\n`,
        );
        try {
          await watchImage(
            withLog,
            { registry: client, release },
            {
              intervalMs,
              signal: controller.signal,
              onPoll: (outcome) => printOutcome(io, opts.output, outcome, true, describeOutcome),
              onError: (err, retryInMs) => io.err(`error: ${describeFailure(err, retryInMs)}\n`),
            },
          );
        } finally {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
        }
      } finally {
        await client.close();
      }
    });
}
