/**
 * `slipway image set SPEC...`: `kustomize edit set image` that changes only the lines it must, or
 * the same for a Helm values file.
 * @module
 */
import type { Command } from 'commander';
import type { FileEditResult } from '../../manifests/index.ts';
import { SlipwayError } from '../../util/errors.ts';
import type { Io } from '../output.ts';
import { registerImageWatch } from './image-watch.ts';

interface ImageSetOptions {
  kustomization?: string;
  helmValues?: string;
  key: string;
  repositoryKey: string;
  digestKey: string;
  output: 'text' | 'json';
}

/** Adds `slipway image` with its `set` subcommand; returns `image` so other subcommands can attach. */
export function registerImage(program: Command, io: Io): Command {
  const cmd = program.command('image').description('edit the images a config repository deploys');
  cmd
    .command('set')
    .description(
      'set images as `kustomize edit set image` does: name=newName:tag, name=newName@digest, ' +
        'name=newName:tag@digest, name=newName, name:tag, name:tag@digest, name@digest (* keeps a part)',
    )
    .argument('<spec...>', 'image specs')
    .option('--kustomization <path>', 'the kustomization file, or a directory holding one (default: .)')
    .option('--helm-values <file>', 'edit this Helm values file instead of a kustomization (one spec)')
    .option('--key <path>', 'values key of the tag (with --helm-values)', 'image.tag')
    .option(
      '--repository-key <path>',
      'values key of the repository (with --helm-values)',
      'image.repository',
    )
    .option('--digest-key <path>', 'values key of the digest (with --helm-values)', 'image.digest')
    .option('-o, --output <format>', 'text|json', 'text')
    .action(async (specArgs: string[], opts: ImageSetOptions) => {
      const { parseImageSpec, setImageInHelmValues, setImageInKustomization } = await import(
        '../../manifests/index.ts'
      );
      const specs = specArgs.map(parseImageSpec);
      let result: FileEditResult;
      if (opts.helmValues !== undefined) {
        if (opts.kustomization !== undefined) {
          throw new SlipwayError('give --kustomization or --helm-values, not both', { subject: 'image set' });
        }
        const [spec, ...rest] = specs;
        if (!spec || rest.length > 0) {
          throw new SlipwayError('--helm-values takes exactly one image spec', { subject: 'image set' });
        }
        result = await setImageInHelmValues(opts.helmValues, spec, {
          tag: opts.key,
          repository: opts.repositoryKey,
          digest: opts.digestKey,
        });
      } else {
        result = await setImageInKustomization(opts.kustomization ?? '.', specs);
      }
      if (opts.output === 'json') io.out(`${JSON.stringify(result, null, 2)}\n`);
      else {
        io.out(`${result.file} ${result.changed ? 'updated' : 'unchanged'}\n`);
        io.out(
          result.diff.removed.map((l) => `-${l}\n`).join('') +
            result.diff.added.map((l) => `+${l}\n`).join(''),
        );
      }
    });
  registerImageWatch(cmd, io);
  return cmd;
}
