/**
 * Where Slipway keeps what it builds and fetches (control plane, tools, git caches): outside any
 * checkout, so every clone on the machine shares it.
 * @module
 */
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$SLIPWAY_CACHE`, default `~/.cache/slipway`. */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env['SLIPWAY_CACHE'] || join(env['HOME'] || homedir(), '.cache', 'slipway');
}
