import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { ControlPlane, cleanupAbandoned, readState } from '../../src/devcluster/control-plane.ts';
import { currentProcessIdentity, isSameProcess, processIdentity } from '../../src/devcluster/processes.ts';

const planesRoot = inject('planesRoot');
const planeDir = (tag: string) => join(planesRoot, `${process.pid}-${tag}-${randomBytes(3).toString('hex')}`);

describe('control plane harness', () => {
  it('picks another port when the preferred API server port is in use', async () => {
    const sockets: Socket[] = [];
    const squatter = createServer((socket) => sockets.push(socket));
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const taken = (squatter.address() as { port: number }).port;
    const plane = await ControlPlane.start({
      dir: planeDir('port'),
      owner: currentProcessIdentity(),
      controllers: false,
      apiServerPort: taken,
    });
    try {
      expect(plane.state.ports.apiServer).not.toBe(taken);
      expect((await plane.client().version()).gitVersion).toBe(plane.state.kubernetesVersion);
    } finally {
      await plane.stop({ purge: true });
      for (const socket of sockets) socket.destroy();
      await new Promise((r) => squatter.close(r));
    }
  });

  it('cleans up a plane whose owner was killed, stopping exactly its processes', async () => {
    // An owner process that dies, as a test run killed mid-way would.
    const owner = spawn('sleep', ['600'], { stdio: 'ignore' });
    const ownerId = processIdentity(owner.pid!)!;
    const dir = planeDir('abandoned');
    const plane = await ControlPlane.start({ dir, owner: ownerId, controllers: false });
    const recorded = readState(dir)!.processes;
    expect(recorded.map((p) => p.name)).toEqual(['etcd', 'kube-apiserver']);
    expect(recorded.every((p) => isSameProcess(p, p.binary))).toBe(true);

    // A plane of a live owner (this process) must be left alone.
    const mine = await ControlPlane.start({
      dir: planeDir('alive'),
      owner: currentProcessIdentity(),
      controllers: false,
    });
    try {
      owner.kill('SIGKILL');
      await new Promise((r) => owner.once('exit', r));

      const removed = await cleanupAbandoned(planesRoot);
      expect(removed).toContain(dir);
      expect(removed).not.toContain(mine.dir);
      expect(existsSync(dir)).toBe(false);
      expect(recorded.some((p) => isSameProcess(p))).toBe(false);
      expect(mine.isRunning()).toBe(true);
    } finally {
      await mine.stop({ purge: true });
      await plane.stop({ purge: true }).catch(() => undefined);
    }
  });

  it('never signals a process that merely reuses a recorded pid', async () => {
    // A state file recording a live process of someone else's under a different start time: as if
    // the pid had been recycled since. Cleanup must not touch it.
    const bystander = spawn('sleep', ['600'], { stdio: 'ignore' });
    const real = processIdentity(bystander.pid!)!;
    const dir = join(planesRoot, `stale-${randomBytes(3).toString('hex')}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'state.json'),
      JSON.stringify({
        kubernetesVersion: 'v0',
        owner: { pid: 999_999_999, startTime: 1 },
        ports: { etcdClient: 0, etcdPeer: 0, apiServer: 0 },
        processes: [
          {
            name: 'etcd',
            binary: '/usr/bin/sleep',
            log: '/dev/null',
            pid: real.pid,
            startTime: real.startTime + 1,
          },
        ],
        kubeconfig: '',
        startedAt: new Date().toISOString(),
      }),
    );
    try {
      const removed = await cleanupAbandoned(planesRoot);
      expect(removed).toContain(dir);
      expect(isSameProcess(real)).toBe(true);
    } finally {
      bystander.kill('SIGKILL');
    }
  });
});
