/**
 * Telling one process from another across pid reuse: a pid plus its kernel start time (field 22
 * of `/proc/<pid>/stat`). Used wherever Slipway records a process it may signal or wait for later.
 * @module
 */
import { readFileSync, readlinkSync } from 'node:fs';

/** Identifies one process across pid reuse. */
export interface ProcessIdentity {
  pid: number;
  /** Start time in clock ticks since boot (field 22 of /proc/<pid>/stat). */
  startTime: number;
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
