/** Drives runCli against the local endpoint and captures what it prints. */
import { PutSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { runCli } from '../../cli/run-cli';
import { generateKeyDocument, serializeKeyDocument } from '../../key-document';
import { type LocalAws } from '../../local-aws';

export { createKeySecret } from '../support/rotation-rig';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function cli(local: LocalAws, now: () => number, ...argv: string[]): Promise<CliRun> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli([...argv, '--endpoint', local.endpoint, '--region', 'us-east-1'], {
    stdout: (text) => stdout.push(text),
    stderr: (text) => stderr.push(text),
    clientConfig: { credentials: local.clientConfig().credentials, maxAttempts: 1 },
    now,
    // Waiting for a rotation means letting the local service finish it: no timers in tests.
    sleep: () => local.rotationsSettled(),
  });
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

/** Puts a new key as AWSCURRENT directly (as a finished rotation leaves it), granting `graceSeconds`. */
export async function putCurrentKey(
  sm: SecretsManagerClient,
  name: string,
  versionId: string,
  now: number,
  graceSeconds: number,
): Promise<void> {
  const document = generateKeyDocument({
    alg: 'HS256',
    kid: versionId,
    now: new Date(now),
    previousKeyGraceSeconds: graceSeconds,
  });
  await sm.send(
    new PutSecretValueCommand({
      SecretId: name,
      ClientRequestToken: versionId,
      SecretString: serializeKeyDocument(document),
    }),
  );
}
