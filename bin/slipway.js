#!/usr/bin/env node
// The installed command: runs the compiled CLI (npm's `prepare` script builds it on install).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(compiled)) {
  process.stderr.write(
    'slipway: dist/ is missing; run `npm run build` (or `npm ci`, which builds) in the slipway checkout\n',
  );
  process.exit(1);
}
const { main } = await import(compiled.href);
process.exitCode = await main(process.argv);
