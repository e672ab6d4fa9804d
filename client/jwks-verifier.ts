/**
 * JwksVerifier: verifies tokens with the published key set (a JWKS over HTTPS), with no AWS
 * access, no credentials and no secret, as strictly as JwtKeyRing (the same verification core,
 * jwt-verification.ts). Its module graph imports no AWS SDK: a service that only verifies can
 * load this file alone.
 *
 * @example
 * const verifier = new JwksVerifier({ issuer: 'https://d111111abcdef8.cloudfront.net', audience: 'api' });
 * const { payload } = await verifier.verify(token);
 */
import { type JwtPayload } from './claims';
import { discoverJwksUri } from './discovery';
import { JwtKeyRingError } from './errors';
import { checkFetchableUrl } from './fetch-json';
import {
  callPolicy,
  decodeToken,
  NO_OPTIONS,
  requireKid,
  verificationPolicy,
  type VerificationPolicy,
  verifyWithKey,
  type VerifyOptions,
} from './jwt-verification';
import { type Keys, KeySetCache } from './key-set-cache';
import { fetchKeySet, keySetPolicy, type KeySetPolicyOptions } from './key-set-policy';
import { keysRefreshedTo, type VerificationObserver } from './observer';
import { VerificationReporter } from './verification-reporter';
import { type ProtectedHeader, VerifiedHeaders } from './verified-headers';
import { unknownKidRefreshInterval, type VerifierOptions } from './verifier-options';

/**
 * With the key set policy every key set reader shares (key-set-policy.ts), and the options every
 * verifier takes (verifier-options.ts).
 */
export interface JwksVerifierOptions extends KeySetPolicyOptions, VerifierOptions {
  /**
   * The key set's URL, e.g. `https://keys.example.com/.well-known/jwks.json`. https://, or
   * http:// on a loopback host (127.0.0.1, [::1], localhost) only.
   * @default read from the issuer's OpenID configuration (then `issuer` is required)
   */
  readonly jwksUri?: string;
  /**
   * The `iss` every token must carry. Without `jwksUri`, also where the key set is found:
   * `{issuer}/.well-known/openid-configuration` must name this exact issuer and a `jwks_uri`
   * on the issuer's scheme and host. Read once, on the first fetch.
   */
  readonly issuer?: string;
  /**
   * The least time between two fetches caused by tokens with a kid the set does not hold (a
   * set fetched meanwhile counts). Above 0. @default 30000 (30 seconds)
   */
  readonly unknownKidRefreshIntervalMs?: number;
  /** Where skipped key set entries and failed fetches are reported. @default silent */
  readonly logger?: { warn(message: string, fields?: Record<string, unknown>): void };
  /**
   * Told of every verification (accepted, with stage `published`; refused, by code) and every
   * fetch of the key set (by cause: initial, ttl, unknown_kid, manual; ok or failed with its
   * code), as JwtKeyRing's observer. @default - none (no cost)
   */
  readonly observer?: VerificationObserver;
}

export interface JwksVerifiedToken {
  readonly payload: JwtPayload;
  /** Frozen, and shared by the tokens that carry the same header (see verified-headers.ts). */
  readonly protectedHeader: ProtectedHeader;
  /** The key set entry that verified it. */
  readonly kid: string;
}

export class JwksVerifier {
  private readonly cache: KeySetCache;
  private readonly clock: () => number;
  private readonly policy: VerificationPolicy;
  private readonly source: string;
  private readonly reporter: VerificationReporter | undefined;
  private readonly verifiedHeaders = new VerifiedHeaders();

  constructor(options: JwksVerifierOptions) {
    if (options.jwksUri === undefined && options.issuer === undefined) {
      throw new JwtKeyRingError('ERR_INVALID_ARGUMENT', 'jwksUri or issuer is required');
    }
    if (options.issuer !== undefined && typeof options.issuer !== 'string') {
      throw new JwtKeyRingError('ERR_INVALID_ARGUMENT', 'issuer must be a string');
    }
    const jwksUri =
      options.jwksUri === undefined ? undefined : checkFetchableUrl(options.jwksUri, 'jwksUri');
    const issuerUrl =
      jwksUri === undefined ? checkFetchableUrl(options.issuer, 'issuer') : undefined;
    this.source = jwksUri?.href ?? `of issuer ${options.issuer ?? ''}`;
    this.clock = options.clock ?? Date.now;
    this.policy = verificationPolicy(options);
    const { fetchPolicy, cacheBounds } = keySetPolicy(options);
    let discovered: URL | undefined = jwksUri;
    const locate = async (): Promise<URL> => {
      // Discovery is read until it succeeds once; the key set then comes from that URL.
      discovered ??=
        issuerUrl === undefined
          ? undefined
          : await discoverJwksUri(options.issuer ?? '', issuerUrl, fetchPolicy);
      if (discovered === undefined) throw new Error('unreachable: no jwksUri and no issuer');
      return discovered;
    };
    const load = async () => fetchKeySet(await locate(), fetchPolicy);
    this.cache = new KeySetCache({
      load,
      source: this.source,
      clock: this.clock,
      ...cacheBounds,
      unknownKidRefreshIntervalMs: unknownKidRefreshInterval(options),
      onWarning: (message, fields) => options.logger?.warn(message, fields),
      ...(options.observer !== undefined && { onRefresh: keysRefreshedTo(options.observer) }),
    });
    // Refused tokens are reported to the observer only: this verifier's logger carries key set
    // problems alone.
    this.reporter = VerificationReporter.create({
      observer: options.observer,
      clock: this.clock,
      logContext: { keySet: this.source },
    });
  }

  /**
   * Verifies a token strictly (RFC 8725), as JwtKeyRing does: the key is chosen by kid among
   * the fetched keys only, the algorithm must be that key's, the signature is checked before
   * the claims are read, and `exp` is required.
   */
  async verify(token: string, options: VerifyOptions = NO_OPTIONS): Promise<JwksVerifiedToken> {
    // Reported from inside this one async call, as JwtKeyRing does (a wrapper's promise costs).
    const reporter = this.reporter;
    try {
      const policy = callPolicy(this.policy, options);
      const decoded = decodeToken(token, this.policy.maxTokenBytes, this.verifiedHeaders);
      const kid = requireKid(decoded.header);
      let keys: Keys | undefined = this.cache.freshKeys() ?? (await this.keysFor(kid));
      let key = keys.get(kid);
      if (key === undefined) {
        // The kid is untrusted input: it only selects among keys already fetched, after at most
        // one rate-limited refresh.
        keys = await this.cache.refreshForUnknownKid();
        key = keys?.get(kid);
      }
      if (key === undefined) {
        throw new JwtKeyRingError(
          'ERR_JWT_UNKNOWN_KID',
          `no key of the key set ${this.source} has the token's kid`,
          { kid },
        );
      }
      // The shared tail: a published key has no grace end, and every token needs exp.
      const payload = verifyWithKey(
        decoded,
        key,
        policy,
        this.clock(),
        undefined,
        true,
        kid,
        'published',
      );
      const protectedHeader = this.verifiedHeaders.remember(decoded.encodedHeader, decoded.header);
      const verified: JwksVerifiedToken = { payload, protectedHeader, kid };
      reporter?.accepted(verified);
      return verified;
    } catch (error) {
      reporter?.refused(error);
      throw error;
    }
  }

  /** Fetches the key set now (for example at start-up, to fail fast on a wrong URL). */
  async refresh(): Promise<void> {
    await this.cache.refresh('manual');
  }

  /**
   * The keys when a fetch is due. A failed fetch's error is shared by every caller waiting on
   * it: this token's kid goes on an error of its own, the shared one as its cause.
   */
  private async keysFor(kid: string): Promise<Keys> {
    try {
      return await this.cache.keys();
    } catch (error) {
      if (!(error instanceof JwtKeyRingError)) throw error;
      throw new JwtKeyRingError(error.code, error.message, { cause: error, kid });
    }
  }
}
