/**
 * Printing for every command: `-o table|json|yaml`, kubectl-style tables (upper-case headers,
 * columns padded), and errors as `error: <subject>: <message>` on stderr.
 * @module
 */
import { stringify as toYaml } from 'yaml';
import { SlipwayError } from '../util/errors.ts';

export type OutputFormat = 'table' | 'json' | 'yaml';

export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'yaml'];

export interface Io {
  out: (text: string) => void;
  err: (text: string) => void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** Renders rows as a kubectl-style table. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('   ')
      .trimEnd();
  return `${[line(headers.map((h) => h.toUpperCase())), ...rows.map(line)].join('\n')}\n`;
}

/** Prints `value` as JSON or YAML, or calls `table` for the human form. */
export function printValue(io: Io, format: OutputFormat, value: unknown, table: () => string): void {
  if (format === 'json') io.out(`${JSON.stringify(value, null, 2)}\n`);
  else if (format === 'yaml') io.out(toYaml(value));
  else io.out(table());
}

/** Exit codes: 0 ok, 1 failure, 2 usage, 3 not ready / timeout. */
export const ExitCode = { Ok: 0, Failure: 1, Usage: 2, NotReady: 3 } as const;

/** Prints an error the way every command does, and returns the exit code for it. */
export function reportError(io: Io, err: unknown): number {
  if (err instanceof SlipwayError) {
    io.err(`error: ${err.message}\n`);
    return ExitCode.Failure;
  }
  if (err instanceof AggregateError) {
    io.err(`error: ${err.message}\n`);
    return ExitCode.Failure;
  }
  io.err(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return ExitCode.Failure;
}
