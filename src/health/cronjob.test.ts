/**
 * Argo CD's own tests for the CronJob health script (`resource_customizations/batch/CronJob/
 * health_test.yaml` and its `testdata/`, argo-cd 37ee0097), plus vectors recorded by running that
 * script in gopher-lua the way argo-cd `util/lua` does (`testdata/recorded/cronjob-lua.json`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubeObject } from '../kube/types.ts';
import { assessHealth, cronJobHealth, type HealthStatus } from './index.ts';

const dir = new URL('./testdata/cronjob/', import.meta.url);

interface UpstreamCase {
  healthStatus: { status: string; message?: string };
  inputPath: string;
}

const upstream: UpstreamCase[] = parse(readFileSync(new URL('health_test.yaml', dir), 'utf8')).tests;

describe('CronJob health.lua health_test.yaml', () => {
  it('has all upstream cases', () => {
    expect(upstream).toHaveLength(6);
  });

  it.each(upstream)('$inputPath', ({ healthStatus, inputPath }) => {
    const obj = parse(readFileSync(new URL(inputPath, dir), 'utf8')) as KubeObject;
    // Upstream compares against a status whose omitted message is "".
    const want = healthStatus.message ? healthStatus : { status: healthStatus.status };
    expect(cronJobHealth(obj)).toEqual(want);
    expect(assessHealth(obj)).toEqual(want);
  });
});

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

const recorded: Recorded[] = JSON.parse(
  readFileSync(new URL('./testdata/recorded/cronjob-lua.json', import.meta.url), 'utf8'),
);

describe('vectors recorded from health.lua in gopher-lua', () => {
  it.each(recorded)('$name', (vector) => {
    expectRecorded(cronJobHealth(vector.object), vector);
  });
});
