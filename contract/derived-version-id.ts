/**
 * Version ids derived from a request's own id, so that a retried request finds what an earlier
 * attempt wrote instead of writing a second key: a rotation's standby version from the
 * rotation's token, the first key's versions from the CloudFormation request id, and the
 * legacy key's version from the secret's ARN (`jwt-keys import`). Here, not in lambda/, because
 * the operator command ships without the function's sources.
 */
import { createHash } from 'node:crypto';

/**
 * A UUID-shaped id (RFC 9562 version 8, "custom") from sha256(`${seed}:${purpose}`): 36
 * characters, within the 32 to 64 that Secrets Manager accepts as ClientRequestToken. It
 * carries no key material (it is a hash of ids), so it may be a kid.
 *
 * @example
 * derivedVersionId(token, 'standby'); // 36 characters, e.g. 'xxxxxxxx-xxxx-8xxx-yxxx-xxxxxxxxxxxx'
 */
export function derivedVersionId(seed: string, purpose: string): string {
  const hex = createHash('sha256').update(`${seed}:${purpose}`).digest('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `8${hex.slice(13, 16)}`,
    `${variant}${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}
