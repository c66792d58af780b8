/**
 * A real Kubernetes control plane on loopback: etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler and KWOK (which plays the kubelet for one simulated node).
 *
 * Used by the test suite (one per run, isolated per test by namespace) and by
 * `slipway dev-cluster`. Every process it starts is recorded in `state.json` as soon as it starts,
 * with its pid and kernel start time, so `stop()` — or a later run cleaning up after a killed one —
 * signals exactly those processes and never anyone else's.
 *
 * @module
 */
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { KubeClient } from '../kube/client.ts';
import type { KubeObject } from '../kube/types.ts';
import { sleep } from '../util/abort.ts';
import { errorMessage, SlipwayError } from '../util/errors.ts';
import { type ControlPlaneBuild, ensureBuilt } from './paths.ts';
import { ensurePki, type Pki } from './pki.ts';
import {
  freePort,
  isSameProcess,
  logTail,
  type ProcessIdentity,
  type ServiceProcess,
  startService,
  stopService,
} from './processes.ts';

/** The simulated node every workload schedules onto. */
export const KWOK_NODE_NAME = 'kwok-node-0';

export interface ControlPlaneOptions {
  /** Folder for data, certificates, logs, kubeconfig and `state.json`. */
  dir: string;
  /** Built binaries; default: build (or reuse) the pinned ones. */
  build?: ControlPlaneBuild;
  /** Run kube-controller-manager, kube-scheduler and KWOK with a Ready node; default true. */
  controllers?: boolean;
  /** The process this plane belongs to; once it is gone, {@link cleanupAbandoned} may remove the plane. */
  owner?: ProcessIdentity;
  /** Try this API server port first; when it is taken, another free one is picked. */
  apiServerPort?: number;
  /** Bound on the whole start; default 90 s. */
  startTimeoutMs?: number;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface ControlPlaneState {
  kubernetesVersion: string;
  owner?: ProcessIdentity;
  ports: { etcdClient: number; etcdPeer: number; apiServer: number };
  processes: ServiceProcess[];
  kubeconfig: string;
  startedAt: string;
}

const STATE_FILE = 'state.json';

function writeState(dir: string, state: ControlPlaneState): void {
  const tmp = join(dir, `${STATE_FILE}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, join(dir, STATE_FILE));
}

export function readState(dir: string): ControlPlaneState | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, STATE_FILE), 'utf8')) as ControlPlaneState;
  } catch {
    return undefined;
  }
}

/** Stops every still-live process recorded in `dir`'s state (a leftover of a killed run). */
export async function stopRecorded(dir: string): Promise<number> {
  const state = readState(dir);
  if (!state) return 0;
  // Reverse start order: KWOK and controllers first, etcd last.
  const live = [...state.processes].reverse().filter((p) => isSameProcess(p, p.binary));
  for (const p of live) await stopService(p);
  return live.length;
}

/**
 * Removes planes under `root` whose owner process has gone (a test run that was killed), stopping
 * the processes they recorded. Returns the folders removed.
 */
export async function cleanupAbandoned(root: string): Promise<string[]> {
  if (!existsSync(root)) return [];
  const removed: string[] = [];
  for (const name of readdirSync(root)) {
    const dir = join(root, name);
    const state = readState(dir);
    if (state?.owner && isSameProcess(state.owner)) continue;
    // No state yet may mean another run is creating this plane right now: leave young folders alone.
    if (!state && Date.now() - statSync(dir).mtimeMs < 10 * 60_000) continue;
    await stopRecorded(dir);
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

export class ControlPlane {
  readonly dir: string;
  readonly state: ControlPlaneState;
  readonly #build: ControlPlaneBuild;
  readonly #pki: Pki;
  #client: KubeClient | undefined;

  private constructor(dir: string, state: ControlPlaneState, build: ControlPlaneBuild, pki: Pki) {
    this.dir = dir;
    this.state = state;
    this.#build = build;
    this.#pki = pki;
  }

  /** Path of the admin kubeconfig (bearer token, CA file). */
  get kubeconfig(): string {
    return this.state.kubeconfig;
  }

  get server(): string {
    return `https://127.0.0.1:${this.state.ports.apiServer}`;
  }

  get pki(): Pki {
    return this.#pki;
  }

  /** A client for this plane (created once). */
  client(): KubeClient {
    this.#client ??= KubeClient.fromKubeconfig({ path: this.kubeconfig });
    return this.#client;
  }

  /** True when every recorded process is alive. */
  isRunning(): boolean {
    return this.state.processes.length > 0 && this.state.processes.every((p) => isSameProcess(p, p.binary));
  }

  /** Re-attaches to a plane started earlier (e.g. by `slipway dev-cluster up`). */
  static async attach(dir: string): Promise<ControlPlane | undefined> {
    const state = readState(dir);
    if (!state) return undefined;
    const build = ensureBuilt();
    return new ControlPlane(dir, state, build, await ensurePki(join(dir, 'pki')));
  }

  /** Starts a control plane in `options.dir`, cleaning up any leftover processes recorded there first. */
  static async start(options: ControlPlaneOptions): Promise<ControlPlane> {
    const log = options.log ?? (() => undefined);
    const started = Date.now();
    const deadline = started + (options.startTimeoutMs ?? 90_000);
    const dir = options.dir;
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const leftovers = await stopRecorded(dir);
    if (leftovers > 0) log(`stopped ${leftovers} leftover process(es) of an earlier run in ${dir}`);

    const state: ControlPlaneState = {
      kubernetesVersion: 'unknown',
      ports: { etcdClient: 0, etcdPeer: 0, apiServer: 0 },
      processes: [],
      kubeconfig: join(dir, 'kubeconfig'),
      startedAt: new Date().toISOString(),
    };
    if (options.owner) state.owner = options.owner;
    // Recorded first, so that from here on a killed run is recognisable as abandoned.
    writeState(dir, state);
    const build = options.build ?? ensureBuilt();
    const pki = await ensurePki(join(dir, 'pki'));
    const version = readKubernetesVersion(build);
    state.kubernetesVersion = version;
    const plane = new ControlPlane(dir, state, build, pki);
    try {
      await plane.#startEtcd(deadline);
      log(`etcd ready on 127.0.0.1:${state.ports.etcdClient}`);
      if (options.apiServerPort) state.ports.apiServer = options.apiServerPort;
      await plane.#startApiServer(deadline, Boolean(options.apiServerPort));
      log(`kube-apiserver ${version} ready on ${plane.server}`);
      if (options.controllers ?? true) {
        plane.#startControllers();
        await plane.#ensureNode(deadline);
        log(`node ${KWOK_NODE_NAME} Ready (KWOK)`);
      }
      log(`control plane up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return plane;
    } catch (err) {
      await plane.stop().catch(() => undefined);
      throw err;
    }
  }

  #record(proc: ServiceProcess): void {
    this.state.processes = [...this.state.processes.filter((p) => p.name !== proc.name), proc];
    writeState(this.dir, this.state);
  }

  #bin(name: string): string {
    return join(this.#build.bin, name);
  }

  /**
   * Starts a server on freshly picked ports, retrying with new ports when it dies because another
   * process took a port between our check and its bind.
   */
  async #startWithPorts(
    name: string,
    pick: () => Promise<void>,
    args: () => string[],
    ready: () => Promise<boolean>,
    deadline: number,
  ): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await pick();
      const log = join(this.dir, 'logs', `${name}.log`);
      const proc = startService(name, this.#bin(name), args(), log);
      this.#record(proc);
      for (;;) {
        if (!isSameProcess(proc)) {
          const tail = logTail(log);
          if (/address already in use/i.test(tail) && attempt < 5) break;
          throw new SlipwayError(`${name} exited during start-up:\n${tail}`, {
            subject: log,
            reason: 'ControlPlaneStartFailed',
          });
        }
        if (await ready().catch(() => false)) return;
        if (Date.now() > deadline) {
          throw new SlipwayError(`${name} was not ready in time:\n${logTail(log)}`, {
            subject: log,
            reason: 'ControlPlaneStartFailed',
          });
        }
        await sleep(100);
      }
    }
  }

  async #startEtcd(deadline: number): Promise<void> {
    const { ports } = this.state;
    const data = join(this.dir, 'etcd');
    await this.#startWithPorts(
      'etcd',
      async () => {
        ports.etcdClient = await freePort();
        ports.etcdPeer = await freePort();
      },
      () => {
        const client = `http://127.0.0.1:${ports.etcdClient}`;
        const peer = `http://127.0.0.1:${ports.etcdPeer}`;
        return [
          '--name=slipway',
          `--data-dir=${data}`,
          `--listen-client-urls=${client}`,
          `--advertise-client-urls=${client}`,
          `--listen-peer-urls=${peer}`,
          `--initial-advertise-peer-urls=${peer}`,
          `--initial-cluster=slipway=${peer}`,
          // A test cluster trades durability for speed; its data is disposable.
          '--unsafe-no-fsync',
          '--log-level=warn',
        ];
      },
      async () => {
        const res = await fetch(`http://127.0.0.1:${ports.etcdClient}/health`, {
          signal: AbortSignal.timeout(1000),
        });
        return res.ok && ((await res.json()) as { health?: string }).health === 'true';
      },
      deadline,
    );
  }

  #apiServerArgs(): string[] {
    const { ports } = this.state;
    const pki = this.#pki;
    return [
      `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
      '--bind-address=127.0.0.1',
      `--secure-port=${ports.apiServer}`,
      '--advertise-address=127.0.0.1',
      '--endpoint-reconciler-type=none',
      `--tls-cert-file=${pki.servingCert}`,
      `--tls-private-key-file=${pki.servingKey}`,
      `--client-ca-file=${pki.caCert}`,
      `--token-auth-file=${pki.tokenFile}`,
      '--service-cluster-ip-range=10.96.0.0/12',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${pki.serviceAccountPub}`,
      `--service-account-signing-key-file=${pki.serviceAccountKey}`,
      '--authorization-mode=RBAC',
      '--allow-privileged=true',
      '--disable-admission-plugins=ServiceAccount',
      '--enable-priority-and-fairness=false',
      '--max-requests-inflight=0',
      '--max-mutating-requests-inflight=0',
    ];
  }

  async #startApiServer(deadline: number, keepPort = false): Promise<void> {
    const { ports } = this.state;
    let first = true;
    await this.#startWithPorts(
      'kube-apiserver',
      async () => {
        if (!(keepPort && first)) ports.apiServer = await freePort();
        first = false;
        this.#writeKubeconfig();
      },
      () => this.#apiServerArgs(),
      async () => {
        const text = await this.#probe().transport.requestText({ path: '/readyz', timeoutMs: 2000 });
        return text.trim() === 'ok';
      },
      deadline,
    );
  }

  /** A throwaway client for readiness probes, so a port change never leaves a stale connection pool. */
  #probeClient: { port: number; client: KubeClient } | undefined;
  #probe(): KubeClient {
    if (this.#probeClient?.port !== this.state.ports.apiServer) {
      const old = this.#probeClient;
      if (old) void old.client.close().catch(() => undefined);
      this.#probeClient = {
        port: this.state.ports.apiServer,
        client: KubeClient.fromKubeconfig({ path: this.kubeconfig }),
      };
      this.#client = undefined;
    }
    return this.#probeClient.client;
  }

  #writeKubeconfig(): void {
    const config = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [
        { name: 'slipway-dev', cluster: { server: this.server, 'certificate-authority': this.#pki.caCert } },
      ],
      users: [{ name: 'slipway-admin', user: { token: this.#pki.adminToken } }],
      contexts: [{ name: 'slipway-dev', context: { cluster: 'slipway-dev', user: 'slipway-admin' } }],
      'current-context': 'slipway-dev',
    };
    const tmp = `${this.kubeconfig}.tmp`;
    writeFileSync(tmp, toYaml(config), { mode: 0o600 });
    renameSync(tmp, this.kubeconfig);
  }

  #startControllers(): void {
    const logs = join(this.dir, 'logs');
    const kubeconfig = this.kubeconfig;
    this.#record(
      startService(
        'kube-controller-manager',
        this.#bin('kube-controller-manager'),
        [
          `--kubeconfig=${kubeconfig}`,
          '--leader-elect=false',
          '--bind-address=127.0.0.1',
          '--secure-port=0',
          '--controllers=*',
          `--service-account-private-key-file=${this.#pki.serviceAccountKey}`,
          `--root-ca-file=${this.#pki.caCert}`,
          '--use-service-account-credentials=false',
          '--kube-api-qps=1000',
          '--kube-api-burst=2000',
          // Short resyncs keep scale-down and garbage collection prompt in tests.
          '--concurrent-deployment-syncs=10',
          '--concurrent-replicaset-syncs=10',
        ],
        join(logs, 'kube-controller-manager.log'),
      ),
    );
    this.#record(
      startService(
        'kube-scheduler',
        this.#bin('kube-scheduler'),
        [`--kubeconfig=${kubeconfig}`, '--leader-elect=false', '--bind-address=127.0.0.1', '--secure-port=0'],
        join(logs, 'kube-scheduler.log'),
      ),
    );
    this.#record(
      startService(
        'kwok',
        this.#bin('kwok'),
        [
          `--kubeconfig=${kubeconfig}`,
          `--config=${this.#build.stages}`,
          '--manage-all-nodes=false',
          '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
          '--manage-nodes-with-label-selector=',
          '--manage-single-node=',
          '--cidr=10.244.0.0/16',
          '--node-ip=10.0.0.1',
          '--node-lease-duration-seconds=40',
        ],
        join(logs, 'kwok.log'),
      ),
    );
  }

  async #ensureNode(deadline: number): Promise<void> {
    const client = this.client();
    await client.apply({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name: KWOK_NODE_NAME,
        annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'kwok.x-k8s.io/node': 'fake' },
        labels: {
          'kubernetes.io/hostname': KWOK_NODE_NAME,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          type: 'kwok',
        },
      },
      // No taint, so ordinary workloads schedule here without tolerations.
      spec: {},
    });
    for (;;) {
      const node = await client.get<
        KubeObject & { status?: { conditions?: Array<{ type: string; status: string }> } }
      >({
        apiVersion: 'v1',
        kind: 'Node',
        name: KWOK_NODE_NAME,
      });
      if (node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) return;
      for (const p of this.state.processes) {
        if (!isSameProcess(p))
          throw new SlipwayError(`${p.name} exited:\n${logTail(p.log)}`, {
            subject: p.log,
            reason: 'ControlPlaneStartFailed',
          });
      }
      if (Date.now() > deadline) {
        throw new SlipwayError(
          `node ${KWOK_NODE_NAME} did not become Ready:\n${logTail(join(this.dir, 'logs', 'kwok.log'))}`,
          {
            subject: join(this.dir, 'logs', 'kwok.log'),
            reason: 'ControlPlaneStartFailed',
          },
        );
      }
      await sleep(100);
    }
  }

  /** Stops only the API server (a test of what clients do while it is down). */
  async stopApiServer(): Promise<void> {
    const proc = this.state.processes.find((p) => p.name === 'kube-apiserver');
    if (proc) await stopService(proc);
  }

  /** Starts the API server again on the same port (after {@link stopApiServer}). */
  async startApiServer(timeoutMs = 60_000): Promise<void> {
    await this.#startApiServer(Date.now() + timeoutMs, true);
  }

  /** Stops every process this plane started; with `purge`, deletes its folder too. */
  async stop(options: { purge?: boolean } = {}): Promise<void> {
    const errors: unknown[] = [];
    for (const c of [this.#client, this.#probeClient?.client]) {
      await c?.close().catch((err: unknown) => errors.push(err));
    }
    this.#client = undefined;
    this.#probeClient = undefined;
    for (const p of [...this.state.processes].reverse()) {
      await stopService(p).catch((err: unknown) => errors.push(err));
    }
    if (options.purge) rmSync(this.dir, { recursive: true, force: true });
    if (errors.length > 0)
      throw new AggregateError(
        errors,
        `stopping the control plane in ${this.dir}: ${errors.map(errorMessage).join('; ')}`,
      );
  }
}

function readKubernetesVersion(build: ControlPlaneBuild): string {
  try {
    const versions = JSON.parse(readFileSync(join(build.dir, 'versions.json'), 'utf8')) as {
      kubernetes?: string;
    };
    return versions.kubernetes ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
