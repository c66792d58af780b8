/**
 * Release commit messages from a template.
 * @module
 */

/** The seed's wording: `git commit -m "Update my-service to ${tag}"`. */
export const DEFAULT_MESSAGE_TEMPLATE = 'Update {service} to {tag}';

/** Values a message template may use. */
export interface MessageVars {
  /** The service (the image's name in the overlay, its last path segment), e.g. `my-service`. */
  service: string;
  /** The new tag, or the digest when the image is pinned by digest. */
  tag: string;
  /** The full new image reference, e.g. `ghcr.io/myorg/my-service:abc1234`. */
  image: string;
  /** The overlay folder, e.g. `apps/my-service/overlays/dev`. */
  path: string;
  branch: string;
}

const NAMES: readonly string[] = ['service', 'tag', 'image', 'path', 'branch'] satisfies Array<
  keyof MessageVars
>;

function isVar(name: string): name is keyof MessageVars {
  return NAMES.includes(name);
}

/**
 * Replaces `{service}`, `{tag}`, `{image}`, `{path}` and `{branch}`; any other braces are kept as
 * written, so a message may contain literal `{...}`.
 * @example renderMessage('Update {service} to {tag}', { service: 'my-service', tag: 'abc1234', ... }) === 'Update my-service to abc1234'
 */
export function renderMessage(template: string, vars: MessageVars): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (isVar(name) ? vars[name] : whole));
}
