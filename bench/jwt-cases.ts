/**
 * The JWT cases, one algorithm at a time: the raw node:crypto floor, JwtKeyRing (keys loaded
 * once from the local Secrets Manager through the real SDK client), jose with a CryptoKey,
 * fast-jwt and jsonwebtoken (where they support the algorithm), all verifying the same token
 * with the same checks (signature, alg, exp required, iss, aud) and signing the same claims
 * with the same key. Each case is checked for the right answer before anything is timed.
 */
import {
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  type JsonWebKey,
  type KeyObject,
  webcrypto,
} from 'node:crypto';

import { SecretsManagerClient, CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { createSigner, createVerifier } from 'fast-jwt';
import { importJWK, jwtVerify, SignJWT } from 'jose';
import jsonwebtoken from 'jsonwebtoken';

// The package's compiled code, as an application loads it (npm run bench builds it first).
import { JwtKeyRing } from 'rotating-jwt-keys/client';

import {
  isHmacKeyDocument,
  type JwtAlgorithm,
  keyDocumentBytes,
  type KeyDocument,
  keyMembersOf,
  makeKeyDocument,
  publicJwk,
  serializeKeyDocument,
} from '../key-document';
import { type LocalAws } from '../local-aws';

import { type CaseGroup } from './harness';
import {
  AUDIENCE,
  type Claims,
  floorScheme,
  floorSigner,
  floorVerifier,
  ISSUER,
  LIFETIME_SECONDS,
  SUBJECT,
  TOLERANCE_SECONDS,
} from './jwt-floor';

export interface JwtBench {
  /** Verify and sign, sequential and in flight; each group's first case is the floor. */
  readonly groups: readonly CaseGroup[];
  /** Libraries left out for this algorithm, and why. */
  readonly unsupported: readonly UnsupportedCase[];
  /** Secrets Manager calls the key ring made so far. */
  secretsManagerCalls(): number;
  /** Verifications through the key ring so far. */
  ringVerifications(): number;
  close(): void;
}

export interface UnsupportedCase {
  readonly alg: JwtAlgorithm;
  readonly library: string;
  readonly reason: string;
}

/** jsonwebtoken 9 signs and verifies HS, RS, PS and ES only (its SUPPORTED_ALGS). */
const JSONWEBTOKEN_ALGORITHMS: ReadonlySet<JwtAlgorithm> = new Set([
  'HS256',
  'HS384',
  'HS512',
  'ES256',
  'RS256',
]);

/** The key in each library's preferred form, imported once. */
interface LibraryKeys {
  /** jose: a CryptoKey (importJWK; an HMAC secret through WebCrypto's importKey). */
  readonly joseVerify: webcrypto.CryptoKey;
  readonly joseSign: webcrypto.CryptoKey;
  /** fast-jwt: the secret bytes, or PEM (it makes a KeyObject once, in createSigner/Verifier). */
  readonly fastVerify: Buffer | string;
  readonly fastSign: Buffer | string;
  /** jsonwebtoken: a KeyObject (given raw bytes it makes one per call, ~20× slower). */
  readonly jsonwebtokenVerify: KeyObject;
  readonly jsonwebtokenSign: KeyObject;
}

async function libraryKeys(document: KeyDocument): Promise<LibraryKeys> {
  const alg = document.alg;
  if (isHmacKeyDocument(document)) {
    const secret = keyDocumentBytes(document);
    // jose's importJWK returns an oct key's bytes, not a CryptoKey: import it as WebCrypto would.
    const joseKey = await webcrypto.subtle.importKey(
      'raw',
      secret,
      { name: 'HMAC', hash: `SHA-${alg.slice(2)}` },
      false,
      ['sign', 'verify'],
    );
    const keyObject = createSecretKey(secret);
    return {
      joseVerify: joseKey,
      joseSign: joseKey,
      fastVerify: secret,
      fastSign: secret,
      jsonwebtokenVerify: keyObject,
      jsonwebtokenSign: keyObject,
    };
  }
  const publicKey = createPublicKey({ key: publicJwk(document) as JsonWebKey, format: 'jwk' });
  const privateKey = createPrivateKey({
    key: keyMembersOf(document) as JsonWebKey,
    format: 'jwk',
  });
  return {
    joseVerify: (await importJWK({ ...publicJwk(document) }, alg)) as webcrypto.CryptoKey,
    joseSign: (await importJWK(keyMembersOf(document), alg)) as webcrypto.CryptoKey,
    fastVerify: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    fastSign: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    jsonwebtokenVerify: publicKey,
    jsonwebtokenSign: privateKey,
  };
}

export async function createJwtBench(local: LocalAws, alg: JwtAlgorithm): Promise<JwtBench> {
  // The rotation Lambda's own key maker: RS256 gets its default 2048-bit modulus.
  const document = await makeKeyDocument({ alg, kid: `bench-${alg}`, now: new Date() });
  const client = new SecretsManagerClient(local.clientConfig());
  const created = await client.send(
    new CreateSecretCommand({
      Name: `bench/${alg}`,
      SecretString: serializeKeyDocument(document),
    }),
  );
  const secretArn = created.ARN!;
  const secretsManagerCalls = (): number =>
    local.calls.filter((call) => call.operation === 'GetSecretValue' && call.secretId === secretArn)
      .length;

  const ring = new JwtKeyRing({
    secretId: secretArn,
    client,
    // Longer than any run: on a loaded machine a run outlasted the default 5 minutes, and the
    // periodic refresh (by design, not per verification) showed as 0.0004 calls per verification.
    cacheTtlMs: 60 * 60_000,
    issuer: ISSUER,
    audience: AUDIENCE,
    clockToleranceSeconds: TOLERANCE_SECONDS,
  });
  const token = await ring.sign({ sub: SUBJECT }, { expiresIn: LIFETIME_SECONDS });

  const scheme = floorScheme(document);
  const keys = await libraryKeys(document);
  const floorVerify = floorVerifier(alg, scheme);
  const floorSign = floorSigner(alg, document.kid, scheme);
  const joseOptions = {
    algorithms: [alg],
    issuer: ISSUER,
    audience: AUDIENCE,
    requiredClaims: ['exp'],
    clockTolerance: TOLERANCE_SECONDS,
  };
  // Made once, as a server would; fast-jwt's token cache is left off (it would time a lookup).
  const fastVerify = createVerifier({
    key: keys.fastVerify,
    algorithms: [alg],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
    requiredClaims: ['exp'],
    clockTolerance: TOLERANCE_SECONDS * 1000,
  }) as (token: string) => Claims;
  const fastSign = createSigner({
    key: keys.fastSign,
    algorithm: alg,
    kid: document.kid,
    expiresIn: LIFETIME_SECONDS * 1000,
    iss: ISSUER,
    aud: AUDIENCE,
  }) as (payload: Record<string, unknown>) => string;
  let verifications = 0;

  const verifiers: Record<string, () => unknown> = {
    floor: () => floorVerify(token),
    JwtKeyRing: () => {
      verifications += 1;
      return ring.verify(token);
    },
    'jose (CryptoKey)': () => jwtVerify(token, keys.joseVerify, joseOptions),
    'fast-jwt': () => fastVerify(token),
  };
  const signers: Record<string, () => string | Promise<string>> = {
    floor: floorSign,
    JwtKeyRing: () => ring.sign({ sub: SUBJECT }, { expiresIn: LIFETIME_SECONDS }),
    'jose (CryptoKey)': () =>
      new SignJWT({ sub: SUBJECT })
        .setProtectedHeader({ alg, kid: document.kid, typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime(`${LIFETIME_SECONDS}s`)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .sign(keys.joseSign),
    'fast-jwt': () => fastSign({ sub: SUBJECT }),
  };
  const unsupported: UnsupportedCase[] = [];
  if (JSONWEBTOKEN_ALGORITHMS.has(alg)) {
    verifiers.jsonwebtoken = () =>
      jsonwebtoken.verify(token, keys.jsonwebtokenVerify, {
        algorithms: [alg as jsonwebtoken.Algorithm],
        issuer: ISSUER,
        audience: AUDIENCE,
        clockTolerance: TOLERANCE_SECONDS,
      });
    signers.jsonwebtoken = () =>
      jsonwebtoken.sign({ sub: SUBJECT }, keys.jsonwebtokenSign, {
        algorithm: alg as jsonwebtoken.Algorithm,
        keyid: document.kid,
        expiresIn: LIFETIME_SECONDS,
        issuer: ISSUER,
        audience: AUDIENCE,
      });
  } else {
    unsupported.push({
      alg,
      library: 'jsonwebtoken',
      reason: `jsonwebtoken 9 has no ${alg} (it signs and verifies HS, RS, PS and ES only)`,
    });
  }

  // Right answers first: a fast wrong case would be worthless.
  for (const [name, verify] of Object.entries(verifiers)) {
    const result = (await verify()) as Claims & { payload?: Claims };
    const subject = result.payload?.sub ?? result.sub;
    if (subject !== SUBJECT) throw new Error(`${alg} verify "${name}" returned the wrong subject`);
  }
  for (const [name, sign] of Object.entries(signers)) {
    const claims = floorVerify(await sign());
    if (claims.sub !== SUBJECT) throw new Error(`${alg} sign "${name}" made a wrong token`);
  }

  const groups: CaseGroup[] = [];
  for (const mode of ['sequential', 'in-flight'] as const) {
    for (const [operation, table] of [
      ['verify', verifiers],
      ['sign', signers],
    ] as const) {
      groups.push({
        mode,
        cases: Object.entries(table).map(([name, run]) => ({
          name: `${alg} ${operation} ${name}`,
          operation: run,
        })),
      });
    }
  }
  return {
    groups,
    unsupported,
    secretsManagerCalls,
    ringVerifications: () => verifications,
    close: () => client.destroy(),
  };
}
