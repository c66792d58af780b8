/**
 * `aquasecurity/trivy-action`, run natively: scan `image-ref` with the installed trivy
 * (`trivy image --format json`), or read a report produced elsewhere (`SLIPWAY_TRIVY_REPORT` / the
 * run's `trivyReport`), then count findings per severity, print the findings at `severity` as a
 * table, and fail the step when there are any and `exit-code` is not 0.
 *
 * Slipway always asks trivy for every severity and applies `severity` itself, so the run's scan
 * summary counts everything while the gate sees only what the workflow asked for. An image this
 * run built is scanned from an OCI archive of the local image (what was built, even when nothing
 * was pushed); any other reference is scanned from its registry with the run's credentials.
 * When neither trivy nor a report is available the step fails, unless the run marks scanning
 * optional (then it passes with a note and the run records no scan).
 * @module
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { parseNormalizedNamed } from '../registry/index.ts';
import { errorMessage, SlipwayError } from '../util/errors.ts';
import { inputBool, inputInteger, inputText } from './action-inputs.ts';
import type { ActionHandler, ActionInvocation } from './actions.ts';
import { archiveArgv, findExecutable } from './builder.ts';
import { registryIsInsecure } from './docker-actions.ts';
import { runTool } from './tool.ts';
import {
  findings,
  formatScanTable,
  parseSeverities,
  parseTrivyReport,
  scanGate,
  summarize,
  type TrivyReport,
  totalLine,
} from './trivy.ts';

const KNOWN = [
  'image-ref',
  'input',
  'scan-type',
  'format',
  'exit-code',
  'severity',
  'ignore-unfixed',
  'output',
];

const subjectOf = (inv: ActionInvocation) => `step '${inv.stepName}'`;

/** Where the report comes from: a file given to the run, or trivy on PATH, or nothing. */
async function obtainReport(
  inv: ActionInvocation,
  imageRef: string,
  input: string,
): Promise<{ report: TrivyReport; source: string } | { missing: string }> {
  const state = inv.run;
  const given = state.settings.trivyReport;
  if (given !== undefined && given !== '') {
    let text: string;
    try {
      text = readFileSync(given, 'utf8');
    } catch (err) {
      throw new SlipwayError(`cannot read the trivy report: ${errorMessage(err)}`, {
        subject: given,
        reason: 'InvalidScanReport',
        cause: err,
      });
    }
    const report = parseTrivyReport(text, given);
    inv.log(
      `using the trivy report ${given} (artifact ${report.ArtifactName ?? 'unnamed'}) instead of running trivy`,
    );
    if (imageRef !== '' && report.ArtifactName !== undefined && report.ArtifactName !== imageRef) {
      inv.log(`warning: the report is of ${report.ArtifactName}, the workflow scans ${imageRef}`);
    }
    return { report, source: given };
  }
  const trivy = findExecutable(inv.env['PATH'] ?? '', 'trivy');
  if (trivy === undefined) return { missing: 'trivy is not installed (not found on PATH)' };

  const output = join(state.runDir, `trivy-${Date.now()}.json`);
  const env: NodeJS.ProcessEnv = {
    PATH: inv.env['PATH'] ?? '/usr/bin:/bin',
    HOME: inv.env['HOME'] ?? state.runDir,
    TMPDIR: state.runDir,
  };
  const cache = inv.env['TRIVY_CACHE_DIR'];
  if (cache !== undefined) env['TRIVY_CACHE_DIR'] = cache;
  const argv: [string, ...string[]] = [trivy, 'image', '--format', 'json', '--output', output, '--quiet'];
  const local = imageRef === '' ? undefined : state.localImages.get(imageRef);
  if (input !== '') {
    argv.push('--input', insideWorkspace(inv, input));
  } else if (local !== undefined) {
    // Scan exactly what this run built, from an archive of the local image.
    const archive = join(state.runDir, `scan-${Date.now()}.tar`);
    await runTool({
      argv: archiveArgv(local.tool, state.settings.storage, local.name, archive),
      cwd: inv.workspace,
      env: { ...env, REGISTRY_AUTH_FILE: state.authFile },
      signal: inv.signal,
      log: inv.log,
      subject: subjectOf(inv),
      what: `export of ${imageRef} for scanning`,
    });
    argv.push('--input', archive);
  } else {
    const registry = parseNormalizedNamed(imageRef).domain;
    const login = state.login(registry);
    if (login !== undefined) {
      env['TRIVY_USERNAME'] = login.username;
      env['TRIVY_PASSWORD'] = login.password;
    }
    if (registryIsInsecure(registry, state.settings.insecureRegistries)) env['TRIVY_INSECURE'] = 'true';
    argv.push(imageRef);
  }
  await runTool({
    argv,
    cwd: inv.workspace,
    env,
    signal: inv.signal,
    log: inv.log,
    subject: subjectOf(inv),
    what: `scan of ${imageRef || input}`,
  });
  return {
    report: parseTrivyReport(readFileSync(output, 'utf8'), `trivy image ${imageRef || input}`),
    source: trivy,
  };
}

function insideWorkspace(inv: ActionInvocation, value: string): string {
  const path = resolve(inv.workspace, value);
  const rel = relative(inv.workspace, path);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new SlipwayError(`${JSON.stringify(value)} is outside the checkout`, {
      subject: subjectOf(inv),
      reason: 'InvalidActionInput',
    });
  }
  return path;
}

/** `aquasecurity/trivy-action`. */
export const trivyAction: ActionHandler = {
  name: 'aquasecurity/trivy-action',
  run: async (inv) => {
    const subject = subjectOf(inv);
    for (const [name, value] of Object.entries(inv.inputs)) {
      if (!KNOWN.includes(name) && inputText(value) !== '')
        inv.log(`warning: input '${name}' is not supported by Slipway's trivy-action and is ignored`);
    }
    const scanType = inputText(inv.inputs['scan-type']).trim() || 'image';
    if (scanType !== 'image') {
      throw new SlipwayError(`scan-type '${scanType}' is not supported (image is)`, {
        subject,
        reason: 'InvalidActionInput',
      });
    }
    const format = inputText(inv.inputs['format']).trim() || 'table';
    if (format !== 'table' && format !== 'json') {
      throw new SlipwayError(`format '${format}' is not supported (table, json)`, {
        subject,
        reason: 'InvalidActionInput',
      });
    }
    const imageRef = inputText(inv.inputs['image-ref']).trim();
    const input = inputText(inv.inputs['input']).trim();
    if (imageRef === '' && input === '' && inv.run.settings.trivyReport === undefined) {
      throw new SlipwayError("input 'image-ref' (or 'input') is required", {
        subject,
        reason: 'InvalidActionInput',
      });
    }
    const exitCode = inputInteger(inv.inputs['exit-code'], 'exit-code', 0, subject);
    const severities = parseSeverities(inputText(inv.inputs['severity']), subject);
    const ignoreUnfixed = inputBool(inv.inputs['ignore-unfixed'], 'ignore-unfixed', false, subject);

    const got = await obtainReport(inv, imageRef, input);
    if ('missing' in got) {
      const advice =
        'install trivy, give a report with SLIPWAY_TRIVY_REPORT=<file>, or mark scanning optional (--scan-optional)';
      if (inv.run.settings.scanOptional) {
        const note = `scan skipped: ${got.missing}; scanning is optional for this run`;
        inv.log(`warning: ${note}`);
        return { skipped: true, note };
      }
      throw new SlipwayError(`cannot scan ${imageRef || input}: ${got.missing}; ${advice}`, {
        subject,
        reason: 'ScannerNotFound',
      });
    }

    const all = findings(got.report, { ignoreUnfixed });
    const gate = scanGate(all, severities, exitCode);
    const summary = summarize(all, !gate.fails);
    inv.run.scans.push(summary);

    const table = formatScanTable(got.report, gate.blocking, severities);
    const text = format === 'json' ? `${JSON.stringify(got.report, null, 2)}\n` : table;
    const output = inputText(inv.inputs['output']).trim();
    if (output !== '') writeFileSync(insideWorkspace(inv, output), text);
    else for (const line of text.replace(/\n$/, '').split('\n')) inv.log(line);
    const counts = `CRITICAL ${summary.critical}, HIGH ${summary.high}, MEDIUM ${summary.medium}, LOW ${summary.low}, UNKNOWN ${summary.unknown}`;
    inv.log(
      `scan of ${imageRef || input}: ${counts}; gate ${severities.join(',')}: ${totalLine(gate.blocking, severities)}`,
    );
    const outputs = {
      critical: String(summary.critical),
      high: String(summary.high),
      medium: String(summary.medium),
      low: String(summary.low),
      unknown: String(summary.unknown),
      summary: JSON.stringify(summary),
    };
    if (gate.fails) {
      throw new SlipwayError(
        `${gate.blocking.length} finding(s) at ${severities.join(',')} in ${imageRef || input} (${counts}); exit-code ${exitCode} fails the step`,
        { subject, reason: 'VulnerabilitiesFound' },
      );
    }
    return { outputs, note: `scan passed: ${counts}` };
  },
};
