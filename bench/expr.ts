/**
 * Throughput of the expression evaluator on Argo Rollouts-style conditions.
 *
 * Run: `npx tsx bench/expr.ts`. Prints ops/sec for: a compiled program run against a fresh env,
 * Argo's `evaluateCondition` (compile cached by expression), and parse + check + run from scratch.
 */
import { compile, evaluateCondition } from '../src/expr/index.ts';

function measure(name: string, fn: () => unknown, minMs = 1000): void {
  for (let i = 0; i < 2000; i++) fn(); // warm up
  let ops = 0;
  const start = process.hrtime.bigint();
  let elapsed = 0n;
  while (elapsed < BigInt(minMs) * 1_000_000n) {
    for (let i = 0; i < 1000; i++) fn();
    ops += 1000;
    elapsed = process.hrtime.bigint() - start;
  }
  const seconds = Number(elapsed) / 1e9;
  const perOp = (seconds / ops) * 1e6;
  console.log(
    `${name.padEnd(62)} ${Math.round(ops / seconds)
      .toLocaleString('en-US')
      .padStart(12)} ops/s  ${perOp.toFixed(2)} µs/op`,
  );
}

const vector = Float64Array.of(0.995, 0.97, 0.999);
const simple = compile('result[0] >= 0.99');
const predicate = compile('len(result) > 0 && all(result, {# > 0.9})');

measure('compiled  result[0] >= 0.99', () => simple.run({ result: vector }));
measure('compiled  len(result) > 0 && all(result, {# > 0.9})', () => predicate.run({ result: vector }));
measure('argo      evaluateCondition(result[0] >= 0.99)', () =>
  evaluateCondition('result[0] >= 0.99', vector),
);
measure('fresh     compile + run result[0] >= 0.99', () =>
  compile('result[0] >= 0.99').run({ result: vector }),
);
