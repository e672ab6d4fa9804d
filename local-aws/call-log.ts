/** Every API call the emulator received, as tests count them (no secret values, no bodies). */

export interface CallRecord {
  readonly service: 'secretsmanager' | 'events' | 'lambda' | 's3' | 'cloudfront';
  readonly operation: string;
  readonly secretId?: string;
  readonly versionStage?: string;
  readonly versionId?: string;
  /** S3 calls: the bucket and key. */
  readonly bucket?: string;
  readonly key?: string;
  /** CloudFront calls: the distribution. */
  readonly distributionId?: string;
  readonly at: number;
}

export class CallLog {
  readonly calls: CallRecord[] = [];

  constructor(private readonly clock: () => number) {}

  /** Records a call at the service's clock. */
  record(call: Omit<CallRecord, 'at'>): void {
    this.calls.push({ ...call, at: this.clock() });
  }
}
