/**
 * The version id (and kid) `jwt-keys import` gives a secret's legacy key: derived from the
 * secret's ARN, so a re-run finds what an earlier run wrote, whatever happened in between. A
 * UUID-shaped id (RFC 9562 version 8) from sha256(`${secretArn}:legacy-key`): 36 characters,
 * within the 32 to 64 Secrets Manager accepts as ClientRequestToken; a hash of an id, it
 * carries no key material. (The rotation function derives its own ids the same way; the CLI
 * ships without the function's sources, so the few lines live here too.)
 */
import { createHash } from 'node:crypto';

export function legacyVersionIdFor(secretArn: string): string {
  const hex = createHash('sha256').update(`${secretArn}:legacy-key`).digest('hex');
  const variant = ((parseInt(hex.charAt(16), 16) & 0x3) | 0x8).toString(16);
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `8${hex.slice(13, 16)}`,
    `${variant}${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}
