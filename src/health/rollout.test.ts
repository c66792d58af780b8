/**
 * Argo CD's own tests for the Rollout health script (`resource_customizations/argoproj.io/Rollout/
 * health_test.yaml` and its `testdata/`, argo-cd 37ee0097), plus vectors recorded by running that
 * script in gopher-lua the way argo-cd `util/lua` does (`testdata/recorded/rollout-lua.json`).
 */
import { rolloutHealth } from './index.ts';
import { luaHealthSuite } from './lua-suite.testlib.ts';

luaHealthSuite('Rollout', 'rollout', 24, rolloutHealth);
