import { describe, expect, it } from 'vitest';
import { mergePatchDiff } from './execute.ts';

describe('mergePatchDiff', () => {
  it('sets changed fields, nulls removed ones, recurses into objects and replaces arrays whole', () => {
    expect(mergePatchDiff({ a: 1, b: { c: 1, d: 2 } }, { b: { c: 1 } })).toEqual({ a: null, b: { d: null } });
    expect(mergePatchDiff({ l: [1, 2] }, { l: [2, 1] })).toEqual({ l: [2, 1] });
    expect(mergePatchDiff({ a: 1 }, { a: 1, b: undefined })).toBeUndefined();
  });

  it('finds no change in an array whose objects only differ in key order (as the API server returns them)', () => {
    const fromServer = {
      conditions: [{ lastUpdateTime: 't', message: 'm', reason: 'r', status: 'True', type: 'Healthy' }],
    };
    const planned = {
      conditions: [{ type: 'Healthy', status: 'True', lastUpdateTime: 't', reason: 'r', message: 'm' }],
    };
    expect(mergePatchDiff(fromServer, planned)).toBeUndefined();
    expect(
      mergePatchDiff(fromServer, { conditions: [{ ...planned.conditions[0], status: 'False' }] }),
    ).toEqual({
      conditions: [{ type: 'Healthy', status: 'False', lastUpdateTime: 't', reason: 'r', message: 'm' }],
    });
  });
});
