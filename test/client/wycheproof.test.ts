/**
 * Project Wycheproof's JWS and JWK vectors, read from ../shared/testvectors (not copied).
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
 * A key set is usable only if every key in it is a valid key document (HMAC, long enough,
 * use "sig", a kid) and the kids are distinct: a mixed or ambiguous set is refused whole, as the
 * ring refuses a secret whose AWSCURRENT is not a key document.
 */
import { createSecretKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { JwtKeyRing } from '../../client';
import {
  checkProtectedHeader,
  decodeCompactJws,
  hasValidSignature,
} from '../../client/compact-jws';
import { type KeyDocument, keyDocumentBytes, validateKeyDocument } from '../../key-document';

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

/** ../shared/testvectors beside the checkout, as the project is laid out; TESTVECTORS_DIR overrides. */
const VECTORS = resolve(
  process.env.TESTVECTORS_DIR ?? resolve(__dirname, '../../../shared/testvectors'),
  'wycheproof',
);

function groups(file: string): VectorGroup[] {
  if (!existsSync(resolve(VECTORS, file))) {
    throw new Error(
      `Wycheproof vectors not found at ${VECTORS}: check the project out beside ../shared, ` +
        'or set TESTVECTORS_DIR to the testvectors folder',
    );
  }
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
    return hasValidSignature(decoded, {
      alg: document.alg,
      kid: document.kid,
      secret: createSecretKey(keyDocumentBytes(document)),
    });
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

    it('accepts every valid vector whose key set is HMAC, except the listed exclusions', () => {
      const valid = cases.filter(({ vector }) => vector.result === 'valid');
      const hmac = valid.filter(({ keys }) => keys !== undefined);
      const refused = hmac
        .filter(({ vector }) => EXCLUDED_VALID[file]?.[vector.tcId] === undefined)
        .filter(({ vector, keys }) => !jwsAccepts(vector.jws, keys!))
        .map(({ vector }) => `${vector.tcId} ${vector.comment}`);
      expect(refused).toEqual([]);
      expect(hmac.length).toBeGreaterThan(0);
      // Every valid vector outside is one with an asymmetric or otherwise non-HMAC key set, which
      // the key document refuses (HMAC only): listed here so the count cannot drift silently.
      for (const { group } of valid.filter(({ keys }) => keys === undefined)) {
        const jwks = group.private.keys ?? [group.private];
        expect(jwks.some((jwk) => jwk.kty !== 'oct' || !String(jwk.alg).startsWith('HS'))).toBe(
          true,
        );
      }
    });
  },
);

it('refuses the Wycheproof JWK key sets our rules forbid: short, empty, non-HMAC, wrong use, mixed, duplicate kid', () => {
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
    ]),
  );
  expect(
    keySet(
      groups('json_web_key_test.json').find(
        (group) => group.private.keys?.[0]?.kid === 'long_hs256_key',
      )!,
    ),
  ).toBeDefined();
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
    // A token that is not even a compact JWS is refused as malformed before any key is read.
    const refusedAs = (outcome: string): string =>
      outcome === 'ERR_JWT_MALFORMED' ? outcome : `${outcome} (key)`;
    expect(new Set(unusable.map(({ outcome }) => refusedAs(outcome)))).toEqual(
      new Set(['ERR_KEY_DOCUMENT_INVALID (key)', 'ERR_JWT_MALFORMED']),
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

/** Vectors whose AWSCURRENT value (the first key of the set) the key document refuses. */
const UNUSABLE_CURRENT_KEY = 380;

/** Valid vectors whose key set is a usable HMAC set, and how many of them we refuse on purpose. */
const VALID_WITH_USABLE_KEYS = 14;
const EXCLUDED_VALID_COUNT = Object.values(EXCLUDED_VALID).reduce(
  (count, ids) => count + Object.keys(ids).length,
  0,
);
/** Every outcome over both files, by code: what each stage of the ring decided. */
const EXPECTED_OUTCOMES: Record<string, number> = {
  // The signature verified: 12 valid vectors and the 2 of SECRET_RULES_DIFFER (their payloads
  // are not JWT claims), and the 2 known errors of the file (equal to a valid vector).
  ERR_JWT_CLAIMS_MALFORMED: 16,
  ERR_JWT_MALFORMED: 46,
  ERR_JWT_SIGNATURE_INVALID: 4,
  ERR_JWT_UNKNOWN_KID: 1,
  ERR_KEY_DOCUMENT_INVALID: 360,
};
