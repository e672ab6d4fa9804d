/**
 * API Gateway's documented JWT authorizer rules for HTTP APIs ("Control access to HTTP APIs with
 * JWT authorizers", developer guide), as a checker for tests only: the token (alone or after
 * "Bearer ") decodes; its algorithm is RSA-based and its signature verifies with the key of the
 * jwks_uri set whose kid the header names; iss equals the authorizer's issuer; aud (or, only
 * when aud is absent, client_id) matches one of its audiences; exp is after the current time,
 * nbf and iat before it. Scopes are not checked: the example's route requires none.
 */
import { createPublicKey, createVerify } from 'node:crypto';

import { type AsymmetricKeyDocument, publicJwk } from '../../key-document';

export interface AuthorizerSettings {
  readonly issuer: string;
  readonly audience: readonly string[];
  /** The documents whose public halves the jwks_uri serves. */
  readonly jwks: readonly AsymmetricKeyDocument[];
  /** The current time, in epoch milliseconds. */
  readonly now: number;
}

/** RSA-based JWS algorithms, the only ones API Gateway verifies, and their hash. */
const RSA_ALGORITHMS: Readonly<Record<string, string>> = {
  RS256: 'SHA256',
  RS384: 'SHA384',
  RS512: 'SHA512',
};

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(part ?? '', 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Why API Gateway would refuse the identity source's value; [] when it would accept it. */
export function apiGatewayJwtProblems(identity: string, settings: AuthorizerSettings): string[] {
  const token = identity.startsWith('Bearer ') ? identity.slice('Bearer '.length) : identity;
  const parts = token.split('.');
  const header = decodePart(parts[0]);
  const claims = decodePart(parts[1]);
  if (parts.length !== 3 || header === undefined || claims === undefined) {
    return ['the token does not decode'];
  }
  const problems: string[] = [];
  const hash = typeof header.alg === 'string' ? RSA_ALGORITHMS[header.alg] : undefined;
  const key = settings.jwks.find((document) => document.kid === header.kid);
  if (hash === undefined) problems.push(`alg ${String(header.alg)} is not RSA-based`);
  if (key === undefined) {
    problems.push(`kid ${JSON.stringify(header.kid)} is not in the jwks_uri key set`);
  } else if (hash !== undefined) {
    const verifier = createVerify(hash).update(`${parts[0]}.${parts[1]}`);
    const publicKey = createPublicKey({ key: publicJwk(key) as never, format: 'jwk' });
    if (!verifier.verify(publicKey, Buffer.from(parts[2]!, 'base64url'))) {
      problems.push('the signature does not verify');
    }
  }
  if (claims.iss !== settings.issuer) {
    problems.push(`iss ${JSON.stringify(claims.iss)} is not the authorizer issuer`);
  }
  // aud is evaluated when present, client_id only when aud is absent.
  if (claims.aud !== undefined) {
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.some((each) => settings.audience.includes(each as string))) {
      problems.push('aud names none of the authorizer audiences');
    }
  } else if (!settings.audience.includes(claims.client_id as string)) {
    problems.push('neither aud nor client_id names an authorizer audience');
  }
  const now = settings.now / 1000;
  if (typeof claims.exp !== 'number' || !(claims.exp > now)) {
    problems.push('exp is not after the current time');
  }
  if (claims.nbf !== undefined && !(typeof claims.nbf === 'number' && claims.nbf < now)) {
    problems.push('nbf is not before the current time');
  }
  if (claims.iat !== undefined && !(typeof claims.iat === 'number' && claims.iat <= now)) {
    problems.push('iat is not before the current time');
  }
  return problems;
}
