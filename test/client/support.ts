/**
 * Secrets Manager for the key ring's unit tests: a fake client that answers GetSecretValue from
 * a table of stages, counts calls, and can fail or hold calls until released; and a secret on
 * local-aws, for tests that need the real SDK and the service's label rules.
 */
import { createHmac, createPrivateKey, randomUUID, sign } from 'node:crypto';

import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';

import { JwksVerifier, JwtKeyRing } from '../../client';
import {
  type AsymmetricAlgorithm,
  type AsymmetricKeyDocument,
  generateKeyDocument,
  type KeyDocument,
  keyMembersOf,
  publicJwk,
  makeKeyDocument,
  serializeKeyDocument,
} from '../../key-document';
import { type LocalAws, startLocalAws } from '../../local-aws';
import { hmacKey } from '../support/key-documents';

export const SECRET_ID = 'app/jwt';

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

/** A key document's secret on local-aws, written version by version as a test needs. */
export interface LocalSecret {
  readonly local: LocalAws;
  readonly arn: string;
  /** A client for a ring: the SDK's own retries off, so each read is one call. */
  readonly client: SecretsManagerClient;
  /**
   * Writes the document as a new version holding the stages (default AWSCURRENT: the service
   * moves AWSPREVIOUS to the version that was current). Returns the version id, which is not
   * the kid, as for a promoted standby key.
   */
  put(document: KeyDocument, stages?: readonly string[]): Promise<string>;
  /** Removes AWSPREVIOUS from the version holding it, as a retirement or a revoke does. */
  removePrevious(): Promise<void>;
  /** GetSecretValue calls received so far. */
  reads(): number;
  close(): Promise<void>;
}

export async function localSecret(clock: () => number, first: KeyDocument): Promise<LocalSecret> {
  const local = await startLocalAws({ clock });
  const admin = new SecretsManagerClient(local.clientConfig({ maxAttempts: 1 }));
  const client = new SecretsManagerClient(local.clientConfig({ maxAttempts: 1 }));
  const created = await admin.send(
    new CreateSecretCommand({
      Name: SECRET_ID,
      SecretString: serializeKeyDocument(first),
      ClientRequestToken: randomUUID(),
    }),
  );
  const arn = created.ARN!;
  return {
    local,
    arn,
    client,
    async put(document, stages = ['AWSCURRENT']) {
      const written = await admin.send(
        new PutSecretValueCommand({
          SecretId: arn,
          SecretString: serializeKeyDocument(document),
          ClientRequestToken: randomUUID(),
          VersionStages: [...stages],
        }),
      );
      return written.VersionId!;
    },
    async removePrevious() {
      const holder = Object.entries(local.versionStages(arn)).find(([, stages]) =>
        stages.includes('AWSPREVIOUS'),
      );
      if (holder === undefined) return;
      await admin.send(
        new UpdateSecretVersionStageCommand({
          SecretId: arn,
          VersionStage: 'AWSPREVIOUS',
          RemoveFromVersionId: holder[0],
        }),
      );
    },
    reads: () => local.calls.filter((call) => call.operation === 'GetSecretValue').length,
    async close() {
      admin.destroy();
      client.destroy();
      await local.close();
    },
  };
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

/** A compact JWS from raw parts, for hand-made attack tokens. */
export function compact(header: unknown, payload: unknown, signature = ''): string {
  const encode = (value: unknown): string =>
    typeof value === 'string'
      ? Buffer.from(value).toString('base64url')
      : Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode(header)}.${encode(payload)}.${signature}`;
}

/**
 * Signs raw header and payload (objects, text, or bytes as they are) with a key document's
 * bytes, as an attacker with the key could.
 */
export function hmacToken(
  header: unknown,
  payload: unknown,
  document: KeyDocument,
  hash: 'sha256' | 'sha384' | 'sha512' = 'sha256',
): string {
  const encode = (value: unknown): string =>
    (value instanceof Uint8Array
      ? Buffer.from(value)
      : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))
    ).toString('base64url');
  const input = `${encode(header)}.${encode(payload)}`;
  const signature = createHmac(hash, Buffer.from(hmacKey(document).k, 'base64url'))
    .update(input)
    .digest('base64url');
  return `${input}.${signature}`;
}

/** A key document of an asymmetric algorithm, dated `now`, with the members of ours asked for. */
export async function asymmetricKey(
  alg: AsymmetricAlgorithm,
  kid: string,
  now: number,
  options: { graceSeconds?: number; nextKid?: string; previousKid?: string } = {},
): Promise<AsymmetricKeyDocument> {
  return (await makeKeyDocument({
    alg,
    kid,
    now: new Date(now),
    ...(options.graceSeconds !== undefined && { previousKeyGraceSeconds: options.graceSeconds }),
    ...(options.nextKid !== undefined && { nextKid: options.nextKid }),
    ...(options.previousKid !== undefined && { previousKid: options.previousKid }),
  })) as AsymmetricKeyDocument;
}

/**
 * Signs raw header and payload (objects, text, or bytes as they are) with an asymmetric key
 * document's private key, as its holder could: ES256 in JOSE's r‖s form unless `der` is asked.
 */
export function asymmetricToken(
  header: unknown,
  payload: unknown,
  document: AsymmetricKeyDocument,
  options: { der?: boolean } = {},
): string {
  const encode = (value: unknown): string =>
    (value instanceof Uint8Array
      ? Buffer.from(value)
      : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))
    ).toString('base64url');
  const input = Buffer.from(`${encode(header)}.${encode(payload)}`);
  const privateKey = createPrivateKey({ key: keyMembersOf(document), format: 'jwk' });
  const signature =
    document.alg === 'EdDSA'
      ? sign(null, input, privateKey)
      : sign('sha256', input, {
          key: privateKey,
          dsaEncoding: options.der === true ? 'der' : 'ieee-p1363',
        });
  return `${input.toString()}.${signature.toString('base64url')}`;
}
