/**
 * The shared suite of Argo CD's built-in Lua health checks (Rollout, CronJob): its own
 * `health_test.yaml` cases with their testdata, and the vectors recorded by running the script in
 * gopher-lua the way argo-cd `util/lua` does. Used by `rollout.test.ts` and `cronjob.test.ts`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeObject } from '../kube/types.ts';
import { assessHealth, type HealthStatus } from './index.ts';

interface UpstreamCase {
  healthStatus: { status: string; message?: string };
  inputPath: string;
}

interface Recorded {
  name: string;
  object: KubeObject;
  /** `{}` where Argo CD's JSON round trip of a non-string status or message left no status. */
  health: { status?: HealthStatus['status']; message?: string };
}

/** Slipway names the problem where Argo CD yields an empty status (see `runHealthScript`). */
function expectRecorded(got: HealthStatus, { health }: Recorded): void {
  if (health.status === undefined) {
    expect(got.status).toBe('Unknown');
    expect(got.message).toMatch(/^health script returned a \w+ status and a \w+ message/);
  } else {
    expect(got).toEqual(health);
  }
}

/**
 * Registers the suite for one script.
 * @param kind e.g. `Rollout`; @param folder the testdata folder, e.g. `rollout`;
 * @param upstreamCount how many cases upstream's health_test.yaml has.
 */
export function luaHealthSuite(
  kind: string,
  folder: string,
  upstreamCount: number,
  check: (obj: KubeObject) => HealthStatus,
): void {
  const dir = new URL(`./testdata/${folder}/`, import.meta.url);
  const upstream: UpstreamCase[] = parse(readFileSync(new URL('health_test.yaml', dir), 'utf8')).tests;

  describe(`${kind} health.lua health_test.yaml`, () => {
    it('has all upstream cases', () => {
      expect(upstream).toHaveLength(upstreamCount);
    });

    it.each(upstream)('$inputPath', ({ healthStatus, inputPath }) => {
      const obj = parse(readFileSync(new URL(inputPath, dir), 'utf8')) as KubeObject;
      // Upstream compares against a status whose omitted message is "".
      const want = healthStatus.message ? healthStatus : { status: healthStatus.status };
      expect(check(obj)).toEqual(want);
      expect(assessHealth(obj)).toEqual(want);
    });
  });

  const recorded: Recorded[] = JSON.parse(
    readFileSync(new URL(`./testdata/recorded/${folder}-lua.json`, import.meta.url), 'utf8'),
  );

  describe('vectors recorded from health.lua in gopher-lua', () => {
    it.each(recorded)('$name', (vector) => {
      expectRecorded(check(vector.object), vector);
    });
  });
}
