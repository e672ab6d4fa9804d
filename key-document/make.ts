/**
 * Makes a new key document of any algorithm: HMAC from a CSPRNG (generate.ts), asymmetric keys
 * with node:crypto's key pair generation, which runs off the event loop (RSA takes a while).
 */
import { type JwtAlgorithm, isHmacAlgorithm } from './algorithms';
import { ALGORITHM_KEYS, generateAsymmetricJwk, type RsaModulusBits } from './asymmetric';
import { generateKeyDocument, type GenerateKeyDocumentOptions } from './generate';
import type { AsymmetricKeyDocument, KeyDocument } from './key-document';

export interface MakeKeyDocumentOptions extends Omit<GenerateKeyDocumentOptions, 'alg'> {
  readonly alg: JwtAlgorithm;
  /** The modulus of a new RS256 key; ignored for other algorithms. @default 2048 */
  readonly rsaModulusBits?: RsaModulusBits;
}

/**
 * @example
 * const document = await makeKeyDocument({ alg: 'ES256', kid: versionId, now: new Date() });
 * await secrets.putSecretValue(versionId, serializeKeyDocument(document));
 */
export async function makeKeyDocument(options: MakeKeyDocumentOptions): Promise<KeyDocument> {
  const { alg } = options;
  if (isHmacAlgorithm(alg)) return generateKeyDocument({ ...options, alg });
  const key = await generateAsymmetricJwk(alg, {
    ...(options.rsaModulusBits !== undefined && { modulusBits: options.rsaModulusBits }),
  });
  return {
    ...key,
    kty: ALGORITHM_KEYS[alg].kty,
    alg,
    use: 'sig',
    kid: options.kid,
    createdAt: options.now.toISOString(),
    ...(options.previousKeyGraceSeconds !== undefined && {
      previousKeyGraceSeconds: options.previousKeyGraceSeconds,
    }),
    ...(options.nextKid !== undefined && { nextKid: options.nextKid }),
    ...(options.previousKid !== undefined && { previousKid: options.previousKid }),
  } as AsymmetricKeyDocument;
}
