/**
 * Errors of the expression language, positioned like upstream's `file.Error`:
 * `message (line:column)` followed by the offending source line and a caret.
 *
 * @module
 */
import { SlipwayError } from '../util/errors.ts';
import type { Loc } from './ast.ts';

/** Where an expression failed: while parsing, while type-checking against the env, or while running. */
export type ExprErrorPhase = 'parse' | 'check' | 'run';

const reasons: Record<ExprErrorPhase, string> = {
  parse: 'ExprSyntaxError',
  check: 'ExprTypeError',
  run: 'ExprRuntimeError',
};

/** Options of {@link ExprError}. */
export interface ExprErrorOptions {
  /** What the expression belongs to, e.g. `AnalysisTemplate/ns/name: metrics[0].successCondition`. */
  subject?: string | undefined;
  cause?: unknown;
}

/**
 * An expression failed to parse, type-check or run.
 *
 * `message` is upstream's full text (`unknown name foo (1:1)` plus a snippet); `description` is the
 * bare message without position, which is what Argo Rollouts shows (it unwraps `file.Error`).
 */
export class ExprError extends SlipwayError {
  /** The bare message, e.g. `unknown name foo`. */
  readonly description: string;
  readonly phase: ExprErrorPhase;
  /** 1-based line of the error. */
  readonly line: number;
  /** 1-based column (in code points) of the error. */
  readonly column: number;
  /** The source line and a caret under the column, each prefixed by `\n | `; empty for an empty source. */
  readonly snippet: string;
  readonly source: string;

  constructor(
    description: string,
    phase: ExprErrorPhase,
    source: string,
    loc: Loc,
    options: ExprErrorOptions = {},
  ) {
    const pos = locate(source, loc.from);
    const formatted =
      pos.snippet === '' ? description : `${description} (${pos.line}:${pos.column})${pos.snippet}`;
    super(formatted, {
      ...(options.subject === undefined ? {} : { subject: options.subject }),
      reason: reasons[phase],
      cause: options.cause,
    });
    this.name = 'ExprError';
    this.description = description;
    this.phase = phase;
    this.line = pos.line;
    this.column = pos.column;
    this.snippet = pos.snippet;
    this.source = source;
  }
}

/**
 * Line, column and snippet of a code-point offset, computed as upstream's `file.Error.Bind`
 * (tabs shown as spaces; no snippet when the line is empty).
 */
export function locate(source: string, offset: number): { line: number; column: number; snippet: string } {
  const runes = Array.from(source);
  let line = 1;
  let column = 0;
  let lineStart = 0;
  for (let i = 0; i < runes.length && i < offset; i++) {
    if (runes[i] === '\n') {
      line++;
      column = 0;
      lineStart = i + 1;
    } else {
      column++;
    }
  }
  let lineEnd = runes.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = runes.length;
  if (lineStart >= lineEnd) return { line, column: column + 1, snippet: '' };
  const text = runes.slice(lineStart, lineEnd).join('').replaceAll('\t', ' ');
  return { line, column: column + 1, snippet: `\n | ${text}\n | ${'.'.repeat(column)}^` };
}

/**
 * A runtime failure raised deep inside value helpers; the evaluator catches it and turns it into an
 * {@link ExprError} located at the node being evaluated. Never escapes the package.
 */
export class RuntimeFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeFault';
  }
}

/** Throws a {@link RuntimeFault}; typed `never` so it can end expressions. */
export function fault(message: string): never {
  throw new RuntimeFault(message);
}
