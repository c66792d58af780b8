/**
 * The Kubernetes client: plain-JSON reads and writes against one API server.
 *
 * Writes are server-side apply first (`apply`), with `dryRun` and strict field validation; status
 * goes through the status subresource. Lists are paginated; watches are raw streams here and
 * become a cache in {@link Informer}.
 * @module
 */
import { SlipwayError } from '../util/errors.ts';
import { Discovery, type ResourceInfo } from './discovery.ts';
import { isNotFound } from './errors.ts';
import { type ClusterConnection, type LoadKubeconfigOptions, loadKubeconfig } from './kubeconfig.ts';
import { KubeTransport, type TransportOptions } from './transport.ts';
import { describeRef, type KubeList, type KubeObject, type ObjectRef, type ResourceQuery } from './types.ts';
import { type RawWatchEvent, readWatchEvents } from './watch-stream.ts';

export interface ApplyOptions {
  /** Who owns the applied fields; default `slipway`. */
  fieldManager?: string;
  /** Take ownership of fields another manager owns instead of failing with a conflict. */
  force?: boolean;
  /** Validate and compute the result without persisting it (`dryRun=All`). */
  dryRun?: boolean;
  /** How unknown or duplicate fields are treated; default `Strict` (rejected). */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
  signal?: AbortSignal;
}

export interface DeleteOptions {
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  gracePeriodSeconds?: number;
  dryRun?: boolean;
  /** Only delete if the object still has this uid / resourceVersion. */
  preconditions?: { uid?: string; resourceVersion?: string };
  signal?: AbortSignal;
}

export interface ListOptions {
  /** Page size; default 500. */
  limit?: number;
  signal?: AbortSignal;
}

export interface WatchRequest extends ResourceQuery {
  /** Start after this resourceVersion; omit to get synthetic ADDED events for current state. */
  resourceVersion?: string | undefined;
  allowWatchBookmarks?: boolean;
  /** Server-side timeout of the watch; the stream ends cleanly after it. */
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

const PATCH_CONTENT_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface KubeClientOptions extends LoadKubeconfigOptions, TransportOptions {}

export class KubeClient {
  readonly transport: KubeTransport;
  readonly discovery: Discovery;

  constructor(transport: KubeTransport, discovery = new Discovery(transport)) {
    this.transport = transport;
    this.discovery = discovery;
  }

  /** Loads a kubeconfig (see {@link loadKubeconfig}) and connects lazily. */
  static fromKubeconfig(options: KubeClientOptions = {}): KubeClient {
    return KubeClient.fromConnection(loadKubeconfig(options), options);
  }

  static fromConnection(connection: ClusterConnection, options: TransportOptions = {}): KubeClient {
    return new KubeClient(new KubeTransport(connection, options));
  }

  get connection(): ClusterConnection {
    return this.transport.connection;
  }

  /** The server's `/version` answer. */
  version(
    signal?: AbortSignal,
  ): Promise<{ gitVersion: string; major: string; minor: string; platform?: string }> {
    return this.transport.request({ path: '/version', ...(signal ? { signal } : {}) });
  }

  /** The URL path of a kind's collection, or of one object when `name` is given. */
  async pathFor(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name?: string,
    signal?: AbortSignal,
  ): Promise<{ path: string; info: ResourceInfo }> {
    const info = await this.discovery.resourceFor(apiVersion, kind, signal);
    const base = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
    if (info.namespaced && !namespace && name !== undefined) {
      throw new SlipwayError('a namespaced object needs metadata.namespace', {
        subject: describeRef({ kind, name }),
        reason: 'InvalidObject',
      });
    }
    const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    const tail = name === undefined ? '' : `/${encodeURIComponent(name)}`;
    return { path: `${base}${ns}/${info.resource}${tail}`, info };
  }

  /** Reads one object; `undefined` when it does not exist. */
  async get<T extends KubeObject = KubeObject>(ref: ObjectRef, signal?: AbortSignal): Promise<T | undefined> {
    const { path } = await this.pathFor(ref.apiVersion, ref.kind, ref.namespace, ref.name, signal);
    try {
      return await this.transport.request<T>({
        path,
        subject: describeRef(ref),
        ...(signal ? { signal } : {}),
      });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Lists page by page (`limit` + `continue`), yielding each page. */
  async *listPages<T extends KubeObject = KubeObject>(
    query: ResourceQuery,
    options: ListOptions = {},
  ): AsyncGenerator<KubeList<T>> {
    const { path } = await this.pathFor(
      query.apiVersion,
      query.kind,
      query.namespace,
      undefined,
      options.signal,
    );
    let continueToken: string | undefined;
    do {
      const page = await this.transport.request<KubeList<T>>({
        path,
        query: {
          limit: options.limit ?? 500,
          continue: continueToken,
          labelSelector: query.labelSelector,
          fieldSelector: query.fieldSelector,
        },
        subject: `${query.kind} list`,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      // List items carry no apiVersion/kind; restore them so each item is a whole object.
      for (const item of page.items) {
        item.apiVersion ??= query.apiVersion;
        item.kind ??= query.kind;
      }
      yield page;
      continueToken = page.metadata.continue || undefined;
    } while (continueToken);
  }

  /**
   * Lists every object matching `query`, across pages. The returned `resourceVersion` is the first
   * page's, which is where a watch must start to see every later change (pages are a consistent
   * snapshot as long as the continue token has not expired).
   */
  async list<T extends KubeObject = KubeObject>(
    query: ResourceQuery,
    options: ListOptions = {},
  ): Promise<{ items: T[]; resourceVersion: string }> {
    const items: T[] = [];
    let resourceVersion: string | undefined;
    for await (const page of this.listPages<T>(query, options)) {
      resourceVersion ??= page.metadata.resourceVersion;
      items.push(...page.items);
    }
    return { items, resourceVersion: resourceVersion ?? '' };
  }

  /** Server-side apply of a whole object; returns the object as the server has it afterwards. */
  async apply<T extends KubeObject = KubeObject>(obj: KubeObject, options: ApplyOptions = {}): Promise<T> {
    const name = obj.metadata?.name;
    if (!name)
      throw new SlipwayError('metadata.name is required', {
        subject: describeRef({ kind: obj.kind }),
        reason: 'InvalidObject',
      });
    return this.#applyTo<T>(obj, name, undefined, options);
  }

  /** Server-side apply of the status subresource (`obj` holds only the status fields you own). */
  async applyStatus<T extends KubeObject = KubeObject>(
    obj: KubeObject,
    options: ApplyOptions = {},
  ): Promise<T> {
    const name = obj.metadata?.name;
    if (!name)
      throw new SlipwayError('metadata.name is required', {
        subject: describeRef({ kind: obj.kind }),
        reason: 'InvalidObject',
      });
    return this.#applyTo<T>(obj, name, 'status', options);
  }

  async #applyTo<T>(
    obj: KubeObject,
    name: string,
    subresource: string | undefined,
    options: ApplyOptions,
  ): Promise<T> {
    const { path } = await this.pathFor(
      obj.apiVersion,
      obj.kind,
      obj.metadata.namespace,
      name,
      options.signal,
    );
    return this.transport.request<T>({
      method: 'PATCH',
      path: subresource ? `${path}/${subresource}` : path,
      query: {
        fieldManager: options.fieldManager ?? 'slipway',
        force: options.force ? true : undefined,
        dryRun: options.dryRun ? 'All' : undefined,
        fieldValidation: options.fieldValidation ?? 'Strict',
      },
      body: obj,
      contentType: PATCH_CONTENT_TYPES.apply,
      subject: describeRef({ kind: obj.kind, name, namespace: obj.metadata.namespace }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** Patches an object or its status subresource with a merge, strategic or JSON patch. */
  async patch<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    patch: unknown,
    options: {
      type?: Exclude<PatchType, 'apply'>;
      subresource?: 'status' | 'scale';
      fieldManager?: string;
      dryRun?: boolean;
      signal?: AbortSignal;
    } = {},
  ): Promise<T> {
    const { path } = await this.pathFor(ref.apiVersion, ref.kind, ref.namespace, ref.name, options.signal);
    return this.transport.request<T>({
      method: 'PATCH',
      path: options.subresource ? `${path}/${options.subresource}` : path,
      query: { fieldManager: options.fieldManager ?? 'slipway', dryRun: options.dryRun ? 'All' : undefined },
      body: patch,
      contentType: PATCH_CONTENT_TYPES[options.type ?? 'merge'],
      subject: describeRef(ref),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /** Merge-patches the status subresource. */
  patchStatus<T extends KubeObject = KubeObject>(
    ref: ObjectRef,
    status: unknown,
    options: { fieldManager?: string; signal?: AbortSignal } = {},
  ): Promise<T> {
    return this.patch<T>(ref, { status }, { ...options, subresource: 'status', type: 'merge' });
  }

  /** Creates an object (fails with 409 AlreadyExists if it exists). */
  async create<T extends KubeObject = KubeObject>(
    obj: KubeObject,
    options: { fieldManager?: string; dryRun?: boolean; signal?: AbortSignal } = {},
  ): Promise<T> {
    const { path } = await this.pathFor(
      obj.apiVersion,
      obj.kind,
      obj.metadata.namespace,
      undefined,
      options.signal,
    );
    return this.transport.request<T>({
      method: 'POST',
      path,
      query: {
        fieldManager: options.fieldManager ?? 'slipway',
        dryRun: options.dryRun ? 'All' : undefined,
        fieldValidation: 'Strict',
      },
      body: obj,
      subject: describeRef({
        kind: obj.kind,
        name: obj.metadata.name ?? obj.metadata.generateName,
        namespace: obj.metadata.namespace,
      }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  }

  /**
   * Deletes an object. Returns false when it was already gone. With `Foreground` propagation the
   * object stays (with a deletionTimestamp) until its dependents are gone.
   */
  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    const { path } = await this.pathFor(ref.apiVersion, ref.kind, ref.namespace, ref.name, options.signal);
    const body: Record<string, unknown> = { apiVersion: 'v1', kind: 'DeleteOptions' };
    if (options.propagationPolicy) body['propagationPolicy'] = options.propagationPolicy;
    if (options.gracePeriodSeconds !== undefined) body['gracePeriodSeconds'] = options.gracePeriodSeconds;
    if (options.dryRun) body['dryRun'] = ['All'];
    if (options.preconditions) body['preconditions'] = options.preconditions;
    try {
      await this.transport.request({
        method: 'DELETE',
        path,
        body,
        subject: describeRef(ref),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /**
   * Opens one watch connection and yields its events until the server ends it (after
   * `timeoutSeconds`), the connection drops, or `signal` aborts. An `ERROR` event is thrown as an
   * {@link ApiError} (410 Gone included; see `isGone`). Resuming and relisting are the
   * {@link Informer}'s job.
   */
  async *watch<T extends KubeObject = KubeObject>(request: WatchRequest): AsyncGenerator<RawWatchEvent<T>> {
    const { path } = await this.pathFor(
      request.apiVersion,
      request.kind,
      request.namespace,
      undefined,
      request.signal,
    );
    const stream = await this.transport.stream({
      path,
      query: {
        watch: 1,
        resourceVersion: request.resourceVersion,
        allowWatchBookmarks: request.allowWatchBookmarks ?? true,
        timeoutSeconds: request.timeoutSeconds,
        labelSelector: request.labelSelector,
        fieldSelector: request.fieldSelector,
      },
      subject: `${request.kind} watch`,
      ...(request.signal ? { signal: request.signal } : {}),
    });
    try {
      yield* readWatchEvents<T>(stream.body, `${request.kind} watch`);
    } finally {
      stream.close();
    }
  }

  /** Releases connections. */
  close(): Promise<void> {
    return this.transport.close();
  }
}
