/**
 * Discovery: which resource serves a kind, and whether it is namespaced.
 *
 * Uses aggregated discovery (one request for `/api`, one for `/apis`) and falls back to the legacy
 * per-group-version documents. The answer is cached; a kind that is not in the cache triggers one
 * refresh (shared by concurrent callers, at most once per `minRefreshIntervalMs`), so a CRD created
 * a moment ago is found without restarting anything.
 * @module
 */
import { SlipwayError } from '../util/errors.ts';
import type { KubeTransport } from './transport.ts';
import { splitApiVersion } from './types.ts';

export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name used in URLs, e.g. `deployments`. */
  resource: string;
  namespaced: boolean;
  verbs: string[];
  subresources: string[];
}

interface AggregatedResource {
  resource: string;
  responseKind?: { group?: string; version?: string; kind?: string };
  scope?: string;
  verbs?: string[];
  subresources?: Array<{ subresource: string }>;
}
interface AggregatedList {
  kind?: string;
  items?: Array<{
    metadata?: { name?: string };
    versions?: Array<{ version: string; resources?: AggregatedResource[] }>;
  }>;
}
interface LegacyGroupList {
  groups?: Array<{ name: string; versions: Array<{ groupVersion: string; version: string }> }>;
}
interface LegacyResourceList {
  resources?: Array<{ name: string; kind: string; namespaced: boolean; verbs?: string[] }>;
}

const AGGREGATED_ACCEPT =
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

const key = (group: string, version: string, kind: string) => `${group}/${version}/${kind}`;

export class Discovery {
  readonly #transport: KubeTransport;
  readonly #minRefreshIntervalMs: number;
  #byKind = new Map<string, ResourceInfo>();
  #refreshedAt = 0;
  #inFlight: Promise<void> | undefined;

  constructor(transport: KubeTransport, options: { minRefreshIntervalMs?: number } = {}) {
    this.#transport = transport;
    this.#minRefreshIntervalMs = options.minRefreshIntervalMs ?? 1_000;
  }

  /** Forgets everything; the next lookup asks the server again. */
  invalidate(): void {
    this.#refreshedAt = 0;
    this.#byKind = new Map();
  }

  /** Fetches discovery again now (concurrent calls share one fetch). */
  refresh(signal?: AbortSignal): Promise<void> {
    this.#inFlight ??= this.#fetchAll(signal).finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** All resources known (after at least one refresh). */
  async all(signal?: AbortSignal): Promise<ResourceInfo[]> {
    if (this.#refreshedAt === 0) await this.refresh(signal);
    return [...this.#byKind.values()];
  }

  /** The resource serving `kind` in `apiVersion`, refreshing once when unknown. */
  async resourceFor(apiVersion: string, kind: string, signal?: AbortSignal): Promise<ResourceInfo> {
    const { group, version } = splitApiVersion(apiVersion);
    const k = key(group, version, kind);
    let info = this.#byKind.get(k);
    if (info) return info;
    if (this.#refreshedAt === 0 || Date.now() - this.#refreshedAt >= this.#minRefreshIntervalMs) {
      await this.refresh(signal);
    } else if (this.#inFlight !== undefined) {
      await this.#inFlight;
    }
    info = this.#byKind.get(k);
    if (info) return info;
    throw new SlipwayError(
      `the server has no resource for kind ${kind} in ${apiVersion} (is its CRD installed?)`,
      {
        subject: `${kind}.${apiVersion}`,
        reason: 'NoKindMatch',
      },
    );
  }

  async #fetchAll(signal?: AbortSignal): Promise<void> {
    const next = new Map<string, ResourceInfo>();
    const [core, groups] = await Promise.all([
      this.#transport.request<AggregatedList & LegacyGroupList>({
        path: '/api',
        accept: AGGREGATED_ACCEPT,
        ...(signal ? { signal } : {}),
      }),
      this.#transport.request<AggregatedList & LegacyGroupList>({
        path: '/apis',
        accept: AGGREGATED_ACCEPT,
        ...(signal ? { signal } : {}),
      }),
    ]);
    if (core.kind === 'APIGroupDiscoveryList' && groups.kind === 'APIGroupDiscoveryList') {
      for (const list of [core, groups]) this.#addAggregated(list, next);
    } else {
      await this.#addLegacy(next, signal);
    }
    this.#byKind = next;
    this.#refreshedAt = Date.now();
  }

  #addAggregated(list: AggregatedList, into: Map<string, ResourceInfo>): void {
    for (const item of list.items ?? []) {
      const group = item.metadata?.name ?? '';
      for (const v of item.versions ?? []) {
        for (const r of v.resources ?? []) {
          const kind = r.responseKind?.kind;
          if (!kind) continue;
          into.set(key(group, v.version, kind), {
            group,
            version: v.version,
            kind,
            resource: r.resource,
            namespaced: r.scope === 'Namespaced',
            verbs: r.verbs ?? [],
            subresources: (r.subresources ?? []).map((s) => s.subresource),
          });
        }
      }
    }
  }

  async #addLegacy(into: Map<string, ResourceInfo>, signal?: AbortSignal): Promise<void> {
    const withSignal = signal ? { signal } : {};
    const groups = await this.#transport.request<LegacyGroupList>({ path: '/apis', ...withSignal });
    const groupVersions: Array<{ group: string; version: string; path: string }> = [
      { group: '', version: 'v1', path: '/api/v1' },
    ];
    for (const g of groups.groups ?? []) {
      for (const v of g.versions)
        groupVersions.push({ group: g.name, version: v.version, path: `/apis/${v.groupVersion}` });
    }
    await Promise.all(
      groupVersions.map(async (gv) => {
        const list = await this.#transport.request<LegacyResourceList>({ path: gv.path, ...withSignal });
        const subresources = new Map<string, string[]>();
        for (const r of list.resources ?? []) {
          const [base, sub] = r.name.split('/');
          if (sub && base) subresources.set(base, [...(subresources.get(base) ?? []), sub]);
        }
        for (const r of list.resources ?? []) {
          if (r.name.includes('/')) continue;
          into.set(key(gv.group, gv.version, r.kind), {
            group: gv.group,
            version: gv.version,
            kind: r.kind,
            resource: r.name,
            namespaced: r.namespaced,
            verbs: r.verbs ?? [],
            subresources: subresources.get(r.name) ?? [],
          });
        }
      }),
    );
  }
}
