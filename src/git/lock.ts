/**
 * One writer per cache folder, across async tasks in this process and across processes.
 *
 * The lock is a file created with `O_EXCL` that names its holder by pid and kernel start time; a
 * lock whose holder is gone (killed, crashed) is taken over, so a killed release never blocks the
 * next one. Within one process, waiters queue on a promise instead of polling the file.
 * @module
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { sleep } from '../util/abort.ts';
import { SlipwayError } from '../util/errors.ts';
import { processIdentity } from '../util/process-identity.ts';

/** The lock file of a cache folder: beside it, so deleting the folder never deletes the lock. */
export function lockPath(dir: string): string {
  return `${dir}.lock`;
}

const inProcess = new Map<string, Promise<void>>();

export interface LockOptions {
  /** How long to wait for another holder; default 10 min (a release of a big repository). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** Runs `fn` while holding the lock file `path`; the lock is released in `finally`. */
export async function withLock<T>(path: string, fn: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const previous = inProcess.get(path) ?? Promise.resolve();
  let release!: () => void;
  const mine = new Promise<void>((r) => {
    release = r;
  });
  const chain = previous.then(() => mine);
  inProcess.set(path, chain);
  try {
    await previous;
    await acquireFile(path, options);
    try {
      return await fn();
    } finally {
      await unlink(path).catch(() => undefined);
    }
  } finally {
    release();
    if (inProcess.get(path) === chain) inProcess.delete(path);
  }
}

async function acquireFile(path: string, options: LockOptions): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? 600_000);
  const me = processIdentity(process.pid);
  const content = JSON.stringify({ pid: process.pid, startTime: me?.startTime ?? 0 });
  for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(content);
      await handle.close();
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new SlipwayError('cannot create the cache lock', {
          subject: path,
          reason: 'GitCacheLocked',
          cause: err,
        });
      }
    }
    if (await holderIsGone(path)) {
      // Its holder died: the lock protects nothing any more.
      await unlink(path).catch(() => undefined);
      continue;
    }
    if (Date.now() >= deadline) {
      throw new SlipwayError('another Slipway process holds this git cache; gave up waiting', {
        subject: path,
        reason: 'GitCacheLocked',
        transient: true,
      });
    }
    await sleep(wait, options.signal);
  }
}

async function holderIsGone(path: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return false; // Released meanwhile: the next open will tell.
  }
  const match = /"pid":(\d+),"startTime":(\d+)/.exec(text);
  if (!match) {
    // A holder writes its name right after creating the file; an unnamed lock older than a few
    // seconds was left by a process killed in between.
    const info = await stat(path).catch(() => undefined);
    return info !== undefined && Date.now() - info.mtimeMs > 5_000;
  }
  const holder = processIdentity(Number(match[1]));
  return holder === undefined || holder.startTime !== Number(match[2]);
}
