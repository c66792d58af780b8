/**
 * `{{args.NAME}}` substitution, as Argo's `utils/template` does it (fasttemplate with `{{ }}`):
 * whitespace inside the braces is trimmed, only args with a value take part, and any tag that does
 * not resolve is an error naming it.
 * @module
 */
import { SlipwayError } from '../util/errors.ts';
import type { Argument } from './types.ts';

const TAG = /\{\{(.*?)\}\}/gs;

function argsMap(args: readonly Argument[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const arg of args) if (arg.value !== undefined) map.set(`args.${arg.name}`, arg.value);
  return map;
}

function substitute(template: string, args: readonly Argument[], encode: (v: string) => string): string {
  const values = argsMap(args);
  let unresolved: string | undefined;
  const out = template.replace(TAG, (_whole, tag: string) => {
    const value = values.get(tag.trim());
    if (value === undefined) {
      unresolved ??= tag;
      return '';
    }
    return encode(value);
  });
  if (unresolved !== undefined)
    throw new SlipwayError(`failed to resolve {{${unresolved}}}`, { reason: 'UnresolvedArgument' });
  return out;
}

/**
 * Argo's `ResolveArgs`: replaces each `{{args.NAME}}` (or `{{ args.NAME }}`) with the arg's value.
 *
 * @example
 * resolveArgs('rate{service="{{args.service-name}}"}', [{ name: 'service-name', value: 'web' }])
 * // 'rate{service="web"}'
 * resolveArgs('{{args.missing}}', []) // throws: failed to resolve {{args.missing}}
 */
export function resolveArgs(template: string, args: readonly Argument[]): string {
  return substitute(template, args, (v) => v);
}

/**
 * Argo's `ResolveQuotedArgs`: like {@link resolveArgs}, but each value is escaped as the inside of
 * a JSON string, so it can be substituted into a serialized metric safely.
 *
 * @example
 * resolveQuotedArgs('{"q":"{{args.x}}"}', [{ name: 'x', value: 'a"b' }]) // '{"q":"a\\"b"}'
 */
export function resolveQuotedArgs(template: string, args: readonly Argument[]): string {
  return substitute(template, args, (v) => JSON.stringify(v).slice(1, -1));
}

/**
 * Resolves every templated field of a metric (query, url, headers, body, job spec, limits, …) the
 * way the analysis controller does: serialize, substitute quoted values, parse back.
 *
 * @example
 * resolveMetricArgs({ name: 'm', provider: { web: { url: 'http://{{args.host}}/' } } }, [{ name: 'host', value: 'h' }])
 * // { name: 'm', provider: { web: { url: 'http://h/' } } }
 */
export function resolveMetricArgs<T>(metric: T, args: readonly Argument[]): T {
  return JSON.parse(resolveQuotedArgs(JSON.stringify(metric), args)) as T;
}
