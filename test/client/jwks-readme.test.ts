/**
 * The README's "Verify without AWS access" block runs as it is: compiled by TypeScript, given
 * the issuer of a key set served on 127.0.0.1, it accepts a token JwtKeyRing signs for that
 * issuer and answers undefined (a 401) for anything else.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import ts from 'typescript';

import { JwtKeyRing } from '../../client';
import * as client from '../../client/jwks';
import { startKeySetServer } from '../support/key-set-server';

import { asymmetricKey, fakeSecrets, SECRET_ID } from './support';

const MARKER = '<!-- jwks-verifier-example:';

/** The first ```ts block after the marker. */
function readmeBlock(): string {
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const after = readme.slice(readme.indexOf(MARKER));
  const match = /```ts\n([\s\S]*?)```/.exec(after);
  if (readme.indexOf(MARKER) < 0 || match === null) throw new Error('README block not found');
  return match[1]!;
}

describe('README: Verify without AWS access', () => {
  it('runs as written: accepts a token of the issuer, answers undefined otherwise', async () => {
    // GIVEN the block compiled, its import of the package bound to the client library
    const { outputText } = ts.transpileModule(readmeBlock(), {
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    });
    const server = await startKeySetServer();
    const document = await asymmetricKey('ES256', 'k1', Date.now());
    server.publish([document]);
    const exported: { userOf?: (authorization: string | undefined) => Promise<unknown> } = {};
    const load = new Function('require', 'exports', 'process', outputText) as (
      require: (id: string) => unknown,
      exports: object,
      process: { env: Record<string, string> },
    ) => void;
    load(
      (id) => {
        if (id !== 'rotating-jwt-keys/client/jwks') throw new Error(`unexpected import ${id}`);
        return client;
      },
      exported,
      { env: { JWT_ISSUER: server.issuer } },
    );
    const secrets = fakeSecrets();
    secrets.setKey('AWSCURRENT', document);
    const signer = new JwtKeyRing({
      secretId: SECRET_ID,
      client: secrets.client,
      issuer: server.issuer,
      audience: 'api',
    });

    try {
      // WHEN
      const accepted = await exported.userOf?.(`Bearer ${await signer.sign({ sub: 'user-42' })}`);
      const wrongAudience = await exported.userOf?.(
        `Bearer ${await signer.sign({ sub: 'user-42' }, { audience: 'other' })}`,
      );
      const missing = await exported.userOf?.(undefined);

      // THEN
      expect([accepted, wrongAudience, missing]).toEqual(['user-42', undefined, undefined]);
      expect(server.requests('/.well-known/openid-configuration')).toBe(1);
    } finally {
      await server.close();
    }
  });
});
