/** What the rotation function is given: injected, so tests control the store, time and logs. */
import { type RotationMetric } from '../../contract';
import { type RandomBytes } from '../../key-document';

import { type RotationConfig } from './config';
import { type CustomResourceResponder } from './custom-resource';
import { type EventPublisher } from './event-publisher';
import { type KeySetStore } from './key-set-store';
import { type SecretsStore } from './secrets-store';

/** Structured logging (Powertools' Logger fits): fields are merged into the JSON line. */
export interface RotationLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Metric values for the dashboard (CloudWatch embedded metric format in the deployed function). */
export type MetricSink = (name: RotationMetric, value: number, secretArn: string) => void;

export interface RotationDependencies {
  readonly secrets: SecretsStore;
  readonly events: EventPublisher;
  readonly config: RotationConfig;
  /** Epoch milliseconds. @default Date.now */
  readonly clock?: () => number;
  /** @default node:crypto randomBytes */
  readonly randomBytes?: RandomBytes;
  readonly logger: RotationLogger;
  /** @default none */
  readonly metrics?: MetricSink;
  /** Answers CloudFormation's custom resource requests. @default an HTTPS PUT to ResponseURL */
  readonly respond?: CustomResourceResponder;
  /**
   * Where the public keys are published: required with `config.keySet`, refused without it.
   * @default none: nothing is published
   */
  readonly keySetStore?: KeySetStore;
}
