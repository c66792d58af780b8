import { describe, expect, it } from 'vitest';
import {
  binfmtArchitectures,
  dockerfileRunsCommands,
  hostArchitecture,
  type PlatformFacts,
  parseBuildPlatform,
  planPlatforms,
} from './platforms.ts';

const amd64 = { os: 'linux', architecture: 'amd64' };
const facts = (emulated: string[], runsCommands: boolean): PlatformFacts => ({
  native: amd64,
  emulated: new Set(emulated),
  runsCommands,
});
const SEED = ['linux/amd64', 'linux/arm64'];

describe('planPlatforms', () => {
  it.each([
    ['seed platforms, no emulator, RUN steps', SEED, facts([], true), ['linux/amd64'], ['linux/arm64']],
    ['seed platforms, arm64 emulator, RUN steps', SEED, facts(['arm64'], true), SEED, []],
    ['seed platforms, no emulator, no RUN', SEED, facts([], false), SEED, []],
    ['another OS', ['windows/amd64', 'linux/amd64'], facts([], false), ['linux/amd64'], ['windows/amd64']],
    ['duplicates and case', ['linux/amd64', 'LINUX/AMD64'], facts([], true), ['linux/amd64'], []],
    ['nothing asked', [], facts([], true), [], []],
    ['variants kept', ['linux/arm/v7'], facts(['arm'], true), ['linux/arm/v7'], []],
  ])('%s', (_name, asked, f, build, skipped) => {
    const plan = planPlatforms(asked, f, { strict: false, subject: 's' });
    expect(plan.build).toEqual(build);
    expect(plan.skipped.map((s) => s.platform)).toEqual(skipped);
  });

  it('says how each platform is built and why one is skipped', () => {
    const plan = planPlatforms([...SEED, 'linux/s390x'], facts(['s390x'], true), {
      strict: false,
      subject: 's',
    });
    expect(plan.how).toEqual({ 'linux/amd64': 'native', 'linux/s390x': 'emulated' });
    expect(plan.skipped).toEqual([
      {
        platform: 'linux/arm64',
        reason: 'no QEMU binfmt handler for arm64 is registered and the Dockerfile has RUN steps',
      },
    ]);
    expect(planPlatforms(SEED, facts([], false), { strict: false, subject: 's' }).how['linux/arm64']).toBe(
      'no-run',
    );
  });

  it('refuses to skip in strict mode, naming the platform and the step', () => {
    expect(() => planPlatforms(SEED, facts([], true), { strict: true, subject: "step 'Build'" })).toThrow(
      "step 'Build': platforms: cannot build linux/arm64 (no QEMU binfmt handler for arm64 is registered and the Dockerfile has RUN steps); strict platforms refuse to skip them",
    );
  });

  it('fails when nothing asked can be built', () => {
    expect(() => planPlatforms(['linux/arm64'], facts([], true), { strict: false, subject: 's' })).toThrow(
      /none of the platforms can be built here/,
    );
  });

  it('refuses malformed platforms', () => {
    expect(() => parseBuildPlatform('amd64', 's: platforms')).toThrow(/expected a platform os\/arch/);
    expect(() => parseBuildPlatform('linux/arm/v7/x', 's')).toThrow(/expected a platform/);
    expect(parseBuildPlatform('linux/arm64/v8', 's')).toEqual({
      os: 'linux',
      architecture: 'arm64',
      variant: 'v8',
    });
  });
});

describe('binfmtArchitectures', () => {
  it('maps enabled QEMU handlers to OCI architectures', () => {
    expect(
      binfmtArchitectures([
        { name: 'qemu-aarch64', enabled: true },
        { name: 'qemu-arm', enabled: true },
        { name: 'qemu-riscv64', enabled: false },
        { name: 'qemu-s390x-static', enabled: true },
        { name: 'python3.11', enabled: true },
      ]),
    ).toEqual(new Set(['arm64', 'arm', 's390x']));
  });

  it('knows Node arch names', () => {
    expect(hostArchitecture('x64')).toBe('amd64');
    expect(hostArchitecture('arm64')).toBe('arm64');
    expect(hostArchitecture('ia32')).toBe('386');
  });
});

describe('dockerfileRunsCommands', () => {
  it.each([
    ['scratch + COPY', 'FROM scratch\nCOPY a /a\nCMD ["/a"]\n', false],
    ['RUN', 'FROM alpine\nRUN apk add curl\n', true],
    ['lower-case run', 'from alpine\nrun true\n', true],
    ['ONBUILD RUN', 'FROM x\nONBUILD RUN make\n', true],
    ['RUN in a comment', 'FROM scratch\n# RUN make\nCOPY . /\n', false],
    ['RUN inside a continued ENV', 'FROM scratch\nENV A=1 \\\n  RUN=2\n', false],
    ['RUN inside a heredoc', 'FROM scratch\nCOPY <<EOF /x\nRUN nothing\nEOF\n', false],
    ['parser directive', '# syntax=docker/dockerfile:1\nFROM scratch\n', false],
  ])('%s', (_name, text, expected) => {
    expect(dockerfileRunsCommands(text)).toBe(expected);
  });
});
