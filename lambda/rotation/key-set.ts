/**
 * The published key set's two documents, built from key documents with no I/O: the JWKS (the
 * public half of each key, with kid, alg and use) and the OpenID discovery document naming it.
 * Every body is parsed back and checked before anything is written (keySetObjects): an entry
 * with a private member, or any member a public JWK does not have, fails the step instead of
 * being published. Verifiers cannot be counted on to refuse one (aws-jwt-verify 5.2.1 accepts a
 * key set holding `d`).
 */
import { KEY_SET_DOCUMENTS } from '../../contract';
import {
  type AsymmetricAlgorithm,
  type AsymmetricKeyDocument,
  isAsymmetricAlgorithm,
  issuerProblem,
  type KeyDocument,
  PRIVATE_MEMBERS,
  publicJwk,
  publicJwkMembers,
  type PublicJwk,
} from '../../key-document';

import { RotationError } from './errors';

/** The longest Cache-Control max-age accepted: a removed key may live that long in a cache. */
export { MAX_KEY_SET_MAX_AGE_SECONDS } from '../../contract/key-set';

export interface Jwks {
  readonly keys: readonly PublicJwk[];
}

/**
 * What a discovery client needs to find the keys. API Gateway's JWT authorizer reads `jwks_uri`
 * and checks tokens' `iss` against its configured issuer; jose and jwks-rsa take the JWKS URL
 * itself. OpenID Connect Discovery also lists members of an authorization server (endpoints,
 * response types): this issuer has none, and a claim to support a flow it does not serve would
 * mislead more clients than it helps.
 */
export interface OpenIdConfiguration {
  readonly issuer: string;
  readonly jwks_uri: string;
  readonly id_token_signing_alg_values_supported: readonly AsymmetricAlgorithm[];
}

/** One object to write: its key in the bucket, the path it is served at, and its body. */
export interface KeySetObject {
  readonly objectKey: string;
  readonly path: string;
  readonly body: string;
}

/**
 * The JWKS of these keys: each one's public half (publicJwk builds it from an allow-list of
 * public members), once per kid, in the order given.
 */
export function jwksOf(documents: readonly AsymmetricKeyDocument[]): Jwks {
  const keys = new Map<string, PublicJwk>();
  for (const document of documents) {
    if (!isAsymmetricAlgorithm(document.alg)) {
      // publicJwk of an "oct" document would carry nothing, but an HMAC key is never a
      // candidate: reaching here is a bug in the caller, and it must not publish.
      throw keySetInvalid(`kid ${document.kid} is an ${String(document.alg)} key: never published`);
    }
    if (!keys.has(document.kid)) keys.set(document.kid, publicJwk(document));
  }
  return { keys: [...keys.values()] };
}

export function openIdConfigurationOf(
  issuer: string,
  algorithms: readonly AsymmetricAlgorithm[],
): OpenIdConfiguration {
  return {
    issuer,
    jwks_uri: `${issuer}${KEY_SET_DOCUMENTS.jwks.path}`,
    id_token_signing_alg_values_supported: [...new Set(algorithms)],
  };
}

/**
 * The two objects to write for these keys: the JWKS and the discovery document, whose algorithm
 * list names `algorithm` (the configured one) first and any other algorithm still published
 * (a key in its grace after a change of algorithm). Each body is parsed back and checked; a
 * problem throws ERR_KEY_SET_INVALID and nothing should be written.
 */
export function keySetObjects(
  settings: { readonly issuer: string; readonly algorithm: AsymmetricAlgorithm },
  documents: readonly AsymmetricKeyDocument[],
  options: { readonly allowLoopbackHttp?: boolean } = {},
): KeySetObject[] {
  const problem = issuerProblem(settings.issuer, options);
  if (problem !== undefined) throw keySetInvalid(`the issuer ${problem}`);
  const jwks = jwksOf(documents);
  const discovery = openIdConfigurationOf(settings.issuer, [
    settings.algorithm,
    ...jwks.keys.map((key) => key.alg),
  ]);
  const jwksBody = JSON.stringify(jwks);
  const discoveryBody = JSON.stringify(discovery);
  // Checked as a verifier would read them: the bodies parsed back, not the objects built.
  const jwksFault = jwksProblem(JSON.parse(jwksBody));
  if (jwksFault !== undefined) throw keySetInvalid(jwksFault);
  const discoveryFault = openIdConfigurationProblem(JSON.parse(discoveryBody), options);
  if (discoveryFault !== undefined) throw keySetInvalid(discoveryFault);
  return [
    { ...KEY_SET_DOCUMENTS.jwks, body: jwksBody },
    { ...KEY_SET_DOCUMENTS.openIdConfiguration, body: discoveryBody },
  ];
}

/**
 * Why a parsed JWKS must not be published; undefined when it may. Names members and kids only,
 * never a value.
 */
export function jwksProblem(value: unknown): string | undefined {
  if (!isRecord(value) || !Array.isArray(value.keys)) return 'the JWKS must be { "keys": [...] }';
  const extra = Object.keys(value).filter((name) => name !== 'keys');
  if (extra.length > 0) return `the JWKS has members besides "keys": ${extra.join(', ')}`;
  const kids = new Set<string>();
  for (const [index, entry] of (value.keys as unknown[]).entries()) {
    const where = `key set entry ${index}`;
    if (!isRecord(entry)) return `${where} is not an object`;
    const privateMember = PRIVATE_MEMBERS.find((member) => member in entry);
    if (privateMember !== undefined) {
      return `${where} (kid ${describeKid(entry.kid)}) holds the private member "${privateMember}"`;
    }
    const allowed = typeof entry.kty === 'string' ? publicJwkMembers(entry.kty) : undefined;
    if (allowed === undefined) return `${where} has an unpublishable kty`;
    const unexpected = Object.keys(entry).filter((member) => !allowed.includes(member));
    if (unexpected.length > 0) {
      return `${where} (kid ${describeKid(entry.kid)}) has members a public ${String(entry.kty)} key does not: ${unexpected.join(', ')}`;
    }
    const missing = allowed.filter((member) => typeof entry[member] !== 'string');
    if (missing.length > 0) return `${where} lacks ${missing.join(', ')}`;
    if (entry.use !== 'sig') return `${where} must have use "sig"`;
    if (!isAsymmetricAlgorithm(entry.alg)) return `${where} has an unpublishable alg`;
    if ((entry.kid as string) === '' || kids.has(entry.kid as string)) {
      return `${where} has an empty or repeated kid`;
    }
    kids.add(entry.kid as string);
  }
  return undefined;
}

/** Why a parsed discovery document must not be published; undefined when it may. */
export function openIdConfigurationProblem(
  value: unknown,
  options: { readonly allowLoopbackHttp?: boolean } = {},
): string | undefined {
  if (!isRecord(value) || typeof value.issuer !== 'string') {
    return 'the discovery document needs an issuer';
  }
  const issuerFault = issuerProblem(value.issuer, options);
  if (issuerFault !== undefined) return `the discovery document's issuer ${issuerFault}`;
  if (value.jwks_uri !== `${value.issuer}${KEY_SET_DOCUMENTS.jwks.path}`) {
    return `the discovery document's jwks_uri must be the issuer's ${KEY_SET_DOCUMENTS.jwks.path}`;
  }
  const algorithms = value.id_token_signing_alg_values_supported;
  if (
    !Array.isArray(algorithms) ||
    algorithms.length === 0 ||
    !algorithms.every(isAsymmetricAlgorithm)
  ) {
    return 'the discovery document must name the signing algorithms';
  }
  return undefined;
}

/** Whether a key document may be a candidate at all (HMAC keys never are). */
export function isPublishable(document: KeyDocument): document is AsymmetricKeyDocument {
  return isAsymmetricAlgorithm(document.alg) && document.kty !== 'oct';
}

function keySetInvalid(problem: string): RotationError {
  return new RotationError('ERR_KEY_SET_INVALID', `${problem}; nothing was published`);
}

function describeKid(kid: unknown): string {
  return typeof kid === 'string' ? kid.slice(0, 100) : 'missing';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
