/**
 * Which of the platforms a build asks for this host can build. A platform is buildable when it is
 * the host's own, when a QEMU binfmt handler for its architecture is registered (so `RUN` steps can
 * execute its binaries), or when the Dockerfile runs nothing at all (`FROM scratch` + `COPY`/`ENV`/…
 * only touch files and config, so any platform's image can be assembled without executing it).
 * The rest are skipped with a warning, or refused in strict mode.
 *
 * The planner is pure; {@link readBinfmtArchitectures} is the one effect, reading
 * `/proc/sys/fs/binfmt_misc`.
 * @module
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SlipwayError } from '../util/errors.ts';

/** `os/arch[/variant]` split, lower-case. */
export interface BuildPlatform {
  os: string;
  architecture: string;
  variant?: string;
}

/**
 * Parses `linux/amd64`, `linux/arm64/v8`, `linux/arm/v7`. `subject` names where it came from.
 * @throws {SlipwayError} `InvalidPlatform`.
 */
export function parseBuildPlatform(text: string, subject: string): BuildPlatform {
  const parts = text.trim().toLowerCase().split('/');
  const [os, architecture, variant, ...rest] = parts;
  if (
    !os ||
    !architecture ||
    rest.length > 0 ||
    variant === '' ||
    !/^[a-z0-9_-]+$/.test(`${os}${architecture}${variant ?? ''}`)
  ) {
    throw new SlipwayError(
      `expected a platform os/arch[/variant] such as linux/amd64, got ${JSON.stringify(text)}`,
      {
        subject,
        reason: 'InvalidPlatform',
      },
    );
  }
  return variant === undefined ? { os, architecture } : { os, architecture, variant };
}

/** `linux/arm64` (with `/variant` when there is one). */
export function platformString(p: BuildPlatform): string {
  return p.variant === undefined ? `${p.os}/${p.architecture}` : `${p.os}/${p.architecture}/${p.variant}`;
}

/** OCI architecture names of Node's `process.arch` values. */
const NODE_ARCH: Readonly<Record<string, string>> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  ppc64: 'ppc64le',
  s390x: 's390x',
  riscv64: 'riscv64',
  loong64: 'loong64',
  mips: 'mips',
  mipsel: 'mipsle',
};

/** The OCI architecture of this host. @example hostArchitecture('x64') === 'amd64' */
export function hostArchitecture(nodeArch: string = process.arch): string {
  return NODE_ARCH[nodeArch] ?? nodeArch;
}

/** OCI architectures of QEMU user-mode emulators, by the emulator's name suffix (`qemu-<name>`). */
const QEMU_ARCH: Readonly<Record<string, string>> = {
  x86_64: 'amd64',
  i386: '386',
  aarch64: 'arm64',
  arm: 'arm',
  armeb: 'armbe',
  ppc64le: 'ppc64le',
  ppc64: 'ppc64',
  s390x: 's390x',
  riscv64: 'riscv64',
  mips64el: 'mips64le',
  mips64: 'mips64',
  mipsel: 'mipsle',
  mips: 'mips',
  loongarch64: 'loong64',
};

/**
 * The architectures that registered binfmt handlers can run, from the handler names and whether
 * each is enabled (`qemu-aarch64` → `arm64`). Names that are not QEMU's are ignored.
 * @example binfmtArchitectures([{ name: 'qemu-aarch64', enabled: true }]) // Set { 'arm64' }
 */
export function binfmtArchitectures(handlers: readonly { name: string; enabled: boolean }[]): Set<string> {
  const out = new Set<string>();
  for (const h of handlers) {
    const m = /^qemu-(.+?)(?:-static)?$/.exec(h.name);
    const arch = m?.[1] === undefined ? undefined : QEMU_ARCH[m[1]];
    if (h.enabled && arch !== undefined) out.add(arch);
  }
  return out;
}

/**
 * Reads the registered binfmt handlers from `dir` (default `/proc/sys/fs/binfmt_misc`). A missing
 * or unreadable folder means no emulators, which is the answer a build needs.
 */
export function readBinfmtArchitectures(dir = '/proc/sys/fs/binfmt_misc'): Set<string> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n !== 'register' && n !== 'status');
  } catch {
    // Not mounted (containers, some CI hosts): no handler can be registered, so none exists.
    return new Set();
  }
  const handlers = names.map((name) => {
    let enabled = false;
    try {
      enabled = readFileSync(join(dir, name), 'utf8').split('\n')[0]?.trim() === 'enabled';
    } catch {
      // Unreadable entry: treat as absent rather than guess.
    }
    return { name, enabled };
  });
  return binfmtArchitectures(handlers);
}

/**
 * Whether a Dockerfile executes anything while building (`RUN`, or `ONBUILD RUN`): only then does a
 * foreign platform need an emulator. Comments, blank lines, parser directives and line
 * continuations are handled; heredoc bodies are skipped by their marker.
 * @example dockerfileRunsCommands('FROM scratch\nCOPY a /a\n') === false
 * @example dockerfileRunsCommands('FROM alpine\nRUN apk add curl\n') === true
 */
export function dockerfileRunsCommands(text: string): boolean {
  const lines = text.split(/\r?\n/);
  let continuing = false;
  let heredoc: string | undefined;
  for (const raw of lines) {
    if (heredoc !== undefined) {
      if (raw.trim() === heredoc) heredoc = undefined;
      continue;
    }
    const line = raw.trim();
    if (!continuing && (line === '' || line.startsWith('#'))) continue;
    const startsInstruction = !continuing;
    continuing = line.endsWith('\\');
    if (!startsInstruction) continue;
    const words = line.split(/\s+/).map((w) => w.toUpperCase());
    if (words[0] === 'RUN' || (words[0] === 'ONBUILD' && words[1] === 'RUN')) return true;
    const marker = /<<-?["']?([A-Za-z0-9_]+)["']?/.exec(line);
    if (marker?.[1] !== undefined) heredoc = marker[1];
  }
  return false;
}

/** What the host knows about building for other platforms. */
export interface PlatformFacts {
  /** The host's own OS and architecture, e.g. `{ os: 'linux', architecture: 'amd64' }`. */
  native: BuildPlatform;
  /** Architectures with a registered emulator. */
  emulated: ReadonlySet<string>;
  /** Whether the Dockerfile runs commands (see {@link dockerfileRunsCommands}). */
  runsCommands: boolean;
}

/** The outcome of {@link planPlatforms}. */
export interface PlatformPlan {
  /** Platforms to build, in the order asked, without duplicates. Empty: the builder's default (native). */
  build: string[];
  /** Platforms left out, each with the reason. */
  skipped: { platform: string; reason: string }[];
  /** How each built platform is built: `native`, `emulated` or `no-run` (nothing executes). */
  how: Record<string, 'native' | 'emulated' | 'no-run'>;
}

/**
 * Splits the asked platforms into buildable and skipped.
 *
 * | asked | host | emulators | Dockerfile runs commands | build | skipped |
 * |---|---|---|---|---|---|
 * | linux/amd64,linux/arm64 | amd64 | none | yes | linux/amd64 | linux/arm64 |
 * | linux/amd64,linux/arm64 | amd64 | arm64 | yes | both | — |
 * | linux/amd64,linux/arm64 | amd64 | none | no | both | — |
 * | windows/amd64 | linux amd64 | — | — | — | windows/amd64 (other OS) |
 *
 * @throws {SlipwayError} `PlatformNotBuildable` in strict mode when any platform is skipped, and
 *   `InvalidPlatform` for a malformed one.
 */
export function planPlatforms(
  asked: readonly string[],
  facts: PlatformFacts,
  options: { strict: boolean; subject: string },
): PlatformPlan {
  const plan: PlatformPlan = { build: [], skipped: [], how: {} };
  const seen = new Set<string>();
  for (const text of asked) {
    const p = parseBuildPlatform(text, `${options.subject}: platforms`);
    const name = platformString(p);
    if (seen.has(name)) continue;
    seen.add(name);
    if (p.os !== facts.native.os) {
      plan.skipped.push({ platform: name, reason: `this host builds ${facts.native.os} images only` });
    } else if (p.architecture === facts.native.architecture) {
      plan.build.push(name);
      plan.how[name] = 'native';
    } else if (facts.emulated.has(p.architecture)) {
      plan.build.push(name);
      plan.how[name] = 'emulated';
    } else if (!facts.runsCommands) {
      plan.build.push(name);
      plan.how[name] = 'no-run';
    } else {
      plan.skipped.push({
        platform: name,
        reason: `no QEMU binfmt handler for ${p.architecture} is registered and the Dockerfile has RUN steps`,
      });
    }
  }
  if (options.strict && plan.skipped.length > 0) {
    throw new SlipwayError(
      `cannot build ${plan.skipped.map((s) => `${s.platform} (${s.reason})`).join(', ')}; strict platforms refuse to skip them`,
      { subject: `${options.subject}: platforms`, reason: 'PlatformNotBuildable' },
    );
  }
  if (asked.length > 0 && plan.build.length === 0) {
    throw new SlipwayError(
      `none of the platforms can be built here: ${plan.skipped.map((s) => `${s.platform} (${s.reason})`).join(', ')}`,
      { subject: `${options.subject}: platforms`, reason: 'PlatformNotBuildable' },
    );
  }
  return plan;
}
