import type { Command } from 'commander';
import { SLIPWAY_VERSION } from '../../version.ts';
import { type Io, type OutputFormat, printValue } from '../output.ts';

export function registerVersion(program: Command, io: Io): void {
  program
    .command('version')
    .description('print the Slipway version')
    .option('-o, --output <format>', 'table|json|yaml', 'table')
    .action((opts: { output: OutputFormat }) => {
      const info = { slipway: SLIPWAY_VERSION, node: process.versions.node };
      printValue(io, opts.output, info, () => `slipway ${info.slipway} (node ${info.node})\n`);
    });
}
