/**
 * Secrets Manager secret ARNs: `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>`,
 * where the name ends with the `-` and 6 random characters Secrets Manager appends to the name
 * the secret was created with. The one parser of them (the client's replica region and event
 * matching, the rotation Lambda's metric dimension), so the suffix arithmetic is written once.
 */

export interface SecretArn {
  readonly partition: string;
  readonly region: string;
  /** The 12-digit account id. */
  readonly account: string;
  /** The name as the ARN has it, with the random suffix when it carries one. */
  readonly name: string;
  /** The name the secret was created with: `name` less its `-xxxxxx` suffix, if it has one. */
  readonly baseName: string;
}

const SECRET_ARN = /^arn:([^:]+):secretsmanager:([^:]*):(\d{12}):secret:(.+)$/;
/** What Secrets Manager appends to a secret's name in its ARN. */
const RANDOM_SUFFIX = /-[A-Za-z0-9]{6}$/;
const RANDOM_SUFFIX_LENGTH = 7;

/** The parts of a secret ARN; undefined for anything else (a secret name, another ARN). */
export function parseSecretArn(value: string): SecretArn | undefined {
  const match = SECRET_ARN.exec(value);
  if (match === null) return undefined;
  const [, partition = '', region = '', account = '', name = ''] = match;
  return { partition, region, account, name, baseName: withoutRandomSuffix(name) };
}

/** The ARN of the same secret in `region` (its replica there): same partition, account, name. */
export function formatSecretArn(arn: Omit<SecretArn, 'baseName'>): string {
  return `arn:${arn.partition}:secretsmanager:${arn.region}:${arn.account}:secret:${arn.name}`;
}

/** A name as an ARN carries it, less the random suffix when it ends with one. */
export function withoutRandomSuffix(name: string): string {
  return RANDOM_SUFFIX.test(name) ? name.slice(0, -RANDOM_SUFFIX_LENGTH) : name;
}
