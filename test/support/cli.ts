/**
 * Runs the `slipway` CLI in-process, as a user would type it, and captures what it prints.
 * @module
 */
import { inject } from 'vitest';
import { main } from '../../src/cli/main.ts';

/** What one CLI invocation printed and its exit code. */
export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `slipway ...args` in this process; `process.exitCode` is left as it was. */
export async function runCli(args: readonly string[]): Promise<CliResult> {
  let out = '';
  let err = '';
  const previous = process.exitCode;
  const code = await main(['node', 'slipway', ...args], {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  process.exitCode = previous;
  return { code, out, err };
}

/** Runs `slipway ...args` against the test run's shared control plane. */
export function runClusterCli(args: readonly string[]): Promise<CliResult> {
  return runCli([...args, '--kubeconfig', inject('kubeconfig')]);
}
