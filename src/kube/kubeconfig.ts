/**
 * Kubeconfig loading, as kubectl does it: `--kubeconfig`, else `$KUBECONFIG` (a list of files,
 * merged with the first file winning each name), else `~/.kube/config`, else the in-cluster
 * service account.
 *
 * The result is a {@link ClusterConnection}: the server, TLS material and one auth method, all
 * resolved (relative paths are relative to the kubeconfig file that named them). Every problem is
 * reported as `<file>: <field>: <what is wrong>`.
 *
 * @module
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { SlipwayError } from '../util/errors.ts';

/** An exec credential plugin, as in `users[].user.exec`. */
export interface ExecConfig {
  command: string;
  args: string[];
  env: Array<{ name: string; value: string }>;
  apiVersion: string;
  provideClusterInfo: boolean;
  interactiveMode: string | undefined;
  /** Directory relative commands are resolved against (the kubeconfig's folder). */
  baseDir: string;
}

export type AuthMethod =
  | { kind: 'none' }
  | { kind: 'token'; token: string }
  | { kind: 'tokenFile'; path: string }
  | { kind: 'basic'; username: string; password: string }
  | { kind: 'exec'; exec: ExecConfig };

/** Everything needed to talk to one API server. Secrets live only in memory. */
export interface ClusterConnection {
  /** Where this came from: a kubeconfig path and context, or `in-cluster`. */
  source: string;
  contextName: string;
  /** Default namespace of the context (`default` when unset). */
  namespace: string;
  /** The API server's base URL, without a trailing slash. */
  server: string;
  tls: {
    ca?: Buffer;
    cert?: Buffer;
    key?: Buffer;
    insecureSkipVerify: boolean;
    serverName?: string;
  };
  auth: AuthMethod;
  /** Impersonation headers (`as`, `as-groups`, `as-uid`). */
  impersonate?: { user: string; groups: string[]; uid?: string };
}

const ClusterSchema = z
  .object({
    server: z.string().min(1),
    'certificate-authority': z.string().optional(),
    'certificate-authority-data': z.string().optional(),
    'insecure-skip-tls-verify': z.boolean().optional(),
    'tls-server-name': z.string().optional(),
    'proxy-url': z.string().optional(),
    'disable-compression': z.boolean().optional(),
    extensions: z.array(z.unknown()).optional(),
  })
  .strict();

const ExecSchema = z
  .object({
    command: z.string().min(1),
    args: z.array(z.string()).nullish(),
    env: z.array(z.object({ name: z.string(), value: z.string() })).nullish(),
    apiVersion: z.string().min(1),
    installHint: z.string().optional(),
    provideClusterInfo: z.boolean().optional(),
    interactiveMode: z.string().optional(),
  })
  .strict();

// Known user fields; anything else is an auth method Slipway does not know, and saying so beats
// silently connecting as nobody.
const UserSchema = z
  .object({
    'client-certificate': z.string().optional(),
    'client-certificate-data': z.string().optional(),
    'client-key': z.string().optional(),
    'client-key-data': z.string().optional(),
    token: z.string().optional(),
    tokenFile: z.string().optional(),
    username: z.string().optional(),
    password: z.string().optional(),
    as: z.string().optional(),
    'as-uid': z.string().optional(),
    'as-groups': z.array(z.string()).nullish(),
    'as-user-extra': z.record(z.string(), z.array(z.string())).optional(),
    'auth-provider': z.object({ name: z.string() }).loose().optional(),
    exec: ExecSchema.optional(),
    extensions: z.array(z.unknown()).optional(),
  })
  .strict();

const ContextSchema = z
  .object({
    cluster: z.string().min(1),
    user: z.string().optional(),
    namespace: z.string().optional(),
    extensions: z.array(z.unknown()).optional(),
  })
  .strict();

const KubeconfigSchema = z
  .object({
    apiVersion: z.string().optional(),
    kind: z.string().optional(),
    'current-context': z.string().optional(),
    clusters: z.array(z.object({ name: z.string().min(1), cluster: ClusterSchema }).loose()).nullish(),
    users: z.array(z.object({ name: z.string().min(1), user: UserSchema }).loose()).nullish(),
    contexts: z.array(z.object({ name: z.string().min(1), context: ContextSchema }).loose()).nullish(),
    preferences: z.unknown().optional(),
    extensions: z.unknown().optional(),
  })
  .loose();

type KubeconfigFile = z.infer<typeof KubeconfigSchema>;

interface Entry<T> {
  value: T;
  file: string;
  /** Field path within the file, e.g. `users[2].user`. */
  field: string;
}

interface MergedKubeconfig {
  files: string[];
  currentContext: Entry<string> | undefined;
  clusters: Map<string, Entry<z.infer<typeof ClusterSchema>>>;
  users: Map<string, Entry<z.infer<typeof UserSchema>>>;
  contexts: Map<string, Entry<z.infer<typeof ContextSchema>>>;
}

export interface LoadKubeconfigOptions {
  /** An explicit kubeconfig path (like `--kubeconfig`); wins over `$KUBECONFIG`. */
  path?: string | undefined;
  /** The context to use instead of `current-context`. */
  context?: string | undefined;
  /** Environment to read `KUBECONFIG`, `HOME` and in-cluster variables from; default `process.env`. */
  env?: NodeJS.ProcessEnv;
}

function invalid(file: string, field: string, message: string, cause?: unknown): SlipwayError {
  return new SlipwayError(message, {
    subject: field ? `${file}: ${field}` : file,
    reason: 'InvalidKubeconfig',
    cause,
  });
}

function zodPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

function readKubeconfigFile(file: string): KubeconfigFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw invalid(
      file,
      '',
      `cannot read kubeconfig: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
      err,
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw invalid(file, '', `malformed YAML: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  if (raw === null || raw === undefined) return {};
  const parsed = KubeconfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const path = zodPath(issue.path);
    // An unknown key under users[].user is an auth method we do not support; name it as such.
    if (unknownKeys.length > 0 && /^users\[\d+\]\.user$/.test(path)) {
      throw invalid(file, `${path}.${unknownKeys[0]}`, 'unknown auth method or field');
    }
    const where = unknownKeys.length > 0 ? `${path ? `${path}.` : ''}${unknownKeys[0]}` : path;
    throw invalid(file, where, unknownKeys.length > 0 ? 'unknown field' : issue.message);
  }
  return parsed.data;
}

function kubeconfigFiles(options: LoadKubeconfigOptions): string[] {
  const env = options.env ?? process.env;
  if (options.path) return [resolve(options.path)];
  const fromEnv = (env['KUBECONFIG'] ?? '').split(':').filter((p) => p.length > 0);
  if (fromEnv.length > 0) return fromEnv.map((p) => resolve(p));
  return [join(env['HOME'] ?? homedir(), '.kube', 'config')];
}

function merge(files: string[], explicit: boolean): MergedKubeconfig {
  const merged: MergedKubeconfig = {
    files,
    currentContext: undefined,
    clusters: new Map(),
    users: new Map(),
    contexts: new Map(),
  };
  for (const file of files) {
    let data: KubeconfigFile;
    try {
      data = readKubeconfigFile(file);
    } catch (err) {
      // $KUBECONFIG may name files that do not exist yet (kubectl skips them); an explicit path may not.
      const missing = err instanceof SlipwayError && /ENOENT/.test(err.message);
      if (missing && !explicit && files.length > 1) continue;
      throw err;
    }
    if (data['current-context'] && !merged.currentContext) {
      merged.currentContext = { value: data['current-context'], file, field: 'current-context' };
    }
    // kubectl's merge rule: the first file that defines a name wins.
    (data.clusters ?? []).forEach((c, i) => {
      if (!merged.clusters.has(c.name))
        merged.clusters.set(c.name, { value: c.cluster, file, field: `clusters[${i}].cluster` });
    });
    (data.users ?? []).forEach((u, i) => {
      if (!merged.users.has(u.name))
        merged.users.set(u.name, { value: u.user, file, field: `users[${i}].user` });
    });
    (data.contexts ?? []).forEach((c, i) => {
      if (!merged.contexts.has(c.name))
        merged.contexts.set(c.name, { value: c.context, file, field: `contexts[${i}].context` });
    });
  }
  return merged;
}

function readPathOrData(
  entry: Entry<unknown>,
  pathField: string,
  dataField: string,
  path: string | undefined,
  data: string | undefined,
): Buffer | undefined {
  if (data !== undefined && data !== '') {
    const buf = Buffer.from(data, 'base64');
    if (buf.length === 0) throw invalid(entry.file, `${entry.field}.${dataField}`, 'is not valid base64');
    return buf;
  }
  if (path !== undefined && path !== '') {
    const abs = isAbsolute(path) ? path : resolve(dirname(entry.file), path);
    try {
      return readFileSync(abs);
    } catch (err) {
      throw invalid(
        entry.file,
        `${entry.field}.${pathField}`,
        `cannot read ${abs}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
        err,
      );
    }
  }
  return undefined;
}

function resolveAuth(user: Entry<z.infer<typeof UserSchema>> | undefined): AuthMethod {
  if (!user) return { kind: 'none' };
  const u = user.value;
  if (u['auth-provider']) {
    throw invalid(
      user.file,
      `${user.field}.auth-provider`,
      `auth provider "${u['auth-provider'].name}" is not supported; use an exec credential plugin instead`,
    );
  }
  if (u.exec) {
    return {
      kind: 'exec',
      exec: {
        command: u.exec.command,
        args: u.exec.args ?? [],
        env: u.exec.env ?? [],
        apiVersion: u.exec.apiVersion,
        provideClusterInfo: u.exec.provideClusterInfo ?? false,
        interactiveMode: u.exec.interactiveMode,
        baseDir: dirname(user.file),
      },
    };
  }
  if (u.token) return { kind: 'token', token: u.token };
  if (u.tokenFile) {
    const abs = isAbsolute(u.tokenFile) ? u.tokenFile : resolve(dirname(user.file), u.tokenFile);
    try {
      readFileSync(abs);
    } catch (err) {
      throw invalid(user.file, `${user.field}.tokenFile`, `cannot read ${abs}`, err);
    }
    return { kind: 'tokenFile', path: abs };
  }
  if (u.username !== undefined && u.password !== undefined) {
    return { kind: 'basic', username: u.username, password: u.password };
  }
  return { kind: 'none' };
}

/** Loads the in-cluster configuration of a Pod's service account. */
export function loadInClusterConnection(
  env: NodeJS.ProcessEnv = process.env,
  root = '/var/run/secrets/kubernetes.io/serviceaccount',
): ClusterConnection {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (!host || !port) {
    throw new SlipwayError('not running in a cluster (KUBERNETES_SERVICE_HOST/PORT unset)', {
      subject: 'in-cluster',
      reason: 'InvalidKubeconfig',
    });
  }
  const read = (name: string) => {
    try {
      return readFileSync(join(root, name));
    } catch (err) {
      throw new SlipwayError(`cannot read ${join(root, name)}`, {
        subject: 'in-cluster',
        reason: 'InvalidKubeconfig',
        cause: err,
      });
    }
  };
  const hostPart = host.includes(':') ? `[${host}]` : host;
  return {
    source: 'in-cluster',
    contextName: 'in-cluster',
    namespace: read('namespace').toString('utf8').trim() || 'default',
    server: `https://${hostPart}:${port}`,
    tls: { ca: read('ca.crt'), insecureSkipVerify: false },
    auth: { kind: 'tokenFile', path: join(root, 'token') },
  };
}

/**
 * Loads a kubeconfig and resolves one context into a {@link ClusterConnection}.
 * Throws a {@link SlipwayError} (reason `InvalidKubeconfig`) naming the file and field at fault.
 */
export function loadKubeconfig(options: LoadKubeconfigOptions = {}): ClusterConnection {
  const env = options.env ?? process.env;
  const files = kubeconfigFiles(options);
  const explicit = Boolean(options.path);
  const noConfigAnywhere = !explicit && !env['KUBECONFIG'];
  if (noConfigAnywhere && env['KUBERNETES_SERVICE_HOST']) {
    try {
      readFileSync(files[0]!);
    } catch {
      return loadInClusterConnection(env);
    }
  }
  const merged = merge(files, explicit);
  const primary = files[0]!;

  const contextName = options.context ?? merged.currentContext?.value;
  if (!contextName) throw invalid(primary, 'current-context', 'is not set and no context was given');
  const context = merged.contexts.get(contextName);
  if (!context) {
    const where = options.context ? primary : merged.currentContext!.file;
    throw invalid(
      where,
      options.context ? 'contexts' : 'current-context',
      `context "${contextName}" not found`,
    );
  }
  const cluster = merged.clusters.get(context.value.cluster);
  if (!cluster)
    throw invalid(context.file, `${context.field}.cluster`, `cluster "${context.value.cluster}" not found`);
  const userName = context.value.user;
  const user = userName ? merged.users.get(userName) : undefined;
  if (userName && !user) throw invalid(context.file, `${context.field}.user`, `user "${userName}" not found`);

  let server: URL;
  try {
    server = new URL(cluster.value.server);
  } catch (err) {
    throw invalid(cluster.file, `${cluster.field}.server`, `"${cluster.value.server}" is not a URL`, err);
  }
  if (server.protocol !== 'https:' && server.protocol !== 'http:') {
    throw invalid(cluster.file, `${cluster.field}.server`, `scheme ${server.protocol} is not http or https`);
  }

  const tls: ClusterConnection['tls'] = {
    insecureSkipVerify: cluster.value['insecure-skip-tls-verify'] ?? false,
  };
  const ca = readPathOrData(
    cluster,
    'certificate-authority',
    'certificate-authority-data',
    cluster.value['certificate-authority'],
    cluster.value['certificate-authority-data'],
  );
  if (ca) tls.ca = ca;
  if (cluster.value['tls-server-name']) tls.serverName = cluster.value['tls-server-name'];
  if (user) {
    const cert = readPathOrData(
      user,
      'client-certificate',
      'client-certificate-data',
      user.value['client-certificate'],
      user.value['client-certificate-data'],
    );
    const key = readPathOrData(
      user,
      'client-key',
      'client-key-data',
      user.value['client-key'],
      user.value['client-key-data'],
    );
    if (Boolean(cert) !== Boolean(key)) {
      throw invalid(
        user.file,
        `${user.field}.${cert ? 'client-key' : 'client-certificate'}`,
        'a client certificate needs both a certificate and a key',
      );
    }
    if (cert && key) {
      tls.cert = cert;
      tls.key = key;
    }
  }

  const connection: ClusterConnection = {
    source: `${cluster.file} (context ${contextName})`,
    contextName,
    namespace: context.value.namespace || 'default',
    server: server.href.replace(/\/$/, ''),
    tls,
    auth: resolveAuth(user),
  };
  if (user?.value.as) {
    connection.impersonate = { user: user.value.as, groups: user.value['as-groups'] ?? [] };
    if (user.value['as-uid']) connection.impersonate.uid = user.value['as-uid'];
  }
  return connection;
}
