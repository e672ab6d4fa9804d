/**
 * The jwt-keys executable in its own process (cli/main.ts through tsx): what the in-process
 * tests cannot see, such as a reader that closes the pipe early (`jwt-keys status X | head -1`).
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';

import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { lineWriter } from '../../cli/output';
import { type LocalAws, startLocalAws } from '../../local-aws';

import { createKeySecret } from './support';

const MAIN = join(__dirname, '..', '..', 'cli', 'main.ts');

interface Exit {
  readonly code: number | null;
  readonly stderr: string;
}

/** Runs jwt-keys with its standard output closed by the reader before anything is written. */
async function runWithClosedStdout(local: LocalAws, ...argv: string[]): Promise<Exit> {
  const { credentials } = local.clientConfig();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...argv], {
    cwd: join(__dirname, '..', '..'),
    env: {
      PATH: process.env.PATH,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_CONFIG_FILE: join(__dirname, 'no-such-aws-config'),
      // The SDK warns on stderr that Node 20 nears its end of support: not this test's subject.
      NODE_NO_WARNINGS: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // As `head -1` does once it has its line: the read end of the pipe is gone.
  child.stdout.destroy();
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stderr: Buffer.concat(stderr).toString('utf8') };
}

describe('jwt-keys, the executable', () => {
  let local: LocalAws;
  let sm: SecretsManagerClient;

  beforeEach(async () => {
    local = await startLocalAws({ clock: () => Date.UTC(2026, 5, 1) });
    sm = new SecretsManagerClient(local.clientConfig({ maxAttempts: 1 }));
  });

  afterEach(async () => {
    sm.destroy();
    await local.close();
  });

  it('ends quietly with its own exit code when the reader closes standard output', async () => {
    // GIVEN a key secret (rotation not configured: status exits 3)
    await createKeySecret(sm, 'app/jwt', Date.UTC(2026, 5, 1));

    // WHEN status writes its lines into a closed pipe
    const exit = await runWithClosedStdout(
      local,
      'status',
      'app/jwt',
      '--endpoint',
      local.endpoint,
      '--region',
      'us-east-1',
    );

    // THEN no stack trace, no EPIPE: the warning status gives, and its exit code
    expect(exit.stderr).not.toMatch(/EPIPE|\n\s+at /);
    expect(exit.stderr.trim()).toMatch(/^jwt-keys: WARNING \(ERR_SECRET_NOT_OURS\)/);
    expect(exit.code).toBe(3);
  }, 30_000);

  it('a closed stream drops later lines; any other stream error is raised', () => {
    // GIVEN a stream that has reported EPIPE
    const written: string[] = [];
    let listener: ((error: NodeJS.ErrnoException) => void) | undefined;
    const stream = {
      write: (text: string) => written.push(text),
      on: (_event: 'error', handler: (error: NodeJS.ErrnoException) => void) => {
        listener = handler;
      },
    };
    const write = lineWriter(stream);
    write('one');
    listener!(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));

    // WHEN
    write('two');

    // THEN
    expect(written).toEqual(['one\n']);
    expect(() => listener!(Object.assign(new Error('disk full'), { code: 'ENOSPC' }))).toThrow(
      'disk full',
    );
  });
});
