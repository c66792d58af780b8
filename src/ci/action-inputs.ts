/**
 * Reading `with:` inputs the way the docker and trivy actions read theirs: lists split on newlines
 * and (unless told otherwise) commas, booleans as `true`/`false` (any case, or a YAML boolean), and
 * `KEY=VALUE` lines for `build-args` and `labels`. Every error names the input. Pure.
 * @module
 */
import { SlipwayError } from '../util/errors.ts';
import type { ExprValue } from './expressions.ts';

/** An input as text: absent and null are empty, numbers and booleans as written. */
export function inputText(value: ExprValue | undefined): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * An input as a list, as `@docker/actions-toolkit`'s `getInputList`: split on newlines, and on commas
 * unless `ignoreComma`; each item trimmed; empty items dropped.
 * @example inputList('a:1\na:latest\n') // ['a:1', 'a:latest']
 * @example inputList('linux/amd64,linux/arm64') // ['linux/amd64', 'linux/arm64']
 */
export function inputList(value: ExprValue | undefined, options: { ignoreComma?: boolean } = {}): string[] {
  const text = inputText(value);
  const lines = text.split(/\r?\n/);
  const items = options.ignoreComma ? lines : lines.flatMap((l) => l.split(','));
  return items.map((s) => s.trim()).filter((s) => s !== '');
}

/**
 * An input as a boolean. A whole-value expression (`${{ github.event_name == 'push' }}`) arrives as
 * a boolean already; text must be `true` or `false` in any case, as `core.getBooleanInput` wants.
 * @throws {SlipwayError} `InvalidActionInput` naming the input for anything else.
 */
export function inputBool(
  value: ExprValue | undefined,
  name: string,
  fallback: boolean,
  subject: string,
): boolean {
  if (typeof value === 'boolean') return value;
  const text = inputText(value).trim();
  if (text === '') return fallback;
  if (/^true$/i.test(text)) return true;
  if (/^false$/i.test(text)) return false;
  throw new SlipwayError(`input '${name}' must be true or false, got ${JSON.stringify(text)}`, {
    subject,
    reason: 'InvalidActionInput',
  });
}

/**
 * `KEY=VALUE` items (the value may hold `=` and be empty) as ordered pairs.
 * @example keyValueItems(['VERSION=1.2', 'EMPTY='], 'build-args', 's') // [['VERSION', '1.2'], ['EMPTY', '']]
 * @throws {SlipwayError} `InvalidActionInput` for an item without `=` or with an empty key.
 */
export function keyValueItems(items: readonly string[], name: string, subject: string): [string, string][] {
  return items.map((item) => {
    const eq = item.indexOf('=');
    if (eq <= 0) {
      throw new SlipwayError(`input '${name}': expected KEY=VALUE, got ${JSON.stringify(item)}`, {
        subject,
        reason: 'InvalidActionInput',
      });
    }
    return [item.slice(0, eq), item.slice(eq + 1)];
  });
}

/**
 * A non-negative integer input such as trivy's `exit-code`.
 * @throws {SlipwayError} `InvalidActionInput` naming the input.
 */
export function inputInteger(
  value: ExprValue | undefined,
  name: string,
  fallback: number,
  subject: string,
): number {
  const text = inputText(value).trim();
  if (text === '') return fallback;
  if (!/^\d+$/.test(text)) {
    throw new SlipwayError(`input '${name}' must be a whole number, got ${JSON.stringify(text)}`, {
      subject,
      reason: 'InvalidActionInput',
    });
  }
  return Number(text);
}
