/**
 * `uses:` steps. Slipway runs no JavaScript or Docker actions from the Marketplace; the actions a
 * delivery workflow needs are implemented natively, each as an {@link ActionHandler} keyed by the
 * action's name (the part of `uses` before `@`, case-insensitive). Any other action fails and
 * names itself.
 *
 * Built in: `actions/checkout` (the runner already checked the commit out), `docker/login-action`
 * (only the "no credentials for a registry that needs none" case for now), and placeholders for
 * `docker/setup-buildx-action`, `docker/build-push-action` and `aquasecurity/trivy-action` that fail
 * with "not implemented yet" until their builders land.
 * @module
 */
import { RegistryClient } from '../registry/index.ts';
import { errorMessage, SlipwayError } from '../util/errors.ts';
import type { ExprValue } from './expressions.ts';

/** What a handler gets for one step. */
export interface ActionInvocation {
  /** The `uses:` value as written, e.g. `docker/login-action@v3`. */
  uses: string;
  /** The step's display name, for messages. */
  stepName: string;
  /** `with:` inputs after expression evaluation (a whole-value expression keeps its type). */
  inputs: Readonly<Record<string, ExprValue>>;
  /** The checkout folder. */
  workspace: string;
  /** The step's environment. */
  env: Readonly<Record<string, string>>;
  /** Writes one line to the step's log (masked by the runner). */
  log: (line: string) => void;
  /** Registers a value to mask from here on (e.g. a token the handler derived). */
  addMask: (value: string) => void;
  signal: AbortSignal;
}

/** What a handler reports; throwing means the step failed. */
export interface ActionResult {
  /** `steps.<id>.outputs`. */
  outputs?: Record<string, string>;
  /** True when the handler decided there is nothing to do; the step's outcome is still success. */
  skipped?: boolean;
  /** Why it was skipped, or what it did, for the run record. */
  note?: string;
}

/** A native implementation of one action. */
export interface ActionHandler {
  /** The action's name without `@ref`, e.g. `docker/login-action`. */
  readonly name: string;
  run(invocation: ActionInvocation): Promise<ActionResult>;
}

/** The action name of a `uses:` value: `Docker/Login-Action@v3` → `docker/login-action`. */
export function actionName(uses: string): string {
  const at = uses.indexOf('@');
  return (at < 0 ? uses : uses.slice(0, at)).toLowerCase();
}

/** Handlers by action name. */
export class ActionRegistry {
  readonly #handlers = new Map<string, ActionHandler>();

  constructor(handlers: Iterable<ActionHandler> = []) {
    for (const h of handlers) this.register(h);
  }

  /** Adds or replaces the handler for `handler.name`. */
  register(handler: ActionHandler): this {
    this.#handlers.set(handler.name.toLowerCase(), handler);
    return this;
  }

  /** The handler for a `uses:` value, if any. */
  lookup(uses: string): ActionHandler | undefined {
    return this.#handlers.get(actionName(uses));
  }

  /** Names of the handled actions, sorted. */
  names(): string[] {
    return [...this.#handlers.keys()].sort();
  }
}

/** `actions/checkout`: the runner checked the commit out before the first step. */
export const checkoutAction: ActionHandler = {
  name: 'actions/checkout',
  run: async () => ({ skipped: true, note: 'checkout already done: the runner checked out the commit' }),
};

/** A placeholder that fails clearly until the real handler exists. */
export function notImplementedAction(name: string, what: string): ActionHandler {
  return {
    name,
    run: async (inv) => {
      throw new SlipwayError(`${name} (${what}) is not implemented yet in Slipway's CI runner`, {
        subject: `step '${inv.stepName}'`,
        reason: 'ActionNotImplemented',
      });
    },
  };
}

const text = (v: ExprValue | undefined): string => (v === undefined || v === null ? '' : String(v));

/**
 * `docker/login-action`. With an empty `username` and `password` (the seed's
 * `secrets.GITHUB_TOKEN` when no token is configured), the step is skipped with a note if the
 * registry answers `GET /v2/` without credentials — a registry that needs no login — and fails
 * naming the registry otherwise. Logging in with credentials is not implemented yet.
 */
export const loginAction: ActionHandler = {
  name: 'docker/login-action',
  run: async (inv) => {
    const registry = text(inv.inputs['registry']) || 'docker.io';
    const username = text(inv.inputs['username']);
    const password = text(inv.inputs['password']);
    const subject = `step '${inv.stepName}'`;
    if (username !== '' && password !== '') {
      throw new SlipwayError(
        `docker/login-action with credentials is not implemented yet (registry ${registry})`,
        {
          subject,
          reason: 'ActionNotImplemented',
        },
      );
    }
    if (password !== '') inv.addMask(password);
    const client = new RegistryClient({ host: registry, timeoutMs: 15_000 });
    try {
      await client.ping({ signal: inv.signal });
    } catch (err) {
      throw new SlipwayError(
        `no credentials were given (username ${username === '' ? 'empty' : 'set'}, password ${password === '' ? 'empty' : 'set'}) and registry ${registry} does not accept anonymous access: ${errorMessage(err)}`,
        { subject, reason: 'RegistryLoginFailed', cause: err },
      );
    } finally {
      await client.close();
    }
    const note = `login skipped: empty credentials, and registry ${registry} needs none`;
    inv.log(note);
    return { skipped: true, note };
  },
};

/** The handlers every run starts with. */
export function defaultActions(): ActionRegistry {
  return new ActionRegistry([
    checkoutAction,
    loginAction,
    notImplementedAction('docker/setup-buildx-action', 'builder setup'),
    notImplementedAction('docker/build-push-action', 'image build and push'),
    notImplementedAction('aquasecurity/trivy-action', 'image vulnerability scan'),
  ]);
}
