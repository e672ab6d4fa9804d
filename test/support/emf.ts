/**
 * CloudWatch embedded metric format, as CloudWatch Logs reads it: each line a JSON object whose
 * `_aws` member holds a Timestamp (epoch ms) and CloudWatchMetrics directives, each naming a
 * namespace, dimension sets (every dimension a string member of the line) and metrics (every
 * metric a number member, with a unit CloudWatch knows). Lines that are not JSON objects are
 * not EMF (a service's other output) and are skipped; a JSON line that claims to be EMF and is
 * not valid fails the test.
 */
const CLOUDWATCH_UNITS = new Set([
  'Seconds',
  'Microseconds',
  'Milliseconds',
  'Bytes',
  'Kilobytes',
  'Megabytes',
  'Gigabytes',
  'Terabytes',
  'Bits',
  'Kilobits',
  'Megabits',
  'Gigabits',
  'Terabits',
  'Percent',
  'Count',
  'Bytes/Second',
  'Kilobytes/Second',
  'Megabytes/Second',
  'Gigabytes/Second',
  'Terabytes/Second',
  'Bits/Second',
  'Kilobits/Second',
  'Megabits/Second',
  'Gigabits/Second',
  'Terabits/Second',
  'Count/Second',
  'None',
]);

export interface EmfRecord {
  readonly timestamp: number;
  readonly namespace: string;
  readonly dimensionSets: readonly (readonly string[])[];
  /** Dimension name → value. */
  readonly dimensions: Readonly<Record<string, string>>;
  /** Metric name → { value, unit }. */
  readonly metrics: Readonly<Record<string, { readonly value: number; readonly unit: string }>>;
  /** Every member of the line. */
  readonly members: Readonly<Record<string, unknown>>;
}

/** The EMF records among the lines, validated; throws naming the first invalid one. */
export function parseEmfLines(lines: readonly string[]): EmfRecord[] {
  const records: EmfRecord[] = [];
  for (const line of lines) {
    if (!line.trimStart().startsWith('{')) continue;
    const members = JSON.parse(line) as Record<string, unknown>;
    if (members._aws === undefined) continue;
    records.push(...validate(members, line));
  }
  return records;
}

function validate(members: Record<string, unknown>, line: string): EmfRecord[] {
  const fail = (why: string): never => {
    throw new Error(`not valid EMF (${why}): ${line}`);
  };
  const aws = members._aws as { Timestamp?: unknown; CloudWatchMetrics?: unknown };
  if (typeof aws.Timestamp !== 'number' || !Number.isInteger(aws.Timestamp)) {
    fail('_aws.Timestamp must be epoch milliseconds');
  }
  if (!Array.isArray(aws.CloudWatchMetrics) || aws.CloudWatchMetrics.length === 0) {
    fail('_aws.CloudWatchMetrics must be a non-empty array');
  }
  return (aws.CloudWatchMetrics as unknown[]).map((directive) => {
    const { Namespace, Dimensions, Metrics } = directive as Record<string, unknown>;
    if (typeof Namespace !== 'string' || Namespace === '') fail('Namespace');
    if (!Array.isArray(Dimensions)) fail('Dimensions must be an array of arrays');
    const dimensions: Record<string, string> = {};
    for (const set of Dimensions as unknown[]) {
      if (!Array.isArray(set) || set.length > 30) fail('a dimension set');
      for (const name of set as unknown[]) {
        const value = members[name as string];
        if (typeof name !== 'string' || typeof value !== 'string') {
          fail(`dimension ${String(name)} must be a string member`);
        }
        dimensions[name as string] = value as string;
      }
    }
    if (!Array.isArray(Metrics) || Metrics.length === 0 || Metrics.length > 100) fail('Metrics');
    const metrics: Record<string, { value: number; unit: string }> = {};
    for (const metric of Metrics as { Name?: unknown; Unit?: unknown }[]) {
      const value = members[metric.Name as string];
      if (typeof metric.Name !== 'string' || typeof value !== 'number') {
        fail(`metric ${String(metric.Name)} must be a number member`);
      }
      if (typeof metric.Unit !== 'string' || !CLOUDWATCH_UNITS.has(metric.Unit)) {
        fail(`unit of ${String(metric.Name)}`);
      }
      metrics[metric.Name as string] = { value: value as number, unit: metric.Unit as string };
    }
    return {
      timestamp: aws.Timestamp as number,
      namespace: Namespace as string,
      dimensionSets: Dimensions as string[][],
      dimensions,
      metrics,
      members,
    };
  });
}

/** The sum of a metric over the records whose dimensions include `where`. */
export function sumOf(
  records: readonly EmfRecord[],
  metric: string,
  where: Readonly<Record<string, string>> = {},
): number {
  return records
    .filter((record) =>
      Object.entries(where).every(([name, value]) => record.members[name] === value),
    )
    .reduce((sum, record) => sum + (record.metrics[metric]?.value ?? 0), 0);
}
