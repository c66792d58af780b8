/**
 * A run's log: every line timestamped, masked, appended to `<run folder>/run.log` and handed to
 * an optional callback. Masking happens here, once, so no path to the file or the callback can
 * see a secret.
 * @module
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Masker } from './commands.ts';

/** One log line as the callback sees it (already masked). */
export interface LogLine {
  /** ISO-8601 time the line was read. */
  time: string;
  /** 0-based step index; -1 for lines of the runner itself. */
  step: number;
  stepName: string;
  stream: 'stdout' | 'stderr' | 'runner';
  text: string;
}

/** The log of one run. */
export class RunLog {
  readonly #file: WriteStream;
  readonly #masker: Masker;
  readonly #onLine: ((line: LogLine) => void) | undefined;

  constructor(path: string, masker: Masker, onLine?: (line: LogLine) => void) {
    this.#file = createWriteStream(path, { flags: 'a', mode: 0o600 });
    this.#masker = masker;
    this.#onLine = onLine;
  }

  /** Writes one line. `text` may hold a secret: it is masked before it goes anywhere. */
  write(step: number, stepName: string, stream: LogLine['stream'], text: string): void {
    const line: LogLine = {
      time: new Date().toISOString(),
      step,
      stepName,
      stream,
      text: this.#masker.mask(text),
    };
    const tag = stream === 'stderr' ? ' (stderr)' : '';
    this.#file.write(`${line.time} [${stepName}]${tag} ${line.text}\n`);
    this.#onLine?.(line);
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#file.end((err?: Error | null) => (err ? reject(err) : resolve()));
    });
  }
}
