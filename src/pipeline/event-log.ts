/**
 * A pipeline's event log: append-only JSON lines in `<state>/pipelines/<name>/events.jsonl`.
 *
 * Each event is one `write(2)` of one line to a file opened with `O_APPEND`, so concurrent writers
 * (a controller and a `slipway promote`) interleave whole lines, and a crash can at worst leave the
 * last line torn — which is then ignored on read (it never happened). Every other line must parse,
 * or the read fails naming the file and line.
 * @module
 */
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { SlipwayError } from '../util/errors.ts';
import { type PipelineEvent, type PipelineEventInput, PipelineEventSchema } from './state.ts';

/** The append-only events of one pipeline. */
export class EventLog {
  readonly path: string;

  constructor(stateRoot: string, pipeline: string) {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(pipeline)) {
      throw new SlipwayError(`"${pipeline}" is not a pipeline name`, {
        subject: 'pipeline',
        reason: 'InvalidName',
      });
    }
    const dir = join(stateRoot, 'pipelines', pipeline);
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, 'events.jsonl');
  }

  /** Appends `event` stamped with `now`, and returns it. */
  append(event: PipelineEventInput, now: Date = new Date()): PipelineEvent {
    const full = PipelineEventSchema.parse({ ...event, at: now.toISOString() });
    const fd = openSync(this.path, 'a', 0o644);
    try {
      writeSync(fd, `${JSON.stringify(full)}\n`);
    } finally {
      closeSync(fd);
    }
    return full;
  }

  /** Every event, in order. */
  read(): PipelineEvent[] {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const lines = text.split('\n');
    // The last element is '' when the file ends with a newline; anything else is a torn last
    // write: an event that was never completely recorded, so it is dropped.
    lines.pop();
    const events: PipelineEvent[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let raw: unknown;
      try {
        raw = JSON.parse(line);
      } catch (err) {
        throw new SlipwayError(`line ${i + 1} is not JSON`, {
          subject: this.path,
          reason: 'InvalidEventLog',
          cause: err,
        });
      }
      const parsed = PipelineEventSchema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new SlipwayError(
          `line ${i + 1}: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid event'}`,
          {
            subject: this.path,
            reason: 'InvalidEventLog',
          },
        );
      }
      events.push(parsed.data);
    });
    return events;
  }
}
