/**
 * Secrets Manager for the key ring's unit tests: a fake client that answers GetSecretValue from
 * a table of stages, counts calls, and can fail or hold calls until released. The secret on
 * local-aws and the hand-made tokens live in test/support (the examples use them too); they are
 * re-exported here for the client tests.
 */
import { type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { JwksVerifier, JwtKeyRing } from '../../client';
import {
  type AsymmetricKeyDocument,
  generateKeyDocument,
  type KeyDocument,
  publicJwk,
  serializeKeyDocument,
} from '../../key-document';
import { SECRET_ID } from '../support/local-secret';

export { type LocalSecret, localSecret, SECRET_ID } from '../support/local-secret';
export { asymmetricKey, asymmetricToken, compact, hmacToken } from '../support/tokens';

export interface FakeSecrets {
  readonly client: SecretsManagerClient;
  /** Values by stage; a missing stage answers ResourceNotFoundException. */
  readonly stages: Map<string, { versionId: string; value: string }>;
  calls: number;
  /** When set, every call arriving fails with an error of this name. */
  failWith: string | undefined;
  /**
   * When set, calls wait for release() before answering. A call's answer is what the table
   * held when it arrived: change the table meanwhile and it was read before the change.
   */
  hold: boolean;
  release(): void;
  setKey(stage: 'AWSCURRENT' | 'AWSPREVIOUS', document: KeyDocument | undefined): void;
}

export function fakeSecrets(): FakeSecrets {
  let waiting: (() => void)[] = [];
  const fake: FakeSecrets = {
    stages: new Map(),
    calls: 0,
    failWith: undefined,
    hold: false,
    release() {
      const released = waiting;
      waiting = [];
      for (const resolve of released) resolve();
    },
    setKey(stage, document) {
      if (document === undefined) fake.stages.delete(stage);
      else
        fake.stages.set(stage, { versionId: document.kid, value: serializeKeyDocument(document) });
    },
    client: {
      send: async (command: { input: { SecretId?: string; VersionStage?: string } }) => {
        fake.calls += 1;
        const stage = command.input.VersionStage ?? 'AWSCURRENT';
        const entry = fake.stages.get(stage);
        const failure =
          fake.failWith ?? (entry === undefined ? 'ResourceNotFoundException' : undefined);
        if (fake.hold) await new Promise<void>((resolve) => waiting.push(resolve));
        if (failure !== undefined || entry === undefined) {
          const error = new Error(`simulated ${failure ?? ''} (${stage})`);
          error.name = failure ?? 'ResourceNotFoundException';
          throw error;
        }
        return { VersionId: entry.versionId, SecretString: entry.value, VersionStages: [stage] };
      },
    } as unknown as SecretsManagerClient,
  };
  return fake;
}

export function key(
  kid: string,
  now: number,
  options: {
    graceSeconds?: number;
    alg?: 'HS256' | 'HS384' | 'HS512';
    /** The standby key's kid, as the rotation writes it into the current document. */
    nextKid?: string;
    /** The kid of the key this one replaced. */
    previousKid?: string;
  } = {},
): KeyDocument {
  return {
    ...generateKeyDocument({
      alg: options.alg ?? 'HS256',
      kid,
      now: new Date(now),
      ...(options.graceSeconds !== undefined && { previousKeyGraceSeconds: options.graceSeconds }),
    }),
    ...(options.nextKid !== undefined && { nextKid: options.nextKid }),
    ...(options.previousKid !== undefined && { previousKid: options.previousKid }),
  };
}

/** The kid in a token's header. */
export function kidOf(token: string): unknown {
  const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as {
    kid?: unknown;
  };
  return header.kid;
}

/**
 * The verifier the attack and differential tables judge: one current key, a fixed clock,
 * issuer `https://issuer` and audience `api` required, 60 s tolerance.
 */
export function strictRing(current: KeyDocument, now: number): JwtKeyRing {
  const secrets = fakeSecrets();
  secrets.setKey('AWSCURRENT', current);
  return new JwtKeyRing({
    secretId: SECRET_ID,
    client: secrets.client,
    clock: () => now,
    issuer: 'https://issuer',
    audience: 'api',
    clockToleranceSeconds: 60,
  });
}

/**
 * The verify-only client under the same policy as strictRing, reading a key set that holds
 * the document's public half (served by an injected fetch).
 */
export function strictJwksVerifier(current: AsymmetricKeyDocument, now: number): JwksVerifier {
  return new JwksVerifier({
    jwksUri: 'https://keys.example/.well-known/jwks.json',
    fetch: () => Promise.resolve(Response.json({ keys: [publicJwk(current)] })),
    clock: () => now,
    issuer: 'https://issuer',
    audience: 'api',
    clockToleranceSeconds: 60,
  });
}
