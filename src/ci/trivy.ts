/**
 * trivy's JSON report (schema v2: `Results[].Vulnerabilities[].Severity`), read with zod, counted
 * per severity, filtered by the action's `severity` and `ignore-unfixed`, and printed as a table
 * in the spirit of trivy's own `--format table`. Pure.
 *
 * The gate follows `aquasecurity/trivy-action`: the step fails when at least one finding has a
 * severity in `severity` and `exit-code` is not 0.
 * @module
 */
import { z } from 'zod';
import { SlipwayError } from '../util/errors.ts';

/** trivy's severities, lowest first. */
export const SEVERITIES = ['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL'] as const;
/** One severity. */
export type Severity = (typeof SEVERITIES)[number];

const VulnerabilitySchema = z.looseObject({
  VulnerabilityID: z.string(),
  PkgName: z.string().optional(),
  InstalledVersion: z.string().optional(),
  FixedVersion: z.string().optional(),
  Status: z.string().optional(),
  Severity: z.string(),
  Title: z.string().optional(),
});

const ResultSchema = z.looseObject({
  Target: z.string(),
  Class: z.string().optional(),
  Type: z.string().optional(),
  Vulnerabilities: z.array(VulnerabilitySchema).nullable().optional(),
});

const ReportSchema = z.looseObject({
  SchemaVersion: z.number(),
  ArtifactName: z.string().optional(),
  ArtifactType: z.string().optional(),
  Results: z.array(ResultSchema).nullable().optional(),
});

/** A parsed trivy report. */
export type TrivyReport = z.infer<typeof ReportSchema>;
/** One finding of a report. */
export type TrivyVulnerability = z.infer<typeof VulnerabilitySchema>;

/** Counts per severity, and whether the scan's gate passed. This is `RunResult.scan`. */
export interface ScanSummary {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
  /** False when findings at the gate's severities failed the step (`exit-code` not 0). */
  passed: boolean;
}

/**
 * Parses a report's text. `source` (a file, or `trivy image …`) names it in errors.
 * @throws {SlipwayError} `InvalidScanReport` for text that is not JSON, not schema v2, or misshapen.
 */
export function parseTrivyReport(text: string, source: string): TrivyReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SlipwayError(
      `the trivy report is not JSON: ${err instanceof Error ? err.message : String(err)}`,
      {
        subject: source,
        reason: 'InvalidScanReport',
        cause: err,
      },
    );
  }
  const parsed = ReportSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined ? '' : `${issue.path.map(String).join('.')}: `;
    throw new SlipwayError(`not a trivy JSON report: ${where}${issue?.message ?? 'invalid'}`, {
      subject: source,
      reason: 'InvalidScanReport',
      cause: parsed.error,
    });
  }
  if (parsed.data.SchemaVersion !== 2) {
    throw new SlipwayError(
      `trivy report SchemaVersion ${parsed.data.SchemaVersion} is not supported (2 is)`,
      {
        subject: source,
        reason: 'InvalidScanReport',
      },
    );
  }
  return parsed.data;
}

/**
 * The action's `severity` input: a comma list of trivy severities, any case; empty means all.
 * @throws {SlipwayError} `InvalidActionInput` naming an unknown severity.
 */
export function parseSeverities(text: string, subject: string): Severity[] {
  const items = text
    .split(',')
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== '');
  if (items.length === 0) return [...SEVERITIES];
  const out: Severity[] = [];
  for (const item of items) {
    const sev = SEVERITIES.find((s) => s === item);
    if (sev === undefined) {
      throw new SlipwayError(
        `input 'severity': unknown severity ${JSON.stringify(item)} (${SEVERITIES.join(', ')})`,
        {
          subject,
          reason: 'InvalidActionInput',
        },
      );
    }
    if (!out.includes(sev)) out.push(sev);
  }
  return out;
}

/** A report severity as one of {@link SEVERITIES}; anything trivy did not rate is UNKNOWN. */
export function severityOf(v: TrivyVulnerability): Severity {
  const upper = v.Severity.toUpperCase();
  return SEVERITIES.find((s) => s === upper) ?? 'UNKNOWN';
}

/** A finding with the target it was found in. */
export interface Finding {
  target: string;
  vulnerability: TrivyVulnerability;
  severity: Severity;
}

/**
 * Every finding, optionally without the unfixed ones (no fixed version: trivy's `--ignore-unfixed`).
 */
export function findings(report: TrivyReport, options: { ignoreUnfixed: boolean }): Finding[] {
  const out: Finding[] = [];
  for (const result of report.Results ?? []) {
    for (const v of result.Vulnerabilities ?? []) {
      if (options.ignoreUnfixed && (v.FixedVersion ?? '') === '') continue;
      out.push({ target: result.Target, vulnerability: v, severity: severityOf(v) });
    }
  }
  return out;
}

/** Counts of `all` per severity, with the gate's verdict. */
export function summarize(all: readonly Finding[], passed: boolean): ScanSummary {
  const count = (s: Severity) => all.filter((f) => f.severity === s).length;
  return {
    critical: count('CRITICAL'),
    high: count('HIGH'),
    medium: count('MEDIUM'),
    low: count('LOW'),
    unknown: count('UNKNOWN'),
    passed,
  };
}

/** The gate: findings at the chosen severities, and whether they fail the step. */
export function scanGate(
  all: readonly Finding[],
  severities: readonly Severity[],
  exitCode: number,
): { blocking: Finding[]; fails: boolean } {
  const blocking = all.filter((f) => severities.includes(f.severity));
  return { blocking, fails: exitCode !== 0 && blocking.length > 0 };
}

/**
 * `Total: 2 (HIGH: 0, CRITICAL: 2)` for the chosen severities, in trivy's order (lowest first).
 */
export function totalLine(list: readonly Finding[], severities: readonly Severity[]): string {
  const ordered = SEVERITIES.filter((s) => severities.includes(s));
  const parts = ordered.map((s) => `${s}: ${list.filter((f) => f.severity === s).length}`);
  return `Total: ${list.length} (${parts.join(', ')})`;
}

/**
 * The findings at `severities` as text tables, one per target, like trivy's table format:
 * a header with the target, its total line, then LIBRARY, VULNERABILITY, SEVERITY, STATUS,
 * INSTALLED, FIXED and TITLE columns.
 */
export function formatScanTable(
  report: TrivyReport,
  list: readonly Finding[],
  severities: readonly Severity[],
): string {
  const out: string[] = [];
  const targets = (report.Results ?? []).map((r) => r.Target);
  for (const target of targets) {
    const rows = list.filter((f) => f.target === target);
    out.push('', target, '='.repeat(Math.min(target.length, 100)), totalLine(rows, severities));
    if (rows.length === 0) continue;
    const header = ['LIBRARY', 'VULNERABILITY', 'SEVERITY', 'STATUS', 'INSTALLED', 'FIXED', 'TITLE'];
    const cells = rows.map((f) => [
      f.vulnerability.PkgName ?? '',
      f.vulnerability.VulnerabilityID,
      f.severity,
      f.vulnerability.Status ?? ((f.vulnerability.FixedVersion ?? '') === '' ? 'affected' : 'fixed'),
      f.vulnerability.InstalledVersion ?? '',
      f.vulnerability.FixedVersion ?? '',
      (f.vulnerability.Title ?? '').slice(0, 80),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
    const line = (c: string[]) =>
      c
        .map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd();
    out.push('', line(header), ...cells.map(line));
  }
  if (targets.length === 0)
    out.push('', `${report.ArtifactName ?? 'the image'}: nothing to scan (no OS or language packages found)`);
  return `${out.join('\n').replace(/^\n/, '')}\n`;
}
