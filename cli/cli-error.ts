/**
 * Every failure the operator sees is one line that says what is wrong and, where there is one,
 * what to do, with a stable code scripts switch on (`--json` prints both). AWS SDK errors are
 * translated here; nothing else prints a stack.
 */
export type CliErrorCode =
  /** Bad arguments: an unknown command or option, a missing or malformed value (exit 2). */
  | 'ERR_CLI_USAGE'
  /** `--region` is not an AWS region name (exit 2). */
  | 'ERR_REGION_INVALID'
  /** `--endpoint` is not an http(s) URL (exit 2). */
  | 'ERR_ENDPOINT_INVALID'
  /** The secret's ARN names one region and `--region` another (exit 2). */
  | 'ERR_REGION_MISMATCH'
  /** No region configured, and SECRET is a name (an ARN carries its region). */
  | 'ERR_REGION_MISSING'
  /** The SDK's credential chain found nothing. */
  | 'ERR_CREDENTIALS_MISSING'
  /** Secrets Manager has no such secret (ResourceNotFoundException). */
  | 'ERR_SECRET_NOT_FOUND'
  /** IAM refused a call: the README lists the actions each command needs. */
  | 'ERR_ACCESS_DENIED'
  /** Secrets Manager refused the request (InvalidRequestException, e.g. a rotation running). */
  | 'ERR_REQUEST_REFUSED'
  | 'ERR_THROTTLED'
  /** The endpoint could not be reached (DNS, connection refused). */
  | 'ERR_ENDPOINT_UNREACHABLE'
  /** Any other error AWS answered with; the message keeps its name. */
  | 'ERR_AWS'
  /**
   * status: the secret cannot be read as a key secret of this construct (no AWSCURRENT, a value
   * that is no key document, rotation disabled). Exit 3: the facts are printed, and are bad.
   */
  | 'ERR_SECRET_NOT_OURS'
  /** rotate / import: refused to protect tokens or verifiers; --force overrides. */
  | 'ERR_REFUSED_UNLESS_FORCED'
  /** The secret's rotation is disabled, or has no rotation function. */
  | 'ERR_ROTATION_DISABLED'
  /** An earlier rotation left AWSPENDING behind: `jwt-keys repair` first. */
  | 'ERR_ROTATION_UNFINISHED'
  /** A rotation did not finish within --timeout. */
  | 'ERR_ROTATION_TIMEOUT'
  /** The rotation function failed, or answered something other than what was asked. */
  | 'ERR_ROTATION_FUNCTION_FAILED'
  /** import: the secret's state does not allow it (see the message); nothing was changed. */
  | 'ERR_IMPORT_REFUSED'
  /** revoke-previous: the leaked key was not revoked (see the message). */
  | 'ERR_REVOKE_FAILED'
  /** A bug: an error nothing above describes. */
  | 'ERR_INTERNAL';

/** Usage errors exit 2 (as getopt tools do), status's warning 3, every other failure 1. */
const EXIT_CODES: Partial<Record<CliErrorCode, number>> = {
  ERR_CLI_USAGE: 2,
  ERR_REGION_INVALID: 2,
  ERR_ENDPOINT_INVALID: 2,
  ERR_REGION_MISMATCH: 2,
  ERR_SECRET_NOT_OURS: 3,
};

export class CliError extends Error {
  override readonly name = 'CliError';
  /** 2 for a usage error (bad arguments), 3 for status's warning, 1 for everything else. */
  readonly exitCode: number;

  constructor(
    readonly code: CliErrorCode,
    message: string,
    options?: { readonly exitCode?: number; readonly cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options?.exitCode ?? EXIT_CODES[code] ?? 1;
  }
}

/** The usage error for an option or value, pointing at the command's own help. */
export function usageError(message: string, command?: string): CliError {
  const help = command === undefined ? 'jwt-keys --help' : `jwt-keys ${command} --help`;
  return new CliError('ERR_CLI_USAGE', `${message} (see ${help})`);
}

export function describeFailure(error: unknown, secretId: string | undefined): CliError {
  if (error instanceof CliError) return error;
  const failure = error instanceof Error ? error : new Error(String(error));
  const name = failure.name;
  const subject = secretId === undefined ? 'the secret' : `secret "${secretId}"`;
  const coded = (code: CliErrorCode, message: string): CliError =>
    new CliError(code, message, { cause: failure });
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(failure.message)) {
    return coded(
      'ERR_CREDENTIALS_MISSING',
      'no AWS credentials found: configure them (aws configure, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)',
    );
  }
  if (/region is missing/i.test(failure.message)) {
    return coded(
      'ERR_REGION_MISSING',
      'no AWS region configured: set AWS_REGION, pass --region, or give the secret by ARN',
    );
  }
  switch (name) {
    case 'ResourceNotFoundException':
      return coded(
        'ERR_SECRET_NOT_FOUND',
        `no such secret: ${subject} was not found (${failure.message})`,
      );
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'UnrecognizedClientException':
      return coded('ERR_ACCESS_DENIED', `access denied on ${subject}: ${failure.message}`);
    case 'InvalidRequestException':
      return coded('ERR_REQUEST_REFUSED', `request refused for ${subject}: ${failure.message}`);
    case 'ThrottlingException':
      return coded('ERR_THROTTLED', `AWS is throttling requests on ${subject}; try again shortly`);
    default:
      break;
  }
  const code = (failure as { code?: string }).code;
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    /ECONNREFUSED|ENOTFOUND/.test(failure.message)
  ) {
    return coded('ERR_ENDPOINT_UNREACHABLE', `cannot reach the AWS endpoint: ${failure.message}`);
  }
  // An AWS service error carries $metadata (its HTTP status); anything else is ours.
  const fromAws = typeof (failure as { $metadata?: unknown }).$metadata === 'object';
  return coded(fromAws ? 'ERR_AWS' : 'ERR_INTERNAL', `${name}: ${failure.message}`);
}
