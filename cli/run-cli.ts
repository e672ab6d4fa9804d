/**
 * The operator command, as a function: parses the arguments, builds the AWS clients from the
 * SDK's standard credential and region chain (or --endpoint / --region), runs one command and
 * returns the exit code. Every failure becomes one clear line on stderr.
 */
import { parseArgs } from 'node:util';

import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { CliError, describeFailure } from './cli-error';
import { type CommandContext } from './context';
import { repair } from './repair';
import { revokePrevious } from './revoke-previous';
import { rotate } from './rotate';
import { status } from './status';

export const USAGE = `usage: jwt-keys <command> SECRET [options]

commands:
  status SECRET            current, previous and standby key, ages, grace end, schedule, stale AWSPENDING
  rotate SECRET            rotate now (refused while the previous key is in grace, or while the
                           standby key is younger than the verifier cache, unless --force)
  revoke-previous SECRET   leaked key: discard the standby key, rotate now to a fresh key and
                           retire the leaked key at once
  repair SECRET            clear a stale AWSPENDING left by a failed rotation

options:
  --json                   print one JSON document instead of text
  --force                  rotate: drop a previous key that is still in its grace period, or
                           promote a standby key younger than the verifier cache
  --no-wait                rotate: return once the rotation has started
  --timeout SECONDS        how long to wait for a rotation (default 300)
  --region REGION          AWS region (default: the SDK's region chain)
  --endpoint URL           AWS endpoint, e.g. the local endpoint of npm run demo
  -h, --help               this text`;

const COMMANDS = {
  status,
  rotate,
  'revoke-previous': revokePrevious,
  repair,
} as const;

export interface CliClientConfig {
  readonly region?: string;
  readonly endpoint?: string;
}

export interface CliDependencies {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Extra client configuration (tests pass credentials); merged over --region / --endpoint. */
  readonly clientConfig?: Record<string, unknown>;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly pollIntervalMs?: number;
}

export async function runCli(
  argv: readonly string[],
  dependencies: CliDependencies,
): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        'no-wait': { type: 'boolean', default: false },
        timeout: { type: 'string' },
        region: { type: 'string' },
        endpoint: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    dependencies.stderr(`jwt-keys: ${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    dependencies.stdout(USAGE);
    return 0;
  }
  const [commandName, secretId, ...extra] = positionals;
  if (commandName === undefined || !(commandName in COMMANDS)) {
    dependencies.stderr(
      `jwt-keys: ${commandName === undefined ? 'no command given' : `unknown command "${commandName}"`}\n${USAGE}`,
    );
    return 2;
  }
  if (secretId === undefined || extra.length > 0) {
    dependencies.stderr(
      `jwt-keys: ${commandName} takes exactly one SECRET (name or ARN)\n${USAGE}`,
    );
    return 2;
  }
  const timeoutSeconds = values.timeout === undefined ? 300 : Number(values.timeout);
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) {
    dependencies.stderr(`jwt-keys: --timeout must be a number of seconds, got "${values.timeout}"`);
    return 2;
  }

  const clientConfig = {
    ...(values.region !== undefined && { region: values.region }),
    ...(values.endpoint !== undefined && { endpoint: values.endpoint }),
    ...dependencies.clientConfig,
  };
  const secretsManager = new SecretsManagerClient(clientConfig);
  const lambda = new LambdaClient(clientConfig);
  const context: CommandContext = {
    secretsManager,
    lambda,
    secretId,
    json: values.json,
    force: values.force,
    wait: !values['no-wait'],
    timeoutMs: timeoutSeconds * 1000,
    pollIntervalMs: dependencies.pollIntervalMs ?? 2000,
    print: (line) => {
      dependencies.stdout(line);
    },
    progress: (line) => {
      dependencies.stderr(line);
    },
    now: dependencies.now ?? Date.now,
    sleep: dependencies.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
  try {
    await COMMANDS[commandName as keyof typeof COMMANDS](context);
    return 0;
  } catch (error) {
    const failure = describeFailure(error, secretId);
    dependencies.stderr(`jwt-keys: ${failure.message}`);
    return failure instanceof CliError ? failure.exitCode : 1;
  } finally {
    secretsManager.destroy();
    lambda.destroy();
  }
}
