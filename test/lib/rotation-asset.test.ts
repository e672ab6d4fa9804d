/**
 * The deployed bytes work: the app is synthesized with real bundling, the rotation function's
 * asset (the index.js `cdk deploy` uploads) is loaded, and it rotates a secret on the local
 * endpoint. The bundle leaves @aws-sdk/* to the Lambda runtime, so the assembly is written
 * inside the project, where Node resolves the SDK from node_modules as the runtime would.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

import {
  CreateSecretCommand,
  GetSecretValueCommand,
  RotateSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { App } from 'aws-cdk-lib';

import { parseKeyDocument } from '../../key-document';
import { JwtKeysStack } from '../../lib/jwt-keys-stack';
import { type LocalAws, startLocalAws } from '../../local-aws';
import { KEY_ROTATED } from '../../rotation-events';

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
    // GIVEN the assembly `cdk synth` writes, with the function bundled by esbuild
    const app = new App({ outdir: OUTDIR });
    const stack = new JwtKeysStack(app, 'JwtKeys');
    const assembly = app.synth();
    const template = assembly.getStackByName(stack.stackName).template as {
      Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>;
    };
    const functionCode = Object.values(template.Resources).find(
      (resource) =>
        resource.Type === 'AWS::Lambda::Function' && resource.Properties.Code?.S3Key !== undefined,
    )!.Properties.Code!.S3Key!;
    const manifest = JSON.parse(
      readFileSync(join(OUTDIR, `${stack.stackName}.assets.json`), 'utf8'),
    ) as {
      files: Record<
        string,
        { source: { path: string }; destinations: Record<string, { objectKey: string }> }
      >;
    };
    const asset = Object.values(manifest.files).find((file) =>
      Object.values(file.destinations).some(
        (destination) => destination.objectKey === functionCode,
      ),
    )!;
    const bundle = join(OUTDIR, asset.source.path, 'index.js');
    expect(readFileSync(bundle).length).toBeGreaterThan(10_000);

    // AND the environment the template gives it, pointed at the local endpoint
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: local.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: local.endpoint,
      JWT_ALGORITHM: 'HS256',
      GRACE_PERIOD_SECONDS: '86400',
      EVENT_BUS_NAME: 'jwt-keys',
      POWERTOOLS_LOG_LEVEL: 'WARN',
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { handler } = require(bundle) as { handler: (event: unknown) => Promise<unknown> };
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
});
