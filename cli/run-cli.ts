/**
 * The operator command, as a function: parses the arguments, builds the AWS clients from the
 * SDK's standard credential and region chain (or --endpoint / --region), runs one command and
 * returns the exit code. Every failure becomes one clear line on stderr.
 */
import { parseArgs } from 'node:util';

import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { HMAC_ALGORITHMS, isHmacAlgorithm, LEGACY_TOKENS_WITHOUT_EXP } from '../key-document';

import { CliError, describeFailure } from './cli-error';
import { type CommandContext } from './context';
import { parseDurationSeconds } from './durations';
import { type ImportOptions, importLegacyKey } from './import';
import { type KeyInput } from './key-input';
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
  import SECRET            adopt a static secret: read it from standard input, store it as the
                           legacy key (verifies tokens without kid, never signs) and rotate, so
                           it verifies for the stated token lifetime (+ 6 min), then leaves.
                           printf %s "$JWT_SECRET" | jwt-keys import SECRET --longest-token-lifetime 24h

options:
  --json                   print one JSON document instead of text
  --force                  rotate: drop a previous key that is still in its grace period, or
                           promote a standby key younger than the verifier cache; import: the
                           latter
  --no-wait                rotate: return once the rotation has started
  --timeout SECONDS        how long to wait for a rotation (default 300)
  --longest-token-lifetime DURATION
                           import (required): how long tokens already signed with the static
                           secret may live, e.g. 3600, 90m, 24h, 30d
  --tokens-without-exp refuse|accept-until-grace-end
                           import: what happens to tokens with no exp (default refuse)
  --algorithm HS256|HS384|HS512
                           import: the algorithm the static secret signs with (default HS256)
  --base64                 import: standard input is base64 of the key bytes (default: the key
                           is the bytes read, i.e. the UTF-8 of a string secret, as jsonwebtoken
                           uses it); one trailing newline is dropped either way
  --region REGION          AWS region (default: the SDK's region chain)
  --endpoint URL           AWS endpoint, e.g. the local endpoint of npm run demo
  -h, --help               this text`;

const COMMANDS = {
  status,
  rotate,
  'revoke-previous': revokePrevious,
  repair,
  import: importLegacyKey,
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
  /** Standard input, where `import` reads the key. @default none (import refuses) */
  readonly stdin?: KeyInput;
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
        'longest-token-lifetime': { type: 'string' },
        'tokens-without-exp': { type: 'string' },
        algorithm: { type: 'string' },
        base64: { type: 'boolean', default: false },
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
  if (commandName === 'import' && extra.length > 0) {
    // Never quote it: it may be the key, which belongs on standard input.
    dependencies.stderr(
      'jwt-keys: import takes exactly one SECRET; the key is read from standard input, never ' +
        'from the command line (where ps and the shell history keep it): ' +
        'printf %s "$JWT_SECRET" | jwt-keys import SECRET --longest-token-lifetime 24h',
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

  let importOptions: ImportOptions | undefined;
  if (commandName === 'import') {
    try {
      importOptions = importOptionsOf(values);
    } catch (error) {
      dependencies.stderr(`jwt-keys: ${(error as Error).message}`);
      return 2;
    }
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
    ...(dependencies.stdin !== undefined && { stdin: dependencies.stdin }),
    ...(importOptions !== undefined && { importOptions }),
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

/** import's settings; a missing or wrong one is a usage error naming the option. */
function importOptionsOf(values: {
  readonly 'longest-token-lifetime'?: string;
  readonly 'tokens-without-exp'?: string;
  readonly algorithm?: string;
  readonly base64?: boolean;
}): ImportOptions {
  const lifetime = values['longest-token-lifetime'];
  if (lifetime === undefined) {
    throw new CliError(
      'import needs --longest-token-lifetime: how long the tokens already signed with the ' +
        'static secret may live (their exp minus their iat at most), e.g. 24h',
      2,
    );
  }
  const tokensWithoutExp = values['tokens-without-exp'] ?? 'refuse';
  if (!(LEGACY_TOKENS_WITHOUT_EXP as readonly string[]).includes(tokensWithoutExp)) {
    throw new CliError(
      `--tokens-without-exp must be ${LEGACY_TOKENS_WITHOUT_EXP.join(' or ')}, got ${JSON.stringify(tokensWithoutExp)}`,
      2,
    );
  }
  const algorithm = values.algorithm ?? 'HS256';
  if (!isHmacAlgorithm(algorithm)) {
    throw new CliError(
      `--algorithm must be ${HMAC_ALGORITHMS.join(', ')} (a static secret is an HMAC key), got ${JSON.stringify(algorithm)}`,
      2,
    );
  }
  return {
    algorithm,
    encoding: values.base64 === true ? 'base64' : 'utf8',
    longestTokenLifetimeSeconds: parseDurationSeconds(lifetime, '--longest-token-lifetime'),
    tokensWithoutExp: tokensWithoutExp as ImportOptions['tokensWithoutExp'],
  };
}
