/**
 * JwtKeyRing: what application code uses to sign with the AWSCURRENT key and verify with the
 * AWSCURRENT key, or the AWSPREVIOUS one until its grace period ends. Keys are read from
 * Secrets Manager rarely (cached) and never per request.
 *
 * @example
 * const ring = new JwtKeyRing({ secretId: process.env.JWT_SECRET_ARN!, issuer: 'https://api.example.com' });
 * const token = await ring.sign({ sub: 'user-42' }, { expiresIn: '15m' });
 * const { payload, stage } = await ring.verify(token);
 */
import {
  SecretsManagerClient,
  type SecretsManagerClientConfig,
} from '@aws-sdk/client-secrets-manager';

import { DEFAULT_KEY_CACHE_SECONDS } from '../contract/token-timing';
import { formatSecretArn, isLegacyKeyDocument, parseSecretArn } from '../key-document';
import { KEY_RETIRED, parseRotationEvent } from '../rotation-events';

import { type JwtPayload } from './claims';
import { type DecodedJws, signCompactJws } from './compact-jws';
import { toSeconds } from './durations';
import { JwtKeyRingError } from './errors';
import {
  type CallPolicy,
  callPolicy,
  decodeToken,
  NO_OPTIONS,
  optionalKid,
  verificationPolicy,
  type VerificationPolicy,
  verifyWithKey,
  type VerifyOptions,
} from './jwt-verification';
import { KeyCache, type KeySnapshot, type KeyStage, type LoadedKey } from './key-cache';
import { keysRefreshedTo, type VerificationStage } from './observer';
import { checkNumber } from './options';
import { DEFAULT_MAX_STALENESS_MS, RETRY_AFTER_FAILURE_MS } from './refresh-policy';
import { checkReplicaRegion, secretIdResolver } from './replica-region';
import { type SecretsManagerSender } from './secrets-manager-client';
import { VerificationReporter } from './verification-reporter';
import { type ProtectedHeader, VerifiedHeaders } from './verified-headers';
import { unknownKidRefreshInterval, type VerifierOptions } from './verifier-options';

export type { VerifyOptions } from './jwt-verification';

/** With the options every verifier takes (verifier-options.ts). */
export interface JwtKeyRingOptions extends VerifierOptions {
  /** The secret's name or ARN. */
  readonly secretId: string;
  /**
   * The Secrets Manager client the ring reads with: any @aws-sdk/client-secrets-manager v3
   * version's SecretsManagerClient (or anything with its `send` for GetSecretValueCommand).
   * Not with clientConfig.
   * @default new SecretsManagerClient(clientConfig) (the SDK's credential and region chain),
   * in replicaRegion when that names one
   */
  readonly client?: SecretsManagerSender;
  /**
   * The configuration of the client the ring makes, when it is not given one (as Powertools'
   * providers take `clientConfig`): region, credentials, retries. Not with client.
   * @default {} (with replicaRegion as its region when that names one)
   */
  readonly clientConfig?: SecretsManagerClientConfig;
  /**
   * Which region's copy of the secret to read when secretId is an ARN: the ring reads the ARN
   * rewritten to this region, its replica there (same name and suffix). A region name must be
   * the client's own; false reads the ARN exactly as given. A secret name is always read as is.
   * @default the client's region: its own replica, or the secret itself in the primary region
   */
  readonly replicaRegion?: string | false;
  /**
   * How long keys are used before they are read again: how long a revoked key can keep
   * verifying and signing while Secrets Manager is reachable. Above 0.
   * @default 300000 (5 minutes)
   */
  readonly cacheTtlMs?: number;
  /**
   * How long before the cache period ends a background refresh starts. 0 or more, below
   * cacheTtlMs. @default 10% of cacheTtlMs
   */
  readonly refreshAheadMs?: number;
  /**
   * How long, counted from the last successful read, cached keys may verify and sign while
   * Secrets Manager fails (unreachable, throttling); then the ring fails closed with
   * ERR_KEY_STORE_UNAVAILABLE. The bound on a revoked key's life where Secrets Manager cannot
   * be reached. At least cacheTtlMs. @default 900000 (15 minutes), or cacheTtlMs if longer
   */
  readonly maxStalenessMs?: number;
  /**
   * The least time between two refreshes caused by tokens carrying the kid the current key
   * document names as the next key (`nextKid`): such a token means a rotation happened, so it
   * is read at once, outside the unknown-kid budget; the kid is not secret, so this bounds what
   * a flood of them costs. Above 0. @default 1000 (1 second)
   */
  readonly nextKidRefreshIntervalMs?: number;
  /** `iss` of signed tokens, and the issuer verify requires. */
  readonly issuer?: string;
  /** The audience verify requires (and the default `aud` of signed tokens). */
  readonly audience?: string | readonly string[];
  /**
   * Where refresh problems and refused tokens are reported: a refused token as one structured
   * warning ('token refused': code, kid, stage; never the token), at most one per error code
   * per minute, with the count of those left out. @default silent
   */
  readonly logger?: { warn(message: string, fields?: Record<string, unknown>): void };
}

export interface SignOptions {
  /** Seconds, or text like '15m'. @default '15m' */
  readonly expiresIn?: number | string;
  readonly subject?: string;
  readonly audience?: string | readonly string[];
  readonly issuer?: string;
  /** Seconds from now before which the token is not valid: a whole number, 0 or more, below expiresIn. */
  readonly notBefore?: number;
  readonly jwtId?: string;
}

export interface VerifiedToken {
  readonly payload: JwtPayload;
  /** Frozen, and shared by the tokens that carry the same header (see verified-headers.ts). */
  readonly protectedHeader: ProtectedHeader;
  /** Which key verified it. */
  readonly stage: KeyStage;
  readonly kid: string;
  /**
   * True only when the legacy key (the static secret `jwt-keys import` brought in) verified
   * it: a token without `kid`, possibly without `exp` (when the import chose to accept those).
   */
  readonly legacy: boolean;
}

const DEFAULT_EXPIRES_IN_SECONDS = 15 * 60;
const DEFAULT_CACHE_TTL_MS = DEFAULT_KEY_CACHE_SECONDS * 1000;
const ABOVE_ZERO = { min: 0, aboveMin: true } as const;

export class JwtKeyRing {
  private readonly cache: KeyCache;
  private readonly clock: () => number;
  private readonly secretId: string;
  private readonly policy: VerificationPolicy;
  private readonly reporter: VerificationReporter | undefined;
  private readonly verifiedHeaders = new VerifiedHeaders();

  constructor(private readonly options: JwtKeyRingOptions) {
    if (typeof options.secretId !== 'string' || options.secretId === '') {
      throw new JwtKeyRingError(
        'ERR_INVALID_ARGUMENT',
        'secretId must name the secret (name or ARN)',
      );
    }
    this.secretId = options.secretId;
    this.clock = options.clock ?? Date.now;
    const cacheTtlMs = checkNumber(
      options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS,
      'cacheTtlMs',
      ABOVE_ZERO,
    );
    this.policy = verificationPolicy(options);
    const replicaRegion = checkReplicaRegion(options.replicaRegion);
    const client = secretsManagerClient(options, replicaRegion);
    this.cache = new KeyCache({
      client,
      secretId: options.secretId,
      secretIdToRead: secretIdResolver(options.secretId, client, replicaRegion),
      clock: this.clock,
      cacheTtlMs,
      refreshAheadMs: checkNumber(options.refreshAheadMs ?? cacheTtlMs / 10, 'refreshAheadMs', {
        min: 0,
        below: { value: cacheTtlMs, name: 'cacheTtlMs' },
      }),
      maxStalenessMs: checkNumber(
        options.maxStalenessMs ?? Math.max(DEFAULT_MAX_STALENESS_MS, cacheTtlMs),
        'maxStalenessMs',
        { min: cacheTtlMs, minName: 'cacheTtlMs' },
      ),
      retryAfterFailureMs: Math.min(RETRY_AFTER_FAILURE_MS, cacheTtlMs),
      unknownKidRefreshIntervalMs: unknownKidRefreshInterval(options),
      nextKidRefreshIntervalMs: checkNumber(
        options.nextKidRefreshIntervalMs ?? 1_000,
        'nextKidRefreshIntervalMs',
        ABOVE_ZERO,
      ),
      onWarning: (message, fields) => options.logger?.warn(message, fields),
      ...(options.observer !== undefined && { onRefresh: keysRefreshedTo(options.observer) }),
    });
    this.reporter = VerificationReporter.create({
      observer: options.observer,
      logger: options.logger,
      clock: this.clock,
      logContext: { secretId: options.secretId },
    });
  }

  /** Signs the claims with the AWSCURRENT key: header { alg, kid, typ: 'JWT' }, iat and exp set. */
  async sign(
    claims: Readonly<Record<string, unknown>> = {},
    options: SignOptions = {},
  ): Promise<string> {
    if (!isPlainObject(claims)) {
      // JavaScript callers (and `as` casts) can pass anything.
      throw new JwtKeyRingError('ERR_INVALID_ARGUMENT', 'claims must be a JSON object');
    }
    if (Object.hasOwn(claims, '__proto__')) {
      // A prototype-pollution vector for whoever parses the token; Object.assign below would
      // also drop it silently.
      throw new JwtKeyRingError('ERR_INVALID_ARGUMENT', 'claims must not have a "__proto__" key');
    }
    const expiresIn =
      options.expiresIn === undefined
        ? DEFAULT_EXPIRES_IN_SECONDS
        : toSeconds(options.expiresIn, 'expiresIn');
    if (options.notBefore !== undefined) {
      checkNumber(options.notBefore, 'notBefore', {
        min: 0,
        integer: true,
        below: { value: expiresIn, name: 'expiresIn' },
      });
    }
    // A withdrawn key (see handleRotationEvent) is never in freshKeys().current.
    const current = this.cache.freshKeys()?.current ?? (await this.cache.signingKey());
    if (isLegacyKeyDocument(current.document)) {
      throw new JwtKeyRingError(
        'ERR_LEGACY_KEY_CANNOT_SIGN',
        `not signing: the AWSCURRENT key ${current.kid} of secret "${this.secretId}" is a legacy ` +
          'key, which only verifies; the rotation that follows "jwt-keys import" makes a key that signs',
      );
    }
    const now = Math.floor(this.clock() / 1000);
    const issuer = options.issuer ?? this.options.issuer;
    const audience = options.audience ?? this.options.audience;
    const registered: Record<string, unknown> = { iat: now, exp: now + expiresIn };
    if (issuer !== undefined) registered.iss = issuer;
    if (audience !== undefined) registered.aud = audience;
    if (options.subject !== undefined) registered.sub = options.subject;
    if (options.notBefore !== undefined) registered.nbf = now + options.notBefore;
    if (options.jwtId !== undefined) registered.jti = options.jwtId;
    // Object.assign rather than { ...claims, iat, … } plus later additions: that object ends in
    // a slow shape which made JSON.stringify, and sign, twice as slow (npm run bench).
    const payload = Object.assign({}, claims, registered);
    return signCompactJws(current.signingHeader, payload, current);
  }

  /**
   * Verifies a token strictly (RFC 8725): the key is chosen by kid among the loaded keys only,
   * the algorithm must be that key's, the signature is checked before the claims are read,
   * and `exp` is required. The outcome goes to the observer and, if refused, the logger.
   */
  async verify(token: string, options: VerifyOptions = NO_OPTIONS): Promise<VerifiedToken> {
    // The outcome is reported from inside this one async call, not by a wrapper awaiting it: a
    // second promise per token cost 7-12% of an HS256 verification in flight (npm run bench,
    // observers), more than the 5% an observer may add.
    const reporter = this.reporter;
    try {
      const policy = callPolicy(this.policy, options);
      const decoded = decodeToken(token, this.policy.maxTokenBytes, this.verifiedHeaders);
      const kid = optionalKid(decoded.header);
      let snapshot = this.cache.freshKeys() ?? (await this.keysFor(kid));
      let key = findKey(snapshot, kid);
      if (key === undefined) {
        snapshot = await this.refreshForMissingKey(snapshot, kid);
        key = findKey(snapshot, kid);
      }
      if (key === undefined) {
        throw new JwtKeyRingError(
          'ERR_JWT_UNKNOWN_KID',
          kid === undefined
            ? `the token names no key (no kid), and secret "${this.secretId}" holds no legacy key`
            : `no key of secret "${this.secretId}" has the token's kid`,
          { kid },
        );
      }
      const verified = this.verifyWithKey(decoded, key, snapshot, policy);
      reporter?.accepted(verified);
      return verified;
    } catch (error) {
      reporter?.refused(error);
      throw error;
    }
  }

  /**
   * The keys when a read is due. A failed read's error is shared by every caller waiting on it:
   * this token's kid goes on an error of its own, the shared one as its cause.
   */
  private async keysFor(kid: string | undefined): Promise<KeySnapshot> {
    try {
      return await this.cache.keys();
    } catch (error) {
      if (kid === undefined || !(error instanceof JwtKeyRingError)) throw error;
      throw new JwtKeyRingError(error.code, error.message, { cause: error, kid });
    }
  }

  /**
   * The kid is untrusted input: it only ever selects among keys already loaded, after at most
   * one rate-limited refresh. The kid the current key names as the next one proves a rotation:
   * it is read at once, on its own small budget. No kid at all asks for a legacy key, which an
   * import may just have written: the same rate-limited refresh.
   */
  private async refreshForMissingKey(
    snapshot: KeySnapshot,
    kid: string | undefined,
  ): Promise<KeySnapshot> {
    const refreshed =
      kid !== undefined && kid === snapshot.nextKid
        ? await this.cache.refreshForNextKid()
        : await this.cache.refreshForUnknownKid();
    return refreshed ?? snapshot;
  }

  /** The shared tail (verifyWithKey), with the previous key's grace: no await, no refresh. */
  private verifyWithKey(
    decoded: DecodedJws,
    key: LoadedKey,
    snapshot: KeySnapshot,
    policy: CallPolicy,
  ): VerifiedToken {
    const legacy = isLegacyKeyDocument(key.document) ? key.document.legacy : undefined;
    // The grace bounds a legacy token without exp too, when its key chose to accept those.
    const payload = verifyWithKey(
      decoded,
      key,
      policy,
      this.clock(),
      key.stage === 'AWSPREVIOUS' ? snapshot.previousGraceEndsAt : undefined,
      legacy?.tokensWithoutExp !== 'accept-until-grace-end',
      legacy === undefined ? key.kid : undefined,
      refusalStage(key, legacy),
    );
    return {
      payload,
      protectedHeader: this.verifiedHeaders.remember(decoded.encodedHeader, decoded.header),
      stage: key.stage,
      kid: key.kid,
      legacy: legacy !== undefined,
    };
  }

  /** Reads both keys now (for example at start-up, to fail fast on a wrong secret). */
  async refresh(): Promise<void> {
    await this.cache.refresh('manual');
  }

  /**
   * Hand it the rotation events from EventBridge (a Lambda target, an SQS consumer) to pick up
   * a new or retired key at once instead of at the end of the cache period. A key the event
   * retires (or drops early) stops verifying and signing at once, and a key it says is no
   * longer current stops signing at once (it verifies as the previous key within the grace the
   * event states), whatever the cache holds or a read in flight returns, even if the read that
   * follows fails. That read starts after the event arrived. Returns whether the event
   * concerned this secret; rejects when that read fails (what the event said still applies).
   */
  async handleRotationEvent(event: unknown): Promise<boolean> {
    const parsed = parseRotationEvent(event);
    if (parsed === undefined || !sameSecret(parsed.detail.secretArn, this.secretId)) return false;
    if (parsed.detailType === KEY_RETIRED) {
      const { retired, reason, current } = parsed.detail;
      this.cache.retire(retired.kid, reason, current.kid);
    } else {
      const { current, previous, previousGraceEndsAt, droppedEarly } = parsed.detail;
      const dropped = kidOf(droppedEarly);
      if (dropped !== undefined) this.cache.retire(dropped, 'dropped early', current.kid);
      const demoted = kidOf(previous);
      if (demoted !== undefined) {
        const graceEnd =
          typeof previousGraceEndsAt === 'string' ? Date.parse(previousGraceEndsAt) : NaN;
        this.cache.supersede(demoted, current.kid, Number.isNaN(graceEnd) ? undefined : graceEnd);
      }
    }
    await this.cache.refreshFromNow('event');
    return true;
  }
}

/** The client given, or one made from clientConfig (with replicaRegion as its default region). */
function secretsManagerClient(
  options: JwtKeyRingOptions,
  replicaRegion: string | false | undefined,
): SecretsManagerSender {
  if (options.client !== undefined && options.clientConfig !== undefined) {
    throw new JwtKeyRingError(
      'ERR_INVALID_ARGUMENT',
      'client and clientConfig were both given: pass a client, or the config of the one to make',
    );
  }
  return (
    options.client ??
    new SecretsManagerClient({
      ...(typeof replicaRegion === 'string' && { region: replicaRegion }),
      ...options.clientConfig,
    })
  );
}

/** The stage a refusal by this key reports: as an accepted token's would (verificationStageOf). */
function refusalStage(key: LoadedKey, legacy: unknown): VerificationStage {
  if (legacy !== undefined) return 'legacy';
  return key.stage === 'AWSCURRENT' ? 'current' : 'previous';
}

/** The kid of an event's key reference, when the detail carries one. */
function kidOf(reference: unknown): string | undefined {
  const kid = (reference as { kid?: unknown } | null | undefined)?.kid;
  return typeof kid === 'string' && kid !== '' ? kid : undefined;
}

/**
 * The loaded key a token's kid names. A legacy key answers to no kid, and only to it: the
 * tokens of the static secret it was carry none, and no token signed since names it.
 */
function findKey(snapshot: KeySnapshot, kid: string | undefined): LoadedKey | undefined {
  const { current, previous } = snapshot;
  if (current !== undefined && answersTo(current, kid)) return current;
  if (previous !== undefined && answersTo(previous, kid)) return previous;
  return undefined;
}

function answersTo(key: LoadedKey, kid: string | undefined): boolean {
  const legacy = isLegacyKeyDocument(key.document);
  return kid === undefined ? legacy : !legacy && key.kid === kid;
}

/**
 * A secret ARN ends with `:secret:<name>-<6 characters>`; the ring may know it by either, or by
 * the ARN less that suffix. Events name the primary's ARN (they are published, or forwarded,
 * from the primary region): a ring given any region's ARN of the secret takes them.
 */
function sameSecret(eventArn: string, secretId: string): boolean {
  const event = parseSecretArn(eventArn);
  if (event === undefined) return eventArn === secretId;
  const ring = parseSecretArn(secretId);
  if (ring === undefined) {
    // A name: the one the secret was created with (an ARN that is not a secret's matches none).
    return (
      !secretId.startsWith('arn:') && event.name !== event.baseName && event.baseName === secretId
    );
  }
  // The ring's ARN, or a partial ARN (without the suffix), in the ring's region.
  const region = ring.region;
  return (
    formatSecretArn({ ...event, region }) === secretId ||
    formatSecretArn({ ...event, region, name: event.baseName }) === secretId
  );
}

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
