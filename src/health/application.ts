/**
 * Argo CD `Application` health, for app-of-apps.
 *
 * Argo CD 1.8 removed the built-in check (argoproj/argo-cd#3781): by default a child Application has
 * no health and does not affect its parent, which is what {@link assessHealth} does. Argo CD's docs
 * (`docs/operator-manual/health.md`, "Argocd App") give a `resource.customizations.health.
 * argoproj.io_Application` script to restore it; {@link applicationHealth} is a line-by-line port of
 * that script, used when `assessHealth` is asked for it.
 * @module
 */
import type { UntypedObject } from './check.ts';
import { index, type LuaHealth, runHealthScript } from './lua.ts';
import type { HealthStatus } from './types.ts';

function applicationScript(obj: UntypedObject): LuaHealth {
  const hs: LuaHealth = { status: 'Progressing', message: '' };
  const status = index(obj, 'status', 4);
  if (status !== undefined) {
    const health = index(status, 'health', 5);
    if (health !== undefined) {
      hs.status = index(health, 'status', 6);
      const message = index(health, 'message', 7);
      if (message !== undefined) hs.message = message;
    }
  }
  return hs;
}

/**
 * The child Application's own `status.health`: Progressing until it has one; a missing or invalid
 * `status.health.status` is Unknown ("Lua returned an invalid health status").
 * @example applicationHealth({ ...app, status: { health: { status: 'Degraded' } } }) // { status: 'Degraded' }
 */
export function applicationHealth(obj: UntypedObject): HealthStatus {
  return runHealthScript(() => applicationScript(obj));
}
