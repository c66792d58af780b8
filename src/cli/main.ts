/**
 * The `slipway` command.
 * @module
 */
import { Command, CommanderError } from 'commander';
import { SLIPWAY_VERSION } from '../version.ts';
import { registerApp } from './commands/app.ts';
import { registerCi } from './commands/ci.ts';
import { registerCiPipeline } from './commands/ci-pipeline.ts';
import { registerController } from './commands/controller.ts';
import { registerDevCluster } from './commands/dev-cluster.ts';
import { registerImage } from './commands/image.ts';
import { registerPipeline } from './commands/pipeline.ts';
import { registerPromote } from './commands/promote.ts';
import { registerRelease } from './commands/release.ts';
import { registerRender } from './commands/render.ts';
import { registerRollout } from './commands/rollout.ts';
import { registerVerify } from './commands/verify.ts';
import { registerVersion } from './commands/version.ts';
import { ExitCode, type Io, processIo, reportError } from './output.ts';

export function buildProgram(io: Io = processIo): Command {
  const program = new Command('slipway')
    .description('Slipway carries a commit from git push to a running container in production on Kubernetes.')
    .version(SLIPWAY_VERSION, '--version', 'print the version')
    .showHelpAfterError()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .exitOverride();
  registerVersion(program, io);
  registerDevCluster(program, io);
  registerImage(program, io);
  registerRelease(program, io);
  registerRender(program, io);
  registerRollout(program, io);
  registerVerify(program, io);
  registerController(program, io);
  registerApp(program, io);
  registerCi(program, io);
  registerCiPipeline(program, io);
  registerPipeline(program, io);
  registerPromote(program, io);
  return program;
}

/** Runs the CLI with `argv` (as `process.argv`) and returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : ExitCode.Ok;
  } catch (err) {
    if (err instanceof CommanderError) {
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    return reportError(io, err);
  }
}

// Run directly (`tsx src/cli/main.ts ...`) as well as through bin/slipway.js.
if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv);
}
