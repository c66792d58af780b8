/**
 * Releases into the config repository: the new image tag written into an environment's overlay,
 * committed and pushed with compare-and-retry.
 * @module
 */

export { imageEdit, imageMessageVars } from './image-edit.ts';
export type { MessageVars } from './message.ts';
export { DEFAULT_MESSAGE_TEMPLATE, renderMessage } from './message.ts';
export { assertInsideWorktree, normalizeOverlayPath } from './path.ts';
export type { OverlayEdit, ReleaseOptions, ReleaseResult } from './release.ts';
export { release } from './release.ts';
