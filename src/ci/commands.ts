/**
 * The files and log commands through which a step talks back to the runner: `$GITHUB_OUTPUT` and
 * `$GITHUB_ENV` (`name=value` lines and `name<<DELIMITER` heredocs), `$GITHUB_PATH` (one folder a
 * line) and the `::add-mask::` log command, plus the {@link Masker} that replaces every secret in
 * every log line with `***`. Pure.
 * @module
 */

/** A problem in a `$GITHUB_OUTPUT`/`$GITHUB_ENV` file; the runner names the step. */
export class FileCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileCommandError';
  }
}

/**
 * Reads a `$GITHUB_OUTPUT` or `$GITHUB_ENV` file, as the Actions runner does: each entry is
 * either `name=value` (value up to the end of the line) or
 * `name<<DELIM` followed by lines up to a line that is exactly `DELIM`. Later entries win.
 * @example parseKeyValueFile('tag=abc123\nnotes<<EOF\na\nb\nEOF\n') // { tag: 'abc123', notes: 'a\nb' }
 * @throws {FileCommandError} for a line with neither `=` nor `<<`, an empty name or an unclosed heredoc.
 */
export function parseKeyValueFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  // A trailing newline leaves one empty string at the end that is not an entry.
  if (lines.at(-1) === '') lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line.trim() === '') continue;
    const eq = line.indexOf('=');
    const heredoc = line.indexOf('<<');
    if (heredoc >= 0 && (eq < 0 || heredoc < eq)) {
      const name = line.slice(0, heredoc);
      const delimiter = line.slice(heredoc + 2);
      if (name === '' || delimiter === '')
        throw new FileCommandError(`invalid heredoc line ${i + 1}: '${line}'`);
      const body: string[] = [];
      let closed = false;
      for (i++; i < lines.length; i++) {
        if (lines[i] === delimiter) {
          closed = true;
          break;
        }
        body.push(lines[i] ?? '');
      }
      if (!closed)
        throw new FileCommandError(`the value of '${name}' is never closed by a line '${delimiter}'`);
      out[name] = body.join('\n');
      continue;
    }
    if (eq <= 0)
      throw new FileCommandError(`line ${i + 1} is neither 'name=value' nor 'name<<DELIMITER': '${line}'`);
    out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** `$GITHUB_PATH`: one folder per line, blank lines ignored, in file order. */
export function parsePathFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

/** If `line` is `::add-mask::<value>`, the value to mask. */
export function addMaskValue(line: string): string | undefined {
  const m = /^::add-mask::(.*)$/.exec(line.trim());
  const value = m?.[1]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Replaces secrets with `***`. Values are masked longest first, so a secret that contains
 * another is masked whole; multi-line secrets are also masked line by line, because logs arrive
 * a line at a time.
 */
export class Masker {
  readonly #values = new Set<string>();

  constructor(values: Iterable<string> = []) {
    for (const v of values) this.add(v);
  }

  /** Adds a value (and each of its lines) to mask. Empty and whitespace-only values are ignored. */
  add(value: string): void {
    for (const v of [value, ...value.split(/\r?\n/)]) {
      if (v.trim() !== '') this.#values.add(v);
    }
  }

  /** `text` with every masked value replaced by `***`. */
  mask(text: string): string {
    let out = text;
    for (const v of [...this.#values].sort((a, b) => b.length - a.length)) out = out.split(v).join('***');
    return out;
  }
}
