/**
 * The bundle store: one JSON file per bundle under `<state>/bundles/<service>/<id>.json`.
 *
 * Written once and never rewritten: the body goes to a temporary file, then `link(2)` puts it under
 * its final name — an atomic create that fails when the name exists, so a crash never leaves half a
 * bundle and two writers never replace each other. Writing the same body again is a no-op; a
 * different body under an existing id is refused. Reads verify that the id matches the content.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { link, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SlipwayError } from '../util/errors.ts';
import { bundleId, canonicalJson, type ReleaseBundle, ReleaseBundleSchema } from './bundle.ts';

/** `$SLIPWAY_STATE`, default `~/.local/state/slipway`: where bundles and pipeline events live. */
export function stateRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env['SLIPWAY_STATE'] || join(env['HOME'] || homedir(), '.local', 'state', 'slipway');
}

const SAFE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Immutable bundles on disk. */
export class BundleStore {
  readonly root: string;

  constructor(root: string) {
    this.root = join(root, 'bundles');
  }

  #file(service: string, id: string): string {
    if (!SAFE_NAME.test(service)) {
      throw new SlipwayError(`"${service}" is not a service name`, {
        subject: 'bundle',
        reason: 'InvalidName',
      });
    }
    if (!/^[0-9a-f]{7}-[0-9a-f]{12}$/.test(id)) {
      throw new SlipwayError(`"${id}" is not a bundle id`, { subject: 'bundle', reason: 'InvalidName' });
    }
    return join(this.root, service, `${id}.json`);
  }

  /**
   * Stores `bundle`. Returns `created: false` when the identical bundle is already stored.
   * @throws {SlipwayError} `BundleConflict` when another body is stored under the id.
   */
  async put(bundle: ReleaseBundle): Promise<{ created: boolean; path: string }> {
    const valid = ReleaseBundleSchema.parse(bundle);
    const { id, ...content } = valid;
    if (bundleId(content) !== id) {
      throw new SlipwayError(`the id ${id} does not match the bundle's content`, {
        subject: `bundle ${id}`,
        reason: 'BundleConflict',
      });
    }
    const path = this.#file(valid.service, id);
    mkdirSync(join(this.root, valid.service), { recursive: true });
    const body = `${JSON.stringify(valid, null, 2)}\n`;
    const tmp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
    await writeFile(tmp, body, { flag: 'wx', mode: 0o644 });
    try {
      await link(tmp, path);
      return { created: true, path };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const existing = this.get(valid.service, id);
      if (canonicalJson(existing) === canonicalJson(valid)) return { created: false, path };
      throw new SlipwayError(
        'a different bundle is already stored under this id; bundles are never rewritten',
        {
          subject: path,
          reason: 'BundleConflict',
        },
      );
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  /**
   * The stored bundle `id` of `service`.
   * @throws {SlipwayError} `BundleNotFound`, or `InvalidBundle` when the file is not a bundle or its
   * content does not give its id.
   */
  get(service: string, id: string): ReleaseBundle {
    const path = this.#file(service, id);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      throw new SlipwayError(`no bundle ${id}`, { subject: service, reason: 'BundleNotFound', cause: err });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new SlipwayError('not JSON', { subject: path, reason: 'InvalidBundle', cause: err });
    }
    const parsed = ReleaseBundleSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new SlipwayError(`${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`, {
        subject: path,
        reason: 'InvalidBundle',
      });
    }
    const { id: stored, ...content } = parsed.data;
    if (stored !== id || bundleId(content) !== id) {
      throw new SlipwayError(`the content does not match the id ${id} (edited after it was written?)`, {
        subject: path,
        reason: 'InvalidBundle',
      });
    }
    return parsed.data;
  }

  /** Every bundle of `service`, oldest first (by `createdAt`, then id). */
  list(service: string): ReleaseBundle[] {
    let names: string[];
    try {
      names = readdirSync(join(this.root, service));
    } catch {
      return [];
    }
    return names
      .filter((n) => /^[0-9a-f]{7}-[0-9a-f]{12}\.json$/.test(n))
      .map((n) => this.get(service, n.slice(0, -'.json'.length)))
      .sort((a, b) =>
        a.createdAt === b.createdAt ? a.id.localeCompare(b.id) : a.createdAt < b.createdAt ? -1 : 1,
      );
  }
}
