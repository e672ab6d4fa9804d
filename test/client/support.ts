/**
 * A Secrets Manager client for the key ring's unit tests: it answers GetSecretValue from a
 * table of stages, counts calls, and can fail or hold calls until released.
 */
import { createHmac } from 'node:crypto';

import { type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { JwtKeyRing } from '../../client';
import { generateKeyDocument, type KeyDocument, serializeKeyDocument } from '../../key-document';

export const SECRET_ID = 'app/jwt';

export interface FakeSecrets {
  readonly client: SecretsManagerClient;
  /** Values by stage; a missing stage answers ResourceNotFoundException. */
  readonly stages: Map<string, { versionId: string; value: string }>;
  calls: number;
  /** When set, every call fails with an error of this name. */
  failWith: string | undefined;
  /** When set, calls wait for release() before answering. */
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
        if (fake.hold) await new Promise<void>((resolve) => waiting.push(resolve));
        if (fake.failWith !== undefined) {
          const error = new Error(`simulated ${fake.failWith}`);
          error.name = fake.failWith;
          throw error;
        }
        const stage = command.input.VersionStage ?? 'AWSCURRENT';
        const entry = fake.stages.get(stage);
        if (entry === undefined) {
          const error = new Error(`no version has ${stage}`);
          error.name = 'ResourceNotFoundException';
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
  options: { graceSeconds?: number; alg?: 'HS256' | 'HS384' | 'HS512' } = {},
): KeyDocument {
  return generateKeyDocument({
    alg: options.alg ?? 'HS256',
    kid,
    now: new Date(now),
    ...(options.graceSeconds !== undefined && { previousKeyGraceSeconds: options.graceSeconds }),
  });
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

/** A compact JWS from raw parts, for hand-made attack tokens. */
export function compact(header: unknown, payload: unknown, signature = ''): string {
  const encode = (value: unknown): string =>
    typeof value === 'string'
      ? Buffer.from(value).toString('base64url')
      : Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode(header)}.${encode(payload)}.${signature}`;
}

/** Signs raw header and payload (objects or text) with a key document's bytes, as an attacker with the key could. */
export function hmacToken(
  header: unknown,
  payload: unknown,
  document: KeyDocument,
  hash: 'sha256' | 'sha384' | 'sha512' = 'sha256',
): string {
  const encode = (value: unknown): string =>
    Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  const signature = createHmac(hash, Buffer.from(document.k, 'base64url'))
    .update(input)
    .digest('base64url');
  return `${input}.${signature}`;
}
