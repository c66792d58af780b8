/**
 * `slipway promote PIPELINE ENV --approve [--bundle ID]`: records who approved which bundle for a
 * `manual` environment and when (`--by`, default `$USER`), then reconciles, so the release follows
 * at once when the environment it comes from is healthy. Prints the reconcile's actions.
 * @module
 */
import type { Command } from 'commander';
import { approvePromotion } from '../../pipeline/index.ts';
import { SlipwayError } from '../../util/errors.ts';
import type { Io } from '../output.ts';
import { formatActions, type PipelineCliOptions, pipelineOptions, withPipelineDeps } from './pipeline.ts';

interface PromoteCliOptions extends PipelineCliOptions {
  approve?: boolean;
  bundle?: string;
  by?: string;
}

export function registerPromote(program: Command, io: Io): void {
  pipelineOptions(
    program
      .command('promote')
      .description('approve the promotion of a bundle into an environment whose rule is manual')
      .argument('<pipeline>', 'the pipeline name')
      .argument('<env>', 'the environment'),
  )
    .option('--approve', 'approve the promotion (required: approving is the only way to promote by hand)')
    .option('--bundle <id>', 'the bundle to approve (default: the one awaiting approval)')
    .option('--by <name>', 'who approves (default $USER)')
    .action(async (name: string, env: string, opts: PromoteCliOptions) => {
      if (!opts.approve) {
        throw new SlipwayError('add --approve to approve the promotion', {
          subject: 'promote',
          reason: 'Usage',
        });
      }
      const by = opts.by ?? process.env['USER'] ?? process.env['LOGNAME'];
      if (!by)
        throw new SlipwayError('cannot tell who approves; pass --by', { subject: '--by', reason: 'Usage' });
      await withPipelineDeps(opts, name, io, async (deps) => {
        const { bundleId, reconcile } = await approvePromotion(deps, env, {
          by,
          ...(opts.bundle ? { bundleId: opts.bundle } : {}),
        });
        io.out(`approved ${bundleId} for ${env} by ${by}\n${formatActions(reconcile)}`);
      });
    });
}
