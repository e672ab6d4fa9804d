/**
 * The help texts: `jwt-keys --help` lists the commands, `jwt-keys <command> --help` one
 * command's usage and the options it takes. The options each command accepts are defined here,
 * once: the parser refuses any other.
 */

import { OPERATOR_COMMANDS, type OperatorCommand } from '../contract/operator-actions';

/** The commands: the ones contract/operator-actions.ts lists the permissions of. */
export const COMMAND_NAMES = OPERATOR_COMMANDS;
export type CommandName = OperatorCommand;

export function isCommandName(name: string | undefined): name is CommandName {
  return (COMMAND_NAMES as readonly (string | undefined)[]).includes(name);
}

/** Options every command takes. */
const COMMON_OPTIONS = `  --json                   print one JSON document on standard output instead of text; a
                           failure is {"error":{"code","message"}} there too
  --region REGION          AWS region (default: the SDK's region chain; a secret ARN's own)
  --endpoint URL           AWS endpoint, e.g. the local endpoint of npm run demo
  -h, --help               this text`;

const OPTION_TEXT = {
  force: '',
  'no-wait': '  --no-wait                return once the rotation has started',
  timeout: '  --timeout SECONDS        how long to wait for a rotation (default 300)',
  'longest-token-lifetime': `  --longest-token-lifetime DURATION
                           (required) how long tokens already signed with the static secret
                           may live, e.g. 3600, 90m, 24h, 30d`,
  'tokens-without-exp': `  --tokens-without-exp refuse|accept-until-grace-end
                           what happens to tokens with no exp (default refuse)`,
  algorithm: `  --algorithm HS256|HS384|HS512
                           the algorithm the static secret signs with (default HS256)`,
  base64: `  --base64                 standard input is base64 of the key bytes (default: the key is
                           the bytes read, i.e. the UTF-8 of a string secret, as jsonwebtoken
                           uses it); one trailing newline is dropped either way`,
} as const;

type CommandOption = keyof typeof OPTION_TEXT;

interface CommandHelp {
  readonly summary: string;
  readonly options: readonly CommandOption[];
  /** What --force does for this command. */
  readonly force?: string;
  readonly example?: string;
}

const COMMAND_HELP: Readonly<Record<CommandName, CommandHelp>> = {
  status: {
    summary:
      'current, previous and standby key, ages, grace end, schedule, stale AWSPENDING.\n' +
      'Exits 3 (ERR_SECRET_NOT_OURS) when the secret cannot be read as a rotating key:\n' +
      'no AWSCURRENT, a value that is no key document, or rotation disabled.',
    options: [],
  },
  rotate: {
    summary:
      'rotate now (refused while the previous key is in grace, or while the standby key\n' +
      'is younger than the verifier cache, unless --force).',
    options: ['force', 'no-wait', 'timeout'],
    force:
      'drop a previous key that is still in its grace period, or promote a standby key\n' +
      '                           younger than the verifier cache',
  },
  'revoke-previous': {
    summary:
      'leaked key: discard the standby key, rotate now to a fresh key and retire the\n' +
      'leaked key at once.',
    options: ['timeout'],
  },
  repair: {
    summary: 'clear a stale AWSPENDING left by a failed rotation.',
    options: [],
  },
  import: {
    summary:
      'adopt a static secret: read it from standard input, store it as the legacy key\n' +
      '(verifies tokens without kid, never signs) and rotate, so it verifies for the stated\n' +
      'token lifetime (+ 6 min), then leaves. Refused, changing nothing, once the current key\n' +
      'may have signed (the secret has rotated, or a previous key is in its grace): the\n' +
      "import's two label moves would drop that key and its tokens.",
    options: [
      'force',
      'longest-token-lifetime',
      'tokens-without-exp',
      'algorithm',
      'base64',
      'timeout',
    ],
    force:
      'import although the current key may have signed (its tokens stop verifying), or\n' +
      '                           although the standby key is younger than the verifier cache',
    example: 'printf %s "$JWT_SECRET" | jwt-keys import SECRET --longest-token-lifetime 24h',
  },
};

/** The options a command accepts besides the common ones. */
export function optionsOf(command: CommandName): readonly string[] {
  return COMMAND_HELP[command].options;
}

export function commandUsage(command: CommandName): string {
  const help = COMMAND_HELP[command];
  const options = help.options.map((option) =>
    option === 'force' ? `  --force                  ${help.force ?? ''}` : OPTION_TEXT[option],
  );
  return [
    `usage: jwt-keys ${command} SECRET [options]`,
    '',
    help.summary,
    ...(help.example === undefined ? [] : ['', `  ${help.example}`]),
    '',
    'options:',
    ...options,
    COMMON_OPTIONS,
  ].join('\n');
}

export const USAGE = `usage: jwt-keys <command> SECRET [options]

commands:
  status SECRET            current, previous and standby key, ages, grace end, schedule, stale AWSPENDING
  rotate SECRET            rotate now (refused while the previous key is in grace, or while the
                           standby key is younger than the verifier cache, unless --force)
  revoke-previous SECRET   leaked key: discard the standby key, rotate now to a fresh key and
                           retire the leaked key at once
  repair SECRET            clear a stale AWSPENDING left by a failed rotation
  import SECRET            adopt a static secret (read from standard input) as the legacy key
                           printf %s "$JWT_SECRET" | jwt-keys import SECRET --longest-token-lifetime 24h

SECRET is the secret's name or ARN (an ARN's region is used).

options:
${COMMON_OPTIONS}
  --version                the version of jwt-keys

"jwt-keys <command> --help" shows a command's options. Exit codes: 0 done, 1 failed,
2 bad arguments, 3 status found a secret it cannot read as a rotating key.`;
