/**
 * The ring reads its own region's replica: given the primary's ARN, it asks for the ARN in its
 * client's region (the local endpoint is single-region, so the request itself is asserted),
 * reads a name as is, and reads the ARN as given when told to (replicaRegion: false).
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { JwtKeyRing, JwtKeyRingError } from '../../client';
import { secretIdInRegion } from '../../client/replica-region';
import { generateKeyDocument, serializeKeyDocument } from '../../key-document';
import { type LocalAws, startLocalAws } from '../../local-aws';

const NOW = Date.UTC(2026, 0, 1);

describe('Class: JwtKeyRing, region of the secret it reads', () => {
  let local: LocalAws;
  let arn: string;
  const clients: SecretsManagerClient[] = [];

  beforeEach(async () => {
    local = await startLocalAws({ clock: () => NOW });
    const setup = client('us-east-1');
    const document = generateKeyDocument({ alg: 'HS256', kid: 'k1', now: new Date(NOW) });
    const created = await setup.send(
      new CreateSecretCommand({ Name: 'app/jwt', SecretString: serializeKeyDocument(document) }),
    );
    arn = created.ARN!;
  });

  afterEach(async () => {
    for (const each of clients.splice(0)) each.destroy();
    await local.close();
  });

  function client(region: string): SecretsManagerClient {
    const made = new SecretsManagerClient({ ...local.clientConfig({ maxAttempts: 1 }), region });
    clients.push(made);
    return made;
  }

  /** The SecretIds the ring's reads sent. */
  function requested(): (string | undefined)[] {
    return local.calls
      .filter((call) => call.operation === 'GetSecretValue')
      .map((call) => call.secretId);
  }

  async function refreshOutcome(ring: JwtKeyRing): Promise<string> {
    try {
      await ring.refresh();
      return 'read';
    } catch (error) {
      return error instanceof JwtKeyRingError ? error.code : String(error);
    }
  }

  it('reads the primary ARN as is in the primary region', async () => {
    const ring = new JwtKeyRing({ secretId: arn, client: client('us-east-1'), clock: () => NOW });

    expect(await refreshOutcome(ring)).toBe('read');
    expect(new Set(requested())).toEqual(new Set([arn]));
  });

  it("asks for the replica's ARN (same name and suffix) in another region", async () => {
    // GIVEN a ring in eu-west-1 given the primary's ARN
    const ring = new JwtKeyRing({ secretId: arn, client: client('eu-west-1'), clock: () => NOW });

    // WHEN
    const outcome = await refreshOutcome(ring);

    // THEN it asked for the eu-west-1 ARN only (the single-region endpoint has no replica)
    const replica = arn.replace(':us-east-1:', ':eu-west-1:');
    expect(requested().length).toBeGreaterThan(0);
    expect(new Set(requested())).toEqual(new Set([replica]));
    expect(outcome).toBe('ERR_KEY_STORE_UNAVAILABLE');
  });

  it('reads the ARN as given with replicaRegion: false', async () => {
    const ring = new JwtKeyRing({
      secretId: arn,
      client: client('eu-west-1'),
      clock: () => NOW,
      replicaRegion: false,
    });

    expect(await refreshOutcome(ring)).toBe('read');
    expect(new Set(requested())).toEqual(new Set([arn]));
  });

  it('reads a name as is, in the client region', async () => {
    const ring = new JwtKeyRing({
      secretId: 'app/jwt',
      client: client('us-east-1'),
      clock: () => NOW,
    });

    expect(await refreshOutcome(ring)).toBe('read');
    expect(new Set(requested())).toEqual(new Set(['app/jwt']));
  });

  it('takes a named region when it is the client region, and refuses one that is not', async () => {
    const named = new JwtKeyRing({
      secretId: arn,
      client: client('eu-west-1'),
      clock: () => NOW,
      replicaRegion: 'eu-west-1',
    });
    await refreshOutcome(named);
    expect(new Set(requested())).toEqual(new Set([arn.replace(':us-east-1:', ':eu-west-1:')]));

    const mismatched = new JwtKeyRing({
      secretId: arn,
      client: client('eu-west-1'),
      clock: () => NOW,
      replicaRegion: 'ap-southeast-2',
    });
    await expect(mismatched.refresh()).rejects.toMatchObject({
      message: expect.stringContaining(
        'replicaRegion is ap-southeast-2 but the Secrets Manager client is in eu-west-1',
      ),
    });
  });

  it.each([[''], ['Europe'], [true], [42]])('fails when replicaRegion is %j', (value) => {
    expect(
      () => new JwtKeyRing({ secretId: arn, replicaRegion: value as unknown as string }),
    ).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }) as Error);
  });
});

describe('Function: secretIdInRegion', () => {
  it.each([
    [
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:app/jwt-AbCdEf',
      'eu-west-1',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/jwt-AbCdEf',
    ],
    [
      'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:a:b-AbCdEf',
      'cn-northwest-1',
      'arn:aws-cn:secretsmanager:cn-northwest-1:123456789012:secret:a:b-AbCdEf',
    ],
    ['app/jwt', 'eu-west-1', 'app/jwt'],
    ['arn:aws:s3:::bucket', 'eu-west-1', 'arn:aws:s3:::bucket'],
  ])('%s in %s is %s', (secretId, region, expected) => {
    expect(secretIdInRegion(secretId, region)).toBe(expected);
  });
});
