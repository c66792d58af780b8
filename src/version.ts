/** Slipway's version, read from package.json at run time (one place to bump). */
import { readFileSync } from 'node:fs';

export const SLIPWAY_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
