// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${{ }} is GitHub expression syntax under test, not a JS placeholder
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SlipwayError } from '../util/errors.ts';
import { checkJobExpressions } from './check.ts';
import { InvalidWorkflowError, parseWorkflow, selectJob } from './workflow.ts';

const seedText = readFileSync(join(import.meta.dirname, '../../test/fixtures/seed/ci.yaml'), 'utf8');

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('parseWorkflow', () => {
  it("accepts the seed's Step 3 workflow unchanged", () => {
    const wf = parseWorkflow(seedText, 'ci.yaml');
    const [id, job] = selectJob(wf, 'ci.yaml');
    expect(id).toBe('build-and-push');
    expect(job.steps).toHaveLength(9);
    expect(job.steps[6]?.id).toBe('tag');
    expect(wf.env?.['REGISTRY']).toBe('ghcr.io');
    expect(() => checkJobExpressions('ci.yaml', id, job, wf.env ?? {})).not.toThrow();
  });

  it('names file, line and column of a YAML error', () => {
    const err = thrown(() =>
      parseWorkflow('name: CI\non:\n  push: [main\njobs: {}\n', '.github/workflows/ci.yaml'),
    );
    expect(err).toBeInstanceOf(SlipwayError);
    expect((err as SlipwayError).subject).toMatch(/^\.github\/workflows\/ci\.yaml:\d+:\d+$/);
    expect((err as SlipwayError).reason).toBe('InvalidWorkflowYaml');
  });

  it('refuses an alias bomb', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) {
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    }
    const err = thrown(() => parseWorkflow(lines.join('\n'), 'bomb.yaml'));
    expect((err as SlipwayError).reason).toBe('InvalidWorkflowYaml');
    expect((err as Error).message).toMatch(/bomb\.yaml: .*alias/i);
  });

  it('reports schema issues with a path and line', () => {
    const text = seedText.replace(
      '        with:\n          registry:',
      '        with: [oops]\n        x-with:\n          registry:',
    );
    const err = thrown(() => parseWorkflow(text, 'ci.yaml')) as InvalidWorkflowError;
    expect(err).toBeInstanceOf(InvalidWorkflowError);
    const paths = err.issues.map((i) => i.path);
    expect(paths).toContain('jobs.build-and-push.steps[5].with');
    const withIssue = err.issues.find((i) => i.path === 'jobs.build-and-push.steps[5].with');
    expect(withIssue?.line).toBe(text.split('\n').findIndex((l) => l.includes('with: [oops]')) + 1);
    expect(err.message).toContain('jobs.build-and-push.steps[5]');
  });

  it('requires exactly one of run and uses', () => {
    const text =
      'on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - name: both\n        run: echo\n        uses: a/b@v1\n';
    const err = thrown(() => parseWorkflow(text, 'w.yaml')) as InvalidWorkflowError;
    expect(err.issues[0]?.path).toBe('jobs.a.steps[0]');
    expect(err.issues[0]?.message).toMatch(/exactly one of `uses` and `run`/);
  });
});

describe('selectJob', () => {
  const two = parseWorkflow(
    'on: push\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo a}]\n  b:\n    runs-on: x\n    steps: [{run: echo b}]\n',
    'w.yaml',
  );
  it('asks for --job when there are several', () => {
    expect(() => selectJob(two, 'w.yaml')).toThrow(/2 jobs \(a, b\).*--job/);
    expect(selectJob(two, 'w.yaml', 'b')[0]).toBe('b');
    expect(() => selectJob(two, 'w.yaml', 'c')).toThrow(/no job 'c'/);
  });
});

describe('checkJobExpressions', () => {
  it('names the step and the expression of an unsupported function or context', () => {
    const wf = parseWorkflow(
      "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ok\n      - name: Broken\n        run: echo ${{ toUpper('x') }}\n      - name: Vars\n        if: vars.X == 'y'\n        run: echo\n",
      'w.yaml',
    );
    const [id, job] = selectJob(wf, 'w.yaml');
    const err = thrown(() => checkJobExpressions('w.yaml', id, job)) as InvalidWorkflowError;
    expect(err.issues).toEqual([
      {
        path: 'jobs.a.steps[1].run',
        message: "step 'Broken': unrecognized function 'toupper' in 'toUpper('x')'",
      },
      expect.objectContaining({
        path: 'jobs.a.steps[2].if',
        message: expect.stringContaining("step 'Vars': unrecognized named-value 'vars' in 'vars.X == 'y''"),
      }),
    ]);
  });
});
