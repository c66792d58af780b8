import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { parseComponents, parseListen } from '../../src/cli/commands/controller.ts';
import { createNamespace, sharedClient } from '../cluster/helpers.ts';

describe('slipway controller flags', () => {
  it('parses components and listen addresses, refusing unknown ones', () => {
    expect([...parseComponents('applications, rollouts')]).toEqual(['applications', 'rollouts']);
    expect(() => parseComponents('applications,deployments')).toThrow(
      /--components: unknown component "deployments"/,
    );
    expect(parseListen('127.0.0.1:8080')).toEqual({ host: '127.0.0.1', port: 8080 });
    expect(parseListen(':0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(() => parseListen('localhost:http')).toThrow(/--webhook-listen: invalid address/);
  });
});

// The real command as a process: every controller plus the webhook endpoint, stopped by SIGTERM.
describe('slipway controller process', () => {
  const client = sharedClient();
  let ns: { name: string; remove: () => Promise<void> };
  const dir = mkdtempSync(join(tmpdir(), 'slipway-controller-'));
  const secretFile = join(dir, 'secret');
  writeFileSync(secretFile, 'webhook-secret\n');

  beforeAll(async () => {
    ns = await createNamespace(client, 'ctl');
  });
  afterAll(async () => {
    await ns.remove();
    await client.close();
  });

  it('serves signed webhooks beside the controllers and stops cleanly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'controller',
        '--kubeconfig',
        inject('kubeconfig'),
        '--namespace',
        ns.name,
        '--webhook-listen',
        '127.0.0.1:0',
        '--webhook-secret-file',
        secretFile,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`controller did not start:\n${stderr}`)), 90_000);
        const check = () => {
          const m = /webhooks on (http:\/\/\S+)\/api\/webhook/.exec(stderr);
          if (m && /reconciling Rollouts/.test(stderr)) {
            clearTimeout(timer);
            resolve(m[1]!);
          } else setTimeout(check, 100);
        };
        check();
      });
      expect(stderr).toMatch(new RegExp(`reconciling Applications in namespace ${ns.name}`));
      expect(stderr).toMatch(/running AnalysisRuns/);

      const body = JSON.stringify({
        ref: 'refs/heads/main',
        after: 'c'.repeat(40),
        repository: { html_url: 'https://git.example/none/nothing', default_branch: 'main' },
        commits: [],
      });
      const signature = `sha256=${createHmac('sha256', 'webhook-secret').update(body).digest('hex')}`;
      const ok = await fetch(`${url}/api/webhook`, {
        method: 'POST',
        body,
        headers: { 'x-github-event': 'push', 'x-hub-signature-256': signature },
      });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ refreshed: 0 });
      const unsigned = await fetch(`${url}/api/webhook`, {
        method: 'POST',
        body,
        headers: { 'x-github-event': 'push' },
      });
      expect(unsigned.status).toBe(401);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/slipway controller: stopping/);
  });
});
