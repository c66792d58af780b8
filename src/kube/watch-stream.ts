/**
 * Parses a watch response body (newline-delimited JSON events) in order.
 * @module
 */
import { ApiError, type ApiStatus } from './errors.ts';
import type { KubeObject } from './types.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK';

/** One event as the server sent it. `ERROR` events are thrown, never yielded. */
export interface RawWatchEvent<T extends KubeObject = KubeObject> {
  type: WatchEventType;
  object: T;
}

export async function* readWatchEvents<T extends KubeObject>(
  body: AsyncIterable<Buffer>,
  subject: string,
): AsyncGenerator<RawWatchEvent<T>> {
  let buffered = '';
  for await (const chunk of body) {
    buffered += chunk.toString('utf8');
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
      if (!line) continue;
      const event = JSON.parse(line) as { type: string; object: unknown };
      if (event.type === 'ERROR') {
        const status = (event.object ?? {}) as ApiStatus;
        throw new ApiError(status.code ?? 500, status, subject);
      }
      yield event as RawWatchEvent<T>;
    }
  }
}
