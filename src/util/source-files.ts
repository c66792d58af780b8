/**
 * Data files that ship in `src/` (vendored CRDs, schemas): found the same way whether Slipway runs
 * from `src/` (tsx, tests) or from compiled `dist/`, which holds no copies of them.
 * @module
 */
import { fileURLToPath } from 'node:url';

/**
 * The absolute path of `relative` under the package's `src/`.
 * @example sourceFile('rollouts/crds/rollout-crd.yaml')
 */
export function sourceFile(relative: string): string {
  // This module is src/util/source-files.ts or dist/util/source-files.js: two levels below the root.
  return fileURLToPath(new URL(`../../src/${relative}`, import.meta.url));
}
