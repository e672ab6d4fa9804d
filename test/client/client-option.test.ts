/**
 * The ring's Secrets Manager client: given (any SDK version's client, or a stand-in with its
 * `send`: typed by the calls the ring makes), or made from clientConfig, as Powertools'
 * providers take either; never both.
 */
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

import { JwtKeyRing, type SecretsManagerSender } from '../../client';
import { generateKeyDocument, serializeKeyDocument } from '../../key-document';
import { type LocalAws, startLocalAws } from '../../local-aws';

const NOW = Date.UTC(2026, 0, 1);
const document = generateKeyDocument({ alg: 'HS256', kid: 'k1', now: new Date(NOW) });

describe('Class: JwtKeyRing, its Secrets Manager client', () => {
  let local: LocalAws;
  let arn: string;

  beforeEach(async () => {
    local = await startLocalAws({ clock: () => NOW });
    const setup = new SecretsManagerClient(local.clientConfig({ maxAttempts: 1 }));
    const created = await setup.send(
      new CreateSecretCommand({ Name: 'app/jwt', SecretString: serializeKeyDocument(document) }),
    );
    setup.destroy();
    arn = created.ARN!;
  });

  afterEach(async () => {
    await local.close();
  });

  it('makes its client from clientConfig: its endpoint, credentials and region', async () => {
    // GIVEN rings given only the config of the client to make, in another region than the ARN's
    const clientConfig = { ...local.clientConfig({ maxAttempts: 1 }), region: 'eu-west-1' };
    const byName = new JwtKeyRing({ secretId: 'app/jwt', clientConfig, clock: () => NOW });
    const byArn = new JwtKeyRing({ secretId: arn, clientConfig, clock: () => NOW });

    // WHEN they read the keys
    const readByName = byName.refresh();
    await byArn.refresh().catch(() => undefined);

    // THEN they read through that client: the name at its endpoint, with its credentials; the
    // ARN rewritten to the client's region (its replica, which the local endpoint does not hold)
    await expect(readByName).resolves.toBeUndefined();
    expect(
      local.calls.filter((call) => call.operation === 'GetSecretValue').map((c) => c.secretId),
    ).toContain(arn.replace(':us-east-1:', ':eu-west-1:'));
  });

  it('refuses client and clientConfig given together', () => {
    // GIVEN / WHEN / THEN
    expect(
      () =>
        new JwtKeyRing({
          secretId: arn,
          client: new SecretsManagerClient(local.clientConfig()),
          clientConfig: local.clientConfig(),
        }),
    ).toThrow(
      expect.objectContaining({
        code: 'ERR_INVALID_ARGUMENT',
        message: expect.stringContaining('client and clientConfig') as unknown,
      }),
    );
  });

  it('reads through any object with send (typed by the calls it makes, no cast)', async () => {
    // GIVEN a stand-in typed as the ring's client type: GetSecretValue's answer, and nothing else
    const sent: unknown[] = [];
    const client: SecretsManagerSender = {
      send: (command: { input: { SecretId?: string; VersionStage?: string } }) => {
        sent.push(command.input);
        return Promise.resolve(
          command.input.VersionStage === 'AWSCURRENT'
            ? { SecretString: serializeKeyDocument(document), VersionId: 'v1' }
            : Promise.reject(
                Object.assign(new Error('none'), { name: 'ResourceNotFoundException' }),
              ),
        );
      },
    };
    const ring = new JwtKeyRing({ secretId: 'app/jwt', client, clock: () => NOW });

    // WHEN a token is signed and verified
    const { kid } = await ring.verify(await ring.sign({ sub: 'a' }));

    // THEN the key came from that client
    expect(kid).toBe('k1');
    expect(sent).toEqual([
      { SecretId: 'app/jwt', VersionStage: 'AWSCURRENT' },
      { SecretId: 'app/jwt', VersionStage: 'AWSPREVIOUS' },
    ]);
  });
});
