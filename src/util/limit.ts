/**
 * Bounded concurrency for every fan-out (applies, health polls, metric queries).
 * @module
 */

/**
 * Returns a function that runs at most `concurrency` tasks at once; the slot is freed in `finally`
 * so a throwing task never leaks it.
 * @example
 * const run = limit(4);
 * const results = await Promise.all(objects.map((o) => run(() => apply(o))));
 */
export function limit(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  const max = Math.max(1, Math.floor(concurrency));
  let active = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    active--;
    waiting.shift()?.();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= max) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      release();
    }
  };
}
