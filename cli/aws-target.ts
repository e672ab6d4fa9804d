/**
 * Where the AWS clients talk to: --region and --endpoint, checked before any client is built
 * (an empty region or a malformed URL would otherwise surface as an SDK stack trace), and the
 * region a secret ARN names. A secret lives in one region: given by ARN, its region is used,
 * whatever AWS_REGION or the profile say; an explicit --region that differs is an error naming
 * both, never a silent look-up in the wrong region.
 */
import { CliError } from './cli-error';

export interface AwsTarget {
  readonly region?: string;
  readonly endpoint?: string;
}

/** Region names as AWS spells them: us-east-1, eu-central-2, us-gov-west-1, cn-north-1. */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export function awsTargetOf(
  secretId: string,
  options: { readonly region?: string; readonly endpoint?: string },
): AwsTarget {
  const { region, endpoint } = options;
  if (region !== undefined && !REGION.test(region)) {
    throw new CliError(
      'ERR_REGION_INVALID',
      `--region must be an AWS region such as us-east-1, got ${JSON.stringify(region)}`,
    );
  }
  if (endpoint !== undefined) checkEndpoint(endpoint);
  const arnRegion = regionOfArn(secretId);
  if (arnRegion !== undefined && region !== undefined && arnRegion !== region) {
    throw new CliError(
      'ERR_REGION_MISMATCH',
      `the secret ARN is in region ${arnRegion}, but --region says ${region}: drop --region, ` +
        `or pass --region ${arnRegion}`,
    );
  }
  const chosen = arnRegion ?? region;
  return {
    ...(chosen !== undefined && { region: chosen }),
    ...(endpoint !== undefined && { endpoint }),
  };
}

function checkEndpoint(endpoint: string): void {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    throw new CliError(
      'ERR_ENDPOINT_INVALID',
      `--endpoint must be an http(s) URL such as http://127.0.0.1:4566, got ${JSON.stringify(endpoint)}`,
    );
  }
}

/**
 * The region of a Secrets Manager secret ARN (arn:PARTITION:secretsmanager:REGION:ACCOUNT:
 * secret:NAME); undefined for a name. An ARN of another service, or without a region, is refused.
 */
function regionOfArn(secretId: string): string | undefined {
  if (!secretId.startsWith('arn:')) return undefined;
  const [, partition, service, region, account, type, ...name] = secretId.split(':');
  if (
    partition === '' ||
    service !== 'secretsmanager' ||
    region === undefined ||
    !REGION.test(region) ||
    account === '' ||
    type !== 'secret' ||
    name.join(':') === ''
  ) {
    throw new CliError(
      'ERR_CLI_USAGE',
      `SECRET must be a secret name or a Secrets Manager secret ARN ` +
        `(arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME), got ${JSON.stringify(secretId)}`,
    );
  }
  return region;
}
