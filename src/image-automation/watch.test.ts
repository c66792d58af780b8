import { describe, expect, it } from 'vitest';
import { RegistryError } from '../registry/errors.ts';
import { SlipwayError } from '../util/errors.ts';
import { overlayValue, readOverlayImage } from './overlay.ts';
import { PolicyError } from './policy.ts';
import { describeOutcome, nextPollDelay, retryDelay } from './watch.ts';

describe('nextPollDelay', () => {
  it.each([
    [30_000, 0.1, 0, 27_000],
    [30_000, 0.1, 0.5, 30_000],
    [30_000, 0.1, 1, 33_000],
    [30_000, 0, 0.9, 30_000],
    [1_000, 5, 0, 0], // jitter is clamped to 1: never a negative wait
  ])('interval %i ± %s with random %s → %i', (interval, jitter, r, expected) => {
    expect(nextPollDelay(interval, jitter, () => r)).toBe(expected);
  });
});

describe('retryDelay', () => {
  const transient = new RegistryError('down', { host: 'h', reason: 'RegistryUnreachable' });
  const terminal = new RegistryError('no', { host: 'h', reason: 'RegistryUnauthorized', status: 401 });
  it('backs off from 1 s to the interval for transient failures', () => {
    expect(retryDelay(transient, 1, 30_000, () => 1)).toBe(1_000);
    expect(retryDelay(transient, 3, 30_000, () => 1)).toBe(4_000);
    expect(retryDelay(transient, 20, 30_000, () => 1)).toBe(30_000);
    expect(retryDelay(new PolicyError('none yet', 'NoMatchingTag', 'p'), 1, 30_000, () => 1)).toBe(1_000);
  });
  it('waits the whole interval for failures that will not heal by themselves', () => {
    expect(retryDelay(terminal, 1, 30_000, () => 1)).toBe(30_000);
    expect(retryDelay(new PolicyError('bad', 'InvalidPolicy', 'p'), 1, 30_000, () => 1)).toBe(30_000);
    expect(retryDelay(new Error('bug'), 1, 30_000, () => 1)).toBe(30_000);
  });
});

describe('readOverlayImage', () => {
  const text = `kind: Kustomization
images:
  - name: other
    newTag: x
  - name: app
    newName: 127.0.0.1:5000/app
    newTag: "1.2.3"
    digest: sha256:${'a'.repeat(64)}
  - name: numeric
    newTag: 1.10
`;
  it('finds the named entry', () => {
    expect(readOverlayImage(text, 'app')).toEqual({
      newName: '127.0.0.1:5000/app',
      tag: '1.2.3',
      digest: `sha256:${'a'.repeat(64)}`,
    });
    expect(overlayValue(readOverlayImage(text, 'app'))).toBe(`1.2.3@sha256:${'a'.repeat(64)}`);
    expect(overlayValue(readOverlayImage(text, 'other'))).toBe('x');
    expect(readOverlayImage(text, 'missing')).toBeUndefined();
    expect(readOverlayImage('kind: Kustomization\n', 'app')).toBeUndefined();
    expect(readOverlayImage(text, 'numeric')?.tag).toBe('1.10');
  });

  it('names the file and entry when the overlay is malformed', () => {
    expect(() => readOverlayImage('images: {a: 1}\n', 'app', 'apps/a/kustomization.yaml')).toThrow(
      'apps/a/kustomization.yaml: images: images must be a list',
    );
    expect(() => readOverlayImage('images:\n  - newTag: x\n', 'app', 'k.yaml')).toThrow(
      /k\.yaml: images\[0\]/,
    );
    expect(() => readOverlayImage('images: [\n', 'app', 'k.yaml')).toThrow(SlipwayError);
  });
});

describe('describeOutcome', () => {
  const base = {
    image: 'r/app:1.2.3',
    choice: { tag: '1.2.3' },
    tagsSeen: 3,
    commit: '0123456789abcdef0123',
  };
  it('says what a poll did', () => {
    expect(describeOutcome({ ...base, released: true, previous: '1.2.2' })).toBe(
      'released r/app:1.2.3 (was 1.2.2) in 0123456789ab',
    );
    expect(describeOutcome({ ...base, released: false, previous: '1.2.3' })).toBe(
      'r/app:1.2.3 is already released (0123456789ab)',
    );
  });
});
