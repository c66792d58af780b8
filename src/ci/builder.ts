/**
 * Image builders: which one is installed (buildah preferred, then podman, then docker, as found on
 * `PATH`), and the argument arrays for each thing a build-and-push does with it. Pure apart from
 * {@link findBuilder}'s file checks.
 *
 * buildah and podman share one command line: their storage lives under Slipway's cache (`--root`,
 * `--runroot`, the `vfs` driver, which needs no kernel overlay support and no privileges beyond the
 * user's), builds use `--isolation chroot` (no OCI runtime needed), and every image is built under
 * a run-private local name so the run can remove exactly what it built. docker has no such storage
 * switch: it builds through `docker buildx build` into its daemon, with the run's credentials in a
 * private `DOCKER_CONFIG`.
 * @module
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** The builders Slipway can drive, in order of preference. */
export const BUILDER_KINDS = ['buildah', 'podman', 'docker'] as const;
/** One builder. */
export type BuilderKind = (typeof BUILDER_KINDS)[number];

/** An installed builder. */
export interface BuilderTool {
  kind: BuilderKind;
  /** Absolute path of the binary. */
  path: string;
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * The first of `kinds` (default {@link BUILDER_KINDS}) found on `pathEnv`, or undefined.
 * Relative `PATH` entries are ignored: a repository must not be able to plant a `buildah`.
 */
export function findBuilder(
  pathEnv: string,
  kinds: readonly BuilderKind[] = BUILDER_KINDS,
  isExecutable: (path: string) => boolean = isExecutableFile,
): BuilderTool | undefined {
  const dirs = pathEnv.split(delimiter).filter((d) => d !== '' && isAbsolute(d));
  for (const kind of kinds) {
    for (const dir of dirs) {
      const path = join(dir, kind);
      if (isExecutable(path)) return { kind, path };
    }
  }
  return undefined;
}

/** Finds any executable `name` on `pathEnv` (absolute entries only), e.g. `trivy`. */
export function findExecutable(
  pathEnv: string,
  name: string,
  isExecutable: (path: string) => boolean = isExecutableFile,
): string | undefined {
  for (const dir of pathEnv.split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue;
    const path = join(dir, name);
    if (isExecutable(path)) return path;
  }
  return undefined;
}

/** Where buildah/podman keep images: both folders under Slipway's cache. */
export interface BuilderStorage {
  root: string;
  runroot: string;
}

/** The storage location under a cache root: `<cache>/buildah/{root,runroot}`. */
export function builderStorage(cache: string): BuilderStorage {
  return { root: join(cache, 'buildah', 'root'), runroot: join(cache, 'buildah', 'runroot') };
}

/** One platform image to build. */
export interface BuildRequest {
  /** Absolute context folder. */
  context: string;
  /** Absolute Dockerfile path. */
  file: string;
  /** `linux/arm64`; undefined builds for the host. */
  platform?: string | undefined;
  buildArgs: readonly (readonly [string, string])[];
  labels: readonly (readonly [string, string])[];
  /** The run-private local name, e.g. `localhost/slipway-ci-20261127t094000z-1a2b3c:0`. */
  localName: string;
  /** Where the builder writes the image ID. */
  iidFile: string;
}

type Argv = [string, ...string[]];

/** `--root … --runroot … --storage-driver vfs` for buildah and podman. */
function storageArgs(tool: BuilderTool, storage: BuilderStorage): Argv {
  return [tool.path, '--root', storage.root, '--runroot', storage.runroot, '--storage-driver', 'vfs'];
}

function pairs(flag: string, items: readonly (readonly [string, string])[]): string[] {
  return items.flatMap(([k, v]) => [flag, `${k}=${v}`]);
}

/**
 * `buildah build` (or `podman build`) of one platform image under its local name.
 * @example buildArgv({ kind: 'buildah', path: '/usr/bin/buildah' }, storage, req)
 * // ['/usr/bin/buildah', '--root', …, 'build', '--isolation', 'chroot', '--file', …, '--platform', 'linux/arm64', '--tag', …, '--iidfile', …, ctx]
 */
export function buildArgv(tool: BuilderTool, storage: BuilderStorage, req: BuildRequest): Argv {
  return [
    ...storageArgs(tool, storage),
    'build',
    '--isolation',
    'chroot',
    '--file',
    req.file,
    ...(req.platform === undefined ? [] : ['--platform', req.platform]),
    '--tag',
    req.localName,
    '--iidfile',
    req.iidFile,
    ...pairs('--build-arg', req.buildArgs),
    ...pairs('--label', req.labels),
    req.context,
  ];
}

/** TLS options for a registry: plain HTTP (and no verification) only where allowed. */
function tlsArgs(insecure: boolean): string[] {
  return insecure ? ['--tls-verify=false'] : [];
}

/** `buildah push` of a local image to `docker://<reference>`, writing the pushed digest to `digestFile`. */
export function pushArgv(
  tool: BuilderTool,
  storage: BuilderStorage,
  options: { localName: string; reference: string; authFile: string; digestFile: string; insecure: boolean },
): Argv {
  return [
    ...storageArgs(tool, storage),
    'push',
    '--authfile',
    options.authFile,
    '--digestfile',
    options.digestFile,
    ...tlsArgs(options.insecure),
    options.localName,
    `docker://${options.reference}`,
  ];
}

/** `buildah manifest create <list>`. */
export function manifestCreateArgv(tool: BuilderTool, storage: BuilderStorage, list: string): Argv {
  return [...storageArgs(tool, storage), 'manifest', 'create', list];
}

/** `buildah manifest add <list> <image>` for a local image. */
export function manifestAddArgv(
  tool: BuilderTool,
  storage: BuilderStorage,
  list: string,
  image: string,
): Argv {
  return [...storageArgs(tool, storage), 'manifest', 'add', list, `containers-storage:${image}`];
}

/**
 * `buildah manifest push --all` of a local list to `docker://<reference>`. No `--digestfile`:
 * buildah 1.28 exits 0 with an empty digest file when such a push fails (an unauthorized blob
 * check, say), so the caller reads the digest back from the registry instead.
 */
export function manifestPushArgv(
  tool: BuilderTool,
  storage: BuilderStorage,
  options: { list: string; reference: string; authFile: string; insecure: boolean },
): Argv {
  return [
    ...storageArgs(tool, storage),
    'manifest',
    'push',
    '--all',
    '--authfile',
    options.authFile,
    ...tlsArgs(options.insecure),
    options.list,
    `docker://${options.reference}`,
  ];
}

/** `buildah push <image> oci-archive:<path>`: the image as a file, for a scanner. */
export function archiveArgv(tool: BuilderTool, storage: BuilderStorage, image: string, path: string): Argv {
  return [...storageArgs(tool, storage), 'push', image, `oci-archive:${path}`];
}

/** `buildah rmi -f <images…>`. */
export function removeImagesArgv(
  tool: BuilderTool,
  storage: BuilderStorage,
  images: readonly string[],
): Argv {
  return [...storageArgs(tool, storage), 'rmi', '-f', ...images];
}

/** `buildah manifest rm <list>`. */
export function removeManifestArgv(tool: BuilderTool, storage: BuilderStorage, list: string): Argv {
  return [...storageArgs(tool, storage), 'manifest', 'rm', list];
}

/**
 * `docker buildx build` of every platform at once, pushing (or loading) the tags itself; the
 * digest comes back in the metadata file as `containerimage.digest`.
 */
export function dockerBuildArgv(
  tool: BuilderTool,
  options: {
    context: string;
    file: string;
    platforms: readonly string[];
    tags: readonly string[];
    buildArgs: readonly (readonly [string, string])[];
    labels: readonly (readonly [string, string])[];
    push: boolean;
    metadataFile: string;
    iidFile: string;
  },
): Argv {
  return [
    tool.path,
    'buildx',
    'build',
    '--file',
    options.file,
    ...(options.platforms.length > 0 ? ['--platform', options.platforms.join(',')] : []),
    ...options.tags.flatMap((t) => ['--tag', t]),
    ...pairs('--build-arg', options.buildArgs),
    ...pairs('--label', options.labels),
    options.push ? '--push' : '--load',
    '--metadata-file',
    options.metadataFile,
    '--iidfile',
    options.iidFile,
    options.context,
  ];
}
