/**
 * What the actions of one run share: the builder chosen by `docker/setup-buildx-action`, the
 * registry credentials `docker/login-action` verified (kept in an auth file inside the run's
 * private folder, never in the environment, the log or the record), the images built (removed when
 * the run ends), every tag pushed with its digest, and the scan summaries. One per run; the runner
 * creates it, hands it to every action, and closes it in a `finally`.
 * @module
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage } from '../util/errors.ts';
import type { BuilderStorage, BuilderTool } from './builder.ts';
import { removeImagesArgv, removeManifestArgv } from './builder.ts';
import { runTool } from './tool.ts';
import type { ScanSummary } from './trivy.ts';

/** One tag pushed by the run. */
export interface PublishedImage {
  /** The full reference pushed, e.g. `127.0.0.1:5000/acme/orders-api:abc1234`. */
  reference: string;
  /** The manifest (or index) digest the registry holds under it. */
  digest: string;
}

/** Run-level settings of the build and scan actions. */
export interface CiActionSettings {
  /** buildah/podman storage (under the Slipway cache). */
  storage: BuilderStorage;
  /** Refuse a build when an asked platform cannot be built here, instead of skipping it. */
  strictPlatforms: boolean;
  /** Pass the scan step with a note when no scanner (and no report) is available. */
  scanOptional: boolean;
  /** A trivy JSON report to use instead of running trivy (`SLIPWAY_TRIVY_REPORT`). */
  trivyReport?: string;
  /** Registries (`host[:port]`) reached over plain HTTP / without TLS verification, beyond loopback. */
  insecureRegistries: readonly string[];
  /** Architectures with a QEMU handler; default read from `/proc/sys/fs/binfmt_misc`. */
  emulatedArchitectures?: ReadonlySet<string>;
}

/** An image or list the run built, to remove at the end. */
interface BuiltImage {
  tool: BuilderTool;
  name: string;
  kind: 'image' | 'manifest';
}

/** The state the actions of one run share. */
export class CiRunState {
  /** The run's private folder (removed with the checkout). */
  readonly runDir: string;
  /** The auth file buildah/podman read (`--authfile`); `{"auths":{}}` until a login. */
  readonly authFile: string;
  readonly settings: CiActionSettings;
  /** A unique, lower-case prefix of local image names. */
  readonly imagePrefix: string;
  builder: BuilderTool | undefined;
  readonly published: PublishedImage[] = [];
  readonly scans: ScanSummary[] = [];
  /** Local images by the reference they were pushed as (or would have been), for the scanner. */
  readonly localImages = new Map<string, { tool: BuilderTool; name: string }>();
  readonly #logins = new Map<string, { username: string; password: string }>();
  readonly #built: BuiltImage[] = [];
  #counter = 0;

  constructor(runDir: string, runId: string, settings: CiActionSettings) {
    this.runDir = runDir;
    this.settings = settings;
    this.authFile = join(runDir, 'auth.json');
    this.imagePrefix = `localhost/slipway-ci-${runId.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
    this.#writeAuthFile();
  }

  /** A fresh local image name of this run. */
  nextLocalName(): string {
    return `${this.imagePrefix}:${this.#counter++}`;
  }

  /** Records a login; the auth file is rewritten (mode 0600). */
  addLogin(registry: string, username: string, password: string): void {
    this.#logins.set(registry, { username, password });
    this.#writeAuthFile();
  }

  /** The credentials logged in for `registry`, if any. */
  login(registry: string): { username: string; password: string } | undefined {
    return this.#logins.get(registry);
  }

  #writeAuthFile(): void {
    const auths: Record<string, { auth: string }> = {};
    for (const [host, c] of this.#logins) {
      auths[host] = { auth: Buffer.from(`${c.username}:${c.password}`).toString('base64') };
    }
    writeFileSync(this.authFile, `${JSON.stringify({ auths })}\n`, { mode: 0o600 });
  }

  /** Records something built, so {@link close} removes it. */
  built(tool: BuilderTool, name: string, kind: 'image' | 'manifest'): void {
    this.#built.push({ tool, name, kind });
  }

  /** The scan summary of the run: counts added up over every scan, passed only if all passed. */
  scanSummary(): ScanSummary | undefined {
    if (this.scans.length === 0) return undefined;
    const sum: ScanSummary = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0, passed: true };
    for (const s of this.scans) {
      sum.critical += s.critical;
      sum.high += s.high;
      sum.medium += s.medium;
      sum.low += s.low;
      sum.unknown += s.unknown;
      sum.passed &&= s.passed;
    }
    return sum;
  }

  /**
   * Removes the lists, then the images, the run built (lists first: an image in a list cannot go).
   * Failures are reported through `note` and do not fail the run: the run's outcome is already
   * decided, and a leftover image only takes space in Slipway's own cache.
   */
  async close(note: (text: string) => void): Promise<void> {
    const built = this.#built.splice(0);
    const lists = built.filter((b) => b.kind === 'manifest');
    const images = built.filter((b) => b.kind === 'image');
    const signal = AbortSignal.timeout(120_000);
    for (const b of lists)
      await this.#remove(removeManifestArgv(b.tool, this.settings.storage, b.name), note, signal);
    const tool = images[0]?.tool;
    if (tool !== undefined) {
      await this.#remove(
        removeImagesArgv(
          tool,
          this.settings.storage,
          images.map((b) => b.name),
        ),
        note,
        signal,
      );
    }
  }

  async #remove(
    argv: [string, ...string[]],
    note: (text: string) => void,
    signal: AbortSignal,
  ): Promise<void> {
    try {
      await runTool({
        argv,
        cwd: this.runDir,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: this.runDir },
        signal,
        log: () => undefined,
        subject: 'runner',
        what: 'clean-up of built images',
        quietStdout: true,
      });
    } catch (err) {
      note(`warning: could not remove the images this run built: ${errorMessage(err)}`);
    }
  }
}
