/**
 * The JWT cases, one algorithm at a time: the raw node:crypto floor, JwtKeyRing (keys loaded
 * once from the local Secrets Manager through the real SDK client), jose with a CryptoKey,
 * fast-jwt and jsonwebtoken, all verifying the same token with the same checks (signature,
 * alg, exp required, iss, aud) and signing the same claims. Each case is checked for the right
 * answer before anything is timed.
 */
import { createHmac, createSecretKey, timingSafeEqual, webcrypto } from 'node:crypto';

import { SecretsManagerClient, CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { createSigner, createVerifier } from 'fast-jwt';
import { jwtVerify, SignJWT } from 'jose';
import jsonwebtoken from 'jsonwebtoken';

import { JwtKeyRing } from '../client';
import {
  generateKeyDocument,
  hashName,
  type HmacAlgorithm,
  keyDocumentBytes,
  serializeKeyDocument,
} from '../key-document';
import { type LocalAws } from '../local-aws';

import { type CaseGroup } from './harness';

const ISSUER = 'https://issuer.bench.example';
const AUDIENCE = 'bench-api';
const SUBJECT = 'user-42';
const LIFETIME_SECONDS = 3600;
const TOLERANCE_SECONDS = 60;

export interface JwtBench {
  /** Verify and sign, sequential and in flight; each group's first case is the floor. */
  readonly groups: readonly CaseGroup[];
  /** Secrets Manager calls the key ring made so far. */
  secretsManagerCalls(): number;
  /** Verifications through the key ring so far. */
  ringVerifications(): number;
  close(): void;
}

interface Claims {
  readonly sub?: unknown;
  readonly iss?: unknown;
  readonly aud?: unknown;
  readonly exp?: unknown;
  readonly nbf?: unknown;
}

/**
 * The floor: what any HS verifier must do at least. Split, one HMAC, a constant-time compare,
 * two base64url decodes and JSON.parse, then the same claims checks as the others.
 */
function floorVerifier(key: Buffer, alg: HmacAlgorithm): (token: string) => Claims {
  const hash = hashName(alg);
  return (token) => {
    const firstDot = token.indexOf('.');
    const secondDot = token.indexOf('.', firstDot + 1);
    if (firstDot < 0 || secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) {
      throw new Error('not a compact JWS');
    }
    const expected = createHmac(hash, key).update(token.slice(0, secondDot)).digest();
    const given = Buffer.from(token.slice(secondDot + 1), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new Error('bad signature');
    }
    const header = JSON.parse(
      Buffer.from(token.slice(0, firstDot), 'base64url').toString('utf8'),
    ) as { alg?: unknown };
    if (header.alg !== alg) throw new Error('wrong alg');
    const claims = JSON.parse(
      Buffer.from(token.slice(firstDot + 1, secondDot), 'base64url').toString('utf8'),
    ) as Claims;
    const now = Math.floor(Date.now() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= now - TOLERANCE_SECONDS) {
      throw new Error('expired');
    }
    if (typeof claims.nbf === 'number' && claims.nbf > now + TOLERANCE_SECONDS) {
      throw new Error('not yet valid');
    }
    if (claims.iss !== ISSUER) throw new Error('wrong issuer');
    const audiences = Array.isArray(claims.aud) ? (claims.aud as unknown[]) : [claims.aud];
    if (!audiences.includes(AUDIENCE)) throw new Error('wrong audience');
    return claims;
  };
}

function floorSigner(key: Buffer, alg: HmacAlgorithm, kid: string): () => string {
  const hash = hashName(alg);
  const header = Buffer.from(JSON.stringify({ alg, kid, typ: 'JWT' })).toString('base64url');
  return () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = Buffer.from(
      JSON.stringify({
        sub: SUBJECT,
        iat: now,
        exp: now + LIFETIME_SECONDS,
        iss: ISSUER,
        aud: AUDIENCE,
      }),
    ).toString('base64url');
    const signingInput = `${header}.${payload}`;
    return `${signingInput}.${createHmac(hash, key).update(signingInput).digest('base64url')}`;
  };
}

export async function createJwtBench(local: LocalAws, alg: HmacAlgorithm): Promise<JwtBench> {
  const document = generateKeyDocument({ alg, kid: `bench-${alg}`, now: new Date() });
  const key = keyDocumentBytes(document);
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
    issuer: ISSUER,
    audience: AUDIENCE,
    clockToleranceSeconds: TOLERANCE_SECONDS,
  });
  const token = await ring.sign({ sub: SUBJECT }, { expiresIn: LIFETIME_SECONDS });

  const cryptoKey = await webcrypto.subtle.importKey(
    'raw',
    key,
    { name: 'HMAC', hash: `SHA-${alg.slice(2)}` },
    false,
    ['sign', 'verify'],
  );
  const joseOptions = {
    algorithms: [alg],
    issuer: ISSUER,
    audience: AUDIENCE,
    requiredClaims: ['exp'],
    clockTolerance: TOLERANCE_SECONDS,
  };
  const fastVerify = createVerifier({
    key,
    algorithms: [alg],
    allowedIss: ISSUER,
    allowedAud: AUDIENCE,
    requiredClaims: ['exp'],
    clockTolerance: TOLERANCE_SECONDS * 1000,
  }) as (token: string) => Claims;
  const fastSign = createSigner({
    key,
    algorithm: alg,
    kid: document.kid,
    expiresIn: LIFETIME_SECONDS * 1000,
    iss: ISSUER,
    aud: AUDIENCE,
  }) as (payload: Record<string, unknown>) => string;
  // jsonwebtoken given raw bytes makes a KeyObject on every call (~20× slower here); given a
  // KeyObject, as a careful user would, it does not.
  const keyObject = createSecretKey(key);
  const floorVerify = floorVerifier(key, alg);
  let verifications = 0;
  const floorSign = floorSigner(key, alg, document.kid);

  const verifiers: Record<string, () => unknown> = {
    floor: () => floorVerify(token),
    JwtKeyRing: () => {
      verifications += 1;
      return ring.verify(token);
    },
    'jose (CryptoKey)': () => jwtVerify(token, cryptoKey, joseOptions),
    'fast-jwt': () => fastVerify(token),
    jsonwebtoken: () =>
      jsonwebtoken.verify(token, keyObject, {
        algorithms: [alg],
        issuer: ISSUER,
        audience: AUDIENCE,
        clockTolerance: TOLERANCE_SECONDS,
      }),
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
        .sign(cryptoKey),
    'fast-jwt': () => fastSign({ sub: SUBJECT }),
    jsonwebtoken: () =>
      jsonwebtoken.sign({ sub: SUBJECT }, keyObject, {
        algorithm: alg,
        keyid: document.kid,
        expiresIn: LIFETIME_SECONDS,
        issuer: ISSUER,
        audience: AUDIENCE,
      }),
  };

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
    secretsManagerCalls,
    ringVerifications: () => verifications,
    close: () => client.destroy(),
  };
}
