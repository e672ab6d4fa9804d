/**
 * The CloudWatch metrics the rotation function and the applications write (embedded metric
 * format) and the construct's dashboard and alarms read.
 */
export const METRIC_NAMESPACE = 'RotatingJwtKeys';
/** The rotation function's one dimension: the secret's name without the random suffix of its ARN. */
export const SECRET_NAME_DIMENSION = 'SecretName';

export const ROTATION_METRICS = ['KeyRotated', 'KeyRetired', 'KeyAgeSeconds'] as const;
export type RotationMetric = (typeof ROTATION_METRICS)[number];

/**
 * The applications' dimension: the name the user gives the application that verifies (the
 * client library's embedded-metrics observer, `application`). Never a kid or anything else a
 * token carries: a dimension value an attacker chooses would make a metric per forged token.
 */
export const APPLICATION_DIMENSION = 'Application';
/** The refusal's error code (a fixed set: JwtKeyRingErrorCode), with Application. */
export const ERROR_CODE_DIMENSION = 'ErrorCode';
/** The stage of the key that verified an accepted token (VERIFICATION_STAGES), with Application. */
export const KEY_STAGE_DIMENSION = 'KeyStage';

/** What the applications count, per flush interval. */
export const VERIFICATION_METRICS = {
  /** Tokens verified, by Application and by Application and KeyStage. Count. */
  accepted: 'TokensAccepted',
  /** Tokens refused, by Application and by Application and ErrorCode. Count. */
  refused: 'TokensRefused',
  /** Reads of the keys (every cause), by Application. Count. */
  refreshes: 'KeyRefreshes',
  /** Reads of the keys that failed, by Application. Count. */
  refreshFailures: 'KeyRefreshFailures',
  /** How old the current key the application holds is, by Application. Seconds. */
  keyAge: 'VerifierKeyAgeSeconds',
} as const;
export type VerificationMetric = (typeof VERIFICATION_METRICS)[keyof typeof VERIFICATION_METRICS];

/** The stages a verified token's key can have, as the metrics name them. */
export const VERIFICATION_STAGES = ['current', 'previous', 'legacy', 'published'] as const;
export type VerificationStage = (typeof VERIFICATION_STAGES)[number];

/**
 * Refusals that point at someone holding no valid key: a signature that does not verify, an
 * algorithm the key does not have (`none`, HS256 with a public key), a kid no loaded key has
 * (guessed, or a key already retired). A burst of them is what the construct's
 * suspicious-token alarm counts. Expired tokens and malformed ones are not here: clients
 * produce those without any attack.
 */
export const SUSPICIOUS_REFUSAL_CODES = [
  'ERR_JWT_SIGNATURE_INVALID',
  'ERR_JWT_ALG_NOT_ALLOWED',
  'ERR_JWT_UNKNOWN_KID',
] as const;

/**
 * CloudWatch's rules for a dimension value (API reference, Dimension.Value): 1 to 1024
 * characters, only ASCII, no ASCII control characters, at least one that is not whitespace.
 */
const MAX_DIMENSION_VALUE_CHARS = 1024;
/** What a dimension value may hold: printable ASCII, space (0x20) to tilde (0x7E). */
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;
/** How much of a refused name a message quotes. */
const QUOTED_CHARS = 64;

/**
 * What is wrong with an application name as the Application dimension's value, or undefined
 * when nothing is: the client's embedded-metrics observer and the construct's alarms check the
 * same rule, CloudWatch's: 1 to 1024 printable ASCII characters (0x20-0x7E), not all spaces.
 * A name CloudWatch would refuse (`bestellungen-über`) is refused here, where it is given,
 * rather than by CloudWatch Logs, which drops the metrics without a word, or at deploy.
 */
export function applicationNameProblem(application: unknown): string | undefined {
  if (typeof application !== 'string') return 'must be a string';
  if (application.trim() === '') {
    return `must not be empty or whitespace only, got ${JSON.stringify(application)}`;
  }
  if (application.length > MAX_DIMENSION_VALUE_CHARS) {
    return `must be at most ${MAX_DIMENSION_VALUE_CHARS} characters, got ${application.length}`;
  }
  const refused = NOT_PRINTABLE_ASCII.exec(application);
  if (refused !== null) {
    const codePoint = application.codePointAt(refused.index) ?? 0;
    const quoted =
      application.length > QUOTED_CHARS
        ? `${JSON.stringify(application.slice(0, QUOTED_CHARS))}...`
        : JSON.stringify(application);
    return (
      'must be printable ASCII (0x20-0x7E), as CloudWatch dimension values are, got ' +
      `${quoted}: U+${codePoint.toString(16).toUpperCase().padStart(4, '0')} at index ${refused.index}`
    );
  }
  return undefined;
}
