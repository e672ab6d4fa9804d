/**
 * The operator command, as a function: parses the arguments, builds the AWS clients from the
 * SDK's standard credential and region chain (or --endpoint / --region / the secret ARN's
 * region), runs one command and returns the exit code: 0 done, 1 failed, 2 bad arguments, 3
 * status found a secret it cannot read as a rotating key. Every failure becomes one line on
 * stderr with its code; with --json also `{"error":{"code","message"}}` on stdout, the one
 * document scripts parse.
 */
import { parseArgs } from 'node:util';

import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { HMAC_ALGORITHMS, isHmacAlgorithm, LEGACY_TOKENS_WITHOUT_EXP } from '../key-document';

import { awsTargetOf } from './aws-target';
import { CliError, describeFailure, usageError } from './cli-error';
import { type CommandContext } from './context';
import { parseDurationSeconds } from './durations';
import { type ImportInput, type ImportOptions, importLegacyKey } from './import';
import { type KeyInput } from './key-input';
import { repair } from './repair';
import { revokePrevious } from './revoke-previous';
import { rotate } from './rotate';
import { status } from './status';
import {
  type CommandName,
  commandUsage,
  COMMAND_NAMES,
  isCommandName,
  optionsOf,
  USAGE,
} from './usage';
import { packageVersion } from './version';

export { USAGE } from './usage';

/**
 * Each command: resolves when done, or to its own exit code (status's warning, 3). The second
 * argument carries what one command alone takes (import's options and standard input).
 */
const COMMANDS: Readonly<
  Record<CommandName, (context: CommandContext, input: ImportInput) => Promise<unknown>>
> = {
  status,
  rotate,
  'revoke-previous': revokePrevious,
  repair,
  import: importLegacyKey,
};

const OPTIONS = {
  json: { type: 'boolean' },
  force: { type: 'boolean' },
  'no-wait': { type: 'boolean' },
  timeout: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  'longest-token-lifetime': { type: 'string' },
  'tokens-without-exp': { type: 'string' },
  algorithm: { type: 'string' },
  base64: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

/** Options every command takes. */
const COMMON_OPTIONS = new Set(['json', 'region', 'endpoint', 'help', 'version']);

export interface CliClientConfig {
  readonly region?: string;
  readonly endpoint?: string;
}

/** One SDK command a CLI command sent: for tests that check IAM policies against the calls. */
export interface SentCommand {
  readonly service: 'secretsmanager' | 'lambda';
  /** The SDK command's name, e.g. GetSecretValueCommand. */
  readonly command: string;
  readonly input: Readonly<Record<string, unknown>>;
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
  /** Told of every SDK command before it is sent. @default none */
  readonly onSend?: (sent: SentCommand) => void;
}

type Values = ReturnType<typeof parseArguments>['values'];

export async function runCli(
  argv: readonly string[],
  dependencies: CliDependencies,
): Promise<number> {
  // Known before parsing, so that a usage error is JSON too and names the command's help.
  const json = argv.includes('--json');
  const named = argv.find((arg) => !arg.startsWith('-'));
  const command = isCommandName(named) ? named : undefined;
  const fail = (error: unknown, secretId?: string): number => {
    const failure = describeFailure(error, secretId);
    dependencies.stderr(`jwt-keys: ${failure.message}`);
    if (json) {
      dependencies.stdout(
        JSON.stringify({ error: { code: failure.code, message: failure.message } }, null, 2),
      );
    }
    return failure.exitCode;
  };

  let parsed;
  try {
    parsed = parseArguments(argv, command);
  } catch (error) {
    return fail(error);
  }
  const { values, positionals } = parsed;
  if (values.version === true) {
    dependencies.stdout(packageVersion());
    return 0;
  }
  if (values.help === true) {
    dependencies.stdout(command === undefined ? USAGE : commandUsage(command));
    return 0;
  }
  const [commandName, id, ...extra] = positionals;
  if (commandName === undefined) {
    dependencies.stderr(USAGE);
    return fail(usageError('no command given'));
  }
  if (!isCommandName(commandName)) {
    return fail(
      usageError(`unknown command "${commandName}"; the commands are ${COMMAND_NAMES.join(', ')}`),
    );
  }
  if (commandName === 'import' && extra.length > 0) {
    // Never quote it: it may be the key, which belongs on standard input.
    return fail(
      new CliError(
        'ERR_CLI_USAGE',
        'import takes exactly one SECRET; the key is read from standard input, never ' +
          'from the command line (where ps and the shell history keep it): ' +
          'printf %s "$JWT_SECRET" | jwt-keys import SECRET --longest-token-lifetime 24h',
      ),
    );
  }
  if (id === undefined || extra.length > 0) {
    return fail(usageError(`${commandName} takes exactly one SECRET (name or ARN)`, commandName));
  }

  let context: CommandContext;
  let input: ImportInput;
  let clients: { secretsManager: SecretsManagerClient; lambda: LambdaClient };
  try {
    const settings = commandSettings(commandName, values);
    const target = awsTargetOf(id, { region: values.region, endpoint: values.endpoint });
    const clientConfig = { ...target, ...dependencies.clientConfig };
    clients = {
      secretsManager: new SecretsManagerClient(clientConfig),
      lambda: new LambdaClient(clientConfig),
    };
    if (dependencies.onSend !== undefined) observe(clients, dependencies.onSend);
    context = {
      ...clients,
      secretId: id,
      json: values.json === true,
      force: values.force === true,
      wait: values['no-wait'] !== true,
      timeoutMs: settings.timeoutSeconds * 1000,
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
    input = {
      ...(dependencies.stdin !== undefined && { stdin: dependencies.stdin }),
      ...(settings.importOptions !== undefined && { options: settings.importOptions }),
    };
  } catch (error) {
    return fail(error, id);
  }
  try {
    const exitCode = await COMMANDS[commandName](context, input);
    return typeof exitCode === 'number' ? exitCode : 0;
  } catch (error) {
    return fail(error, id);
  } finally {
    clients.secretsManager.destroy();
    clients.lambda.destroy();
  }
}

/**
 * node:util's parseArgs, with its errors (which quote its own advice) turned into one line
 * naming the option, and the options the command does not take refused.
 */
function parseArguments(argv: readonly string[], command: CommandName | undefined) {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, options: OPTIONS });
  } catch (error) {
    throw usageError(parserProblem(error as Error & { code?: string }), command);
  }
  if (command !== undefined) {
    const allowed = new Set([...COMMON_OPTIONS, ...optionsOf(command)]);
    const refused = Object.keys(parsed.values).find((name) => !allowed.has(name));
    if (refused !== undefined) throw usageError(`${command} does not take --${refused}`, command);
  }
  return parsed;
}

function parserProblem(error: Error & { code?: string }): string {
  const option = /'(-[^' ]+)/.exec(error.message)?.[1] ?? 'an option';
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option}`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return /does not take an argument/.test(error.message)
        ? `${option} takes no value`
        : `${option} needs a value`;
    default:
      return error.message.split('. ')[0] ?? error.message;
  }
}

/** Reports every command the clients send, before it is signed and sent. */
function observe(
  clients: { secretsManager: SecretsManagerClient; lambda: LambdaClient },
  onSend: (sent: SentCommand) => void,
): void {
  const report =
    (service: SentCommand['service']) =>
    <Output extends object>(
      next: (args: { input: object }) => Promise<Output>,
      context: { commandName?: string },
    ) =>
    (args: { input: object }): Promise<Output> => {
      onSend({
        service,
        command: context.commandName ?? 'unknown',
        input: args.input as Record<string, unknown>,
      });
      return next(args);
    };
  const options = { step: 'initialize', name: 'jwtKeysReportSend' } as const;
  clients.secretsManager.middlewareStack.add(report('secretsmanager'), options);
  clients.lambda.middlewareStack.add(report('lambda'), options);
}

/** The checked settings of a command: --timeout, and import's options. */
function commandSettings(
  command: CommandName,
  values: Values,
): { timeoutSeconds: number; importOptions?: ImportOptions } {
  const timeoutSeconds = values.timeout === undefined ? 300 : Number(values.timeout);
  if (values.timeout?.trim() === '' || !Number.isFinite(timeoutSeconds) || timeoutSeconds < 0) {
    throw usageError(
      `--timeout must be a number of seconds, got ${JSON.stringify(values.timeout)}`,
      command,
    );
  }
  return {
    timeoutSeconds,
    ...(command === 'import' && { importOptions: importOptionsOf(values) }),
  };
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
    throw usageError(
      'import needs --longest-token-lifetime: how long the tokens already signed with the ' +
        'static secret may live (their exp minus their iat at most), e.g. 24h',
      'import',
    );
  }
  const tokensWithoutExp = values['tokens-without-exp'] ?? 'refuse';
  if (!(LEGACY_TOKENS_WITHOUT_EXP as readonly string[]).includes(tokensWithoutExp)) {
    throw usageError(
      `--tokens-without-exp must be ${LEGACY_TOKENS_WITHOUT_EXP.join(' or ')}, got ${JSON.stringify(tokensWithoutExp)}`,
      'import',
    );
  }
  const algorithm = values.algorithm ?? 'HS256';
  if (!isHmacAlgorithm(algorithm)) {
    throw usageError(
      `--algorithm must be ${HMAC_ALGORITHMS.join(', ')} (a static secret is an HMAC key), got ${JSON.stringify(algorithm)}`,
      'import',
    );
  }
  return {
    algorithm,
    encoding: values.base64 === true ? 'base64' : 'utf8',
    longestTokenLifetimeSeconds: parseDurationSeconds(lifetime, '--longest-token-lifetime'),
    tokensWithoutExp: tokensWithoutExp as ImportOptions['tokensWithoutExp'],
  };
}
