/**
 * Test vectors ported from kustomize v5.8.2 `kustomize/commands/edit/set/setimage_test.go`
 * (`TestSetImage`) and `api/internal/image/image_test.go` (`TestSplit`). Facts, not code: the input
 * lines, the arguments and the entries kustomize writes. Shared by the unit tests and the
 * differential test against the kustomize binary.
 * @module
 */
import type { ImageEntry } from '../../src/manifests/set-image.ts';

/** kustomize's `testutils.kustomizationContent`, the file most `TestSetImage` cases start from. */
export const KUSTOMIZE_TEST_KUSTOMIZATION = `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namePrefix: some-prefix
nameSuffix: some-suffix
# Labels to add to all objects and selectors.
# These labels would also be used to form the selector for apply --prune
# Named differently than “labels” to avoid confusion with metadata for this object
commonLabels:
  app: helloworld
commonAnnotations:
  note: This is an example annotation
resources: []
#- service.yaml
#- ../some-dir/
# There could also be configmaps in Base, which would make these overlays
configMapGenerator: []
# There could be secrets in Base, if just using a fork/rebase workflow
secretGenerator: []
replacements:
  - path: replacement.yaml
`;

const D = 'sha256:24a0c4b4a4c0eb97a1aabb8e29f18e917d05abfe1b7a7c07857230879ce7d3d3';

export interface SetImageVector {
  description: string;
  args: string[];
  /** The file's lines; absent means {@link KUSTOMIZE_TEST_KUSTOMIZATION}. */
  infile?: string[];
  /** The `images:` entries kustomize writes (its order: sorted by name). */
  expected?: ImageEntry[];
  /** kustomize's error for this input. */
  error?: 'no image specified' | 'invalid format of image';
}

export const SET_IMAGE_VECTORS: SetImageVector[] = [
  {
    description: 'name=newName:tag',
    args: ['image1=my-image1:my-tag'],
    expected: [{ name: 'image1', newName: 'my-image1', newTag: 'my-tag' }],
  },
  {
    description: 'numeric tag stays a string',
    args: ['image1=my-image1:1234'],
    expected: [{ name: 'image1', newName: 'my-image1', newTag: '1234' }],
  },
  {
    description: 'float-like tag stays a string',
    args: ['image1=my-image1:3.2e2'],
    expected: [{ name: 'image1', newName: 'my-image1', newTag: '3.2e2' }],
  },
  {
    description: 'name=newName@digest',
    args: [`image1=my-image1@${D}`],
    expected: [{ name: 'image1', newName: 'my-image1', digest: D }],
  },
  { description: 'name:tag', args: ['image1:my-tag'], expected: [{ name: 'image1', newTag: 'my-tag' }] },
  { description: 'name@digest', args: [`image1@${D}`], expected: [{ name: 'image1', digest: D }] },
  {
    description: 'name:tag@digest',
    args: [`my-image1:my-tag@${D}`],
    expected: [{ name: 'my-image1', newTag: 'my-tag', digest: D }],
  },
  {
    description: 'name=newName:tag@digest',
    args: [`image1=my-image1:my-tag@${D}`],
    expected: [{ name: 'image1', newName: 'my-image1', newTag: 'my-tag', digest: D }],
  },
  {
    description: '<image>=<image>',
    args: ['ngnix=localhost:5000/my-project/ngnix'],
    expected: [{ name: 'ngnix', newName: 'localhost:5000/my-project/ngnix' }],
  },
  {
    description: 'registry port is not a tag',
    args: ['ngnix=localhost:5000/my-project/ngnix:dev-01'],
    expected: [{ name: 'ngnix', newName: 'localhost:5000/my-project/ngnix', newTag: 'dev-01' }],
  },
  {
    description: 'override file',
    args: ['image1=foo.bar.foo:8800/foo/image1:foo-bar'],
    infile: [
      'images:',
      '- name: image1',
      '  newName: my-image1',
      '  newTag: my-tag',
      '- name: image2',
      '  newName: my-image2',
      '  newTag: my-tag2',
    ],
    expected: [
      { name: 'image1', newName: 'foo.bar.foo:8800/foo/image1', newTag: 'foo-bar' },
      { name: 'image2', newName: 'my-image2', newTag: 'my-tag2' },
    ],
  },
  {
    description: 'override file with patch',
    args: ['image1=foo.bar.foo:8800/foo/image1:foo-bar'],
    infile: [
      'images:',
      '- name: image1',
      '  newName: my-image1',
      '  newTag: my-tag',
      '- name: image2',
      '  newName: my-image2',
      '  newTag: my-tag2',
      'patchesJson6902:',
      '- patch: |-',
      '    - op: remove',
      '      path: /spec/selector',
      '  target:',
      '    kind: Service',
      '    name: foo',
      '    version: v1',
    ],
    expected: [
      { name: 'image1', newName: 'foo.bar.foo:8800/foo/image1', newTag: 'foo-bar' },
      { name: 'image2', newName: 'my-image2', newTag: 'my-tag2' },
    ],
  },
  {
    description: 'override new tag and new name with just a new tag',
    args: ['image1:v1'],
    infile: ['images:', '- name: image1', '  newTag: my-tag'],
    expected: [{ name: 'image1', newTag: 'v1' }],
  },
  {
    description: 'multiple args with multiple overrides',
    args: ['image1=foo.bar.foo:8800/foo/image1:foo-bar', `image2=my-image2@${D}`, 'image3:my-tag'],
    infile: [
      'images:',
      '- name: image1',
      '  newName: my-image1',
      '  newTag: my-tag1',
      '- name: image2',
      '  newName: my-image2',
      '  newTag: my-tag2',
      '- name: image3',
      '  newTag: my-tag',
    ],
    expected: [
      { name: 'image1', newName: 'foo.bar.foo:8800/foo/image1', newTag: 'foo-bar' },
      { name: 'image2', newName: 'my-image2', digest: D },
      { name: 'image3', newTag: 'my-tag' },
    ],
  },
  { description: 'error: no args', args: [], error: 'no image specified' },
  { description: 'error: invalid args', args: ['bad', 'args'], error: 'invalid format of image' },
  {
    description: 'override new tag but keep new name',
    args: ['image1=*:v1'],
    infile: ['images:', '- name: image1', '  newName: foo.bar.foo:8800/foo/image1', '  newTag: my-tag'],
    expected: [{ name: 'image1', newName: 'foo.bar.foo:8800/foo/image1', newTag: 'v1' }],
  },
  {
    description: 'override new name but keep new tag',
    args: ['image1=my-image1:*'],
    infile: ['images:', '- name: image1', '  newName: foo.bar.foo:8800/foo/image1', '  newTag: my-tag'],
    expected: [{ name: 'image1', newName: 'my-image1', newTag: 'my-tag' }],
  },
  {
    description: 'keep new name and new tag (rare case)',
    args: ['image1=*:*'],
    infile: ['images:', '- name: image1', '  newName: my-image1', '  newTag: my-tag'],
    expected: [{ name: 'image1', newName: 'my-image1', newTag: 'my-tag' }],
  },
  {
    description: 'do not set asterisk as new name for existing image',
    args: ['image1=*:v1'],
    infile: ['images:', '- name: image1', '  newTag: my-tag'],
    expected: [{ name: 'image1', newTag: 'v1' }],
  },
  {
    description: 'do not set asterisk as new name',
    args: ['image1=*:v1'],
    expected: [{ name: 'image1', newTag: 'v1' }],
  },
  {
    description: 'do not set asterisk as new tag',
    args: ['image1=my-image1:*'],
    expected: [{ name: 'image1', newName: 'my-image1' }],
  },
  {
    description: 'keep new name and update digest',
    args: [`image2=*@${D}`],
    infile: ['images:', '- name: image2', '  newName: my-image2', '  digest: sha256:abcdef12345'],
    expected: [{ name: 'image2', newName: 'my-image2', digest: D }],
  },
  {
    description: 'keep new name, remove tag, and set digest',
    args: [`image2=*@${D}`],
    infile: ['images:', '- name: image2', '  newName: my-image2', '  newTag: my-tag'],
    expected: [{ name: 'image2', newName: 'my-image2', digest: D }],
  },
  {
    description: 'update new name and keep the digest',
    args: ['image2=my-image2@*'],
    infile: ['images:', `- digest: ${D}`, '  name: image2', '  newName: foo.bar.foo:8800/foo/image1'],
    expected: [{ name: 'image2', newName: 'my-image2', digest: D }],
  },
];

/** `TestSplit`: value → [name, tag, digest]. */
export const SPLIT_VECTORS: Array<[string, string, string, string]> = [
  ['nginx', 'nginx', '', ''],
  ['nginx:1.2.3', 'nginx', '1.2.3', ''],
  ['nginx@sha256:12345', 'nginx', '', 'sha256:12345'],
  ['nginx:1.2.3@sha256:12345', 'nginx', '1.2.3', 'sha256:12345'],
  ['docker.io/nginx:1.2.3', 'docker.io/nginx', '1.2.3', ''],
  ['foo.com:443/nginx:1.2.3', 'foo.com:443/nginx', '1.2.3', ''],
  ['foo.com:443/nginx:1.2.3@sha256:12345', 'foo.com:443/nginx', '1.2.3', 'sha256:12345'],
];
