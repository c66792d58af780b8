/**
 * Exec credential plugins (`users[].user.exec`): run the command, read an `ExecCredential` from
 * its stdout, cache it until it expires. The command is run with an argument array, never a shell.
 * @module
 */
import { execFile } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { SlipwayError } from '../util/errors.ts';
import type { ExecConfig } from './kubeconfig.ts';

export interface ExecCredential {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  /** Epoch ms after which the credential must be fetched again; undefined means until a 401. */
  expiresAt?: number;
}

const ExecCredentialSchema = z.object({
  apiVersion: z.string(),
  kind: z.literal('ExecCredential'),
  status: z
    .object({
      token: z.string().optional(),
      clientCertificateData: z.string().optional(),
      clientKeyData: z.string().optional(),
      expirationTimestamp: z.string().optional(),
    })
    .optional(),
});

/** Runs the plugin once and parses its answer. */
export async function runExecPlugin(
  exec: ExecConfig,
  server: string,
  signal?: AbortSignal,
): Promise<ExecCredential> {
  // A command with a slash is a path relative to the kubeconfig; a bare name is looked up on PATH.
  const command =
    exec.command.includes('/') && !isAbsolute(exec.command)
      ? resolve(exec.baseDir, exec.command)
      : exec.command;
  const subject = `exec credential plugin ${exec.command}`;
  const execInfo = {
    apiVersion: exec.apiVersion,
    kind: 'ExecCredential',
    spec: { interactive: false, ...(exec.provideClusterInfo ? { cluster: { server } } : {}) },
  };
  const env: NodeJS.ProcessEnv = { ...process.env, KUBERNETES_EXEC_INFO: JSON.stringify(execInfo) };
  for (const { name, value } of exec.env) env[name] = value;

  const stdout = await new Promise<string>((resolveOut, reject) => {
    execFile(command, exec.args, { env, timeout: 60_000, maxBuffer: 1 << 20, signal }, (err, out, stderr) => {
      if (err) {
        const detail = String(stderr).trim().split('\n').slice(-3).join(' ') || err.message;
        reject(
          new SlipwayError(`failed: ${detail}`, { subject, reason: 'ExecCredentialFailed', cause: err }),
        );
      } else resolveOut(String(out));
    });
  });
  let parsed: z.infer<typeof ExecCredentialSchema>;
  try {
    parsed = ExecCredentialSchema.parse(JSON.parse(stdout));
  } catch (err) {
    throw new SlipwayError('did not print a valid ExecCredential on stdout', {
      subject,
      reason: 'ExecCredentialFailed',
      cause: err,
    });
  }
  if (parsed.apiVersion !== exec.apiVersion) {
    throw new SlipwayError(`answered apiVersion ${parsed.apiVersion}, expected ${exec.apiVersion}`, {
      subject,
      reason: 'ExecCredentialFailed',
    });
  }
  const status = parsed.status ?? {};
  if (!status.token && !(status.clientCertificateData && status.clientKeyData)) {
    throw new SlipwayError('returned neither a token nor a client certificate and key', {
      subject,
      reason: 'ExecCredentialFailed',
    });
  }
  const credential: ExecCredential = {};
  if (status.token) credential.token = status.token;
  if (status.clientCertificateData) credential.clientCertificateData = status.clientCertificateData;
  if (status.clientKeyData) credential.clientKeyData = status.clientKeyData;
  if (status.expirationTimestamp) {
    const t = Date.parse(status.expirationTimestamp);
    if (!Number.isNaN(t)) credential.expiresAt = t;
  }
  return credential;
}
