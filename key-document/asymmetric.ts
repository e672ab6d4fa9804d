/**
 * Asymmetric signing keys as private JWKs (RFC 7518 section 6): ES256 on P-256, EdDSA on
 * Ed25519, RS256 with RSA of 2048 bits or more. Generated with node:crypto, validated member
 * by member, and checked so that the public members belong to the private ones: node:crypto
 * imports an EC JWK whose x/y do not match its d without a word, and a verifier given that
 * public half would refuse every token the key signs.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  type JsonWebKey,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { promisify } from 'node:util';

import {
  ASYMMETRIC_ALGORITHMS,
  type AsymmetricAlgorithm,
  DEFAULT_RSA_MODULUS_BITS,
  RSA_MODULUS_BITS,
  type RsaModulusBits,
} from '../contract/algorithms';

import { decodeCanonicalBase64url } from './base64url';
import { ed25519PublicKeyProblem } from './ed25519-point';
import { hasRocaFingerprint } from './roca';

export { ASYMMETRIC_ALGORITHMS, type AsymmetricAlgorithm, RSA_MODULUS_BITS, type RsaModulusBits };

/** The smallest RSA modulus a document may hold (NIST SP 800-131A; RFC 7518 3.3 says 2048). */
export const MINIMUM_RSA_MODULUS_BITS = 2048;
/** The largest one we read: beyond it a key is an attempt to make every verification slow. */
export const MAXIMUM_RSA_MODULUS_BITS = 8192;

/** The key members of a private JWK of each type, in the order we write them. */
export const PRIVATE_KEY_MEMBERS = {
  EC: ['crv', 'x', 'y', 'd'],
  OKP: ['crv', 'x', 'd'],
  RSA: ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'],
} as const;

/** The key members of each JWK type that are public. */
export const PUBLIC_KEY_MEMBERS = {
  EC: ['crv', 'x', 'y'],
  OKP: ['crv', 'x'],
  RSA: ['n', 'e'],
} as const satisfies Record<keyof typeof PRIVATE_KEY_MEMBERS, readonly string[]>;

/** Members that hold private key material in any JWK (RFC 7518 section 6; `k` of section 6.4). */
export const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

export type AsymmetricKeyType = keyof typeof PRIVATE_KEY_MEMBERS;

/** The key type and curve each algorithm takes. */
export const ALGORITHM_KEYS: Readonly<
  Record<AsymmetricAlgorithm, { readonly kty: AsymmetricKeyType; readonly crv?: string }>
> = {
  ES256: { kty: 'EC', crv: 'P-256' },
  EdDSA: { kty: 'OKP', crv: 'Ed25519' },
  RS256: { kty: 'RSA' },
};

/**
 * RFC 9864's fully-specified name of EdDSA on Ed25519 (jose 6 signs with it): the same
 * algorithm as EdDSA with an Ed25519 key. Verifiers take it in tokens and in public key set
 * entries of Ed25519 keys; key documents, and so what the rotation publishes and signs, keep
 * `EdDSA`, which every verifier knows (see parse.ts).
 */
export const ED25519_ALGORITHM = 'Ed25519';

/**
 * The algorithm a public key set entry's `alg` stands for: one of ours, or `Ed25519` read as
 * EdDSA; undefined for anything else.
 */
export function publicKeyAlgorithmOf(value: unknown): AsymmetricAlgorithm | undefined {
  if (value === ED25519_ALGORITHM) return 'EdDSA';
  return isAsymmetricAlgorithm(value) ? value : undefined;
}

export function isAsymmetricAlgorithm(value: unknown): value is AsymmetricAlgorithm {
  return typeof value === 'string' && (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(value);
}

const generateKeyPairAsync = promisify(generateKeyPair);

/**
 * A new private JWK for the algorithm: its key members only (no kid, alg or use). RSA
 * generation takes tens to hundreds of milliseconds, so it runs off the event loop.
 */
export async function generateAsymmetricJwk(
  alg: AsymmetricAlgorithm,
  options: { readonly modulusBits?: RsaModulusBits } = {},
): Promise<Record<string, string>> {
  const { privateKey } =
    alg === 'ES256'
      ? await generateKeyPairAsync('ec', { namedCurve: 'P-256' })
      : alg === 'EdDSA'
        ? await generateKeyPairAsync('ed25519')
        : await generateKeyPairAsync('rsa', {
            modulusLength: options.modulusBits ?? DEFAULT_RSA_MODULUS_BITS,
            publicExponent: 0x10001,
          });
  const jwk = privateKey.export({ format: 'jwk' });
  const kty = ALGORITHM_KEYS[alg].kty;
  return Object.fromEntries(
    PRIVATE_KEY_MEMBERS[kty].map((member) => [member, String(jwk[member])]),
  );
}

/** Why a private JWK's key members are not a usable key for the algorithm; undefined when they are. */
export function asymmetricKeyProblem(
  alg: AsymmetricAlgorithm,
  jwk: Readonly<Record<string, unknown>>,
): string | undefined {
  const { kty } = ALGORITHM_KEYS[alg];
  const bytes = keyMemberBytes(alg, jwk, PRIVATE_KEY_MEMBERS[kty]);
  if (typeof bytes === 'string') return bytes;
  if (jwk.oth !== undefined) return 'multi-prime RSA keys (oth) are not supported';
  const sizeProblem = keySizeProblem(kty, bytes);
  if (sizeProblem !== undefined) return sizeProblem;
  return publicHalfProblem(alg, jwk);
}

/**
 * Why a public JWK's key members are not a usable verification key for the algorithm (the
 * same type, curve, encoding and size rules as a document's); undefined when they are. Only
 * the public members are read: whether the JWK also holds private ones is the caller's check.
 */
export function publicKeyProblem(
  alg: AsymmetricAlgorithm,
  jwk: Readonly<Record<string, unknown>>,
): string | undefined {
  const bytes = keyMemberBytes(alg, jwk, PUBLIC_KEY_MEMBERS[ALGORITHM_KEYS[alg].kty]);
  if (typeof bytes === 'string') return bytes;
  const sizeProblem = keySizeProblem(ALGORITHM_KEYS[alg].kty, bytes);
  if (sizeProblem !== undefined) return sizeProblem;
  try {
    createPublicKey({ key: publicMembers(jwk) as JsonWebKey, format: 'jwk' });
    return undefined;
  } catch {
    // node:crypto's message may quote the key: say only that it did not import.
    return 'the key members do not form a valid public key';
  }
}

/** The decoded bytes of the members named (crv is checked, not decoded), or the problem. */
function keyMemberBytes(
  alg: AsymmetricAlgorithm,
  jwk: Readonly<Record<string, unknown>>,
  members: readonly string[],
): Record<string, Buffer> | string {
  const { kty, crv } = ALGORITHM_KEYS[alg];
  if (jwk.kty !== kty) return `${alg} needs kty "${kty}"`;
  if (crv !== undefined && jwk.crv !== crv) return `${alg} needs crv "${crv}"`;
  const bytes: Record<string, Buffer> = {};
  for (const member of members) {
    if (member === 'crv') continue;
    const value = jwk[member];
    const decoded = typeof value === 'string' ? decodeCanonicalBase64url(value) : undefined;
    if (decoded === undefined || decoded.length === 0) {
      return `${member} must be canonical unpadded base64url`;
    }
    bytes[member] = decoded;
  }
  return bytes;
}

/** The size rules of the members present (a public JWK has no d), and Ed25519's weak points. */
function keySizeProblem(kty: AsymmetricKeyType, bytes: Record<string, Buffer>): string | undefined {
  if (kty === 'EC' || kty === 'OKP') {
    for (const [member, value] of Object.entries(bytes)) {
      if (value.length !== 32) return `${member} must be 32 bytes`;
    }
    // Ed25519 (the one OKP curve we take): a weak public key verifies forgeries.
    return kty === 'OKP' && bytes.x !== undefined ? ed25519PublicKeyProblem(bytes.x) : undefined;
  }
  const modulus = bytes.n ?? Buffer.alloc(0);
  const bits = modulus.length * 8 - Math.clz32(modulus[0] ?? 0) + 24;
  if (modulus[0] === 0) return 'n must have no leading zero byte';
  if (bits < MINIMUM_RSA_MODULUS_BITS || bits > MAXIMUM_RSA_MODULUS_BITS) {
    return `the RSA modulus must have ${MINIMUM_RSA_MODULUS_BITS} to ${MAXIMUM_RSA_MODULUS_BITS} bits, got ${bits}`;
  }
  if (hasRocaFingerprint(modulus)) {
    return 'the RSA modulus has the ROCA fingerprint (CVE-2017-15361): its private key can be recovered';
  }
  const exponent = bytes.e ?? Buffer.alloc(0);
  if (
    exponent.length > 4 ||
    (exponent.at(-1) ?? 0) % 2 === 0 ||
    exponent.readUIntBE(0, exponent.length) < 3
  ) {
    return 'e must be an odd public exponent of at least 3 and at most 32 bits';
  }
  return undefined;
}

/** A fixed probe, signed with the private members and verified with the public ones alone. */
const PROBE = Buffer.from('rotating-jwt-keys: the public half matches the private one');

function publicHalfProblem(
  alg: AsymmetricAlgorithm,
  jwk: Readonly<Record<string, unknown>>,
): string | undefined {
  let privateKey: KeyObject;
  let publicKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: privateMembers(jwk) as JsonWebKey, format: 'jwk' });
    publicKey = createPublicKey({ key: publicMembers(jwk) as JsonWebKey, format: 'jwk' });
  } catch {
    // node:crypto's message may quote the key: say only that it did not import.
    return 'the key members do not form a valid key';
  }
  const digest = alg === 'EdDSA' ? null : 'sha256';
  try {
    const signature = sign(digest, PROBE, privateKey);
    return verify(digest, PROBE, publicKey, signature)
      ? undefined
      : 'the public members do not belong to the private key';
  } catch {
    return 'the key members do not form a valid key';
  }
}

/** The key members of a private JWK (no kid, alg, use or members of ours). */
export function privateMembers(jwk: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const kty = jwk.kty as AsymmetricKeyType;
  return {
    kty,
    ...Object.fromEntries(PRIVATE_KEY_MEMBERS[kty].map((member) => [member, jwk[member]])),
  };
}

/** The public key members of a private JWK: what a verifier needs, and nothing private. */
export function publicMembers(jwk: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const kty = jwk.kty as AsymmetricKeyType;
  return {
    kty,
    ...Object.fromEntries(PUBLIC_KEY_MEMBERS[kty].map((member) => [member, jwk[member]])),
  };
}
