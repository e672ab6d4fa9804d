/**
 * The verify-only client needs no AWS SDK: nothing in its module graph imports one, and it
 * loads and verifies while every Secrets Manager import fails.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

import type * as VerifierModule from '../../client/jwks-verifier';
import {
  type AsymmetricKeyDocument,
  keyMembersOf,
  makeKeyDocument,
  publicJwk,
} from '../../key-document';

// Any require of the Secrets Manager client from what this test loads fails it.
jest.mock('@aws-sdk/client-secrets-manager', () => {
  throw new Error('the AWS SDK was loaded');
});

const ROOT = join(__dirname, '..', '..');

/** The package imports (not relative, not node:) of a module and every module it reaches. */
function packageImports(entry: string): { modules: string[]; packages: Set<string> } {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, 'utf8');
    const specifiers = [...source.matchAll(/(?:from|import\(|require\()\s*'([^']+)'/g)].map(
      (match) => match[1]!,
    );
    for (const specifier of specifiers) {
      if (!specifier.startsWith('.')) {
        if (!specifier.startsWith('node:')) packages.add(specifier);
        continue;
      }
      const target = resolve(dirname(file), specifier);
      visit(existsSync(`${target}.ts`) ? `${target}.ts` : join(target, 'index.ts'));
    }
  };
  visit(join(ROOT, entry));
  return { modules: [...seen].map((file) => relative(ROOT, file)), packages };
}

describe('Module: client/jwks-verifier', () => {
  it('imports no package: node: modules and its own files only (no AWS SDK)', () => {
    // WHEN
    const { modules, packages } = packageImports('client/jwks-verifier.ts');

    // THEN the graph spans the shared core and the key document, and holds no package
    expect(modules).toEqual(
      expect.arrayContaining([
        'client/jwt-verification.ts',
        'client/key-set.ts',
        'key-document/index.ts',
      ]),
    );
    expect([...packages]).toEqual([]);
  });

  it('is the whole graph of the verify-only entry point, rotating-jwt-keys/client/jwks', () => {
    // WHEN
    const { modules, packages } = packageImports('client/jwks.ts');

    // THEN
    expect(modules).toContain('client/jwks-verifier.ts');
    // (the cache for AWS JWT Verify is typed structurally: no import of it, not even a type)
    expect(modules).toContain('client/aws-verifier-jwks-cache.ts');
    expect(modules).not.toContain('client/jwt-key-ring.ts');
    expect([...packages]).toEqual([]);
  });

  it('finds the AWS SDK where it is imported (negative control: JwtKeyRing)', () => {
    expect([...packageImports('client/jwt-key-ring.ts').packages]).toContain(
      '@aws-sdk/client-secrets-manager',
    );
  });

  it('loads and verifies while the Secrets Manager client cannot be loaded', async () => {
    // GIVEN the SDK fails to load (above), and a key set served by an injected fetch
    expect(() => jest.requireActual('../../client/key-cache')).toThrow(/AWS SDK was loaded/);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { JwksVerifier } = require('../../client/jwks') as typeof VerifierModule;
    const document = (await makeKeyDocument({
      alg: 'EdDSA',
      kid: 'k1',
      now: new Date(),
    })) as AsymmetricKeyDocument;
    const fetch = (): Promise<Response> =>
      Promise.resolve(Response.json({ keys: [publicJwk(document)] }));
    const verifier = new JwksVerifier({ jwksUri: 'https://keys.example/jwks.json', fetch });
    const encode = (value: unknown): string =>
      Buffer.from(JSON.stringify(value)).toString('base64url');
    const input = `${encode({ alg: 'EdDSA', kid: 'k1' })}.${encode({ exp: Date.now() / 1000 + 60 })}`;
    const signature = sign(
      null,
      Buffer.from(input),
      createPrivateKey({ key: keyMembersOf(document), format: 'jwk' }),
    );

    // WHEN / THEN
    await expect(
      verifier.verify(`${input}.${signature.toString('base64url')}`),
    ).resolves.toMatchObject({ kid: 'k1' });
  });
});
