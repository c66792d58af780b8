/**
 * The docker actions of a delivery workflow, run natively:
 *
 * - `docker/setup-buildx-action` chooses the builder (buildah, else podman, else docker, as found
 *   on the step's `PATH`) and reports the platforms it can build;
 * - `docker/login-action` verifies credentials against the registry (`GET /v2/` through Slipway's
 *   own client) and keeps them for this run only, in the run's auth file;
 * - `docker/build-push-action` builds each buildable platform with buildah (`--isolation chroot`,
 *   `vfs` storage under Slipway's cache), assembles a manifest list when there are several, pushes
 *   every tag, checks the registry holds the digest that was pushed, and outputs `digest`,
 *   `imageid` and `metadata` as the action does.
 * @module
 */
import { mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import {
  isLoopbackHost,
  parseNormalizedNamed,
  RegistryClient,
  type RegistryCredentials,
} from '../registry/index.ts';
import { errorMessage, SlipwayError } from '../util/errors.ts';
import { inputBool, inputList, inputText, keyValueItems } from './action-inputs.ts';
import type { ActionHandler, ActionInvocation } from './actions.ts';
import {
  type BuilderTool,
  buildArgv,
  dockerBuildArgv,
  findBuilder,
  manifestAddArgv,
  manifestCreateArgv,
  manifestPushArgv,
  pushArgv,
} from './builder.ts';
import {
  dockerfileRunsCommands,
  hostArchitecture,
  planPlatforms,
  readBinfmtArchitectures,
} from './platforms.ts';
import type { CiRunState } from './run-state.ts';
import { runTool } from './tool.ts';

const subjectOf = (inv: ActionInvocation) => `step '${inv.stepName}'`;

/** Logs one line per input the handler does not act on, so nothing is ignored silently. */
function noteInputs(
  inv: ActionInvocation,
  known: readonly string[],
  ignored: Readonly<Record<string, string>>,
): void {
  for (const [name, value] of Object.entries(inv.inputs)) {
    if (known.includes(name) || inputText(value) === '') continue;
    const why = ignored[name];
    inv.log(
      why !== undefined
        ? `note: input '${name}' is ignored: ${why}`
        : `warning: input '${name}' is not supported by Slipway's ${inv.uses.split('@')[0]} and is ignored`,
    );
  }
}

/** Whether Slipway talks to `host` without TLS verification (loopback, or listed as insecure). */
export function registryIsInsecure(host: string, insecure: readonly string[]): boolean {
  return isLoopbackHost(host) || insecure.includes(host);
}

/** The environment buildah/podman/docker run with: nothing of the workflow's, the run's auth only. */
function toolEnv(inv: ActionInvocation, state: CiRunState): NodeJS.ProcessEnv {
  const tmp = join(state.runDir, 'tmp');
  mkdirSync(tmp, { recursive: true });
  const env: NodeJS.ProcessEnv = {
    PATH: inv.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: inv.env['HOME'] ?? state.runDir,
    TMPDIR: tmp,
    REGISTRY_AUTH_FILE: state.authFile,
    BUILDAH_ISOLATION: 'chroot',
    STORAGE_DRIVER: 'vfs',
    DOCKER_CONFIG: join(state.runDir, 'docker'),
  };
  for (const k of [
    'LANG',
    'TZ',
    'HTTP_PROXY',
    'HTTPS_PROXY',
    'NO_PROXY',
    'http_proxy',
    'https_proxy',
    'no_proxy',
  ]) {
    const v = inv.env[k];
    if (v !== undefined) env[k] = v;
  }
  return env;
}

/** The builder of the run, chosen on first use. */
function chooseBuilder(inv: ActionInvocation, state: CiRunState): BuilderTool {
  if (state.builder !== undefined) return state.builder;
  const tool = findBuilder(inv.env['PATH'] ?? '');
  if (tool === undefined) {
    throw new SlipwayError(
      'no image builder is installed: looked for buildah, podman and docker on PATH; install buildah (apt-get install buildah)',
      { subject: subjectOf(inv), reason: 'BuilderNotFound' },
    );
  }
  state.builder = tool;
  return tool;
}

function emulated(state: CiRunState): ReadonlySet<string> {
  return state.settings.emulatedArchitectures ?? readBinfmtArchitectures();
}

/** `docker/setup-buildx-action`: picks the builder and says what it can build. */
export const setupBuildxAction: ActionHandler = {
  name: 'docker/setup-buildx-action',
  run: async (inv) => {
    noteInputs(inv, [], {
      version: 'Slipway drives the installed buildah, podman or docker',
      driver: 'Slipway drives the installed buildah, podman or docker',
      'driver-opts': 'Slipway drives the installed buildah, podman or docker',
      install: 'nothing is installed by the runner',
      'buildkitd-flags': 'no BuildKit daemon is started',
      'buildkitd-config': 'no BuildKit daemon is started',
      'buildkitd-config-inline': 'no BuildKit daemon is started',
      use: 'the chosen builder is always used',
      cleanup: 'the run removes what it built',
      platforms: 'the platforms come from the build step',
    });
    const tool = chooseBuilder(inv, inv.run);
    const version = await runTool({
      argv: [tool.path, '--version'],
      cwd: inv.workspace,
      env: toolEnv(inv, inv.run),
      signal: inv.signal,
      log: inv.log,
      subject: subjectOf(inv),
      what: `${tool.kind} version check`,
    });
    const platforms = [hostArchitecture(), ...emulated(inv.run)]
      .filter((a, i, all) => all.indexOf(a) === i)
      .map((a) => `linux/${a}`);
    const storage =
      tool.kind === 'docker' ? 'the docker daemon' : `vfs storage in ${inv.run.settings.storage.root}`;
    const note = `builder: ${version.stdout[0]?.trim() || tool.kind} (${tool.path}), ${storage}; platforms with RUN steps: ${platforms.join(', ')}`;
    inv.log(note);
    return {
      note,
      outputs: {
        name: `slipway-${tool.kind}`,
        driver: tool.kind,
        platforms: platforms.join(','),
        nodes: JSON.stringify([
          { name: `slipway-${tool.kind}0`, platforms: platforms.join(','), status: 'running' },
        ]),
        status: 'running',
        flags: '',
        endpoint: tool.path,
      },
    };
  },
};

/**
 * `docker/login-action`. Credentials are verified against the registry before they are kept; a
 * login with no credentials at all is skipped when the registry needs none (the seed's
 * `secrets.GITHUB_TOKEN` is empty outside GitHub), and fails naming the registry otherwise.
 */
export const loginAction: ActionHandler = {
  name: 'docker/login-action',
  run: async (inv) => {
    noteInputs(inv, ['registry', 'username', 'password'], {
      logout: 'the credentials are dropped when the run ends',
      ecr: 'Amazon ECR login is not supported; give a username and password',
      scope: 'scoped Docker Hub logins are not supported',
    });
    const registry = inputText(inv.inputs['registry']).trim() || 'docker.io';
    const username = inputText(inv.inputs['username']);
    const password = inputText(inv.inputs['password']);
    const subject = subjectOf(inv);
    if (password !== '') inv.addMask(password);
    const insecure = registryIsInsecure(registry, inv.run.settings.insecureRegistries);
    // The seed passes `github.actor` and `secrets.GITHUB_TOKEN`: outside GitHub the token is empty,
    // so no password means no login, whatever the username.
    if (password === '') {
      const client = new RegistryClient({ host: registry, timeoutMs: 15_000, insecure });
      try {
        await client.ping({ signal: inv.signal });
      } catch (err) {
        throw new SlipwayError(
          `no credentials were given (username ${username === '' ? 'empty' : 'set'}, password empty) and registry ${registry} does not accept anonymous access: ${errorMessage(err)}`,
          { subject, reason: 'RegistryLoginFailed', cause: err },
        );
      } finally {
        await client.close();
      }
      const note = `login skipped: empty credentials, and registry ${registry} needs none`;
      inv.log(note);
      return { skipped: true, note };
    }
    if (username === '') {
      throw new SlipwayError(`registry ${registry}: a password was given without a username`, {
        subject,
        reason: 'RegistryLoginFailed',
      });
    }
    inv.addMask(Buffer.from(`${username}:${password}`).toString('base64'));
    const client = new RegistryClient({
      host: registry,
      credentials: { username, password },
      timeoutMs: 15_000,
      insecure,
    });
    try {
      await client.ping({ signal: inv.signal });
    } catch (err) {
      throw new SlipwayError(
        `login to registry ${registry} as ${JSON.stringify(username)} failed: ${errorMessage(err)}`,
        {
          subject,
          reason: 'RegistryLoginFailed',
          cause: err,
        },
      );
    } finally {
      await client.close();
    }
    inv.run.addLogin(registry, username, password);
    const note = `logged in to ${registry} as ${JSON.stringify(username)} (credentials kept for this run only)`;
    inv.log(note);
    return { note };
  },
};

/** A path input resolved inside the checkout; symbolic links may not lead out of it. */
function insideWorkspace(inv: ActionInvocation, input: string, value: string): string {
  const root = realpathSync(inv.workspace);
  const wanted = resolve(inv.workspace, value);
  let real: string;
  try {
    real = realpathSync(wanted);
  } catch {
    throw new SlipwayError(`input '${input}': ${JSON.stringify(value)} does not exist in the checkout`, {
      subject: subjectOf(inv),
      reason: 'InvalidActionInput',
    });
  }
  const rel = relative(root, real);
  if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new SlipwayError(`input '${input}': ${JSON.stringify(value)} is outside the checkout`, {
      subject: subjectOf(inv),
      reason: 'InvalidActionInput',
    });
  }
  return real;
}

/** One tag to push: as written, and split for the registry client. */
interface PushTarget {
  reference: string;
  registry: string;
  repository: string;
  tag: string;
}

function pushTargets(inv: ActionInvocation, tags: readonly string[]): PushTarget[] {
  return tags.map((reference) => {
    try {
      const ref = parseNormalizedNamed(reference);
      if (ref.digest !== undefined) throw new Error('a tag to push cannot name a digest');
      return { reference, registry: ref.domain, repository: ref.path, tag: ref.tag ?? 'latest' };
    } catch (err) {
      throw new SlipwayError(
        `input 'tags': ${JSON.stringify(reference)} is not an image reference: ${errorMessage(err)}`,
        {
          subject: subjectOf(inv),
          reason: 'InvalidActionInput',
          cause: err,
        },
      );
    }
  });
}

const BUILD_KNOWN = [
  'context',
  'file',
  'tags',
  'push',
  'build-args',
  'labels',
  'platforms',
  'cache-from',
  'cache-to',
];

/** The build-push inputs, read and checked. */
interface BuildInputs {
  context: string;
  file: string;
  tags: string[];
  targets: PushTarget[];
  push: boolean;
  buildArgs: [string, string][];
  labels: [string, string][];
  platforms: string[];
}

/** Reads and checks every input before anything is built; paths stay inside the checkout. */
function readBuildInputs(inv: ActionInvocation): BuildInputs {
  const subject = subjectOf(inv);
  noteInputs(inv, BUILD_KNOWN, {
    load: 'images stay in the builder storage of the run and are removed when it ends',
    provenance: 'no attestations are produced',
    sbom: 'no attestations are produced',
    'github-token': 'the checkout is the build context',
    builder: 'the builder chosen by setup-buildx (or found on PATH) is used',
  });
  for (const name of ['cache-from', 'cache-to']) {
    const items = inputList(inv.inputs[name], { ignoreComma: true });
    if (items.length === 0) continue;
    const gha = items.every((i) => /(^|,)\s*type=gha(\s*,|$)/.test(i));
    inv.log(
      `note: ${name} ${items.join('; ')} is ignored${gha ? ': the GitHub Actions cache exists only on GitHub' : ''}`,
    );
  }
  const context = insideWorkspace(inv, 'context', inputText(inv.inputs['context']).trim() || '.');
  const fileInput = inputText(inv.inputs['file']).trim();
  const file = insideWorkspace(inv, 'file', fileInput === '' ? join(context, 'Dockerfile') : fileInput);
  const tags = inputList(inv.inputs['tags']);
  const push = inputBool(inv.inputs['push'], 'push', false, subject);
  const targets = pushTargets(inv, tags);
  if (push && targets.length === 0) {
    throw new SlipwayError("input 'push' is true but 'tags' names no image to push", {
      subject,
      reason: 'InvalidActionInput',
    });
  }
  const pairs = (name: string) =>
    keyValueItems(inputList(inv.inputs[name], { ignoreComma: true }), name, subject);
  return {
    context,
    file,
    tags,
    targets,
    push,
    buildArgs: pairs('build-args'),
    labels: pairs('labels'),
    platforms: inputList(inv.inputs['platforms']),
  };
}

/** The platforms to build, with a warning for each one skipped. */
function platformPlan(inv: ActionInvocation, inputs: BuildInputs): string[] {
  const plan = planPlatforms(
    inputs.platforms,
    {
      native: { os: 'linux', architecture: hostArchitecture() },
      emulated: emulated(inv.run),
      runsCommands: dockerfileRunsCommands(readFileSync(inputs.file, 'utf8')),
    },
    { strict: inv.run.settings.strictPlatforms, subject: subjectOf(inv) },
  );
  for (const s of plan.skipped) inv.log(`warning: platform ${s.platform} is skipped: ${s.reason}`);
  for (const p of plan.build) {
    if (plan.how[p] === 'no-run')
      inv.log(`note: ${p} is built without an emulator: the Dockerfile runs no commands`);
  }
  return plan.build;
}

/** What a buildah/podman build left in the run's storage. */
interface BuiltImages {
  /** One per platform (one for the host when none was asked). */
  images: { name: string; id: string; platform: string | undefined }[];
  /** The local manifest list, when there are several platforms. */
  list: string | undefined;
}

const withAlgorithm = (id: string) => (id.startsWith('sha256:') ? id : `sha256:${id}`);

/** Runs a builder command of the step, under its signal, logging its output. */
function stepTool(inv: ActionInvocation) {
  const env = toolEnv(inv, inv.run);
  return (argv: [string, ...string[]], what: string) =>
    runTool({
      argv,
      cwd: inv.workspace,
      env,
      signal: inv.signal,
      log: inv.log,
      subject: subjectOf(inv),
      what,
    });
}

/** Builds each platform under a run-private name, then a manifest list when there are several. */
async function buildImages(
  inv: ActionInvocation,
  tool: BuilderTool,
  inputs: BuildInputs,
  platforms: readonly string[],
): Promise<BuiltImages> {
  const state = inv.run;
  const storage = state.settings.storage;
  const run = stepTool(inv);
  const images: BuiltImages['images'] = [];
  for (const platform of platforms.length > 0 ? platforms : [undefined]) {
    const localName = state.nextLocalName();
    const iidFile = join(state.runDir, `${localName.split(':').at(-1)}.iid`);
    // Recorded before the build, so even a half-finished build is removed at the end.
    state.built(tool, localName, 'image');
    await run(
      buildArgv(tool, storage, { ...inputs, platform, localName, iidFile }),
      `build${platform === undefined ? '' : ` for ${platform}`}`,
    );
    images.push({ name: localName, id: withAlgorithm(readFileSync(iidFile, 'utf8').trim()), platform });
  }
  if (images.length < 2) return { images, list: undefined };
  const list = state.nextLocalName();
  state.built(tool, list, 'manifest');
  await run(manifestCreateArgv(tool, storage, list), 'manifest list creation');
  for (const image of images) {
    await run(
      manifestAddArgv(tool, storage, list, image.name),
      `manifest list entry ${image.platform ?? ''}`,
    );
  }
  return { images, list };
}

/**
 * Pushes every tag and records each with the digest the registry holds; returns the first digest.
 * A single image's digest comes from buildah's `--digestfile` and is checked against the registry;
 * a list's is read from the registry and checked to be the list built here (see manifestPushArgv).
 */
async function pushTags(
  inv: ActionInvocation,
  tool: BuilderTool,
  targets: readonly PushTarget[],
  built: BuiltImages,
): Promise<string> {
  const state = inv.run;
  const storage = state.settings.storage;
  const run = stepTool(inv);
  let first = '';
  for (const target of targets) {
    const insecure = registryIsInsecure(target.registry, state.settings.insecureRegistries);
    const what = `push of ${target.reference} to registry ${target.registry}`;
    const login = state.login(target.registry);
    const common = { reference: target.reference, authFile: state.authFile, insecure };
    let pushed: string;
    if (built.list === undefined) {
      const digestFile = join(state.runDir, `push-${state.published.length}.digest`);
      writeFileSync(digestFile, '');
      await run(
        pushArgv(tool, storage, { ...common, localName: built.images[0]?.name ?? '', digestFile }),
        what,
      );
      pushed = readFileSync(digestFile, 'utf8').trim();
      if (!/^sha256:[a-f0-9]{64}$/.test(pushed)) {
        throw new SlipwayError(`the ${what} reported success but no digest`, {
          subject: subjectOf(inv),
          reason: 'ToolFailed',
        });
      }
      await verifyPushed(inv, target, pushed, login, insecure);
    } else {
      await run(manifestPushArgv(tool, storage, { ...common, list: built.list }), what);
      const ids = built.images.map((i) => i.id);
      pushed = await registryIndexDigest(inv, target, ids, login, insecure);
    }
    state.published.push({ reference: target.reference, digest: pushed });
    inv.log(`pushed ${target.reference}@${pushed}`);
    if (first === '') first = pushed;
  }
  return first;
}

/**
 * `docker/build-push-action`: read the inputs, plan the platforms, build, push every tag, and
 * answer with the action's outputs (`digest`, `imageid`, `metadata`).
 */
export const buildPushAction: ActionHandler = {
  name: 'docker/build-push-action',
  run: async (inv) => {
    const inputs = readBuildInputs(inv);
    const platforms = platformPlan(inv, inputs);
    const tool = chooseBuilder(inv, inv.run);
    if (tool.kind === 'docker')
      return dockerBuildPush(inv, tool, toolEnv(inv, inv.run), { ...inputs, platforms });

    const built = await buildImages(inv, tool, inputs, platforms);
    // The scanner reads what was built for this host, by the reference the workflow scans.
    const native = built.images.find((i) => i.platform === `linux/${hostArchitecture()}`) ?? built.images[0];
    if (native !== undefined) {
      for (const t of inputs.targets) inv.run.localImages.set(t.reference, { tool, name: native.name });
    }
    const digest = inputs.push ? await pushTags(inv, tool, inputs.targets, built) : '';
    if (!inputs.push) {
      inv.log(
        `push is false: the image is built and not pushed${inputs.tags.length > 0 ? ` (${inputs.tags.join(', ')})` : ''}`,
      );
    }
    const imageId = native?.id ?? '';
    const metadata: Record<string, string> = {
      'image.name': inputs.tags.join(','),
      'containerimage.config.digest': imageId,
    };
    if (digest !== '') metadata['containerimage.digest'] = digest;
    const what = `built ${platforms.join(', ') || 'the host platform'}`;
    return {
      outputs: { digest, imageid: imageId, metadata: JSON.stringify(metadata) },
      note: inputs.push
        ? `${what} and pushed ${inputs.targets.length} tag(s) at ${digest}`
        : `${what}; not pushed`,
    };
  },
};

/** A client for the push target's registry, with the run's credentials. */
function registryClientFor(
  target: PushTarget,
  credentials: RegistryCredentials | undefined,
  insecure: boolean,
): RegistryClient {
  return new RegistryClient({
    host: target.registry,
    insecure,
    timeoutMs: 30_000,
    ...(credentials === undefined ? {} : { credentials }),
  });
}

/** The digest the registry holds under the tag (a HEAD with the run's credentials). */
async function registryDigest(
  inv: ActionInvocation,
  target: PushTarget,
  credentials: RegistryCredentials | undefined,
  insecure: boolean,
): Promise<string> {
  const client = registryClientFor(target, credentials, insecure);
  try {
    return (await client.headManifest(target.repository, target.tag, { signal: inv.signal })).digest;
  } catch (err) {
    throw new SlipwayError(
      `the push of ${target.reference} to registry ${target.registry} did not land: ${errorMessage(err)}`,
      { subject: subjectOf(inv), reason: 'PushFailed', cause: err },
    );
  } finally {
    await client.close();
  }
}

/**
 * Asks the registry what the tag now names, so the run records only what the registry really holds.
 * @throws {SlipwayError} `DigestMismatch`, or `PushFailed` naming the registry.
 */
async function verifyPushed(
  inv: ActionInvocation,
  target: PushTarget,
  pushed: string,
  credentials: RegistryCredentials | undefined,
  insecure: boolean,
): Promise<void> {
  const held = await registryDigest(inv, target, credentials, insecure);
  if (held !== pushed) {
    throw new SlipwayError(
      `registry ${target.registry} holds ${held} under ${target.reference}, but ${pushed} was pushed (another push raced this one?)`,
      { subject: subjectOf(inv), reason: 'DigestMismatch' },
    );
  }
}

/**
 * The digest of the index the registry holds under the tag, checked to be the list the run built:
 * its platform images must carry exactly the run's image configs (a config digest is the image
 * ID, unchanged by the layer compression of a push). A list push that silently failed leaves an
 * older index, or none, under the tag.
 * @throws {SlipwayError} `PushFailed` naming the registry.
 */
async function registryIndexDigest(
  inv: ActionInvocation,
  target: PushTarget,
  imageIds: readonly string[],
  credentials: RegistryCredentials | undefined,
  insecure: boolean,
): Promise<string> {
  const client = registryClientFor(target, credentials, insecure);
  let digest: string;
  const configs: string[] = [];
  try {
    const index = await client.getManifest(target.repository, target.tag, { signal: inv.signal });
    digest = index.digest;
    const children = index.parsed.kind === 'index' ? index.parsed.index.manifests : [];
    for (const child of children) {
      const image = await client.getManifest(target.repository, child.digest, { signal: inv.signal });
      if (image.parsed.kind === 'image') configs.push(image.parsed.manifest.config.digest);
    }
  } catch (err) {
    throw new SlipwayError(
      `the push of ${target.reference} to registry ${target.registry} did not land: ${errorMessage(err)}`,
      { subject: subjectOf(inv), reason: 'PushFailed', cause: err },
    );
  } finally {
    await client.close();
  }
  if ([...configs].sort().join(',') !== [...imageIds].sort().join(',')) {
    throw new SlipwayError(
      `the push of ${target.reference} to registry ${target.registry} did not land: the registry holds ${digest}, which is not the list this run built`,
      { subject: subjectOf(inv), reason: 'PushFailed' },
    );
  }
  return digest;
}

/** docker: `docker buildx build` builds every platform and pushes every tag in one call. */
async function dockerBuildPush(
  inv: ActionInvocation,
  tool: BuilderTool,
  env: NodeJS.ProcessEnv,
  o: BuildInputs,
) {
  const state = inv.run;
  const dockerConfig = join(state.runDir, 'docker');
  mkdirSync(dockerConfig, { recursive: true, mode: 0o700 });
  writeFileSync(join(dockerConfig, 'config.json'), readFileSync(state.authFile), { mode: 0o600 });
  const metadataFile = join(state.runDir, 'docker-metadata.json');
  const iidFile = join(state.runDir, 'docker.iid');
  await runTool({
    argv: dockerBuildArgv(tool, { ...o, metadataFile, iidFile }),
    cwd: inv.workspace,
    env,
    signal: inv.signal,
    log: inv.log,
    subject: subjectOf(inv),
    what: o.push ? `build and push of ${o.tags.join(', ')}` : 'build',
  });
  const meta: unknown = JSON.parse(readFileSync(metadataFile, 'utf8'));
  const digestValue =
    meta !== null && typeof meta === 'object' && 'containerimage.digest' in meta
      ? meta['containerimage.digest']
      : undefined;
  const digest = typeof digestValue === 'string' ? digestValue : '';
  if (o.push) {
    for (const t of o.targets) {
      await verifyPushed(
        inv,
        t,
        digest,
        state.login(t.registry),
        registryIsInsecure(t.registry, state.settings.insecureRegistries),
      );
      state.published.push({ reference: t.reference, digest });
    }
  }
  const imageId = readFileSync(iidFile, 'utf8').trim();
  return { outputs: { digest, imageid: imageId, metadata: JSON.stringify(meta) } };
}
