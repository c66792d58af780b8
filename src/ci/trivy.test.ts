import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  findings,
  formatScanTable,
  parseSeverities,
  parseTrivyReport,
  scanGate,
  summarize,
  totalLine,
} from './trivy.ts';

const FIXTURES = join(import.meta.dirname, '../../test/ci/fixtures');
/** trivy's own golden output (aquasecurity/trivy integration/testdata/alpine-39-high-critical.json.golden). */
const critical = parseTrivyReport(
  readFileSync(join(FIXTURES, 'trivy-alpine-39-high-critical.json'), 'utf8'),
  'alpine-39-high-critical.json',
);
const clean = parseTrivyReport(readFileSync(join(FIXTURES, 'trivy-clean.json'), 'utf8'), 'trivy-clean.json');

describe('trivy report (schema v2)', () => {
  it("counts upstream's alpine 3.9 report: two CRITICAL findings of CVE-2019-14697", () => {
    const all = findings(critical, { ignoreUnfixed: false });
    expect(all.map((f) => [f.vulnerability.VulnerabilityID, f.vulnerability.PkgName, f.severity])).toEqual([
      ['CVE-2019-14697', 'musl', 'CRITICAL'],
      ['CVE-2019-14697', 'musl-utils', 'CRITICAL'],
    ]);
    expect(summarize(all, true)).toEqual({
      critical: 2,
      high: 0,
      medium: 0,
      low: 0,
      unknown: 0,
      passed: true,
    });
  });

  it('gates as trivy-action does: findings at severity and a non-zero exit-code fail', () => {
    const all = findings(critical, { ignoreUnfixed: false });
    expect(scanGate(all, ['CRITICAL', 'HIGH'], 1).fails).toBe(true);
    expect(scanGate(all, ['CRITICAL', 'HIGH'], 0)).toEqual({ blocking: all, fails: false });
    expect(scanGate(all, ['HIGH', 'MEDIUM'], 1)).toEqual({ blocking: [], fails: false });
  });

  it('drops findings without a fixed version with ignore-unfixed', () => {
    const report = parseTrivyReport(
      JSON.stringify({
        SchemaVersion: 2,
        Results: [
          {
            Target: 't',
            Vulnerabilities: [
              { VulnerabilityID: 'CVE-1', Severity: 'HIGH', FixedVersion: '1.1' },
              { VulnerabilityID: 'CVE-2', Severity: 'HIGH', Status: 'affected' },
              { VulnerabilityID: 'CVE-3', Severity: 'weird' },
            ],
          },
        ],
      }),
      'inline',
    );
    expect(findings(report, { ignoreUnfixed: true }).map((f) => f.vulnerability.VulnerabilityID)).toEqual([
      'CVE-1',
    ]);
    expect(summarize(findings(report, { ignoreUnfixed: false }), true)).toMatchObject({
      high: 2,
      unknown: 1,
    });
  });

  it('reads a report with no Results (nothing to scan) as clean', () => {
    expect(summarize(findings(clean, { ignoreUnfixed: false }), true)).toEqual({
      critical: 0,
      high: 0,
      medium: 0,
      low: 0,
      unknown: 0,
      passed: true,
    });
  });

  it('refuses what is not a schema v2 report, naming the source', () => {
    expect(() => parseTrivyReport('{', 'r.json')).toThrow(/^r\.json: the trivy report is not JSON/);
    expect(() => parseTrivyReport('[]', 'r.json')).toThrow(/^r\.json: not a trivy JSON report/);
    expect(() => parseTrivyReport('{"SchemaVersion":1}', 'r.json')).toThrow(
      'r.json: trivy report SchemaVersion 1 is not supported (2 is)',
    );
  });

  it('parses the severity input, any case, empty meaning all', () => {
    expect(parseSeverities('CRITICAL,high', 's')).toEqual(['CRITICAL', 'HIGH']);
    expect(parseSeverities('', 's')).toEqual(['UNKNOWN', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
    expect(() => parseSeverities('SEVERE', "step 'Scan'")).toThrow(
      "step 'Scan': input 'severity': unknown severity \"SEVERE\"",
    );
  });

  it('prints a table per target with the total line in trivy order', () => {
    const all = findings(critical, { ignoreUnfixed: false });
    expect(totalLine(all, ['CRITICAL', 'HIGH'])).toBe('Total: 2 (HIGH: 0, CRITICAL: 2)');
    const table = formatScanTable(critical, all, ['CRITICAL', 'HIGH']);
    expect(table.split('\n').slice(0, 7)).toEqual([
      'testdata/fixtures/images/alpine-39.tar.gz (alpine 3.9.4)',
      '========================================================',
      'Total: 2 (HIGH: 0, CRITICAL: 2)',
      '',
      'LIBRARY     VULNERABILITY   SEVERITY  STATUS  INSTALLED  FIXED      TITLE',
      'musl        CVE-2019-14697  CRITICAL  fixed   1.1.20-r4  1.1.20-r5',
      'musl-utils  CVE-2019-14697  CRITICAL  fixed   1.1.20-r4  1.1.20-r5',
    ]);
  });
});
