import { describe, expect, it } from 'vitest';
import {
  buildArgv,
  builderStorage,
  findBuilder,
  findExecutable,
  manifestAddArgv,
  manifestPushArgv,
  pushArgv,
  removeImagesArgv,
} from './builder.ts';

const storage = builderStorage('/cache');
const buildah = { kind: 'buildah' as const, path: '/usr/bin/buildah' };
const global = [
  '/usr/bin/buildah',
  '--root',
  '/cache/buildah/root',
  '--runroot',
  '/cache/buildah/runroot',
  '--storage-driver',
  'vfs',
];

describe('findBuilder', () => {
  const installed = (paths: string[]) => (p: string) => paths.includes(p);

  it('prefers buildah, then podman, then docker, in PATH order', () => {
    const path = '/usr/local/bin:/usr/bin';
    expect(findBuilder(path, undefined, installed(['/usr/bin/podman', '/usr/local/bin/docker']))).toEqual({
      kind: 'podman',
      path: '/usr/bin/podman',
    });
    expect(findBuilder(path, undefined, installed(['/usr/bin/buildah', '/usr/local/bin/podman']))).toEqual({
      kind: 'buildah',
      path: '/usr/bin/buildah',
    });
    expect(findBuilder(path, undefined, installed(['/usr/local/bin/docker']))?.kind).toBe('docker');
    expect(findBuilder(path, undefined, installed([]))).toBeUndefined();
  });

  it('ignores relative PATH entries, so a checkout cannot plant a builder', () => {
    expect(
      findBuilder('.:bin:/usr/bin', undefined, installed(['bin/buildah', '/usr/bin/docker']))?.path,
    ).toBe('/usr/bin/docker');
    expect(findExecutable('./tools:/opt/trivy', 'trivy', installed(['tools/trivy']))).toBeUndefined();
  });
});

describe('buildah command lines', () => {
  it('builds one platform under a run-private name, storage in the cache, chroot isolation', () => {
    expect(
      buildArgv(buildah, storage, {
        context: '/ws',
        file: '/ws/Dockerfile',
        platform: 'linux/arm64',
        buildArgs: [['VERSION', '1.2']],
        labels: [['org.opencontainers.image.revision', 'abc']],
        localName: 'localhost/slipway-ci-x:0',
        iidFile: '/run/0.iid',
      }),
    ).toEqual([
      ...global,
      'build',
      '--isolation',
      'chroot',
      '--file',
      '/ws/Dockerfile',
      '--platform',
      'linux/arm64',
      '--tag',
      'localhost/slipway-ci-x:0',
      '--iidfile',
      '/run/0.iid',
      '--build-arg',
      'VERSION=1.2',
      '--label',
      'org.opencontainers.image.revision=abc',
      '/ws',
    ]);
  });

  it('pushes with the run auth file and the digest file; plain HTTP only when insecure', () => {
    const o = { reference: '127.0.0.1:5000/a/b:1', authFile: '/run/auth.json', digestFile: '/run/d' };
    expect(pushArgv(buildah, storage, { ...o, localName: 'localhost/x:0', insecure: true })).toEqual([
      ...global,
      'push',
      '--authfile',
      '/run/auth.json',
      '--digestfile',
      '/run/d',
      '--tls-verify=false',
      'localhost/x:0',
      'docker://127.0.0.1:5000/a/b:1',
    ]);
    expect(
      manifestPushArgv(buildah, storage, {
        list: 'localhost/x:2',
        reference: o.reference,
        authFile: o.authFile,
        insecure: false,
      }),
    ).toEqual([
      ...global,
      'manifest',
      'push',
      '--all',
      '--authfile',
      '/run/auth.json',
      'localhost/x:2',
      'docker://127.0.0.1:5000/a/b:1',
    ]);
  });

  it('adds local images to a list by the containers-storage transport and removes by name', () => {
    expect(manifestAddArgv(buildah, storage, 'localhost/x:2', 'localhost/x:0').slice(-4)).toEqual([
      'manifest',
      'add',
      'localhost/x:2',
      'containers-storage:localhost/x:0',
    ]);
    expect(removeImagesArgv(buildah, storage, ['a', 'b']).slice(-4)).toEqual(['rmi', '-f', 'a', 'b']);
  });
});
