/**
 * Go's `time.ParseDuration`, which Argo uses for `interval` and `initialDelay`.
 * @module
 */
import { SlipwayError } from '../util/errors.ts';

const UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  μs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/**
 * Parses a Go duration into milliseconds. `"0"` is allowed; any other bare number is not.
 *
 * @example
 * parseDuration('1m30s') // 90000
 * parseDuration('60s')   // 60000
 * parseDuration('5')     // throws: time: missing unit in duration "5"
 */
export function parseDuration(text: string): number {
  const invalid = (why: string) =>
    new SlipwayError(`time: ${why} ${JSON.stringify(text)}`, { reason: 'InvalidDuration' });
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw invalid('invalid duration');
  let total = 0;
  const part = /^(\d*(?:\.\d*)?)([a-zµμ]+)/;
  while (s !== '') {
    const m = part.exec(s);
    if (!m || m[1] === '' || m[1] === '.') {
      if (/^[\d.]+$/.test(s)) throw invalid('missing unit in duration');
      throw invalid('invalid duration');
    }
    const unit = UNITS[m[2] ?? ''];
    if (unit === undefined) throw invalid(`unknown unit ${JSON.stringify(m[2])} in duration`);
    total += Number(m[1]) * unit;
    s = s.slice(m[0].length);
  }
  return sign * total;
}
