/**
 * Starting and stopping the control plane's own processes, and only those.
 *
 * Each started process is recorded with its pid *and* its kernel start time (from
 * `/proc/<pid>/stat`), so a pid that the kernel has since reused for someone else's process is
 * never signalled.
 * @module
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { sleep } from '../util/abort.ts';
import {
  currentProcessIdentity,
  isSameProcess,
  type ProcessIdentity,
  processIdentity,
} from '../util/process-identity.ts';

export { currentProcessIdentity, isSameProcess, type ProcessIdentity, processIdentity };

export interface ServiceProcess extends ProcessIdentity {
  name: string;
  binary: string;
  log: string;
}

/**
 * Starts `binary` in its own process group with stdout and stderr appended to `log`. The child
 * does not keep this process alive: whoever holds the returned record stops it.
 */
export function startService(name: string, binary: string, args: string[], log: string): ServiceProcess {
  const fd = openSync(log, 'a');
  try {
    const child = spawn(binary, args, { detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
    if (child.pid === undefined) throw new Error(`cannot start ${binary}`);
    const identity = processIdentity(child.pid);
    if (!identity) throw new Error(`${name} exited at once; see ${log}`);
    return { name, binary, log, ...identity };
  } finally {
    closeSync(fd);
  }
}

/** Stops a recorded process: SIGTERM, then SIGKILL after `graceMs`. Never signals a process that is not the recorded one. */
export async function stopService(proc: ServiceProcess, graceMs = 10_000): Promise<void> {
  if (!isSameProcess(proc, proc.binary)) return;
  signal(proc.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isSameProcess(proc)) return;
    await sleep(50);
  }
  if (isSameProcess(proc, proc.binary)) signal(proc.pid, 'SIGKILL');
  while (isSameProcess(proc)) await sleep(20);
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** The last lines of a log file, for error messages. */
export function logTail(log: string, lines = 15): string {
  try {
    return readFileSync(log, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** A loopback TCP port that was free a moment ago. Callers retry if another process takes it first. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
