/**
 * The public half of an asymmetric key document: what a verifier needs and may publish. Built
 * from an allow-list of public members (never by deleting private ones), so a member added to
 * the document later cannot leak into it.
 */
import { isAsymmetricAlgorithm, PUBLIC_KEY_MEMBERS, publicMembers } from './asymmetric';
import { KeyDocumentError } from './errors';
import type { AsymmetricKeyDocument } from './key-document';

export interface PublicJwk {
  readonly kty: AsymmetricKeyDocument['kty'];
  readonly alg: AsymmetricKeyDocument['alg'];
  readonly use: 'sig';
  readonly kid: string;
  readonly [member: string]: string;
}

/**
 * @example
 * const entry = publicJwk(document); // { kty: 'EC', crv: 'P-256', x, y, kid, alg: 'ES256', use: 'sig' }
 */
export function publicJwk(document: AsymmetricKeyDocument): PublicJwk {
  // The type already says so; a caller holding a KeyDocument and a cast must still never
  // publish an HMAC key (a legacy key is one): it has no public half, only the secret.
  const { kty, alg } = document as { kty: unknown; alg: unknown };
  if (kty === 'oct' || !isAsymmetricAlgorithm(alg)) {
    throw new KeyDocumentError(
      'ERR_KEY_DOCUMENT_NOT_PUBLISHABLE',
      `key ${document.kid} is ${String(alg)} (${String(kty)}): an HMAC key has no public half and is never published`,
    );
  }
  return {
    ...(publicMembers(document as unknown as Readonly<Record<string, unknown>>) as Record<
      string,
      string
    >),
    kid: document.kid,
    alg: document.alg,
    use: 'sig',
    kty: document.kty,
  };
}

/**
 * Every member a published entry of key type `kty` has, and the only ones it may have: kty, the
 * public key members, kid, alg and use (what publicJwk writes). Undefined for a key type that
 * is never published ("oct" among them).
 */
export function publicJwkMembers(kty: string): readonly string[] | undefined {
  if (!Object.prototype.hasOwnProperty.call(PUBLIC_KEY_MEMBERS, kty)) return undefined;
  const keyMembers: readonly string[] = PUBLIC_KEY_MEMBERS[kty as keyof typeof PUBLIC_KEY_MEMBERS];
  return ['kty', ...keyMembers, 'kid', 'alg', 'use'];
}
