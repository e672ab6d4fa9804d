/**
 * Publishes rotation events on EventBridge. PutEvents answers 200 even when entries failed, so
 * FailedEntryCount is checked: a failed entry fails the step, and Secrets Manager retries it.
 */
import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';

import {
  EVENT_SOURCE,
  type KEY_RETIRED,
  type KEY_ROTATED,
  type KeyRetiredDetail,
  type KeyRotatedDetail,
} from '../../rotation-events';

import { RotationError } from './errors';

export type RotationEventToPublish =
  | { readonly detailType: typeof KEY_ROTATED; readonly detail: KeyRotatedDetail }
  | { readonly detailType: typeof KEY_RETIRED; readonly detail: KeyRetiredDetail };

export interface EventPublisher {
  publish(event: RotationEventToPublish): Promise<void>;
}

export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async publish(event: RotationEventToPublish): Promise<void> {
    const output = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.eventBusName,
            Source: EVENT_SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
            Resources: [event.detail.secretArn],
          },
        ],
      }),
    );
    if ((output.FailedEntryCount ?? 0) > 0) {
      const entry = output.Entries?.find((item) => item.ErrorCode !== undefined);
      throw new RotationError(
        'ERR_EVENT_PUBLISH_FAILED',
        `PutEvents refused the "${event.detailType}" event for ${event.detail.secretArn} on bus ` +
          `${this.eventBusName}: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim(),
      );
    }
  }
}
