/**
 * CronJob health: a line-by-line port of Argo CD's built-in
 * `resource_customizations/batch/CronJob/health.lua` (gitops-engine has no CronJob check), under
 * the Lua semantics of `lua.ts`; the numbers passed to the Lua helpers are the script's lines.
 *
 * A suspended CronJob is deliberately Healthy "CronJob is Suspended" (argoproj/argo-cd#24428), and
 * a CronJob whose job is running is Healthy (#24429). Only "the last run failed and none is
 * running" (`lastSuccessfulTime < lastScheduleTime`, compared as strings) is Degraded.
 * @module
 */
import type { HealthCheck, UntypedObject } from './check.ts';
import { eq, getn, index, type LuaHealth, lt, runHealthScript } from './lua.ts';
import type { HealthStatus } from './types.ts';

function cronJobScript(obj: UntypedObject): LuaHealth {
  if (eq(index(index(obj, 'spec', 3), 'suspend', 3), true)) {
    return { status: 'Healthy', message: 'CronJob is Suspended' };
  }
  const status = index(obj, 'status', 11);
  if (status === undefined) return { status: 'Progressing', message: 'Waiting for CronJob' };
  if (index(status, 'lastScheduleTime', 12) === undefined) {
    // A status says nothing about missed schedules, so a never-run CronJob counts as Healthy.
    return { status: 'Healthy', message: 'CronJob has not been scheduled yet' };
  }
  // Its first run has not reported success: not yet run, or never succeeded; upstream says Healthy.
  if (index(status, 'lastSuccessfulTime', 15) === undefined) {
    return { status: 'Healthy', message: 'The CronJob never completed successfully. It may not be healthy' };
  }
  const active = index(status, 'active', 27);
  if (active !== undefined && lt(0, getn(active, 27), 27)) {
    return {
      status: 'Healthy',
      message: 'The job is running. Its last execution may not have been successful',
    };
  }
  const lastSuccessfulTime = index(status, 'lastSuccessfulTime', 35);
  if (lastSuccessfulTime !== undefined && lt(lastSuccessfulTime, index(status, 'lastScheduleTime', 35), 35)) {
    return { status: 'Degraded', message: 'CronJob has not completed its last execution successfully' };
  }
  return { status: 'Healthy', message: 'CronJob has completed its last execution successfully' };
}

/**
 * The health of a `batch` CronJob (any version).
 * @example cronJobHealth(cronJob) // { status: 'Degraded', message: 'CronJob has not completed its last execution successfully' }
 */
export function cronJobHealth(obj: UntypedObject): HealthStatus {
  return runHealthScript(() => cronJobScript(obj));
}

/** The CronJob check. */
export const checkCronJob: HealthCheck = (obj) => cronJobHealth(obj);
