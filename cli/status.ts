/**
 * `jwt-keys status SECRET`: the keys (current, previous and standby, by kid), their ages, the
 * grace end and the rotation schedule. No key is ever shown by value. A secret it cannot read as
 * a rotating key (no AWSCURRENT, a current value that is no key document, rotation disabled) is
 * still shown, with a warning on stderr, and exits 3 (ERR_SECRET_NOT_OURS): a monitoring script
 * running `jwt-keys status` learns of it from the exit code.
 */
import { type CommandContext } from './context';
import { formatDuration, iso, keyLabel } from './format';
import {
  type KeyState,
  readSecretState,
  type SecretState,
  type StandbyState,
  youngStandbyOf,
} from './secret-state';

/** status's exit code for a secret it cannot read as ours (see cli-error.ts). */
const NOT_OURS_EXIT_CODE = 3;

export async function status(context: CommandContext): Promise<number> {
  const state = await readSecretState(context.secretsManager, context.secretId);
  const now = context.now();
  const problems = notOursProblems(state);
  for (const problem of problems) {
    context.progress(
      `jwt-keys: WARNING (ERR_SECRET_NOT_OURS): secret "${context.secretId}" ${problem}`,
    );
  }
  const exitCode = problems.length === 0 ? 0 : NOT_OURS_EXIT_CODE;
  if (context.json) {
    const document = {
      ...statusDocument(state, now),
      problems: problems.map((problem) => ({ code: 'ERR_SECRET_NOT_OURS', message: problem })),
    };
    context.print(JSON.stringify(document, null, 2));
    return exitCode;
  }
  const rotation = state.rotationEnabled
    ? `enabled${state.rotationRules === undefined ? '' : `, ${state.rotationRules}`}`
    : 'DISABLED';
  context.print(`secret       ${state.name} (${state.arn})`);
  context.print(`rotation     ${rotation}`);
  context.print(`last rotated ${state.lastRotatedAt?.toISOString() ?? 'never'}`);
  context.print(`next         ${state.nextRotationAt?.toISOString() ?? 'not scheduled'}`);
  context.print(`AWSCURRENT   ${describeKey(state.current, now)}`);
  context.print(`AWSPREVIOUS  ${describePrevious(state, now)}`);
  context.print(`JWTKEY_NEXT  ${describeStandby(state, now)}`);
  context.print(
    `AWSPENDING   ${
      state.stalePendingVersionId === undefined
        ? 'none'
        : `STALE: version ${state.stalePendingVersionId} from an unfinished rotation ` +
          `(run "jwt-keys repair ${context.secretId}")`
    }`,
  );
  const warning = shortKeyWarning(state);
  if (warning !== undefined) context.print(warning);
  return exitCode;
}

/** Why the secret is not a rotating key this command can vouch for; empty when it is. */
function notOursProblems(state: SecretState): string[] {
  return [
    state.current === undefined ? 'has no AWSCURRENT version: no key signs' : undefined,
    state.current?.problem === undefined
      ? undefined
      : `holds no key document in AWSCURRENT (${state.current.problem})`,
    state.rotationEnabled ? undefined : 'has rotation disabled: its key never changes',
  ].filter((problem) => problem !== undefined);
}

function describeKey(key: KeyState | undefined, now: number): string {
  if (key === undefined) return 'none';
  const age =
    key.createdAt === undefined ? '' : `, age ${formatDuration(now - key.createdAt.getTime())}`;
  const problem = key.problem === undefined ? '' : ` - ${key.problem}`;
  const algorithm = key.algorithm === undefined ? '' : ` ${key.algorithm}`;
  const legacy =
    key.legacy === undefined
      ? ''
      : ` LEGACY (verifies tokens without kid only, never signs; ${key.legacy.keyBytes}-byte key; ` +
        `tokens without exp ${key.legacy.tokensWithoutExp === 'refuse' ? 'refused' : 'accepted until its grace ends'})`;
  return `${keyLabel(key)}${algorithm}${legacy}${age}${problem}`;
}

/** Said once, loudly, whenever status shows a short legacy key. */
function shortKeyWarning(state: SecretState): string | undefined {
  const key = [state.current, state.previous].find((each) => each?.legacy?.short === true);
  if (key?.legacy === undefined) return undefined;
  return (
    `WARNING: the legacy key (kid ${key.kid ?? key.versionId}) is ${key.legacy.keyBytes} bytes, ` +
    `shorter than the ${key.legacy.minimumBytes} bytes RFC 7518 requires for ${key.algorithm ?? 'its algorithm'}: ` +
    'whoever guesses it can forge tokens without kid until it leaves the secret'
  );
}

function describeStandby(state: SecretState, now: number): string {
  const standby: StandbyState | undefined = state.standby;
  if (standby === undefined) return 'none (the next rotation makes a fresh key)';
  const young = youngStandbyOf(state, now);
  const early =
    young === undefined
      ? ''
      : `; younger than the ${formatDuration(young.minimumAgeSeconds * 1000)} verifiers may ` +
        'cache keys (rotate needs --force)';
  const age =
    standby.createdAt === undefined
      ? ''
      : `, age ${formatDuration(now - standby.createdAt.getTime())}`;
  const named = standby.namedByCurrent ? '' : ' (AWSCURRENT names another next key)';
  return `kid ${standby.kid}${age}; the next rotation promotes it${named}${early}`;
}

function describePrevious(state: SecretState, now: number): string {
  if (state.previous === undefined) return 'none';
  const key = describeKey(state.previous, now);
  const graceEnd = state.previousGraceEndsAt;
  if (graceEnd === undefined) return `${key}; verifies while it holds AWSPREVIOUS`;
  const left = graceEnd.getTime() - now;
  return left > 0
    ? `${key}; verifies until ${graceEnd.toISOString()} (${formatDuration(left)} left)`
    : `${key}; grace ended ${graceEnd.toISOString()} (${formatDuration(-left)} ago), retirement pending`;
}

function statusDocument(state: SecretState, now: number): Record<string, unknown> {
  const key = (value: KeyState | undefined): Record<string, unknown> | null =>
    value === undefined
      ? null
      : {
          versionId: value.versionId,
          kid: value.kid ?? null,
          algorithm: value.algorithm ?? null,
          createdAt: iso(value.createdAt),
          ageSeconds:
            value.createdAt === undefined
              ? null
              : Math.floor((now - value.createdAt.getTime()) / 1000),
          problem: value.problem ?? null,
          legacy: value.legacy ?? null,
        };
  return {
    secretArn: state.arn,
    name: state.name,
    rotationEnabled: state.rotationEnabled,
    rotationRules: state.rotationRules ?? null,
    lastRotatedAt: iso(state.lastRotatedAt),
    nextRotationAt: iso(state.nextRotationAt),
    current: key(state.current),
    previous: key(state.previous),
    standby:
      state.standby === undefined
        ? null
        : {
            versionId: state.standby.versionId,
            kid: state.standby.kid,
            createdAt: iso(state.standby.createdAt),
            ageSeconds:
              state.standby.createdAt === undefined
                ? null
                : Math.floor((now - state.standby.createdAt.getTime()) / 1000),
            namedByCurrent: state.standby.namedByCurrent,
          },
    previousGraceEndsAt: iso(state.previousGraceEndsAt),
    previousInGrace:
      state.previousGraceEndsAt === undefined ? null : state.previousGraceEndsAt.getTime() > now,
    stalePendingVersionId: state.stalePendingVersionId ?? null,
    standbyMinimumAgeSeconds: state.standbyMinimumAgeSeconds ?? null,
    warnings: [shortKeyWarning(state)].filter((warning) => warning !== undefined),
  };
}
