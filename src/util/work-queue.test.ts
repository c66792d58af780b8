import { describe, expect, it } from 'vitest';
import { sleep } from './abort.ts';
import { WorkQueue } from './work-queue.ts';

const until = async (cond: () => boolean, ms = 2000) => {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await sleep(5);
  }
};

describe('WorkQueue', () => {
  it('runs a key queued twice once', async () => {
    const runs: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const q = new WorkQueue(async (k) => {
      runs.push(k);
      await gate;
    });
    q.add('blocker');
    q.add('a');
    q.add('a');
    release();
    await until(() => q.length === 0);
    expect(runs).toEqual(['blocker', 'a']);
    await q.close();
  });

  it('never overlaps runs of one key, and reruns a key added while it ran', async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    let runs = 0;
    const q = new WorkQueue(
      async () => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        runs++;
        await sleep(20);
        concurrent--;
      },
      { concurrency: 4 },
    );
    q.add('k');
    await sleep(5);
    q.add('k'); // while running: one more run afterwards
    q.add('k');
    await until(() => runs === 2 && q.length === 0);
    expect(maxConcurrent).toBe(1);
    await q.close();
  });

  it('runs different keys in parallel up to the concurrency', async () => {
    let concurrent = 0;
    let maxConcurrent = 0;
    const q = new WorkQueue(
      async () => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        await sleep(20);
        concurrent--;
      },
      { concurrency: 3 },
    );
    for (const k of ['a', 'b', 'c', 'd', 'e', 'f']) q.add(k);
    await until(() => q.length === 0);
    expect(maxConcurrent).toBe(3);
    await q.close();
  });

  it('retries a failing key with backoff and reports each error', async () => {
    const errors: string[] = [];
    let attempts = 0;
    const q = new WorkQueue(
      async () => {
        attempts++;
        if (attempts < 3) throw new Error(`boom ${attempts}`);
      },
      {
        backoff: { initialMs: 5, maxMs: 20, jitter: 0 },
        onError: (_k, e) => errors.push((e as Error).message),
      },
    );
    q.add('k');
    await until(() => attempts === 3);
    expect(errors).toEqual(['boom 1', 'boom 2']);
    await q.close();
  });

  it('honours requeueAfterMs, and close() aborts running handlers and waits for them', async () => {
    let runs = 0;
    let aborted = false;
    const q = new WorkQueue(async (_k, signal) => {
      runs++;
      if (runs === 1) return { requeueAfterMs: 10 };
      await new Promise<void>((resolve) =>
        signal.addEventListener('abort', () => {
          aborted = true;
          resolve();
        }),
      );
    });
    q.add('k');
    await until(() => runs === 2);
    await q.close();
    expect(aborted).toBe(true);
  });
});
