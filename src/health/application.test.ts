/**
 * The app-of-apps health script from Argo CD's docs (`docs/operator-manual/health.md`), as recorded
 * by running it in gopher-lua the way argo-cd `util/lua` does (`testdata/recorded/application-lua.json`).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../kube/types.ts';
import { applicationHealth, assessHealth, type HealthStatus } from './index.ts';

interface Recorded {
  name: string;
  object: KubeObject;
  /** `{}` where Argo CD's JSON round trip of a non-string status left no status. */
  health: { status?: HealthStatus['status']; message?: string };
}

const recorded: Recorded[] = JSON.parse(
  readFileSync(new URL('./testdata/recorded/application-lua.json', import.meta.url), 'utf8'),
);

describe('Application health script from the Argo CD docs', () => {
  it.each(recorded)('$name', ({ object, health }) => {
    const got = applicationHealth(object);
    if (health.status === undefined) {
      expect(got.status).toBe('Unknown');
      expect(got.message).toMatch(/^health script returned a \w+ status/);
    } else {
      expect(got).toEqual(health);
    }
    expect(assessHealth(object, { applicationHealth: true })).toEqual(got);
    expect(assessHealth(object)).toBeUndefined();
  });
});
