/**
 * Project Wycheproof's JWS and JWK vectors, read from ../shared/testvectors (not copied).
 *
 * Two levels:
 * - the JWS layer (decode, header rules, key by kid, algorithm from the key, HMAC): every
 *   invalid vector refused, every valid HMAC vector accepted, except the exclusions below;
 * - the key ring (JwtKeyRing.verify): every invalid vector refused. Valid vectors carry
 *   payloads like "foo", not JWT claims, so the ring refuses them for that reason alone.
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

    it('refuses every invalid vector through JwtKeyRing.verify', async () => {
      const accepted: string[] = [];
      for (const { vector, keys } of cases) {
        if (vector.result !== 'invalid' || keys === undefined || typeof vector.jws !== 'string')
          continue;
        const secrets = fakeSecrets();
        secrets.setKey('AWSCURRENT', keys[0]);
        if (keys[1] !== undefined) secrets.setKey('AWSPREVIOUS', keys[1]);
        const ring = new JwtKeyRing({
          secretId: 'vectors',
          client: secrets.client,
          clock: () => 0,
        });
        const outcome = await ring.verify(vector.jws).then(
          () => 'accepted',
          (error: { code?: string }) => error.code,
        );
        if (outcome === 'accepted' || outcome === undefined)
          accepted.push(`${vector.tcId} ${vector.comment}: ${outcome}`);
      }
      expect(accepted).toEqual([]);
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
