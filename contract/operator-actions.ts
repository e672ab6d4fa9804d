/**
 * The IAM actions each `jwt-keys` command needs, defined once: RotatingJwtKey.grantOperate
 * grants their union, the README's table lists them, and a test runs every command against the
 * local endpoint and checks each call it sends against the granted policy.
 *
 * Derived from the SDK commands the CLI sends (cli/): every command reads the secret's state
 * (DescribeSecret; GetSecretValue of AWSCURRENT and AWSPREVIOUS; ListSecretVersionIds for the
 * standby key's age) and waits for a rotation by DescribeSecret. Secrets Manager decrypts and
 * encrypts values with the secret's KMS key on the caller's behalf (kms:ViaService): reading a
 * value takes kms:Decrypt, writing one kms:GenerateDataKey. RotateSecret also takes
 * lambda:InvokeFunction on the rotation function (RotateSecret's documented permissions), which
 * revoke-previous invokes directly as well.
 */

/** What an action applies to: this secret, its rotation function, its KMS key. */
export type OperatorResource = 'secret' | 'rotationFunction' | 'encryptionKey';

export interface OperatorAction {
  readonly action: string;
  readonly resource: OperatorResource;
}

export const OPERATOR_COMMANDS = [
  'status',
  'rotate',
  'revoke-previous',
  'repair',
  'import',
] as const;
export type OperatorCommand = (typeof OPERATOR_COMMANDS)[number];

const secret = (action: string): OperatorAction => ({ action, resource: 'secret' });

/** What reading the secret's state sends (cli/secret-state.ts), and waiting for a rotation. */
const READ_STATE: readonly OperatorAction[] = [
  secret('secretsmanager:DescribeSecret'),
  secret('secretsmanager:GetSecretValue'),
  secret('secretsmanager:ListSecretVersionIds'),
];

/** The actions each command's SDK calls are authorized by, as it sends them. */
export const OPERATOR_CALLS: Readonly<Record<OperatorCommand, readonly OperatorAction[]>> = {
  status: READ_STATE,
  rotate: [...READ_STATE, secret('secretsmanager:RotateSecret')],
  // Invokes the rotation function (discard the standby, revoke the leaked key), and rotates.
  'revoke-previous': [
    ...READ_STATE,
    secret('secretsmanager:RotateSecret'),
    { action: 'lambda:InvokeFunction', resource: 'rotationFunction' },
  ],
  repair: [...READ_STATE, secret('secretsmanager:UpdateSecretVersionStage')],
  // Also reads the legacy version by id (no stage), writes it, then rotates.
  import: [
    ...READ_STATE,
    secret('secretsmanager:PutSecretValue'),
    secret('secretsmanager:RotateSecret'),
  ],
};

/** What AWS also checks on the caller's behalf when it serves a call. */
export const IMPLIED_ACTIONS: Readonly<Record<string, readonly OperatorAction[]>> = {
  // Secrets Manager decrypts the value with the secret's KMS key as the caller.
  'secretsmanager:GetSecretValue': [{ action: 'kms:Decrypt', resource: 'encryptionKey' }],
  // ... and encrypts a new value under a data key it asks KMS for, as the caller.
  'secretsmanager:PutSecretValue': [{ action: 'kms:GenerateDataKey', resource: 'encryptionKey' }],
  // RotateSecret's documented permissions include invoking the rotation function.
  'secretsmanager:RotateSecret': [
    { action: 'lambda:InvokeFunction', resource: 'rotationFunction' },
  ],
};

/** The calls' actions and what they imply, without repeats. */
export function withImplied(actions: readonly OperatorAction[]): OperatorAction[] {
  const all = actions.flatMap((each) => [each, ...(IMPLIED_ACTIONS[each.action] ?? [])]);
  return all.filter(
    (each, index) =>
      all.findIndex((other) => other.action === each.action && other.resource === each.resource) ===
      index,
  );
}

/** Everything each command needs: the README's table, and what grantOperate grants. */
export const OPERATOR_ACTIONS: Readonly<Record<OperatorCommand, readonly OperatorAction[]>> = {
  status: withImplied(OPERATOR_CALLS.status),
  rotate: withImplied(OPERATOR_CALLS.rotate),
  'revoke-previous': withImplied(OPERATOR_CALLS['revoke-previous']),
  repair: withImplied(OPERATOR_CALLS.repair),
  import: withImplied(OPERATOR_CALLS.import),
};

/** Every action of every command on `resource`, sorted, without repeats. */
export function operatorActionsOn(resource: OperatorResource): string[] {
  const actions = Object.values(OPERATOR_ACTIONS)
    .flat()
    .filter((each) => each.resource === resource)
    .map((each) => each.action);
  return [...new Set(actions)].sort();
}
