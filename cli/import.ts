/**
 * `jwt-keys import SECRET`: moves a team from a static secret (say `JWT_SECRET`, tokens with no
 * `kid`) to rotating keys without logging anyone out.
 * 1. Reads the key from standard input (key-input.ts), never from the command line.
 * 2. Writes it into the secret as a legacy key document (key-document/legacy.ts), AWSCURRENT,
 *    at a version id derived from the secret's ARN: a re-run finds it, whatever happened.
 * 3. Rotates through the rotation function at once, as `jwt-keys rotate` does: the legacy key
 *    becomes AWSPREVIOUS, and the new key grants it its own grace (the stated token lifetime
 *    plus the allowance below), so kid-less tokens verify until then and not a second later;
 *    the retirement after that grace, or the next rotation, removes it.
 * Between 2 and 3 the legacy key is AWSCURRENT: applications verify with it but refuse to
 * sign (ERR_LEGACY_KEY_CANNOT_SIGN) until they read the new key. A ring that read the secret in
 * between keeps it for its cache period (JwtKeyRing's default 5 minutes) unless it handles the
 * rotation event: that, not the rotation's few seconds, is the signing gap.
 *
 * Refused (unless --force) once the current key may have signed: the two label moves drop it
 * (import-guard.ts). Import right after the deploy, before applications sign with the secret.
 *
 * Safe to re-run: after a failure between the write and the rotation, it finishes the job;
 * after success with the same key it says so and changes nothing (keys are compared by SHA-256,
 * never shown); a different key is refused.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

import {
  AWSCURRENT,
  AWSPREVIOUS,
  DEFAULT_CLOCK_TOLERANCE_SECONDS,
  DEFAULT_KEY_CACHE_SECONDS,
  hasStage,
  scheduleSpacing,
  STANDBY_MINIMUM_AGE_TAG,
} from '../contract';
import { derivedVersionId } from '../contract/derived-version-id';
import {
  type HmacAlgorithm,
  isLegacyKeyDocument,
  type LegacyKeyDocument,
  legacyKeyStrength,
  type LegacyTokensWithoutExp,
  makeLegacyKeyDocument,
  parseKeyDocument,
  serializeKeyDocument,
} from '../key-document';

import { CliError } from './cli-error';
import { type CommandContext } from './context';
import { formatDuration, iso } from './format';
import { keysAtRisk } from './import-guard';
import { type KeyEncoding, type KeyInput, readKeyInput } from './key-input';
import { checkCanRotate, startRotation } from './rotate';
import { legacyStateOf, readSecretState, type SecretState, youngStandbyOf } from './secret-state';

export interface ImportOptions {
  readonly algorithm: HmacAlgorithm;
  readonly encoding: KeyEncoding;
  /** How long the tokens already signed with the key may live, in seconds (the user states it). */
  readonly longestTokenLifetimeSeconds: number;
  readonly tokensWithoutExp: LegacyTokensWithoutExp;
}

/**
 * What import adds to the stated token lifetime, in seconds: JwtKeyRing's default cache period
 * (5 minutes: a ring that read the secret before the rotation keeps its keys that long) and its
 * default clock tolerance (60 s: a token is accepted that long past its exp), as the construct's
 * grace rule counts them (grace >= token lifetime + cache period + clock skew).
 */
const LEGACY_GRACE_ALLOWANCE_SECONDS = {
  appCache: DEFAULT_KEY_CACHE_SECONDS,
  clockTolerance: DEFAULT_CLOCK_TOLERANCE_SECONDS,
} as const;

function legacyGraceSeconds(longestTokenLifetimeSeconds: number): number {
  return (
    longestTokenLifetimeSeconds +
    LEGACY_GRACE_ALLOWANCE_SECONDS.appCache +
    LEGACY_GRACE_ALLOWANCE_SECONDS.clockTolerance
  );
}

/** What import takes besides the common context. */
export interface ImportInput {
  /** Its settings, checked by run-cli. */
  readonly options?: ImportOptions;
  /** Where the key is read from (standard input). */
  readonly stdin?: KeyInput;
}

type Outcome = 'imported' | 'resumed' | 'already-imported' | 'already-retired';

export async function importLegacyKey(context: CommandContext, input: ImportInput): Promise<void> {
  const { options } = input;
  if (options === undefined) throw new Error('import needs its options');
  const key = await readKeyInput(input.stdin, options.encoding);
  const before = await readSecretState(context.secretsManager, context.secretId);
  const versionId = derivedVersionId(before.arn, 'legacy-key');
  const existing = await readLegacyVersion(context.secretsManager, before, versionId);

  let outcome: Outcome;
  let document: LegacyKeyDocument;
  if (existing === undefined) {
    const graceSeconds = legacyGraceSeconds(options.longestTokenLifetimeSeconds);
    checkBeforeImport(context, before, graceSeconds);
    checkNoKeyHasSigned(context, before, options.longestTokenLifetimeSeconds);
    document = makeLegacyKeyDocument({
      alg: options.algorithm,
      kid: versionId,
      key,
      now: new Date(context.now()),
      legacy: { graceSeconds, tokensWithoutExp: options.tokensWithoutExp },
    });
    warnIfShort(context, document);
    context.progress(`step 1/2: writing the legacy key as AWSCURRENT (kid ${versionId})`);
    await writeLegacyVersion(context, before.arn, versionId, serializeKeyDocument(document));
    outcome = 'imported';
  } else {
    document = existing;
    if (!sameKey(existing, options.algorithm, key)) {
      throw new CliError(
        'ERR_IMPORT_REFUSED',
        `secret "${context.secretId}" already holds a different legacy key (kid ${versionId}); ` +
          'a secret takes one legacy key, imported once. Nothing was changed.',
      );
    }
    noteDifferentSettings(context, existing, options);
    const stages = before.versionIdsToStages[versionId] ?? [];
    if (!stages.includes(AWSCURRENT)) {
      const done: Outcome = stages.includes(AWSPREVIOUS) ? 'already-imported' : 'already-retired';
      report(context, done, before, document);
      return;
    }
    context.progress(
      'the legacy key was written but the rotation after it did not finish: finishing it',
    );
    checkCanRotate(context, before);
    checkStandbyAge(context, before);
    warnIfShort(context, document);
    outcome = 'resumed';
  }

  context.progress('step 2/2: rotating, so that the legacy key becomes AWSPREVIOUS');
  const written = await readSecretState(context.secretsManager, context.secretId);
  const rotation = await startRotation({ ...context, wait: true }, written);
  const after = rotation.after ?? (await readSecretState(context.secretsManager, context.secretId));
  if (!hasStage(after.versionIdsToStages, versionId, AWSPREVIOUS)) {
    throw new CliError(
      'ERR_IMPORT_REFUSED',
      `the rotation of secret "${context.secretId}" finished, but the legacy key (kid ` +
        `${versionId}) does not hold AWSPREVIOUS: run "jwt-keys status ${context.secretId}"`,
    );
  }
  warnIfScheduleCutsGrace(context, after);
  report(context, outcome, after, document);
}

/**
 * A safety net after the fact: the next scheduled rotation (as DescribeSecret dates it) must
 * come after the legacy grace ends, or it drops the legacy key early. The check before the
 * import (grace < interval minus window) makes this hold when the service counts the interval
 * from the import's rotation.
 */
function warnIfScheduleCutsGrace(context: CommandContext, after: SecretState): void {
  const next = after.nextRotationAt;
  const graceEnd = after.previousGraceEndsAt;
  if (next === undefined || graceEnd === undefined || next.getTime() >= graceEnd.getTime()) return;
  context.progress(
    `WARNING: the next scheduled rotation (${next.toISOString()}) comes before the legacy key's ` +
      `grace ends (${graceEnd.toISOString()}) and would drop it early: tokens without kid would ` +
      'stop verifying then',
  );
}

/** The legacy version's document, when an earlier run wrote it. */
async function readLegacyVersion(
  client: SecretsManagerClient,
  secret: SecretState,
  versionId: string,
): Promise<LegacyKeyDocument | undefined> {
  let value;
  try {
    value = await client.send(
      new GetSecretValueCommand({ SecretId: secret.arn, VersionId: versionId }),
    );
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
  const source = `secret "${secret.name}" version ${versionId}`;
  let document;
  try {
    document = parseKeyDocument(value.SecretString ?? '', { source });
  } catch (error) {
    throw new CliError(
      'ERR_IMPORT_REFUSED',
      `${source} should hold the legacy key but holds no valid key document: ${(error as Error).message}`,
    );
  }
  if (!isLegacyKeyDocument(document)) {
    throw new CliError(
      'ERR_IMPORT_REFUSED',
      `${source} should hold the legacy key but holds a key that is not legacy`,
    );
  }
  return document;
}

/** Everything that would make the import fail half-way, checked before anything is written. */
function checkBeforeImport(
  context: CommandContext,
  before: SecretState,
  graceSeconds: number,
): void {
  checkCanRotate(context, before);
  if (before.current === undefined) {
    throw new CliError(
      'ERR_IMPORT_REFUSED',
      `secret "${context.secretId}" has no AWSCURRENT key yet: deploy the stack (its first key) before importing`,
    );
  }
  const spacing = scheduleSpacing(before.rotationSchedule);
  if (spacing === undefined) {
    throw new CliError(
      'ERR_IMPORT_REFUSED',
      `cannot read the rotation schedule of secret "${context.secretId}" ` +
        `(${before.rotationRules ?? 'none'}): the legacy grace is checked against a rate() schedule`,
    );
  }
  if (graceSeconds >= spacing.closestSeconds) {
    throw new CliError(
      'ERR_IMPORT_REFUSED',
      `refusing to import into secret "${context.secretId}": the legacy key needs a grace of ` +
        `${formatDuration(graceSeconds * 1000)} (--longest-token-lifetime + ` +
        `${LEGACY_GRACE_ALLOWANCE_SECONDS.appCache + LEGACY_GRACE_ALLOWANCE_SECONDS.clockTolerance} s), ` +
        `but scheduled rotations can come ${formatDuration(spacing.closestSeconds * 1000)} apart ` +
        `(${before.rotationRules ?? ''}: the interval minus the ${formatDuration(spacing.windowSeconds * 1000)} ` +
        'rotation window), and the second one would drop it early. Lengthen the rotation interval, ' +
        'or shorten the lifetime of the tokens you issue before importing. Nothing was changed.',
      { exitCode: 2 },
    );
  }
  checkStandbyAge(context, before);
}

/**
 * Refuses (unless --force) when the import would drop a key that may have signed: see
 * import-guard.ts. The CLI cannot know how long the apps' tokens live; it says when they may
 * expire if they live as long as the stated --longest-token-lifetime of the legacy tokens.
 */
function checkNoKeyHasSigned(
  context: CommandContext,
  before: SecretState,
  lifetimeSeconds: number,
): void {
  const risks = keysAtRisk(before, context.now());
  if (risks.length === 0) return;
  const kids = risks.map((risk) => `kid ${risk.kid}`).join(' and ');
  const since = risks
    .map((risk) =>
      risk.at === undefined
        ? undefined
        : risk.stage === 'AWSCURRENT'
          ? `kid ${risk.kid} has been AWSCURRENT since ${risk.at.toISOString()}`
          : `kid ${risk.kid} verifies until ${risk.at.toISOString()}`,
    )
    .filter((line) => line !== undefined);
  const validUntil = new Date(context.now() + lifetimeSeconds * 1000).toISOString();
  const cost =
    `the import moves AWSCURRENT twice (to the legacy key, then to a new key), which leaves ` +
    `${kids} with no label: tokens signed with ${risks.length > 1 ? 'them' : 'it'} would be ` +
    `refused at once, though they may be valid until ${validUntil} if they live as long as ` +
    `--longest-token-lifetime (until their expiry otherwise)`;
  if (context.force) {
    context.progress(`--force: ${risks.map((risk) => risk.reason).join('; ')}; ${cost}`);
    return;
  }
  throw new CliError(
    'ERR_REFUSED_UNLESS_FORCED',
    `refusing to import into secret "${context.secretId}": ${risks.map((risk) => risk.reason).join(', and ')}` +
      `${since.length === 0 ? '' : ` (${since.join('; ')})`}, so applications may have signed ` +
      `with it; ${cost}. Import right after deploying, before any application signs with the ` +
      'secret; if none signs with it yet, re-run with --force. Nothing was changed.',
  );
}

/** As `jwt-keys rotate`: the rotation promotes the standby key, which must be old enough. */
function checkStandbyAge(context: CommandContext, before: SecretState): void {
  const young = youngStandbyOf(before, context.now());
  if (young === undefined || context.force) return;
  throw new CliError(
    'ERR_REFUSED_UNLESS_FORCED',
    `refusing to import into secret "${context.secretId}": its rotation would promote the standby ` +
      `key (kid ${young.kid}) at ${formatDuration(young.ageSeconds * 1000)} old, younger than the ` +
      `${formatDuration(young.minimumAgeSeconds * 1000)} verifiers may cache keys (tag ` +
      `${STANDBY_MINIMUM_AGE_TAG}); re-run later, or with --force. Nothing was changed.`,
  );
}

async function writeLegacyVersion(
  context: CommandContext,
  secretArn: string,
  versionId: string,
  value: string,
): Promise<void> {
  // Secrets Manager treats the same token with the same value as a retry, and refuses a
  // different value under it: a version's value never changes.
  await context.secretsManager.send(
    new PutSecretValueCommand({
      SecretId: secretArn,
      ClientRequestToken: versionId,
      SecretString: value,
      VersionStages: [AWSCURRENT],
    }),
  );
}

/** Compares by SHA-256 in constant time: the key is never printed, nor compared as text. */
function sameKey(document: LegacyKeyDocument, algorithm: HmacAlgorithm, key: Uint8Array): boolean {
  const stored = createHash('sha256').update(Buffer.from(document.k, 'base64url')).digest();
  const given = createHash('sha256').update(key).digest();
  return document.alg === algorithm && timingSafeEqual(stored, given);
}

function noteDifferentSettings(
  context: CommandContext,
  existing: LegacyKeyDocument,
  options: ImportOptions,
): void {
  const asked = legacyGraceSeconds(options.longestTokenLifetimeSeconds);
  if (
    existing.legacy.graceSeconds !== asked ||
    existing.legacy.tokensWithoutExp !== options.tokensWithoutExp
  ) {
    context.progress(
      `note: the legacy key was imported earlier with a grace of ${existing.legacy.graceSeconds} s ` +
        `and tokens without exp ${existing.legacy.tokensWithoutExp}; those settings stand ` +
        `(this run asked for ${asked} s and ${options.tokensWithoutExp})`,
    );
  }
}

/** Loud, on stderr: a short key is what the team had, and the reason to finish the move. */
function warnIfShort(context: CommandContext, document: LegacyKeyDocument): void {
  const { keyBytes, minimumBytes, short } = legacyKeyStrength(document);
  if (!short) return;
  context.progress(
    `WARNING: the legacy key is ${keyBytes} bytes, shorter than the ${minimumBytes} bytes ` +
      `RFC 7518 requires for ${document.alg}: anyone who guesses it can forge tokens until its ` +
      'grace ends. It only verifies (never signs), and leaves the secret with its grace.',
  );
}

function report(
  context: CommandContext,
  outcome: Outcome,
  state: SecretState,
  document: LegacyKeyDocument,
): void {
  const legacy = legacyStateOf(document);
  const graceEnd = outcome === 'already-retired' ? undefined : state.previousGraceEndsAt;
  if (context.json) {
    context.print(
      JSON.stringify(
        {
          action: 'import',
          outcome,
          secretArn: state.arn,
          legacyKey: {
            kid: document.kid,
            versionId: document.kid,
            algorithm: document.alg,
            ...legacy,
          },
          legacyGraceEndsAt: iso(graceEnd),
          current:
            state.current === undefined
              ? null
              : { versionId: state.current.versionId, kid: state.current.kid ?? null },
        },
        null,
        2,
      ),
    );
    return;
  }
  const what = {
    imported: `imported the legacy key into secret "${state.name}"`,
    resumed: `finished importing the legacy key into secret "${state.name}"`,
    'already-imported': `the legacy key was already imported into secret "${state.name}"; nothing changed`,
    'already-retired': `the legacy key was imported into secret "${state.name}" and has since been retired; nothing changed`,
  }[outcome];
  context.print(what);
  context.print(
    `  legacy key   kid ${document.kid} ${document.alg}, ${legacy.keyBytes} bytes${legacy.short ? ' (SHORT)' : ''}`,
  );
  if (outcome !== 'already-retired') {
    context.print(`  AWSCURRENT   kid ${state.current?.kid ?? 'none'} (signs)`);
    context.print(
      `  tokens without kid verify with the legacy key until ${graceEnd?.toISOString() ?? 'it leaves AWSPREVIOUS'}` +
        ` (grace ${formatDuration(legacy.graceSeconds * 1000)}: the stated token lifetime + ` +
        `${LEGACY_GRACE_ALLOWANCE_SECONDS.appCache} s cache + ${LEGACY_GRACE_ALLOWANCE_SECONDS.clockTolerance} s clock tolerance)`,
    );
    context.print(
      `  tokens without exp: ${legacy.tokensWithoutExp === 'refuse' ? 'refused' : 'accepted until that moment, not a second later'}`,
    );
  }
}
