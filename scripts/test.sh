#!/usr/bin/env bash
# Runs the whole test suite (unit + real control plane) and ends with one line: N passed, N failed.
# Extra arguments go to vitest (e.g. a file filter or --project unit).
set -uo pipefail
cd "$(dirname "$0")/.."
report=$(mktemp -t slipway-vitest-XXXXXX.json)
trap 'rm -f "$report"' EXIT
npx vitest run --reporter=default --reporter=json --outputFile.json="$report" "$@"
status=$?
node -e '
  const fs = require("node:fs");
  let r = {};
  try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch {}
  const passed = r.numPassedTests ?? 0;
  const failed = (r.numFailedTests ?? 0) + (r.numFailedTestSuites ?? 0) * (r.numFailedTests ? 0 : 1);
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`${passed} passed, ${failed} failed` + (skipped ? `, ${skipped} skipped` : ""));
' "$report"
exit $status
