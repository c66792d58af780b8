/**
 * Reading a pipeline file and choosing one of its pipelines.
 * @module
 */
import { readFileSync } from 'node:fs';
import { SlipwayError } from '../util/errors.ts';
import { type Pipeline, parsePipelines } from './spec.ts';

/**
 * The pipelines of `file` (see `parsePipelines`), or the one named `name`.
 * @throws {SlipwayError} naming the file when it cannot be read, is invalid, or has no such pipeline.
 */
export function loadPipelines(file: string): Pipeline[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new SlipwayError('cannot read the pipeline file', {
      subject: file,
      reason: 'FileNotFound',
      cause: err,
    });
  }
  return parsePipelines(text, file);
}

/** One pipeline of `file`: the one named, or the only one. */
export function loadPipeline(file: string, name?: string): Pipeline {
  const all = loadPipelines(file);
  if (name !== undefined) {
    const p = all.find((x) => x.name === name);
    if (p === undefined) {
      throw new SlipwayError(`no pipeline "${name}" (found: ${all.map((x) => x.name).join(', ')})`, {
        subject: file,
        reason: 'PipelineNotFound',
      });
    }
    return p;
  }
  if (all.length > 1) {
    throw new SlipwayError(`${all.length} pipelines (${all.map((x) => x.name).join(', ')}); name one`, {
      subject: file,
      reason: 'AmbiguousPipeline',
    });
  }
  return all[0]!;
}
