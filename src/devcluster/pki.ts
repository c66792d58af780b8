/**
 * The control plane's certificates: a CA, the API server's serving certificate, the service-account
 * signing key, an admin client certificate (group system:masters) and an admin bearer token.
 * Made with the openssl CLI (argument arrays, no shell); EC P-256 keys, which are quick to make.
 * @module
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SlipwayError } from '../util/errors.ts';

const run = promisify(execFile);

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  servingCert: string;
  servingKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  adminCert: string;
  adminKey: string;
  tokenFile: string;
  adminToken: string;
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { timeout: 60_000 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const hint =
      code === 'ENOENT'
        ? 'the openssl command is not installed (apt-get install -y openssl)'
        : String((err as { stderr?: string }).stderr ?? err);
    throw new SlipwayError(hint, { subject: `openssl ${args[0]}`, reason: 'PkiFailed', cause: err });
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Creates the PKI in `dir` unless it is already there (so a restarted dev cluster keeps its identity). */
export async function ensurePki(dir: string): Promise<Pki> {
  const p = (name: string) => join(dir, name);
  const pki: Pki = {
    dir,
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    servingCert: p('apiserver.crt'),
    servingKey: p('apiserver.key'),
    serviceAccountKey: p('sa.key'),
    serviceAccountPub: p('sa.pub'),
    adminCert: p('admin.crt'),
    adminKey: p('admin.key'),
    tokenFile: p('tokens.csv'),
    adminToken: '',
  };
  const tokenPath = p('admin.token');
  if (existsSync(tokenPath) && existsSync(pki.adminKey)) {
    pki.adminToken = readFileSync(tokenPath, 'utf8').trim();
    return pki;
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const days = ['-days', '3650'];
  await openssl([
    'req',
    '-x509',
    ...EC,
    '-keyout',
    pki.caKey,
    '-out',
    pki.caCert,
    ...days,
    '-subj',
    '/CN=slipway-dev-ca',
  ]);
  const extFile = p('serving.ext');
  writeFileSync(
    extFile,
    'subjectAltName=IP:127.0.0.1,IP:10.96.0.1,DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\nextendedKeyUsage=serverAuth\n',
  );
  await openssl([
    'req',
    ...EC,
    '-keyout',
    pki.servingKey,
    '-out',
    p('apiserver.csr'),
    '-subj',
    '/CN=kube-apiserver',
  ]);
  await openssl([
    'x509',
    '-req',
    '-in',
    p('apiserver.csr'),
    '-CA',
    pki.caCert,
    '-CAkey',
    pki.caKey,
    '-CAcreateserial',
    '-out',
    pki.servingCert,
    ...days,
    '-extfile',
    extFile,
  ]);
  const clientExt = p('client.ext');
  writeFileSync(clientExt, 'extendedKeyUsage=clientAuth\n');
  await openssl([
    'req',
    ...EC,
    '-keyout',
    pki.adminKey,
    '-out',
    p('admin.csr'),
    '-subj',
    '/O=system:masters/CN=slipway-admin',
  ]);
  await openssl([
    'x509',
    '-req',
    '-in',
    p('admin.csr'),
    '-CA',
    pki.caCert,
    '-CAkey',
    pki.caKey,
    '-CAcreateserial',
    '-out',
    pki.adminCert,
    ...days,
    '-extfile',
    clientExt,
  ]);
  await openssl(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', pki.serviceAccountKey]);
  await openssl(['ec', '-in', pki.serviceAccountKey, '-pubout', '-out', pki.serviceAccountPub]);
  pki.adminToken = randomBytes(24).toString('hex');
  // token,user,uid,"groups": the admin bypasses RBAC through system:masters.
  writeFileSync(pki.tokenFile, `${pki.adminToken},slipway-admin,slipway-admin,"system:masters"\n`, {
    mode: 0o600,
  });
  writeFileSync(tokenPath, `${pki.adminToken}\n`, { mode: 0o600 });
  return pki;
}
