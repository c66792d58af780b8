/**
 * The one way to start work nobody awaits: it always has an error path.
 * @module
 */
export type BackgroundErrorHandler = (name: string, err: unknown) => void;

let onError: BackgroundErrorHandler = (name, err) => {
  process.stderr.write(
    `slipway: background task ${name} failed: ${err instanceof Error ? err.message : String(err)}\n`,
  );
};

/** Replaces where background failures are reported (the server routes them to its logger). */
export function setBackgroundErrorHandler(handler: BackgroundErrorHandler): void {
  onError = handler;
}

/** Starts `fn` without awaiting it; a rejection is reported, never left unhandled. */
export function runInBackground(name: string, fn: () => Promise<unknown>): void {
  fn().catch((err: unknown) => onError(name, err));
}
