/**
 * `slipway verify config DIR`: the seed's Step 8 for every app and environment of a config
 * repository: renders, pinned images, namespaces, declared images, schemas.
 * @module
 */
import type { Command } from 'commander';
import type { EnvResult, VerifyReport } from '../../manifests/index.ts';
import { SlipwayError } from '../../util/errors.ts';
import { formatTable, type Io } from '../output.ts';

/** A digest shortened for a table cell: `sha256:24a0c4b4a4c0`. */
function shortDigest(digest: string): string {
  const [algorithm = '', hex = ''] = digest.split(':');
  return `@${algorithm}:${hex.slice(0, 12)}`;
}

/** One row per distinct image of each environment (one row with `-` when it renders none). */
export function verifyRows(results: readonly EnvResult[]): string[][] {
  const rows: string[][] = [];
  for (const r of results) {
    const status = r.ok ? 'ok' : `FAIL (${r.findings.filter((f) => f.severity === 'error').length})`;
    const images = [...new Map(r.images.map((i) => [i.image, i])).values()];
    if (images.length === 0) rows.push([r.app, r.env, '-', '-', r.namespace ?? '-', status]);
    for (const i of images) {
      const tag = i.tag !== '' ? i.tag : i.digest !== '' ? shortDigest(i.digest) : '-';
      rows.push([r.app, r.env, i.name || '-', tag, r.namespace ?? '-', status]);
    }
  }
  return rows;
}

/** The findings as lines: `error: app/env: file:line: Kind/ns/name: message`. */
export function findingLines(report: VerifyReport): string {
  return report.results
    .flatMap((r) =>
      r.findings.map(
        (f) =>
          `${f.severity}: ${r.app}/${r.env}: ${f.subject}: ${f.object ? `${f.object}: ` : ''}${f.message}\n`,
      ),
    )
    .join('');
}

export function registerVerify(program: Command, io: Io): void {
  const cmd = program.command('verify').description('check a config repository before it deploys');
  cmd
    .command('config')
    .description(
      'render every apps/<app>/overlays/<env> and check images are pinned and as declared, ' +
        'namespaces are set, and objects validate against the Kubernetes and Argo schemas',
    )
    .argument('<dir>', 'the config repository (holding apps/)')
    .option('--app <name>', 'only this app')
    .option('-o, --output <format>', 'table|json', 'table')
    .action(async (dir: string, opts: { app?: string; output: 'table' | 'json' }) => {
      // Loaded on use: the manifests capability pulls in ajv and the schema bundle.
      const { verifyConfig } = await import('../../manifests/index.ts');
      const report = await verifyConfig(dir, opts.app !== undefined ? { app: opts.app } : {});
      if (opts.output === 'json') {
        io.out(`${JSON.stringify(report, null, 2)}\n`);
      } else {
        io.out(
          formatTable(['app', 'env', 'image', 'tag', 'namespace', 'result'], verifyRows(report.results)),
        );
        io.err(findingLines(report));
      }
      const failed = report.results.filter((r) => !r.ok);
      if (failed.length > 0) {
        throw new SlipwayError(
          `${failed.length} of ${report.results.length} environments failed: ${failed.map((r) => `${r.app}/${r.env}`).join(', ')}`,
          { subject: dir, reason: 'VerificationFailed' },
        );
      }
    });
}
