/** gitops-engine's `TestGetArgoWorkflowHealth` (`pkg/health/health_test.go`). */
import { describe, expect, it } from 'vitest';
import { assessHealth } from './index.ts';
import { workflowHealth } from './workflow.ts';

describe('TestGetArgoWorkflowHealth', () => {
  const spec = { entrypoint: 'sampleEntryPoint', extraneousKey: 'we are agnostic to extraneous keys' };

  it('running workflow is Progressing with its message', () => {
    const obj = { spec, status: { phase: 'Running', message: 'This node is running' } };
    expect(workflowHealth(obj)).toEqual({ status: 'Progressing', message: 'This node is running' });
  });

  it('succeeded workflow is Healthy with its message', () => {
    const obj = { spec, status: { phase: 'Succeeded', message: 'This node is has succeeded' } };
    expect(workflowHealth(obj)).toEqual({ status: 'Healthy', message: 'This node is has succeeded' });
  });

  it('workflow without status is Progressing with no message', () => {
    expect(workflowHealth({ spec })).toEqual({ status: 'Progressing' });
  });

  it('is dispatched for argoproj.io Workflows', () => {
    const obj = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name: 'w' },
      status: { phase: 'Failed' },
    };
    expect(assessHealth(obj)).toEqual({ status: 'Degraded' });
  });
});
