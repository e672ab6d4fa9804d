/**
 * An error as AWS returns it. On the JSON protocols the exception's name travels in `__type`
 * (and the x-amzn-ErrorType header); on the REST-XML ones (S3, CloudFront) it is the `Code`
 * of the XML error document, with `fields` (S3's `BucketName`, `Key`, …) beside it. Either way
 * the real SDK clients turn it into their modeled exception class.
 */
export class ServiceError extends Error {
  override readonly name: string;

  constructor(
    readonly type: string,
    message: string,
    readonly statusCode = statusFor(type),
    readonly fields: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = type;
  }
}

/** Server-side faults are 5xx (the SDK retries them); everything else is the caller's 400. */
function statusFor(type: string): number {
  if (
    type === 'InternalServiceError' ||
    type === 'InternalException' ||
    type === 'InternalFailure' ||
    type === 'InternalError'
  ) {
    return 500;
  }
  if (
    type === 'ServiceUnavailable' ||
    type === 'ServiceUnavailableException' ||
    type === 'SlowDown'
  ) {
    return 503;
  }
  if (type === 'AccessDeniedException') return 400;
  return 400;
}

export function invalidParameter(message: string): ServiceError {
  return new ServiceError('InvalidParameterException', message);
}

export function invalidRequest(message: string): ServiceError {
  return new ServiceError('InvalidRequestException', message);
}

export function resourceNotFound(message: string): ServiceError {
  return new ServiceError('ResourceNotFoundException', message);
}
