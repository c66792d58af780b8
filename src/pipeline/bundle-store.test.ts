import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createBundle } from './bundle.ts';
import { BundleStore, stateRoot } from './bundle-store.ts';
import { EventLog } from './event-log.ts';

const SHA = 'a'.repeat(40);
const content = {
  service: 'my-service',
  sourceSha: SHA,
  shortSha: SHA.slice(0, 7),
  commitTime: '2026-11-27T09:00:00Z',
  author: 'Dev <dev@example.com>',
  message: 'm',
  image: { repository: 'r/my-service', tag: SHA.slice(0, 7), digest: `sha256:${'b'.repeat(64)}` },
  runId: 'run-1',
  createdAt: '2026-11-27T09:01:00Z',
};

describe('BundleStore and EventLog on disk', () => {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'slipway-store-'));
    dirs.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('stores a bundle once as one JSON file; the same bundle again is a no-op', async () => {
    const store = new BundleStore(dir());
    const bundle = createBundle(content);
    const first = await store.put(bundle);
    expect(first.created).toBe(true);
    expect(JSON.parse(readFileSync(first.path, 'utf8'))).toEqual(bundle);
    expect(await store.put(bundle)).toEqual({ created: false, path: first.path });
    expect(store.list('my-service')).toEqual([bundle]);
  });

  it('refuses a different body under an existing id and keeps the stored one', async () => {
    const store = new BundleStore(dir());
    const bundle = createBundle(content);
    const { path } = await store.put(bundle);
    // Another body that claims the same id: the id no longer matches the content.
    await expect(store.put({ ...bundle, message: 'changed' })).rejects.toThrow(
      /does not match the bundle's content/,
    );
    // A file edited on disk is caught when read, and a put over it is refused.
    writeFileSync(path, JSON.stringify({ ...bundle, message: 'edited' }));
    expect(() => store.get('my-service', bundle.id)).toThrow(/does not match the id/);
    await expect(store.put(bundle)).rejects.toThrow(/does not match the id/);
  });

  it('refuses names that would leave the store', () => {
    const store = new BundleStore(dir());
    expect(() => store.get('../etc', 'aaaaaaa-000000000000')).toThrow(/not a service name/);
    expect(() => store.get('my-service', '../../x')).toThrow(/not a bundle id/);
  });

  it('defaults to $SLIPWAY_STATE, else ~/.local/state/slipway', () => {
    expect(stateRoot({ SLIPWAY_STATE: '/srv/state' })).toBe('/srv/state');
    expect(stateRoot({ HOME: '/home/u' })).toBe('/home/u/.local/state/slipway');
  });

  it('appends events as JSON lines, ignores a torn last line and names a broken line', () => {
    const root = dir();
    const log = new EventLog(root, 'my-service');
    log.append(
      { type: 'approved', env: 'prod', bundleId: 'x', by: 'alice' },
      new Date('2026-11-27T10:00:00Z'),
    );
    writeFileSync(log.path, `${readFileSync(log.path, 'utf8')}{"type":"appro`);
    expect(log.read()).toEqual([
      { type: 'approved', env: 'prod', bundleId: 'x', by: 'alice', at: '2026-11-27T10:00:00.000Z' },
    ]);
    writeFileSync(log.path, `not json\n${readFileSync(log.path, 'utf8')}`);
    expect(() => log.read()).toThrow(/events\.jsonl: line 1 is not JSON/);
    expect(() => new EventLog(root, '../x')).toThrow(/not a pipeline name/);
  });
});
