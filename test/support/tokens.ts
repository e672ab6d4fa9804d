/** Tokens made by hand (as an attacker or a key's holder could) and the asymmetric keys to sign them. */
import { createHmac, createPrivateKey, sign } from 'node:crypto';

import {
  type AsymmetricAlgorithm,
  type AsymmetricKeyDocument,
  type KeyDocument,
  keyMembersOf,
  makeKeyDocument,
} from '../../key-document';

import { hmacKey } from './key-documents';

/** A compact JWS from raw parts, for hand-made attack tokens. */
export function compact(header: unknown, payload: unknown, signature = ''): string {
  const encode = (value: unknown): string =>
    typeof value === 'string'
      ? Buffer.from(value).toString('base64url')
      : Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode(header)}.${encode(payload)}.${signature}`;
}

/**
 * Signs raw header and payload (objects, text, or bytes as they are) with a key document's
 * bytes, as an attacker with the key could.
 */
export function hmacToken(
  header: unknown,
  payload: unknown,
  document: KeyDocument,
  hash: 'sha256' | 'sha384' | 'sha512' = 'sha256',
): string {
  const encode = (value: unknown): string =>
    (value instanceof Uint8Array
      ? Buffer.from(value)
      : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))
    ).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  const signature = createHmac(hash, Buffer.from(hmacKey(document).k, 'base64url'))
    .update(input)
    .digest('base64url');
  return `${input}.${signature}`;
}

/** A key document of an asymmetric algorithm, dated `now`, with the members of ours asked for. */
export async function asymmetricKey(
  alg: AsymmetricAlgorithm,
  kid: string,
  now: number,
  options: { graceSeconds?: number; nextKid?: string; previousKid?: string } = {},
): Promise<AsymmetricKeyDocument> {
  return (await makeKeyDocument({
    alg,
    kid,
    now: new Date(now),
    ...(options.graceSeconds !== undefined && { previousKeyGraceSeconds: options.graceSeconds }),
    ...(options.nextKid !== undefined && { nextKid: options.nextKid }),
    ...(options.previousKid !== undefined && { previousKid: options.previousKid }),
  })) as AsymmetricKeyDocument;
}

/**
 * Signs raw header and payload (objects, text, or bytes as they are) with an asymmetric key
 * document's private key, as its holder could: ES256 in JOSE's r‖s form unless `der` is asked.
 */
export function asymmetricToken(
  header: unknown,
  payload: unknown,
  document: AsymmetricKeyDocument,
  options: { der?: boolean } = {},
): string {
  const encode = (value: unknown): string =>
    (value instanceof Uint8Array
      ? Buffer.from(value)
      : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))
    ).toString('base64url');
  const input = Buffer.from(`${encode(header)}.${encode(payload)}`);
  const privateKey = createPrivateKey({ key: keyMembersOf(document), format: 'jwk' });
  const signature =
    document.alg === 'EdDSA'
      ? sign(null, input, privateKey)
      : sign('sha256', input, {
          key: privateKey,
          dsaEncoding: options.der === true ? 'der' : 'ieee-p1363',
        });
  return `${input.toString()}.${signature.toString('base64url')}`;
}
