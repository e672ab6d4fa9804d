/**
 * The README's path from deploy to a verifier elsewhere: its signing block (JwtKeyRing with the
 * Issuer output) and its jose block (createRemoteJWKSet on the JwksUri output) run as they are,
 * compiled by TypeScript, against a secret on the local endpoint and its key set on 127.0.0.1.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import ts from 'typescript';

import * as client from '../../client';
import { startKeySetServer } from '../support/key-set-server';
import { localSecret } from '../support/local-secret';
import { asymmetricKey } from '../support/tokens';

/** The first ```ts block after the marker, compiled to CommonJS. */
function readmeBlock(marker: string): string {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const at = readme.indexOf(`<!-- ${marker}`);
  const match = /```ts\n([\s\S]*?)```/.exec(readme.slice(at));
  if (at < 0 || match === null) throw new Error(`README block ${marker} not found`);
  // The blocks sit in a numbered list: their indentation is Markdown's, not the code's.
  const code = match[1]!.replace(/^ {3}/gm, '');
  return ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
}

/** Runs a compiled block with these modules and environment; returns its exports. */
function run(
  code: string,
  modules: Record<string, unknown>,
  env: Record<string, string>,
): Record<string, unknown> {
  const exported: Record<string, unknown> = {};
  const load = new Function('require', 'exports', 'process', code) as (
    require: (id: string) => unknown,
    exports: object,
    process: { env: Record<string, string> },
  ) => void;
  load(
    (id) => {
      if (!(id in modules)) throw new Error(`unexpected import ${id}`);
      return modules[id];
    },
    exported,
    { env },
  );
  return exported;
}

describe('README: the published key set, from deploy to a verifier elsewhere', () => {
  it('the signing block issues a token the jose block accepts; another audience is refused', async () => {
    // GIVEN an RS256 key in a secret, and its public half served as the key set
    const document = await asymmetricKey('RS256', 'k1', Date.now());
    const secret = await localSecret(Date.now, document);
    const server = await startKeySetServer();
    server.publish([document], 'max-age=300');
    const env = {
      JWT_SECRET_ARN: secret.arn,
      JWT_ISSUER: server.issuer,
      JWKS_URI: server.jwksUri,
    };
    // (the package's client, its SDK client pointed at the local endpoint: the block's
    // JwtKeyRing would otherwise use the SDK's default chain, as deployed)
    class LocalJwtKeyRing extends client.JwtKeyRing {
      constructor(options: client.JwtKeyRingOptions) {
        super({ ...options, client: secret.client });
      }
    }
    try {
      const signing = run(
        readmeBlock('key-set-sign-example'),
        { 'rotating-jwt-keys/client': { ...client, JwtKeyRing: LocalJwtKeyRing } },
        env,
      ) as { issueToken: (user: string) => Promise<string> };
      const verifying = run(
        readmeBlock('key-set-jose-example'),
        { jose: await import('jose') },
        env,
      ) as {
        subjectOf: (token: string) => Promise<string | undefined>;
      };

      // WHEN / THEN
      await expect(verifying.subjectOf(await signing.issueToken('user-42'))).resolves.toBe(
        'user-42',
      );
      const elsewhere = await new LocalJwtKeyRing({
        secretId: secret.arn,
        issuer: server.issuer,
      }).sign({ sub: 'user-42' }, { audience: 'billing-api' });
      await expect(verifying.subjectOf(elsewhere)).rejects.toMatchObject({
        code: 'ERR_JWT_CLAIM_VALIDATION_FAILED',
      });
    } finally {
      await server.close();
      await secret.close();
    }
  }, 60_000);
});
