/**
 * `uses:` steps. Slipway runs no JavaScript or Docker actions from the Marketplace; the actions a
 * delivery workflow needs are implemented natively, each as an {@link ActionHandler} keyed by the
 * action's name (the part of `uses` before `@`, case-insensitive). Any other action fails and
 * names itself.
 *
 * Built in: `actions/checkout` (the runner already checked the commit out), and the docker and
 * trivy actions of `docker-actions.ts` and `trivy-action.ts`: `docker/setup-buildx-action`,
 * `docker/login-action`, `docker/build-push-action` and `aquasecurity/trivy-action`.
 * @module
 */
import { buildPushAction, loginAction, setupBuildxAction } from './docker-actions.ts';
import type { ExprValue } from './expressions.ts';
import type { CiRunState } from './run-state.ts';
import { trivyAction } from './trivy-action.ts';

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
  /** The step's environment (with `PATH` and `HOME`, as a `run:` step gets them). */
  env: Readonly<Record<string, string>>;
  /** What the actions of this run share: builder, logins, built images, pushes, scans. */
  run: CiRunState;
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

/** The handlers every run starts with. */
export function defaultActions(): ActionRegistry {
  return new ActionRegistry([checkoutAction, loginAction, setupBuildxAction, buildPushAction, trivyAction]);
}
