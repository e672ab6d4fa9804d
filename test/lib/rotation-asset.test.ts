/**
 * The deployed bytes work: the app is synthesized, the rotation function's asset (the index.js
 * `cdk deploy` uploads, staged from the bundle `npm run build` made) is loaded, and it rotates a
 * secret on the local endpoint. The bundle leaves @aws-sdk/* to the Lambda runtime, so the
 * assembly is written inside the project, where Node resolves the SDK from node_modules as the
 * runtime would.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

import {
  CreateSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

import { FIRST_KEY_RESOURCE_TYPE } from '../../contract';
import { parseKeyDocument } from '../../key-document';
import { jwksProblem } from '../../lambda/rotation/key-set';
import {
  OLDEST_ROTATION_NODE_MAJOR,
  ROTATION_BUNDLE_FILE,
  ROTATION_HANDLER_EXPORT,
  rotationBundleDir,
} from '../../lib/rotation-code';
import { type LocalAws, startLocalAws } from '../../local-aws';
import { KEY_ROTATED } from '../../rotation-events';
import {
  LAMBDA_BUILD_OPTIONS,
  synthesizeRotationBundle,
} from '../../scripts/build-rotation-bundle';

const OUTDIR = resolve(__dirname, '../../cdk.out.test', `asset-${process.pid}`);

describe('the synthesized rotation asset', () => {
  let local: LocalAws;
  const saved = { ...process.env };

  beforeAll(() => {
    mkdirSync(OUTDIR, { recursive: true });
  });

  afterAll(() => {
    rmSync(OUTDIR, { recursive: true, force: true });
  });

  beforeEach(async () => {
    local = await startLocalAws();
  });

  afterEach(async () => {
    process.env = { ...saved };
    await local.close();
  });

  it('is what the template deploys, and rotates a secret on the local endpoint', async () => {
    // GIVEN the assembly `cdk synth` writes
    const {
      assetDir,
      indexFile: bundle,
      runtime,
      literalEnvironment,
    } = synthesizeRotationBundle(OUTDIR);
    // AND its asset is the bundle the package ships, alone, built for the oldest runtime the
    // function may have, which the runtime it has is not older than
    expect(readdirSync(assetDir)).toEqual([ROTATION_BUNDLE_FILE]);
    expect(readFileSync(bundle)).toEqual(
      readFileSync(join(rotationBundleDir(), ROTATION_BUNDLE_FILE)),
    );
    expect(readFileSync(bundle).length).toBeGreaterThan(10_000);
    expect(LAMBDA_BUILD_OPTIONS.target).toBe(`node${OLDEST_ROTATION_NODE_MAJOR}`);
    expect(Number(/^nodejs(\d+)\.x$/.exec(runtime ?? '')?.[1])).toBeGreaterThanOrEqual(
      OLDEST_ROTATION_NODE_MAJOR,
    );
    // AND no source map ships, nor the option that would make Node read one at every cold start
    expect(existsSync(`${bundle}.map`)).toBe(false);
    expect(literalEnvironment.NODE_OPTIONS ?? '').not.toContain('--enable-source-maps');

    // AND the environment the template gives it, pointed at the local endpoint
    Object.assign(process.env, {
      ...literalEnvironment,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: local.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: local.endpoint,
      EVENT_BUS_NAME: 'jwt-keys',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const handler = (require(bundle) as Record<string, (event: unknown) => Promise<unknown>>)[
      ROTATION_HANDLER_EXPORT
    ]!;
    const functionArn = local.registerFunction('rotation', (event) => handler(event));
    const sm = new SecretsManagerClient(local.clientConfig());
    const first = JSON.stringify({
      kty: 'oct',
      alg: 'HS256',
      use: 'sig',
      kid: 'initial',
      k: 'A'.repeat(43) + 'A',
    });
    const { ARN } = await sm.send(
      new CreateSecretCommand({ Name: 'app/jwt', SecretString: first }),
    );

    // WHEN Secrets Manager rotates with it
    await sm.send(new RotateSecretCommand({ SecretId: ARN, RotationLambdaARN: functionArn }));
    await local.rotationsSettled();

    // THEN AWSCURRENT is a new valid key and the rotation was published
    const current = await sm.send(new GetSecretValueCommand({ SecretId: ARN }));
    expect(local.rotationFailures).toEqual([]);
    expect(parseKeyDocument(current.SecretString!)).toMatchObject({
      alg: 'HS256',
      kid: current.VersionId,
    });
    expect(local.events.map((event) => event.detailType)).toEqual([KEY_ROTATED]);
    // AND the retirement the 5-minute rule sends is understood
    await expect(handler({ action: 'retire', secretId: ARN })).resolves.toMatchObject({
      outcome: 'grace-not-ended',
    });
    sm.destroy();
  }, 120_000);

  it('of an ES256 stack publishes the first key set to S3 with the environment the template gives it', async () => {
    // GIVEN the ES256 assembly's bundle, with the template's environment; the key set's bucket,
    // distribution and issuer as CloudFormation would resolve them, on the local endpoint
    const { indexFile: bundle, literalEnvironment } = synthesizeRotationBundle(
      join(OUTDIR, 'es256'),
      { key: { algorithm: 'ES256' } },
    );
    expect(literalEnvironment).toMatchObject({
      JWT_ALGORITHM: 'ES256',
      KEY_SET_MAX_AGE_SECONDS: '300',
    });
    local.createBucket('jwtkeys-keyset-1a2b3c');
    const distribution = local.createDistribution({ bucket: 'jwtkeys-keyset-1a2b3c' });
    Object.assign(process.env, {
      ...literalEnvironment,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: local.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: local.endpoint,
      AWS_ENDPOINT_URL_S3: local.endpoint,
      AWS_ENDPOINT_URL_CLOUDFRONT: local.endpoint,
      EVENT_BUS_NAME: 'jwt-keys',
      KEY_SET_BUCKET: 'jwtkeys-keyset-1a2b3c',
      KEY_SET_DISTRIBUTION_ID: distribution.id,
      KEY_SET_ISSUER: `https://${distribution.domainName}`,
      POWERTOOLS_LOG_LEVEL: 'WARN',
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const handler = (require(bundle) as Record<string, (event: unknown) => Promise<unknown>>)[
      ROTATION_HANDLER_EXPORT
    ]!;
    const functionArn = local.registerFunction('rotation', (event) => handler(event));
    const sm = new SecretsManagerClient(local.clientConfig());
    const { ARN } = await sm.send(new CreateSecretCommand({ Name: 'api/jwt' }));

    // WHEN CloudFormation runs FirstKey
    const answer = await local.runCustomResource(functionArn, {
      requestType: 'Create',
      resourceType: FIRST_KEY_RESOURCE_TYPE,
      logicalResourceId: 'JwtKeyFirstKey',
      resourceProperties: { SecretId: ARN! },
    });

    // THEN the first key and its standby are published, public halves only
    expect(answer.Status).toBe('SUCCESS');
    const current = parseKeyDocument(
      (await sm.send(new GetSecretValueCommand({ SecretId: ARN }))).SecretString!,
    );
    const stored = local.readObject('jwtkeys-keyset-1a2b3c', '.well-known/jwks.json')!;
    const jwks: unknown = JSON.parse(stored.body.toString('utf8'));
    expect(jwksProblem(jwks)).toBeUndefined();
    expect((jwks as { keys: { kid: string }[] }).keys.map((key) => key.kid)).toEqual([
      current.kid,
      current.nextKid,
    ]);
    expect(stored.headers).toMatchObject({ 'cache-control': 'public, max-age=300' });
    sm.destroy();
  }, 120_000);
});
