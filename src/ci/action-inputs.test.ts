import { describe, expect, it } from 'vitest';
import { SlipwayError } from '../util/errors.ts';
import { inputBool, inputInteger, inputList, inputText, keyValueItems } from './action-inputs.ts';

describe('inputList (getInputList of @docker/actions-toolkit)', () => {
  it.each([
    ['the seed tags block', 'r/app:abc1234\nr/app:latest\n', {}, ['r/app:abc1234', 'r/app:latest']],
    ['a comma list', 'linux/amd64,linux/arm64', {}, ['linux/amd64', 'linux/arm64']],
    ['commas and newlines with blanks', ' a , b\n\n c ,', {}, ['a', 'b', 'c']],
    [
      'newlines only when commas are kept',
      'type=gha,mode=max\nother',
      { ignoreComma: true },
      ['type=gha,mode=max', 'other'],
    ],
    ['CRLF', 'a\r\nb', {}, ['a', 'b']],
    ['empty', '', {}, []],
  ])('%s', (_name, text, options, expected) => {
    expect(inputList(text, options)).toEqual(expected);
  });

  it('reads absent and null inputs as empty', () => {
    expect(inputList(undefined)).toEqual([]);
    expect(inputList(null)).toEqual([]);
    expect(inputText(12)).toBe('12');
  });
});

describe('inputBool', () => {
  it.each([
    [true, true],
    [false, false],
    ['true', true],
    ['TRUE', true],
    ['False', false],
    ['', 'fallback'],
    [undefined, 'fallback'],
  ])('%s', (value, expected) => {
    const got = inputBool(value, 'push', true, "step 'x'");
    expect(got).toBe(expected === 'fallback' ? true : expected);
  });

  it('refuses anything else, naming the input', () => {
    expect(() => inputBool('yes', 'push', false, "step 'Build'")).toThrow(
      "step 'Build': input 'push' must be true or false, got \"yes\"",
    );
  });
});

describe('keyValueItems', () => {
  it('splits at the first = and keeps empty values', () => {
    expect(keyValueItems(['VERSION=1.2', 'EMPTY=', 'URL=a=b'], 'build-args', 's')).toEqual([
      ['VERSION', '1.2'],
      ['EMPTY', ''],
      ['URL', 'a=b'],
    ]);
  });

  it('refuses an item without a key', () => {
    expect(() => keyValueItems(['=x'], 'labels', "step 'B'")).toThrow(SlipwayError);
    expect(() => keyValueItems(['novalue'], 'labels', "step 'B'")).toThrow(
      'input \'labels\': expected KEY=VALUE, got "novalue"',
    );
  });
});

describe('inputInteger', () => {
  it('reads whole numbers and falls back when empty', () => {
    expect(inputInteger('1', 'exit-code', 0, 's')).toBe(1);
    expect(inputInteger(2, 'exit-code', 0, 's')).toBe(2);
    expect(inputInteger('', 'exit-code', 0, 's')).toBe(0);
    expect(() => inputInteger('-1', 'exit-code', 0, 's')).toThrow("input 'exit-code' must be a whole number");
  });
});
