import { describe, expect, it } from 'vitest';
import { DEFAULT_MESSAGE_TEMPLATE, renderMessage } from './message.ts';

const vars = {
  service: 'my-service',
  tag: 'abc1234',
  image: 'ghcr.io/myorg/my-service:abc1234',
  path: 'apps/my-service/overlays/dev',
  branch: 'main',
};

describe('renderMessage', () => {
  it("renders the seed's wording by default", () => {
    expect(renderMessage(DEFAULT_MESSAGE_TEMPLATE, vars)).toBe('Update my-service to abc1234');
  });

  it.each([
    [
      'deploy {image} to {path} on {branch}',
      'deploy ghcr.io/myorg/my-service:abc1234 to apps/my-service/overlays/dev on main',
    ],
    ['{service}: {tag}\n\nbody {tag}', 'my-service: abc1234\n\nbody abc1234'],
    ['keeps {unknown} and {} and {{tag}}', 'keeps {unknown} and {} and {abc1234}'],
  ])('%j', (template, out) => {
    expect(renderMessage(template, vars)).toBe(out);
  });
});
