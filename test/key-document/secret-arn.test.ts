import { formatSecretArn, parseSecretArn, withoutRandomSuffix } from '../../key-document';

const ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app/jwt-keys-AbC123';

describe('Function: parseSecretArn', () => {
  it('reads the partition, region, account, name and the name without its random suffix', () => {
    // GIVEN / WHEN
    const parsed = parseSecretArn(ARN);

    // THEN
    expect(parsed).toEqual({
      partition: 'aws',
      region: 'eu-west-1',
      account: '123456789012',
      name: 'app/jwt-keys-AbC123',
      baseName: 'app/jwt-keys',
    });
  });

  it.each([
    [
      'a partial ARN (no suffix)',
      'arn:aws:secretsmanager:eu-west-1:123456789012:secret:app',
      'app',
    ],
    [
      'a name whose end is not a suffix',
      'arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:a-b',
      'a-b',
    ],
  ])('keeps the name of %s', (_, arn, baseName) => {
    expect(parseSecretArn(arn)?.baseName).toBe(baseName);
  });

  it.each([
    ['a secret name', 'app/jwt-keys'],
    ['another service', 'arn:aws:kms:eu-west-1:123456789012:key/abc'],
    ['a short account', 'arn:aws:secretsmanager:eu-west-1:1234:secret:app-AbC123'],
    ['no name', 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:'],
  ])('refuses %s', (_, value) => {
    expect(parseSecretArn(value)).toBeUndefined();
  });

  it('formats the parts back, in another region when asked', () => {
    // GIVEN
    const parsed = parseSecretArn(ARN)!;

    // WHEN / THEN
    expect(formatSecretArn(parsed)).toBe(ARN);
    expect(formatSecretArn({ ...parsed, region: 'us-east-1' })).toBe(
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:app/jwt-keys-AbC123',
    );
  });

  it.each([
    ['name-AbC123', 'name'],
    ['name-AbC12', 'name-AbC12'],
    ['name_AbC123', 'name_AbC123'],
    ['-AbC123', ''],
  ])('withoutRandomSuffix(%j) is %j', (name, expected) => {
    expect(withoutRandomSuffix(name)).toBe(expected);
  });
});
