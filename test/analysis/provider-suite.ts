/**
 * One behaviour suite every metric provider must pass (STYLE.md practice 14): a passing
 * measurement is Successful, a failing one Failed, and a broken target an Error measurement with
 * a message — never a throw. Each provider file supplies how to build those three metrics.
 */
import { describe, expect, it } from 'vitest';
import type { MetricProvider, ProviderContext } from '../../src/analysis/providers/index.ts';
import { type AnalysisRun, isCompleted, type Measurement, type Metric } from '../../src/analysis/types.ts';
import { sleep } from '../../src/util/abort.ts';

export interface ProviderFixture {
  provider: () => MetricProvider;
  run: () => AnalysisRun;
  /** A metric whose measurement must be Successful / Failed / Error. */
  metric: (outcome: 'pass' | 'fail' | 'error') => Metric;
}

/** Runs a measurement to completion, resuming it while in flight (jobs). */
export async function measureToEnd(
  provider: MetricProvider,
  ctx: ProviderContext,
  timeoutMs = 90_000,
): Promise<Measurement> {
  let m = await provider.run(ctx);
  const deadline = Date.now() + timeoutMs;
  while (!isCompleted(m.phase)) {
    if (Date.now() > deadline) throw new Error(`measurement still ${m.phase}: ${JSON.stringify(m)}`);
    await sleep(500);
    m = await provider.resume({ ...ctx, now: () => Date.now() + 60_000 }, m);
  }
  return m;
}

export function providerSuite(name: string, fixture: () => ProviderFixture): void {
  describe(`${name} provider (shared suite)`, () => {
    const ctx = (metric: Metric): ProviderContext => ({
      run: fixture().run(),
      metric,
      now: Date.now,
      signal: AbortSignal.timeout(100_000),
    });
    it('a passing measurement is Successful and finished', async () => {
      const f = fixture();
      const m = await measureToEnd(f.provider(), ctx(f.metric('pass')));
      expect(m.phase, m.message).toBe('Successful');
      expect(m.finishedAt).toBeDefined();
      expect(m.startedAt).toBeDefined();
    });
    it('a failing measurement is Failed', async () => {
      const f = fixture();
      const m = await measureToEnd(f.provider(), ctx(f.metric('fail')));
      expect(m.phase, m.message).toBe('Failed');
    });
    it('a broken target gives an Error measurement with a message (no throw)', async () => {
      const f = fixture();
      const m = await measureToEnd(f.provider(), ctx(f.metric('error')));
      expect(m.phase).toBe('Error');
      expect(m.message).toMatch(/\S/);
      expect(m.finishedAt).toBeDefined();
    });
  });
}
