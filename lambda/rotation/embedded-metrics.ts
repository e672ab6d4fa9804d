/**
 * Metrics as CloudWatch's embedded metric format: one JSON line on stdout per value, which
 * CloudWatch Logs turns into a metric in the `RotatingJwtKeys` namespace, by secret. No API call,
 * no extra permission. Values are counts and ages, never key material.
 */
import { METRIC_NAMESPACE, SECRET_NAME_DIMENSION } from '../../contract';
import { parseSecretArn } from '../../key-document/secret-arn';

import { type MetricSink } from './dependencies';

export function embeddedMetricSink(
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  clock: () => number = Date.now,
): MetricSink {
  return (name, value, secretArn) => {
    write(
      JSON.stringify({
        _aws: {
          Timestamp: clock(),
          CloudWatchMetrics: [
            {
              Namespace: METRIC_NAMESPACE,
              Dimensions: [[SECRET_NAME_DIMENSION]],
              Metrics: [{ Name: name, Unit: name === 'KeyAgeSeconds' ? 'Seconds' : 'Count' }],
            },
          ],
        },
        [SECRET_NAME_DIMENSION]: secretNameOf(secretArn),
        [name]: value,
      }),
    );
  };
}

/** The secret's name from its ARN (without the random suffix), a stable metric dimension. */
export function secretNameOf(secretArn: string): string {
  return parseSecretArn(secretArn)?.baseName ?? secretArn;
}
