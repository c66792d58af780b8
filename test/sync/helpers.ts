/**
 * Real config repositories and Applications for the sync controller tests: a bare repository and a
 * working clone made with the git CLI, seeded from the seed's deploy-configs, and the seed's
 * Application pointed at it.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import type { KubeObject } from '../../src/kube/types.ts';
import { git } from '../git/helpers.ts';

const FIXTURES = new URL('../manifests/fixtures/deploy-configs/', import.meta.url);
const SEED_APP = new URL('../fixtures/seed/application-dev.yaml', import.meta.url);

/** A config repository: a bare remote and a working clone to commit from. */
export class ConfigRepo {
  readonly root: string;
  readonly bare: string;
  readonly work: string;

  constructor() {
    this.root = mkdtempSync(join(tmpdir(), 'slipway-sync-'));
    this.bare = join(this.root, 'deploy-configs.git');
    this.work = join(this.root, 'work');
    git(['init', '--quiet', '--bare', '--initial-branch=main', this.bare]);
    git(['init', '--quiet', '--initial-branch=main', this.work]);
    git(['remote', 'add', 'origin', this.bare], this.work);
    cpSync(new URL('apps', FIXTURES), join(this.work, 'apps'), { recursive: true });
    this.commit('seed');
  }

  /** The `file://` URL of the bare repository. */
  get url(): string {
    return `file://${this.bare}`;
  }

  read(path: string): string {
    return readFileSync(join(this.work, path), 'utf8');
  }

  write(path: string, text: string): this {
    mkdirSync(dirname(join(this.work, path)), { recursive: true });
    writeFileSync(join(this.work, path), text);
    return this;
  }

  remove(path: string): this {
    rmSync(join(this.work, path));
    return this;
  }

  /** Commits everything and pushes `main`; returns the commit. */
  commit(message: string): string {
    git(['add', '--all'], this.work);
    git(['commit', '--quiet', '--allow-empty', '-m', message], this.work);
    git(['push', '--quiet', 'origin', 'main'], this.work);
    return git(['rev-parse', 'HEAD'], this.work).trim();
  }

  /** Tags the current commit and pushes the tag. */
  tag(name: string): this {
    git(['tag', name], this.work);
    git(['push', '--quiet', 'origin', name], this.work);
    return this;
  }

  /** Points the dev overlay (and so everything it renders) at `namespace`. */
  useDevNamespace(namespace: string): this {
    const path = 'apps/my-service/overlays/dev/kustomization.yaml';
    return this.write(path, this.read(path).replace('namespace: my-service-dev', `namespace: ${namespace}`));
  }

  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

/**
 * The seed's Application, verbatim except `repoURL` (the test's repository) and its own namespace;
 * `edit` may change the rest for scenarios that need it.
 */
export function seedApplication(
  repoUrl: string,
  namespace: string,
  edit?: (app: SeedApp) => void,
): KubeObject {
  const app = parse(readFileSync(SEED_APP, 'utf8')) as SeedApp;
  app.metadata.namespace = namespace;
  app.spec.source.repoURL = repoUrl;
  edit?.(app);
  return app as unknown as KubeObject;
}

/** The shape of the seed Application that tests edit. */
export interface SeedApp {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  spec: {
    source: { repoURL: string; targetRevision: string; path: string };
    destination: { server: string; namespace: string };
    syncPolicy?: { automated?: { prune?: boolean; selfHeal?: boolean }; syncOptions?: string[] };
  };
}
