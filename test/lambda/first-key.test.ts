/**
 * The first-key custom resource: CloudFormation's requests handled by the real function logic
 * against the local Secrets Manager, each answered by an HTTP PUT that a local server receives
 * (the ResponseURL of a real request is a presigned HTTPS S3 URL).
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';

import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';

import { FIRST_KEY_RESOURCE_TYPE } from '../../contract';
import { ASYMMETRIC_ALGORITHMS, type KeyDocument, keyMembersOf } from '../../key-document';
import { firstKeyVersionIds } from '../../lambda/rotation/first-key';
import { standbyVersionIdFor } from '../../lambda/rotation/standby';
import { hmacKey } from '../support/key-documents';
import { everythingObservable, type RotationRig, startRotationRig } from '../support/rotation-rig';

interface ReceivedResponse {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Record<string, unknown>;
}

interface ResponseServer {
  readonly responseUrl: string;
  readonly received: ReceivedResponse[];
  /** The HTTP status the next answers get (S3 answers 200). */
  status: number;
  close(): Promise<void>;
}

/** What S3 behind a presigned URL looks like to the function: it takes a PUT. */
async function startResponseServer(): Promise<ResponseServer> {
  const received: ReceivedResponse[] = [];
  const state = { status: 200 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      response.writeHead(state.status).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    responseUrl:
      `http://127.0.0.1:${port}/cloudformation-custom-resource-response-useast1/` +
      'stack%7Cjwt%7Crequest?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=PRESIGNEDSIGNATURE0123',
    received,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  });
}

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/jwt/1a2b3c4d';
const REQUEST_1 = 'a1b2c3d4-0000-4000-8000-000000000001';
const REQUEST_2 = 'a1b2c3d4-0000-4000-8000-000000000002';

describe('the first-key custom resource', () => {
  let rig: RotationRig;
  let server: ResponseServer;

  beforeEach(async () => {
    rig = await startRotationRig();
    server = await startResponseServer();
  });

  afterEach(async () => {
    await server.close();
    await rig.close();
  });

  function request(
    requestType: 'Create' | 'Update' | 'Delete',
    secretId: string | undefined,
    overrides: Record<string, unknown> = {},
  ): Record<string, unknown> {
    return {
      RequestType: requestType,
      ServiceToken: rig.functionArn,
      ResponseURL: server.responseUrl,
      StackId: STACK_ID,
      RequestId: REQUEST_1,
      LogicalResourceId: 'JwtKeyFirstKey',
      ResourceType: FIRST_KEY_RESOURCE_TYPE,
      ResourceProperties: {
        ServiceToken: rig.functionArn,
        ...(secretId !== undefined && { SecretId: secretId }),
      },
      ...(requestType !== 'Create' && { PhysicalResourceId: secretId ?? 'none' }),
      ...overrides,
    };
  }

  async function createEmptySecret(): Promise<string> {
    const created = await rig.sm.send(new CreateSecretCommand({ Name: 'app/jwt' }));
    return created.ARN!;
  }

  /** As the stack's template makes it: GenerateSecretString over a JWK template. */
  async function createGeneratedSecret(): Promise<string> {
    const k = 'Ab3dEf7hIjKlMn0pQrStUvWxYz0123456789abcdEFGH';
    const created = await rig.sm.send(
      new CreateSecretCommand({
        Name: 'app/jwt',
        SecretString: JSON.stringify({ kty: 'oct', alg: 'HS256', use: 'sig', kid: 'initial', k }),
      }),
    );
    return created.ARN!;
  }

  /** AWSCURRENT is a usable key that names its standby, held by JWTKEY_NEXT. */
  async function expectKeyWithStandby(arn: string): Promise<KeyDocument> {
    const current = await rig.valueOf(arn, 'AWSCURRENT');
    const standby = await rig.valueOf(arn, 'JWTKEY_NEXT');
    expect(current.alg).toBe('HS256');
    expect(current.nextKid).toBe(standby.kid);
    expect(hmacKey(standby).k).not.toBe(hmacKey(current).k);
    return current;
  }

  it('Create on a secret with no value: a first key and its standby, answered SUCCESS by a PUT with an empty content type', async () => {
    // GIVEN a secret created with no value (GetSecretValue fails ResourceNotFoundException)
    const arn = await createEmptySecret();

    // WHEN
    const result = await rig.handler(request('Create', arn));

    // THEN AWSCURRENT is a usable key naming its standby; nothing else is labelled
    expect(result).toBeUndefined();
    const ids = firstKeyVersionIds(arn, REQUEST_1);
    const current = await expectKeyWithStandby(arn);
    expect(current).toMatchObject({
      kid: ids.key,
      nextKid: ids.standby,
      createdAt: new Date(rig.now).toISOString(),
      previousKeyGraceSeconds: 86_400,
    });
    expect(current.previousKid).toBeUndefined();
    expect(rig.local.versionStages(arn)).toEqual({
      [ids.key]: ['AWSCURRENT'],
      [ids.standby]: ['JWTKEY_NEXT'],
    });
    // AND CloudFormation got one answer, as cfn-response sends it
    expect(server.received).toHaveLength(1);
    const [answer] = server.received;
    expect(answer!.method).toBe('PUT');
    expect(answer!.url).toBe(
      server.responseUrl.slice(server.responseUrl.indexOf('/cloudformation')),
    );
    expect(answer!.headers['content-type']).toBe('');
    expect(Number(answer!.headers['content-length'])).toBe(
      Buffer.byteLength(JSON.stringify(answer!.body)),
    );
    expect(answer!.body).toEqual({
      Status: 'SUCCESS',
      Reason: expect.any(String),
      PhysicalResourceId: arn,
      StackId: STACK_ID,
      RequestId: REQUEST_1,
      LogicalResourceId: 'JwtKeyFirstKey',
      Data: { Kid: ids.key },
    });
  });

  it('Create on a secret CloudFormation generated (kid "initial"): a first key that replaces it, which keeps its grace', async () => {
    // GIVEN
    const arn = await createGeneratedSecret();
    const initialVersion = Object.keys(rig.local.versionStages(arn))[0]!;

    // WHEN
    await rig.handler(request('Create', arn));

    // THEN the generated key is AWSPREVIOUS, named by the first key with the configured grace
    const ids = firstKeyVersionIds(arn, REQUEST_1);
    const current = await expectKeyWithStandby(arn);
    expect(current).toMatchObject({
      kid: ids.key,
      previousKid: 'initial',
      previousKeyGraceSeconds: 86_400,
    });
    expect(rig.local.versionStages(arn)).toEqual({
      [initialVersion]: ['AWSPREVIOUS'],
      [ids.key]: ['AWSCURRENT'],
      [ids.standby]: ['JWTKEY_NEXT'],
    });
    expect(server.received.map((answer) => answer.body)).toEqual([
      expect.objectContaining({ Status: 'SUCCESS', Data: { Kid: ids.key } }),
    ]);
  });

  it('a repeated request makes no second key', async () => {
    // GIVEN a Create done once
    const arn = await createGeneratedSecret();
    await rig.handler(request('Create', arn));
    const stages = rig.local.versionStages(arn);
    const versions = (await rig.versionIds(arn)).length;
    const first = await rig.valueOf(arn, 'AWSCURRENT');

    // WHEN CloudFormation (or Lambda's retry) delivers the same request again
    await rig.handler(request('Create', arn));

    // THEN nothing changed, and the answer is the same
    expect(rig.local.versionStages(arn)).toEqual(stages);
    expect((await rig.versionIds(arn)).length).toBe(versions);
    expect(await rig.valueOf(arn, 'AWSCURRENT')).toEqual(first);
    expect(server.received.map((answer) => answer.body)).toEqual([
      expect.objectContaining({ Status: 'SUCCESS', Data: { Kid: first.kid } }),
      expect.objectContaining({ Status: 'SUCCESS', Data: { Kid: first.kid } }),
    ]);
  });

  it('a Create after the first key and its standby exist changes nothing (a replaced resource)', async () => {
    // GIVEN
    const arn = await createEmptySecret();
    await rig.handler(request('Create', arn));
    const stages = rig.local.versionStages(arn);

    // WHEN another request creates the resource again
    await rig.handler(request('Create', arn, { RequestId: REQUEST_2 }));

    // THEN
    expect(rig.local.versionStages(arn)).toEqual(stages);
    expect(server.received.at(-1)!.body).toMatchObject({ Status: 'SUCCESS' });
  });

  it('Update on a current key with no standby (a stack deployed by an older version) changes nothing', async () => {
    // GIVEN
    const arn = await createGeneratedSecret();
    const stages = rig.local.versionStages(arn);

    // WHEN
    await rig.handler(request('Update', arn, { RequestId: REQUEST_2 }));

    // THEN
    expect(rig.local.versionStages(arn)).toEqual(stages);
    expect(server.received.map((answer) => answer.body)).toEqual([
      expect.objectContaining({
        Status: 'SUCCESS',
        PhysicalResourceId: arn,
        Data: { Kid: 'initial' },
      }),
    ]);
    expect(rig.logs).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: expect.stringContaining('the current key names no standby key'),
      }),
    );
  });

  it('Update after rotations changes nothing: the current key names its standby', async () => {
    // GIVEN a first key, then a rotation (which promotes the first standby)
    const arn = await createEmptySecret();
    await rig.handler(request('Create', arn));
    const firstStandby = await rig.valueOf(arn, 'JWTKEY_NEXT');
    const token = await rig.rotate(arn);
    const stages = rig.local.versionStages(arn);

    // WHEN
    await rig.handler(request('Update', arn, { RequestId: REQUEST_2 }));

    // THEN the rotation promoted the first standby, and the Update left everything as it was
    expect(await rig.valueOf(arn, 'AWSCURRENT')).toMatchObject({
      kid: firstStandby.kid,
      k: hmacKey(firstStandby).k,
      nextKid: standbyVersionIdFor(token),
    });
    expect(rig.local.versionStages(arn)).toEqual(stages);
    expect(server.received.at(-1)!.body).toMatchObject({
      Status: 'SUCCESS',
      Data: { Kid: firstStandby.kid },
    });
  });

  it('Update on a current value that is not a key document writes a first key', async () => {
    // GIVEN a person wrote a password into the secret
    const arn = await createGeneratedSecret();
    await rig.sm.send(
      new PutSecretValueCommand({ SecretId: arn, SecretString: 'hunter2-password' }),
    );

    // WHEN
    await rig.handler(request('Update', arn, { RequestId: REQUEST_2 }));

    // THEN
    const current = await expectKeyWithStandby(arn);
    expect(current.kid).toBe(firstKeyVersionIds(arn, REQUEST_2).key);
    expect(current.previousKid).toBeUndefined();
    expect(server.received.at(-1)!.body).toMatchObject({ Status: 'SUCCESS' });
  });

  it('Create with another configured algorithm replaces a current key of the old one', async () => {
    // GIVEN a function configured for HS512 and a generated HS256 key
    await rig.close();
    rig = await startRotationRig({ algorithm: 'HS512' });
    const arn = await createGeneratedSecret();

    // WHEN
    await rig.handler(request('Create', arn));

    // THEN
    expect(await rig.valueOf(arn, 'AWSCURRENT')).toMatchObject({
      alg: 'HS512',
      previousKid: 'initial',
    });
    expect(await rig.valueOf(arn, 'JWTKEY_NEXT')).toMatchObject({ alg: 'HS512' });
  });

  it('Delete changes nothing and answers SUCCESS with the same physical id', async () => {
    // GIVEN
    const arn = await createGeneratedSecret();
    const stages = rig.local.versionStages(arn);

    // WHEN
    await rig.handler(request('Delete', arn));

    // THEN
    expect(rig.local.versionStages(arn)).toEqual(stages);
    expect(server.received.map((answer) => answer.body)).toEqual([
      expect.objectContaining({ Status: 'SUCCESS', PhysicalResourceId: arn }),
    ]);
  });

  it('a failed standby write answers FAILED and throws; the repeated request completes with the same first key', async () => {
    // GIVEN a secret with no value, and a standby write that is denied once
    const arn = await createEmptySecret();
    rig.local.faults.inject({
      operation: 'PutSecretValue',
      error: 'AccessDeniedException',
      message: 'not allowed to write the standby',
      when: (input) => (input.VersionStages as string[]).includes('JWTKEY_NEXT'),
    });

    // WHEN
    await expect(rig.handler(request('Create', arn))).rejects.toMatchObject({
      name: 'AccessDeniedException',
    });

    // THEN CloudFormation was told, with a reason naming the secret and the problem
    expect(server.received.map((answer) => answer.body)).toEqual([
      expect.objectContaining({
        Status: 'FAILED',
        Reason: expect.stringMatching(
          new RegExp(
            `first key for secret ${arn.replace(/[/.*+?^${}()|[\]\\]/g, '\\$&')} failed: AccessDeniedException: not allowed to write the standby`,
          ),
        ),
        StackId: STACK_ID,
        RequestId: REQUEST_1,
        LogicalResourceId: 'JwtKeyFirstKey',
      }),
    ]);
    const first = await rig.valueOf(arn, 'AWSCURRENT');

    // WHEN the request comes again
    await rig.handler(request('Create', arn));

    // THEN the same first key, now with its standby
    expect(await expectKeyWithStandby(arn)).toEqual(first);
    expect(server.received.at(-1)!.body).toMatchObject({
      Status: 'SUCCESS',
      Data: { Kid: first.kid },
    });
  });

  it.each<[string, (arn: string) => Record<string, unknown>, RegExp]>([
    [
      'the secret does not exist',
      () => request('Create', 'app/missing'),
      /secret app\/missing .*ResourceNotFoundException/,
    ],
    ['no SecretId is given', () => request('Create', undefined), /SecretId .* is required/],
    [
      'the resource type is not the first key',
      (arn) => request('Create', arn, { ResourceType: 'Custom::Other' }),
      /serves custom resources of type Custom::JwtSigningKeyFirstKey, got "Custom::Other"/,
    ],
    [
      'the request type is unknown',
      (arn) => request('Create', arn, { RequestType: 'Explode' }),
      /RequestType must be/,
    ],
  ])('fails when %s: answers FAILED with the reason, then throws', async (_case, make, reason) => {
    // GIVEN
    const arn = await createGeneratedSecret();
    const stages = rig.local.versionStages(arn);

    // WHEN / THEN
    await expect(rig.handler(make(arn))).rejects.toThrow();
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.body).toMatchObject({
      Status: 'FAILED',
      Reason: expect.stringMatching(reason),
    });
    expect(rig.local.versionStages(arn)).toEqual(stages);
  });

  it('fails when the answer cannot be delivered (the function throws, for a retry)', async () => {
    // GIVEN the response endpoint refuses the PUT
    const arn = await createGeneratedSecret();
    server.status = 403;

    // WHEN / THEN
    await expect(rig.handler(request('Create', arn))).rejects.toThrow(
      /refused the custom resource response: HTTP 403/,
    );
  });

  it('the first standby is promoted by the first rotation', async () => {
    // GIVEN
    const arn = await createEmptySecret();
    await rig.handler(request('Create', arn));
    const standby = await rig.valueOf(arn, 'JWTKEY_NEXT');
    const first = await rig.valueOf(arn, 'AWSCURRENT');

    // WHEN
    await rig.rotate(arn);

    // THEN
    expect(await rig.valueOf(arn, 'AWSCURRENT')).toMatchObject({
      kid: standby.kid,
      k: hmacKey(standby).k,
      previousKid: first.kid,
    });
    expect(await rig.valueOf(arn, 'AWSPREVIOUS')).toMatchObject({
      kid: first.kid,
      k: hmacKey(first).k,
    });
  });

  it('lets no key material, nor the presigned query of the ResponseURL, out', async () => {
    // GIVEN requests that write, that change nothing, and that fail
    const arn = await createGeneratedSecret();
    await rig.handler(request('Create', arn));
    await rig.handler(request('Update', arn, { RequestId: REQUEST_2 }));
    await rig
      .handler(request('Create', arn, { ResourceType: 'Custom::Other' }))
      .catch(() => undefined);
    await rig.sm.send(
      new PutSecretValueCommand({ SecretId: arn, SecretString: '{"kid":"not a key"}' }),
    );
    rig.local.faults.inject({ operation: 'PutSecretValue', error: 'AccessDeniedException' });
    await expect(rig.handler(request('Update', arn, { RequestId: REQUEST_2 }))).rejects.toThrow();
    expect(server.received.map((answer) => answer.body.Status)).toEqual([
      'SUCCESS',
      'SUCCESS',
      'FAILED',
      'FAILED',
    ]);

    // WHEN everything the function let out is gathered, with the answers it sent
    const observable =
      everythingObservable(rig) + JSON.stringify(server.received.map((answer) => answer.body));
    const material = await rig.allKeyMaterial(arn);

    // THEN
    expect(material.length).toBeGreaterThanOrEqual(9);
    for (const secret of material) expect(observable).not.toContain(secret);
    expect(everythingObservable(rig)).not.toContain('PRESIGNEDSIGNATURE0123');
    expect(everythingObservable(rig)).not.toContain('X-Amz-');
  });

  it.each(ASYMMETRIC_ALGORITHMS)(
    'Create on a secret with no value, for %s: a first key and standby of the algorithm, no key material out',
    async (alg) => {
      // GIVEN a function configured for the algorithm, and a secret with no value
      const own = await startRotationRig({ algorithm: alg });
      try {
        const created = await own.sm.send(new CreateSecretCommand({ Name: 'app/jwt' }));
        const arn = created.ARN!;

        // WHEN
        await own.handler({ ...request('Create', arn), ServiceToken: own.functionArn });

        // THEN AWSCURRENT and JWTKEY_NEXT are private JWKs of the algorithm, the first naming the second
        const current = await own.valueOf(arn, 'AWSCURRENT');
        const standby = await own.valueOf(arn, 'JWTKEY_NEXT');
        const ids = firstKeyVersionIds(arn, REQUEST_1);
        expect(current).toMatchObject({ alg, kid: ids.key, nextKid: ids.standby });
        expect(standby).toMatchObject({ alg, kid: ids.standby });
        expect(keyMembersOf(standby)).not.toEqual(keyMembersOf(current));
        expect(server.received.at(-1)!.body).toMatchObject({
          Status: 'SUCCESS',
          Data: { Kid: ids.key },
        });
        // AND no private member is in the logs, events, errors or the answer to CloudFormation
        const observable = everythingObservable(own) + JSON.stringify(server.received);
        const material = await own.allKeyMaterial(arn);
        expect(material.filter((secret) => observable.includes(secret))).toEqual([]);
      } finally {
        await own.close();
      }
    },
  );
});
