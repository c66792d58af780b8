/**
 * Starting and stopping the control plane's own processes, and only those.
 *
 * Each started process is recorded with its pid *and* its kernel start time (from
 * `/proc/<pid>/stat`), so a pid that the kernel has since reused for someone else's process is
 * never signalled.
 * @module
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { sleep } from '../util/abort.ts';

/** Identifies one process across pid reuse. */
export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat). */
  startTime: number;
}

export interface ServiceProcess extends ProcessIdentity {
  name: string;
  binary: string;
  log: string;
}

/** The identity of a live process, or undefined when there is no such process. */
export function processIdentity(pid: number): ProcessIdentity | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    if (state === 'Z' || state === 'X') return undefined;
    return { pid, startTime: Number(fields[19]) };
  } catch {
    return undefined;
  }
}

/** True when `identity` still names the same live process (and, if given, the same binary). */
export function isSameProcess(identity: ProcessIdentity, binary?: string): boolean {
  const now = processIdentity(identity.pid);
  if (!now || now.startTime !== identity.startTime) return false;
  if (binary === undefined) return true;
  try {
    // A rebuilt binary shows as "<path> (deleted)" for processes started before the rebuild.
    return readlinkSync(`/proc/${identity.pid}/exe`).replace(/ \(deleted\)$/, '') === binary;
  } catch {
    return false;
  }
}

export function currentProcessIdentity(): ProcessIdentity {
  const id = processIdentity(process.pid);
  if (!id) throw new Error('cannot read /proc/self/stat');
  return id;
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
