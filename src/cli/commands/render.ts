/**
 * `slipway render PATH`: what a kustomize overlay, Helm chart or manifest directory renders to, as
 * multi-document YAML (or a JSON list), the way Argo CD would render it.
 * @module
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { isInside } from '../../manifests/confine.ts';
import { SlipwayError } from '../../util/errors.ts';
import type { Io } from '../output.ts';

interface RenderCliOptions {
  helmSet: string[];
  values: string[];
  recursive?: boolean;
  root?: string;
  namespace?: string;
  releaseName?: string;
  output: 'yaml' | 'json';
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * The default root for confinement: the git work tree holding `path` (so an overlay may reach its
 * `../../base`), else the working directory when `path` is inside it, else `path` itself.
 */
export function defaultRoot(path: string, cwd = process.cwd()): string {
  const abs = resolve(cwd, path);
  for (let dir = abs; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.git'))) return dir;
    if (dirname(dir) === dir) break;
  }
  return isInside(cwd, abs) ? cwd : abs;
}

export function registerRender(program: Command, io: Io): void {
  program
    .command('render')
    .description(
      'render a kustomize overlay, Helm chart or manifest directory (detected as Argo CD does) to YAML on stdout',
    )
    .argument('<path>', 'the directory to render')
    .option('--helm-set <key=value>', 'Helm --set (repeatable)', collect, [])
    .option('--values <file>', 'Helm values file (repeatable)', collect, [])
    .option('--recursive', 'plain directories: include subdirectories')
    .option('--root <dir>', 'refuse to read outside this directory (default: the git work tree)')
    .option('--namespace <ns>', 'Helm --namespace')
    .option('--release-name <name>', 'Helm release name (default: the chart directory name)')
    .option('-o, --output <format>', 'yaml|json', 'yaml')
    .action(async (path: string, opts: RenderCliOptions) => {
      const { renderPath } = await import('../../manifests/index.ts');
      const result = await renderPath(path, {
        root: opts.root ?? defaultRoot(path),
        helmSet: opts.helmSet,
        valuesFiles: opts.values.map((f) => resolve(f)),
        recursive: opts.recursive ?? false,
        ...(opts.namespace ? { namespace: opts.namespace } : {}),
        ...(opts.releaseName ? { releaseName: opts.releaseName } : {}),
      }).catch((err: unknown) => {
        if (opts.root === undefined && err instanceof SlipwayError && err.reason === 'PathOutsideRoot') {
          throw new SlipwayError(`${err.message} (outside a git work tree, pass --root to widen it)`, {
            reason: err.reason,
            cause: err,
          });
        }
        throw err;
      });
      if (opts.output === 'json') {
        io.out(`${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: result.objects }, null, 2)}\n`);
        return;
      }
      io.out(result.yaml.endsWith('\n') || result.yaml === '' ? result.yaml : `${result.yaml}\n`);
    });
}
