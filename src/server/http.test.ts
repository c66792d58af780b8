import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWebhookServer, type WebhookServer } from './http.ts';
import type { PushEvent } from './webhook.ts';

const SECRET = 'it-is-a-secret';
const PUSH = JSON.stringify({
  ref: 'refs/heads/main',
  before: 'a'.repeat(40),
  after: 'b'.repeat(40),
  repository: { html_url: 'https://github.com/myorg/deploy-configs', default_branch: 'main' },
  commits: [{ added: ['apps/x/overlays/dev/kustomization.yaml'], modified: [], removed: [] }],
});
const sign = (body: string, secret = SECRET) =>
  `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

// A real HTTP server on loopback, driven by real HTTP requests.
describe('webhook server', () => {
  let server: WebhookServer;
  const pushes: PushEvent[] = [];

  beforeAll(async () => {
    server = await startWebhookServer({
      githubSecret: SECRET,
      maxPayloadBytes: 64 * 1024,
      onPush: (e) => {
        pushes.push(e);
        return 2;
      },
    });
  });
  afterAll(async () => server.close());

  const post = (body: string, headers: Record<string, string>) =>
    fetch(`${server.url}/api/webhook`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('accepts a signed push and hands it on', async () => {
    const res = await post(PUSH, { 'x-github-event': 'push', 'x-hub-signature-256': sign(PUSH) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ refreshed: 2 });
    expect(pushes.at(-1)).toMatchObject({
      revision: 'main',
      touchedHead: true,
      changedFiles: ['apps/x/overlays/dev/kustomization.yaml'],
    });
  });

  it('refuses a missing or wrong signature without acting on it', async () => {
    const before = pushes.length;
    expect((await post(PUSH, { 'x-github-event': 'push' })).status).toBe(401);
    expect(
      (await post(PUSH, { 'x-github-event': 'push', 'x-hub-signature-256': sign(PUSH, 'guess') })).status,
    ).toBe(401);
    const tampered = PUSH.replace('main', 'prod');
    expect(
      (await post(tampered, { 'x-github-event': 'push', 'x-hub-signature-256': sign(PUSH) })).status,
    ).toBe(401);
    expect(pushes.length).toBe(before);
  });

  it('answers ping, ignores other events, refuses oversized bodies and non-push payloads', async () => {
    expect(
      await (await post('{}', { 'x-github-event': 'ping', 'x-hub-signature-256': sign('{}') })).text(),
    ).toBe('pong');
    expect((await post('{}', { 'x-github-event': 'issues', 'x-hub-signature-256': sign('{}') })).status).toBe(
      202,
    );
    const big = JSON.stringify({ pad: 'x'.repeat(70 * 1024) });
    expect(
      (
        await post(big, { 'x-github-event': 'push', 'x-hub-signature-256': sign(big) }).catch(() => ({
          status: 413,
        }))
      ).status,
    ).toBe(413);
    expect((await post('{}', { 'x-github-event': 'push', 'x-hub-signature-256': sign('{}') })).status).toBe(
      400,
    );
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('will not start unsigned unless told to', async () => {
    await expect(startWebhookServer({ onPush: () => 0 })).rejects.toThrow(/webhook secret is required/);
  });
});
