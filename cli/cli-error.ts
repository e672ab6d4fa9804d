/**
 * Every failure the operator sees is one line that says what is wrong and, where there is one,
 * what to do. AWS SDK errors are translated here; nothing else prints a stack.
 */
export class CliError extends Error {
  constructor(
    message: string,
    /** 2 for a usage error (bad arguments), 1 for everything else. */
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export function describeFailure(error: unknown, secretId: string | undefined): CliError {
  if (error instanceof CliError) return error;
  const failure = error instanceof Error ? error : new Error(String(error));
  const name = failure.name;
  const subject = secretId === undefined ? 'the secret' : `secret "${secretId}"`;
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(failure.message)) {
    return new CliError(
      'no AWS credentials found: configure them (aws configure, AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)',
    );
  }
  if (/region is missing/i.test(failure.message)) {
    return new CliError('no AWS region configured: set AWS_REGION or pass --region');
  }
  switch (name) {
    case 'ResourceNotFoundException':
      return new CliError(`no such secret: ${subject} was not found (${failure.message})`);
    case 'AccessDeniedException':
    case 'AccessDenied':
    case 'UnrecognizedClientException':
      return new CliError(`access denied on ${subject}: ${failure.message}`);
    case 'InvalidRequestException':
      return new CliError(`request refused for ${subject}: ${failure.message}`);
    case 'ThrottlingException':
      return new CliError(`AWS is throttling requests on ${subject}; try again shortly`);
    default:
      break;
  }
  const code = (failure as { code?: string }).code;
  if (
    code === 'ECONNREFUSED' ||
    code === 'ENOTFOUND' ||
    /ECONNREFUSED|ENOTFOUND/.test(failure.message)
  ) {
    return new CliError(`cannot reach the AWS endpoint: ${failure.message}`);
  }
  return new CliError(`${name}: ${failure.message}`);
}
