/**
 * Reading `valueFrom.secretKeyRef` args from Secrets in the run's namespace, at measurement time
 * only; the values are returned for redaction and never logged.
 * @module
 */
import type { KubeClient } from '../kube/client.ts';
import type { KubeObject } from '../kube/types.ts';
import { SlipwayError } from '../util/errors.ts';
import { argsWithoutSecrets } from './run-plan.ts';
import { type AnalysisRun, type Argument, runSubject } from './types.ts';

/** The run's args with secret values filled in, and those values (to redact from messages). */
export interface SecretArgs {
  args: Argument[];
  secrets: string[];
}

/**
 * Reads every `secretKeyRef` arg. A missing Secret or key is a non-transient SlipwayError; API
 * failures propagate as they are (and are retried by the controller).
 */
export async function readSecretArgs(
  client: KubeClient,
  run: AnalysisRun,
  signal?: AbortSignal,
): Promise<SecretArgs> {
  const secrets: string[] = [];
  argsWithoutSecrets(run.spec.args ?? []); // rejects an arg with both value and valueFrom
  const args: Argument[] = [];
  for (const arg of run.spec.args ?? []) {
    const ref = arg.valueFrom?.secretKeyRef;
    if (!ref) {
      args.push(arg);
      continue;
    }
    const secret = await client.get<KubeObject & { data?: Record<string, string> }>(
      { apiVersion: 'v1', kind: 'Secret', name: ref.name, namespace: run.metadata.namespace },
      signal,
    );
    if (!secret)
      throw new SlipwayError(`secret "${ref.name}" not found`, {
        subject: runSubject(run),
        reason: 'SecretNotFound',
      });
    const encoded = secret.data?.[ref.key];
    if (encoded === undefined)
      throw new SlipwayError(`secret "${ref.name}" has no key "${ref.key}"`, {
        subject: runSubject(run),
        reason: 'SecretKeyNotFound',
      });
    const value = Buffer.from(encoded, 'base64').toString('utf8');
    secrets.push(value);
    args.push({ name: arg.name, value });
  }
  return { args, secrets };
}
