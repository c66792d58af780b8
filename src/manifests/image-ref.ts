/**
 * Container image references and `kustomize edit set image` arguments.
 *
 * Two grammars meet here. kustomize splits an image string into name, tag and digest with a few
 * `indexOf` calls (`sigs.k8s.io/kustomize/api/internal/image.Split`) and accepts almost anything;
 * the registry and the kubelet accept only what the distribution reference grammar allows
 * (`github.com/distribution/reference/regexp.go`). Slipway splits the way kustomize does, so every
 * argument kustomize understands means the same here, and then checks each part against the
 * distribution grammar, so a reference the cluster would refuse is refused before it reaches git.
 *
 * @module
 */
import { SlipwayError } from '../util/errors.ts';

/** `*` in a spec means "keep what the kustomization already has" for that part (kustomize's `preserveSeparator`). */
export const PRESERVE = '*';

/**
 * One `images:` entry of a kustomization, or the change a spec asks for.
 * `newName`, `newTag` and `digest` may be {@link PRESERVE} in a spec.
 */
export interface ImageSpec {
  /** The image name the entry matches (tag-less), e.g. `my-service`. */
  name: string;
  newName?: string | undefined;
  newTag?: string | undefined;
  digest?: string | undefined;
}

/** The parts of an image string, split as kustomize splits it. Empty strings mean "absent". */
export interface SplitImage {
  name: string;
  tag: string;
  digest: string;
}

/**
 * Splits `[host[:port]/]path[:tag][@digest]` into name, tag and digest exactly as kustomize's
 * `image.Split` does: the search for `:` and `@` starts at the first `/`, so a registry port is
 * never taken for a tag.
 *
 * @example
 * splitImage('foo.com:443/nginx:1.2.3@sha256:12345')
 * // => { name: 'foo.com:443/nginx', tag: '1.2.3', digest: 'sha256:12345' }
 */
export function splitImage(image: string): SplitImage {
  const slash = image.indexOf('/');
  const from = Math.max(slash, 0);
  const search = image.slice(from);
  const at = search.indexOf('@');
  const colon = search.indexOf(':');
  if (colon < 0 && at < 0) return { name: image, tag: '', digest: '' };
  if (at >= 0 && (at < colon || colon < 0)) {
    return { name: image.slice(0, from + at), tag: '', digest: image.slice(from + at + 1) };
  }
  if (at >= 0 && colon >= 0) {
    return {
      name: image.slice(0, from + colon),
      tag: image.slice(from + colon + 1, from + at),
      digest: image.slice(from + at + 1),
    };
  }
  return { name: image.slice(0, from + colon), tag: image.slice(from + colon + 1), digest: '' };
}

// The distribution reference grammar (github.com/distribution/reference/regexp.go).
const ALNUM = '[a-z0-9]+';
const SEPARATOR = '(?:[._]|__|[-]+)';
const PATH_COMPONENT = `${ALNUM}(?:${SEPARATOR}${ALNUM})*`;
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const IPV6 = '\\[(?:[a-fA-F0-9:]+)\\]';
const HOST = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|${IPV6})`;
const DOMAIN_AND_PORT = `${HOST}(?::[0-9]+)?`;
const NAME_RE = new RegExp(`^(?:${DOMAIN_AND_PORT}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*$`);
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
/** Registered algorithms have a fixed encoded length (OCI image-spec, descriptor.md). */
const DIGEST_LENGTHS: Record<string, number> = { sha256: 64, sha512: 128 };
const NAME_MAX = 255;

/** Why `name` is not a valid repository name, or undefined when it is. */
export function invalidNameReason(name: string): string | undefined {
  if (name === '') return 'the name is empty';
  if (name.length > NAME_MAX) return `the name is longer than ${NAME_MAX} characters`;
  if (!NAME_RE.test(name)) {
    return /[A-Z]/.test(name.slice(name.indexOf('/') + 1))
      ? 'repository path components must be lowercase'
      : 'not a valid repository name ([host[:port]/]path, path components of [a-z0-9] joined by . _ __ or -)';
  }
  return undefined;
}

/** Why `tag` is not a valid tag, or undefined when it is. */
export function invalidTagReason(tag: string): string | undefined {
  if (TAG_RE.test(tag)) return undefined;
  return 'a tag is 1-128 characters of [A-Za-z0-9_.-] and must not start with . or -';
}

/** Why `digest` is not a valid digest, or undefined when it is. */
export function invalidDigestReason(digest: string): string | undefined {
  if (!DIGEST_RE.test(digest)) return 'a digest is <algorithm>:<hex>, e.g. sha256:<64 hex digits>';
  const [algorithm = '', encoded = ''] = digest.split(':');
  const want = DIGEST_LENGTHS[algorithm];
  if (want !== undefined && (encoded.length !== want || !/^[a-f0-9]+$/.test(encoded))) {
    return `a ${algorithm} digest has exactly ${want} lowercase hex digits`;
  }
  if (want === undefined && encoded.length < 32)
    return 'the encoded part of a digest has at least 32 characters';
  return undefined;
}

const FORMS = [
  '<image>=<newimage>:<newtag>',
  '<image>=<newimage>@<digest>',
  '<image>=<newimage>:<newtag>@<digest>',
  '<image>=<newimage>',
  '<image>:<newtag>',
  '<image>:<newtag>@<digest>',
  '<image>@<digest>',
];

/**
 * Parses one `kustomize edit set image` argument into the change it asks for.
 *
 * The forms are kustomize's (`commands/edit/set/setimage.go`): `name=newName:tag`,
 * `name=newName@digest`, `name=newName:tag@digest`, `name=newName`, `name:tag`, `name:tag@digest`
 * and `name@digest`; `*` as the new name, tag or digest keeps the value the file has. Like kustomize,
 * an argument without `=`, `:` or `@` is refused. Unlike kustomize, each part must also be a valid
 * reference part (kustomize would write `a=b:c:d` as tag `c:d`, which no registry accepts).
 *
 * @example
 * parseImageSpec('my-service=ghcr.io/myorg/my-service:abc1234')
 * // => { name: 'my-service', newName: 'ghcr.io/myorg/my-service', newTag: 'abc1234' }
 * parseImageSpec('node:8.15.0') // => { name: 'node', newTag: '8.15.0' }
 */
export function parseImageSpec(arg: string): ImageSpec {
  const eq = arg.indexOf('=');
  const key = eq >= 0 ? arg.slice(0, eq) : '';
  const value = eq >= 0 ? arg.slice(eq + 1) : arg;
  const { name, tag, digest } = splitImage(value);
  if (name === arg) throw invalidSpec(arg, `use one of: ${FORMS.join(', ')}`);

  // As upstream: an empty key (`=nginx:1.2`) means the same as no key at all.
  const spec: ImageSpec = key !== '' ? { name: key, newName: name } : { name };
  if (tag !== '') spec.newTag = tag;
  if (digest !== '') spec.digest = digest;

  const nameProblem = invalidNameReason(spec.name);
  if (nameProblem) throw invalidSpec(arg, `image name ${JSON.stringify(spec.name)}: ${nameProblem}`);
  if (spec.newName !== undefined && spec.newName !== PRESERVE) {
    const problem = invalidNameReason(spec.newName);
    if (problem) throw invalidSpec(arg, `new name ${JSON.stringify(spec.newName)}: ${problem}`);
  }
  if (spec.newTag !== undefined && spec.newTag !== PRESERVE) {
    const problem = invalidTagReason(spec.newTag);
    if (problem) throw invalidSpec(arg, `tag ${JSON.stringify(spec.newTag)}: ${problem}`);
  }
  if (spec.digest !== undefined && spec.digest !== PRESERVE) {
    const problem = invalidDigestReason(spec.digest);
    if (problem) throw invalidSpec(arg, `digest ${JSON.stringify(spec.digest)}: ${problem}`);
  }
  return spec;
}

function invalidSpec(arg: string, why: string): SlipwayError {
  return new SlipwayError(`invalid image ${JSON.stringify(arg)}: ${why}`, {
    subject: 'image',
    reason: 'InvalidImageSpec',
  });
}

/** The image string a container ends up with after an `images:` entry applies: `newName[:newTag][@digest]`. */
export function formatImage(parts: {
  name: string;
  tag?: string | undefined;
  digest?: string | undefined;
}): string {
  let out = parts.name;
  if (parts.tag) out += `:${parts.tag}`;
  if (parts.digest) out += `@${parts.digest}`;
  return out;
}
