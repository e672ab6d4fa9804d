/**
 * Project Wycheproof's JWS and JWK vectors, from the repository's copy in test/vectors/wycheproof.
 *
 * Two levels:
 * - the JWS layer (decode, header rules, key by kid, algorithm from the key, HMAC): every
 *   invalid vector refused, every valid HMAC vector accepted, except the exclusions below;
 * - the key ring (JwtKeyRing.verify): every vector of both files, its key set stored as the
 *   secret's AWSCURRENT (and AWSPREVIOUS) values. Valid vectors carry payloads like "foo", not
 *   JWT claims, so the ring refuses them at the claims: a refusal there means the signature
 *   was accepted. So each outcome is classed by the stage that decided it, and every invalid
 *   vector must be refused before the claims are read.
 *
 * A key set is usable only if every key in it is a valid key document (HMAC long enough, or a
 * private ES256 / EdDSA / RS256 JWK that passes asymmetricKeyProblem; use "sig"; a kid) and the
 * kids are distinct: a mixed or ambiguous set is refused whole, as the ring refuses a secret
 * whose AWSCURRENT is not a key document. The vectors' ES256 and RS256 keys carry their private
 * members (d, and the CRT members for RSA), so they are stored as the secret's documents as they
 * are: no public-only path is needed. The one public-only key (an ES256 key without d, beside an
 * HMAC key in tcId 1 of the JWK file) is refused as a document (ERR_KEY_DOCUMENT_MISSING_KEY).
 * The files hold no Ed25519 key; EdDSA is held to Wycheproof at the signature layer
 * (wycheproof-signatures.test.ts).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { JwtKeyRing } from '../../client';
import {
  checkProtectedHeader,
  decodeCompactJws,
  hasValidSignature,
} from '../../client/compact-jws';
import { importDocumentKey } from '../../client/document-key';
import { isJwtAlgorithm, type KeyDocument, validateKeyDocument } from '../../key-document';

import { fakeSecrets } from './support';

interface Vector {
  readonly tcId: number;
  readonly comment: string;
  readonly jws: string | object;
  readonly result: 'valid' | 'invalid' | 'acceptable';
  readonly flags: string[];
}

interface VectorGroup {
  readonly private: Record<string, unknown> & { keys?: Record<string, unknown>[] };
  readonly tests: Vector[];
}

/** The repository's copy of the vectors (test/vectors/wycheproof/README.md says which and whence). */
const VECTORS = resolve(__dirname, '../vectors/wycheproof');

function groups(file: string): VectorGroup[] {
  return (JSON.parse(readFileSync(resolve(VECTORS, file), 'utf8')) as { testGroups: VectorGroup[] })
    .testGroups;
}

/** Valid vectors this library refuses on purpose, by file and tcId, with the reason. */
const EXCLUDED_VALID: Record<string, Record<number, string>> = {
  'json_web_signature_test.json': {
    372: 'a "?" inside the header part: not base64url; RFC 7515 compact form requires base64url, we refuse',
    373: 'a "?" inside the payload part: not base64url; we refuse non-canonical parts',
  },
};

/** Key sets of valid vectors, in a supported algorithm, that the key document refuses on purpose. */
const REFUSED_VALID_KEY_SETS: Record<string, string> = {
  'bilbo.baggins@hobbiton.example':
    'RFC 7520 Figure 13 (tcId 349): key_ops ["sign, verify"] is one unknown operation, not two; ' +
    'refused as ERR_KEY_DOCUMENT_WRONG_KEY_OPS',
};

/** Invalid vectors that are byte-for-byte equal to a valid one (errors of the file). */
const KNOWN_FILE_ERRORS: Record<number, string> = {
  367: 'identical to valid tcId 357 (the "padding" was lost in the file)',
  370: 'identical to valid tcId 357 (the "padding" was lost in the file)',
};

/** The key set of a group, or undefined when any key is not a valid key document. */
function keySet(group: VectorGroup): KeyDocument[] | undefined {
  const jwks = group.private.keys ?? [group.private];
  try {
    const documents = jwks.map((jwk) => validateKeyDocument(jwk));
    const kids = new Set(documents.map((document) => document.kid));
    return kids.size === documents.length ? documents : undefined;
  } catch {
    return undefined;
  }
}

/** The JWS layer's decision with a key set. */
function jwsAccepts(jws: string | object, keys: readonly KeyDocument[]): boolean {
  if (typeof jws !== 'string') return false;
  try {
    const decoded = decodeCompactJws(jws, 8192);
    checkProtectedHeader(decoded.header);
    const document = keys.find((candidate) => candidate.kid === decoded.header.kid);
    if (document === undefined || decoded.header.alg !== document.alg) return false;
    return hasValidSignature(decoded, importDocumentKey(document));
  } catch {
    return false;
  }
}

describe.each(['json_web_signature_test.json', 'json_web_key_test.json'])(
  'Wycheproof %s',
  (file) => {
    const cases = groups(file).flatMap((group) =>
      group.tests.map((vector) => ({ vector, keys: keySet(group), group })),
    );

    it('refuses every invalid vector at the JWS layer', () => {
      const accepted = cases
        .filter(
          ({ vector }) =>
            vector.result === 'invalid' && KNOWN_FILE_ERRORS[vector.tcId] === undefined,
        )
        .filter(({ vector, keys }) => keys !== undefined && jwsAccepts(vector.jws, keys))
        .map(({ vector }) => `${vector.tcId} ${vector.comment}`);
      expect(accepted).toEqual([]);
    });

    it('accepts every valid vector whose key set is usable, except the listed exclusions', () => {
      const valid = cases.filter(({ vector }) => vector.result === 'valid');
      const usable = valid.filter(({ keys }) => keys !== undefined);
      const refused = usable
        .filter(({ vector }) => EXCLUDED_VALID[file]?.[vector.tcId] === undefined)
        .filter(({ vector, keys }) => !jwsAccepts(vector.jws, keys!))
        .map(({ vector }) => `${vector.tcId} ${vector.comment}`);
      expect(refused).toEqual([]);
      expect(usable.length).toBeGreaterThan(0);
      // Every valid vector outside has a key of an algorithm we do not make keys for (RS384,
      // RS512, PS256..PS512, ES521): checked here so that the count cannot drift silently.
      for (const { group } of valid.filter(({ keys }) => keys === undefined)) {
        const jwks = group.private.keys ?? [group.private];
        expect(
          jwks.some(
            (jwk) =>
              !isJwtAlgorithm(jwk.alg) || REFUSED_VALID_KEY_SETS[String(jwk.kid)] !== undefined,
          ),
        ).toBe(true);
      }
    });
  },
);

it('refuses the Wycheproof JWK key sets our rules forbid: short, empty, ROCA, 1024-bit, e = 1, modified, wrong use, mixed, duplicate kid', () => {
  const refused = groups('json_web_key_test.json')
    .filter((group) => keySet(group) === undefined)
    .map((group) =>
      (group.private.keys ?? [group.private]).map((jwk) => String(jwk.kid)).join('+'),
    );
  expect(refused).toEqual(
    expect.arrayContaining([
      'short_hs256_key',
      'short_hs384_key',
      'short_hs512_key',
      'hs256_key',
      'hs384_key',
      'hs512_key',
      'kid-rsa-roca-sign',
      'RS256_1024',
      'RS256_2048',
      'kid-aes-sign+kid-ec-sign',
    ]),
  );
  // Every EC key set of the file is a modified or mismatched key (tcIds 19-24).
  expect(refused.filter((kids) => kids === 'kid-ec-sign')).toHaveLength(6);
  for (const kid of ['long_hs256_key', 'kid-rsa-sign']) {
    const group = groups('json_web_key_test.json').find(
      ({ private: key }) => (key.keys?.[0] ?? key).kid === kid && key.alg !== 'RSA1_5',
    );
    expect(keySet(group!)).toBeDefined();
  }
});

/** Codes the ring answers only after the signature verified. */
const AFTER_SIGNATURE = new Set([
  'accepted',
  'ERR_JWT_CLAIMS_MALFORMED',
  'ERR_JWT_EXP_MISSING',
  'ERR_JWT_EXPIRED',
  'ERR_JWT_NOT_YET_VALID',
  'ERR_JWT_CLAIM_INVALID',
  'ERR_JWT_PREVIOUS_KEY_EXPIRED',
]);

interface RingOutcome {
  readonly file: string;
  readonly vector: Vector;
  /** The key set is one the key document accepts (HMAC, long enough, distinct kids). */
  readonly usable: boolean;
  /** 'accepted' or the refusal's code. */
  readonly outcome: string;
}

/** Every vector of the file through JwtKeyRing.verify, its keys stored as the secret's values. */
async function throughTheRing(file: string): Promise<RingOutcome[]> {
  const outcomes: RingOutcome[] = [];
  for (const group of groups(file)) {
    const documents = keySet(group);
    const jwks = group.private.keys ?? [group.private];
    const secrets = fakeSecrets();
    if (documents === undefined) {
      // Stored as they are, the first key as AWSCURRENT and the second as AWSPREVIOUS: the ring
      // must refuse a secret whose AWSCURRENT holds no valid key document.
      jwks.slice(0, 2).forEach((jwk, index) => {
        secrets.stages.set(index === 0 ? 'AWSCURRENT' : 'AWSPREVIOUS', {
          versionId: `v${index}`,
          value: JSON.stringify(jwk),
        });
      });
    } else {
      secrets.setKey('AWSCURRENT', documents[0]);
      if (documents[1] !== undefined) secrets.setKey('AWSPREVIOUS', documents[1]);
    }
    for (const vector of group.tests) {
      // A fresh ring per vector: no vector's refresh or cache state decides another's.
      const ring = new JwtKeyRing({ secretId: 'vectors', client: secrets.client, clock: () => 0 });
      const outcome = await ring.verify(vector.jws as string).then(
        () => 'accepted',
        (error: { code?: string }) => error.code ?? 'untyped',
      );
      outcomes.push({ file, vector, usable: documents !== undefined, outcome });
    }
  }
  return outcomes;
}

describe('Wycheproof vectors through JwtKeyRing.verify', () => {
  let outcomes: RingOutcome[];
  beforeAll(async () => {
    outcomes = [
      ...(await throughTheRing('json_web_signature_test.json')),
      ...(await throughTheRing('json_web_key_test.json')),
    ];
  });

  it('runs every vector of both files', () => {
    expect(outcomes).toHaveLength(401 + 26);
  });

  it('refuses every invalid vector before the claims are read, each with a typed code', () => {
    const invalid = outcomes.filter(
      ({ file, vector }) =>
        vector.result === 'invalid' &&
        !(file === 'json_web_signature_test.json' && KNOWN_FILE_ERRORS[vector.tcId] !== undefined),
    );
    const passedSignature = invalid
      .filter(({ outcome }) => AFTER_SIGNATURE.has(outcome) || outcome === 'untyped')
      .map(({ file, vector }) => `${file} ${vector.tcId}`);
    expect(passedSignature).toEqual(Object.keys(SECRET_RULES_DIFFER));
    expect(invalid).toHaveLength(355 + 21 - Object.keys(KNOWN_FILE_ERRORS).length);
  });

  it('accepts the signature of every valid vector with a usable key set, but the listed exclusions', () => {
    const valid = outcomes.filter(({ vector, usable }) => vector.result === 'valid' && usable);
    const refused = valid
      .filter(({ file, vector }) => EXCLUDED_VALID[file]?.[vector.tcId] === undefined)
      .filter(({ outcome }) => !AFTER_SIGNATURE.has(outcome))
      .map(({ file, vector, outcome }) => `${file} ${vector.tcId} ${vector.comment}: ${outcome}`);
    expect(refused).toEqual([]);
    const signatureAccepted = outcomes.filter(
      ({ file, vector, outcome }) =>
        AFTER_SIGNATURE.has(outcome) &&
        SECRET_RULES_DIFFER[`${file} ${vector.tcId}`] === undefined &&
        !(file === 'json_web_signature_test.json' && KNOWN_FILE_ERRORS[vector.tcId] !== undefined),
    );
    expect(signatureAccepted.map(({ vector }) => vector.result)).toEqual(
      signatureAccepted.map(() => 'valid'),
    );
    expect({ valid: valid.length, signatureAccepted: signatureAccepted.length }).toEqual({
      valid: VALID_WITH_USABLE_KEYS,
      signatureAccepted: VALID_WITH_USABLE_KEYS - EXCLUDED_VALID_COUNT,
    });
  });

  it('refuses every vector whose AWSCURRENT the key document refuses, as an invalid secret', () => {
    const unusable = outcomes.filter(
      ({ file, vector, usable }) =>
        !usable && SECRET_RULES_DIFFER[`${file} ${vector.tcId}`] === undefined,
    );
    // An unsecured token (alg none, the only vectors here that were malformed before) is
    // refused for its algorithm before any key is read.
    const refusedAs = (outcome: string): string =>
      outcome === 'ERR_JWT_ALG_NOT_ALLOWED' ? outcome : `${outcome} (key)`;
    expect(new Set(unusable.map(({ outcome }) => refusedAs(outcome)))).toEqual(
      new Set(['ERR_KEY_DOCUMENT_INVALID (key)', 'ERR_JWT_ALG_NOT_ALLOWED']),
    );
    expect(unusable).toHaveLength(UNUSABLE_CURRENT_KEY);
  });

  it('answers each refusal with the code of its stage', () => {
    const histogram: Record<string, number> = {};
    for (const { outcome } of outcomes) histogram[outcome] = (histogram[outcome] ?? 0) + 1;
    expect(histogram).toEqual(EXPECTED_OUTCOMES);
  });
});

/**
 * Invalid key-set vectors whose token the ring accepts by design: a JWK set is one document to
 * Wycheproof, while the secret's AWSCURRENT and AWSPREVIOUS are read and judged apart.
 */
const SECRET_RULES_DIFFER: Record<string, string> = {
  'json_web_key_test.json 1':
    'an HMAC key beside a broken EC key: as AWSCURRENT and AWSPREVIOUS, the broken previous value ' +
    'is reported and never used, and the valid current key that signed the token serves',
  'json_web_key_test.json 4':
    'two keys with one kid: as AWSCURRENT and AWSPREVIOUS, the kid selects the current key, which ' +
    'signed the token; never the previous one',
};

/**
 * Vectors whose AWSCURRENT value (the first key of the set) the key document refuses: RS384,
 * RS512, PS256..PS512, ES521 and encryption keys, the broken keys of the JWK file. 380 while the
 * key document held HMAC keys only; the ES256 and RS256 key sets (272 vectors) now go through.
 */
const UNUSABLE_CURRENT_KEY = 108;

/**
 * Valid vectors whose key set is usable, and how many of them we refuse on purpose. 14 (all
 * HMAC) before asymmetric keys; now also 1 ES256 and 9 RS256 vectors.
 */
const VALID_WITH_USABLE_KEYS = 24;
const EXCLUDED_VALID_COUNT = Object.values(EXCLUDED_VALID).reduce(
  (count, ids) => count + Object.keys(ids).length,
  0,
);
/** Every outcome over both files, by code: what each stage of the ring decided. */
const EXPECTED_OUTCOMES: Record<string, number> = {
  // The signature verified: 22 valid vectors (12 HMAC, 1 ES256, 9 RS256) and the 2 of
  // SECRET_RULES_DIFFER (their payloads are not JWT claims), and the 2 known errors of the file
  // (equal to a valid vector). Was 16 with HMAC keys only.
  ERR_JWT_CLAIMS_MALFORMED: 26,
  // Was 46 while the 5 unsecured vectors (alg none, empty signature) counted as malformed.
  ERR_JWT_MALFORMED: 41,
  // tcId 31: an HS256 token whose MAC key is the EC verification key's bytes, under the ES256
  // key's kid: refused for its algorithm before any signature is computed. And the unsecured
  // vectors (tcId 16 and 341-344: alg none or NONE, an empty signature), whatever their kid.
  ERR_JWT_ALG_NOT_ALLOWED: 6,
  // The RS256 and ES256 signature vectors (modified signatures, DER for ES256, r or s out of
  // range, wrong padding...), refused at the signature now that their keys load. Was 4.
  ERR_JWT_SIGNATURE_INVALID: 247,
  // rejectsModifiedHeader of the HMAC, ES256 and RS256 sets (the kid changed). Was 1.
  ERR_JWT_UNKNOWN_KID: 3,
  ERR_KEY_DOCUMENT_INVALID: 104,
};
