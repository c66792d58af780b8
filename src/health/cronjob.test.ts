/**
 * Argo CD's own tests for the CronJob health script (`resource_customizations/batch/CronJob/
 * health_test.yaml` and its `testdata/`, argo-cd 37ee0097), plus vectors recorded by running that
 * script in gopher-lua the way argo-cd `util/lua` does (`testdata/recorded/cronjob-lua.json`).
 */
import { cronJobHealth } from './index.ts';
import { luaHealthSuite } from './lua-suite.testlib.ts';

luaHealthSuite('CronJob', 'cronjob', 6, cronJobHealth);
