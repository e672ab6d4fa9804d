/**
 * What an operator needs to run jwt-keys, checked three ways against contract/operator-actions.ts:
 * every SDK call each command sends (recorded while it runs against the local endpoint, with the
 * real rotation function) is one its list names, and its list names nothing it does not send
 * (or that AWS does not check on its behalf); RotatingJwtKey.grantOperate's synthesized policy
 * allows every one of them on this key's own resources, and nothing else; the README's table
 * says the same.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { PutSecretValueCommand, RotateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';

import { runCli, type SentCommand } from '../../cli/run-cli';
import {
  OPERATOR_ACTIONS,
  OPERATOR_COMMANDS,
  type OperatorAction,
  type OperatorCommand,
  type OperatorResource,
  ROTATION_HANDLER,
  TEMPLATE_KEY_KID,
  withImplied,
} from '../../contract';
import { RotatingJwtKey } from '../../lib/rotating-jwt-key';
import { type RotationRig, startRotationRig } from '../support/rotation-rig';

type Json = Record<string, unknown>;

const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const pair = (action: OperatorAction): string => `${action.action} on ${action.resource}`;

/** The (action, resource) pairs a command's SDK calls need, from what it sent. */
function actionsSent(
  sent: readonly SentCommand[],
  secret: { arn: string; name: string },
  functionArn: string,
): OperatorAction[] {
  return sent.map(({ service, command, input }) => {
    if (service === 'lambda') {
      expect(command).toBe('InvokeCommand');
      return {
        action: 'lambda:InvokeFunction',
        resource: input.FunctionName === functionArn ? 'rotationFunction' : 'secret',
      };
    }
    const named = input.SecretId === secret.arn || input.SecretId === secret.name;
    if (!named) throw new Error(`${command} names another secret: ${String(input.SecretId)}`);
    return { action: `secretsmanager:${command.replace(/Command$/, '')}`, resource: 'secret' };
  });
}

let synthesized: { pairs: Set<string>; template: Template } | undefined;

/** grantOperate on a role, synthesized (once): the (action, resource) pairs it allows the role. */
function grantedPairs(): { pairs: Set<string>; template: Template } {
  synthesized ??= synthesizeGrant();
  return synthesized;
}

function synthesizeGrant(): { pairs: Set<string>; template: Template } {
  const app = new App();
  const stack = new Stack(app, 'Operated');
  const key = new RotatingJwtKey(stack, 'JwtKey');
  const role = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
  key.grantOperate(role);
  const template = Template.fromStack(stack);
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties: Json }
  >;
  const idOf = (type: string, where: (properties: Json) => boolean = () => true): string =>
    Object.entries(resources).find(
      ([, resource]) => resource.Type === type && where(resource.Properties),
    )![0];
  const secretId = idOf('AWS::SecretsManager::Secret');
  const functionId = idOf('AWS::Lambda::Function', (p) => p.Handler === ROTATION_HANDLER);
  const roleId = idOf('AWS::IAM::Role', (p) =>
    JSON.stringify(p.AssumeRolePolicyDocument).includes(':root'),
  );
  const resourceOf = (resource: unknown, keyPolicy: boolean): OperatorResource | string => {
    const text = JSON.stringify(resource);
    if (text === JSON.stringify({ Ref: secretId })) return 'secret';
    if (text === JSON.stringify({ 'Fn::GetAtt': [functionId, 'Arn'] })) return 'rotationFunction';
    // On the operator's own policy the secret's key is named as the secret names it.
    if (text === JSON.stringify(resources[secretId]!.Properties.KmsKeyId)) return 'encryptionKey';
    // In a key policy, "*" is the key the policy is attached to.
    if (keyPolicy && resource === '*') return 'encryptionKey';
    return `unexpected resource ${text}`;
  };
  const pairs = new Set<string>();
  const add = (statement: Json, keyPolicy: boolean): void => {
    expect(statement.Effect).toBe('Allow');
    for (const action of list(statement.Action as string | string[])) {
      for (const resource of list(statement.Resource)) {
        pairs.add(`${action} on ${resourceOf(resource, keyPolicy)}`);
      }
    }
  };
  for (const resource of Object.values(resources)) {
    if (resource.Type === 'AWS::IAM::Policy') {
      const roles = JSON.stringify(resource.Properties.Roles);
      if (!roles.includes(`"${roleId}"`)) continue;
      const document = resource.Properties.PolicyDocument as { Statement: Json[] };
      for (const statement of document.Statement) add(statement, false);
    }
    if (resource.Type === 'AWS::KMS::Key') {
      const document = resource.Properties.KeyPolicy as { Statement: Json[] };
      for (const statement of document.Statement) {
        if (!JSON.stringify(statement.Principal).includes(`"${roleId}"`)) continue;
        // Through Secrets Manager only: the role cannot decrypt the key's data itself.
        expect(JSON.stringify(statement.Condition)).toContain('kms:ViaService');
        add(statement, true);
      }
    }
  }
  return { pairs, template };
}

describe('jwt-keys and the IAM actions each command needs', () => {
  let rig: RotationRig;
  let arn: string;
  const sentBy: Partial<Record<OperatorCommand, SentCommand[]>> = {};

  async function run(command: OperatorCommand, ...argv: string[]): Promise<void> {
    const sent: SentCommand[] = (sentBy[command] ??= []);
    const stderr: string[] = [];
    const code = await runCli([command, arn, ...argv, '--endpoint', rig.local.endpoint], {
      stdout: () => undefined,
      stderr: (text) => stderr.push(text),
      clientConfig: { credentials: rig.local.clientConfig().credentials, maxAttempts: 1 },
      now: rig.clock,
      sleep: () => rig.local.rotationsSettled(),
      stdin: { isTTY: false, read: () => Promise.resolve(Buffer.from('a-static-jwt-secret')) },
      onSend: (command) => sent.push(command),
    });
    expect({ command, code, stderr: code === 0 ? [] : stderr }).toEqual({
      command,
      code: 0,
      stderr: [],
    });
  }

  beforeAll(async () => {
    // GIVEN a key secret as the stack deploys it, rotation configured
    rig = await startRotationRig();
    arn = await rig.createKeySecret();
    await rig.sm.send(
      new RotateSecretCommand({
        SecretId: arn,
        RotationLambdaARN: rig.functionArn,
        RotationRules: { ScheduleExpression: 'rate(30 days)', Duration: '4h' },
        RotateImmediately: false,
      }),
    );
    await rig.local.rotationsSettled();

    // WHEN each command runs, down every path that sends a call: an import, status with a
    // standby key, a forced rotation, a revocation, and a repair of a stale AWSPENDING
    await run('import', '--longest-token-lifetime', '1h');
    rig.now += 60_000;
    await run('status');
    await run('rotate', '--force');
    rig.now += 60_000;
    await run('revoke-previous');
    await rig.sm.send(
      new PutSecretValueCommand({
        SecretId: arn,
        ClientRequestToken: '44444444-4444-4444-8444-444444444444',
        SecretString: '{}',
        VersionStages: ['AWSPENDING'],
      }),
    );
    await run('repair');
  }, 60_000);

  afterAll(async () => {
    await rig?.close();
  });

  it.each(OPERATOR_COMMANDS)('%s: its list is exactly what its calls need', (command) => {
    // THEN every call's action is listed, and every listed action was needed by a call
    const needed = withImplied(
      actionsSent(sentBy[command] ?? [], { arn, name: 'app/jwt' }, rig.functionArn),
    );
    expect(needed.map(pair).sort()).toEqual(OPERATOR_ACTIONS[command].map(pair).sort());
  });

  it('grantOperate allows every call of every command on this key, and nothing else', () => {
    // GIVEN the policy grantOperate synthesizes for a role
    const { pairs } = grantedPairs();

    // THEN each action each command needs is allowed on the resource it acts on
    const needed = new Set(Object.values(OPERATOR_ACTIONS).flat().map(pair));
    expect([...needed].filter((each) => !pairs.has(each))).toEqual([]);
    // AND nothing beyond them: no other action, no other resource, no wildcard
    expect([...pairs].sort()).toEqual([...needed].sort());
  });

  it("the first key's template kid is the one import treats as never having signed", () => {
    const { template } = grantedPairs();
    const [secret] = Object.values(template.findResources('AWS::SecretsManager::Secret'));
    const generate = (
      secret as { Properties: { GenerateSecretString: { SecretStringTemplate: string } } }
    ).Properties.GenerateSecretString;
    expect(JSON.parse(generate.SecretStringTemplate)).toMatchObject({ kid: TEMPLATE_KEY_KID });
  });

  it("the README's table lists each command's actions", () => {
    // GIVEN the table's rows: | `command` | `action`, `action` ... |
    const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
    const rows = new Map(
      [...readme.matchAll(/^\| `jwt-keys ([a-z-]+)` +\|(.*)\|\s*$/gm)].map((match) => [
        match[1],
        [...match[2]!.matchAll(/`([a-z]+:[A-Za-z]+)`/g)].map((action) => action[1]).sort(),
      ]),
    );

    // THEN
    for (const command of OPERATOR_COMMANDS) {
      expect({ command, actions: rows.get(command) }).toEqual({
        command,
        actions: [...new Set(OPERATOR_ACTIONS[command].map((each) => each.action))].sort(),
      });
    }
  });
});
