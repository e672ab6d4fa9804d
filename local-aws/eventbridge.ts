/**
 * EventBridge's PutEvents, as AWS documents it: up to 10 entries a call, each accepted or
 * failed on its own (FailedEntryCount), `aws.*` sources refused, Detail a JSON object.
 * Accepted events are kept in order for assertions and handed to subscribers in the shape a
 * rule target receives.
 */
import { randomUUID } from 'node:crypto';

import { ACCOUNT_ID, REGION } from './secrets-manager';
import { ServiceError } from './service-error';

export interface PublishedEvent {
  readonly id: string;
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  readonly time: string;
  readonly resources: readonly string[];
}

/** An event as a rule's target receives it. */
export interface DeliveredEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
}

export type EventSubscriber = (event: DeliveredEvent) => void;

type Entry = Record<string, unknown>;
type EntryResult = { EventId: string } | { ErrorCode: string; ErrorMessage: string };

export class EventBridgeService {
  readonly events: PublishedEvent[] = [];
  private readonly subscribers = new Set<EventSubscriber>();

  constructor(private readonly clock: () => number) {}

  subscribe(subscriber: EventSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  handle(
    operation: string,
    input: Record<string, unknown>,
    failEveryEntry = false,
  ): Record<string, unknown> {
    if (operation !== 'PutEvents') {
      throw new ServiceError(
        'UnknownOperationException',
        `local-aws does not implement AWSEvents.${operation}`,
      );
    }
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
      throw new ServiceError('ValidationException', 'Entries must hold 1 to 10 entries.');
    }
    const results = (entries as Entry[]).map((entry) =>
      failEveryEntry
        ? { ErrorCode: 'InternalFailure', ErrorMessage: 'Injected partial failure' }
        : this.accept(entry),
    );
    return {
      FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
      Entries: results,
    };
  }

  private accept(entry: Entry): EntryResult {
    const { Source: source, DetailType: detailType, Detail: detailText } = entry;
    if (typeof source !== 'string' || source.length === 0) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter Source is not valid.' };
    }
    if (source.startsWith('aws.')) {
      return {
        ErrorCode: 'NotAuthorizedForSourceException',
        ErrorMessage: `Not authorized for the source ${source}.`,
      };
    }
    if (typeof detailType !== 'string' || detailType.length === 0) {
      return { ErrorCode: 'InvalidArgument', ErrorMessage: 'Parameter DetailType is not valid.' };
    }
    const detail = parseDetail(detailText);
    if (detail === undefined) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const event: PublishedEvent = {
      id: randomUUID(),
      eventBusName:
        typeof entry.EventBusName === 'string' ? busName(entry.EventBusName) : 'default',
      source,
      detailType,
      detail,
      time: new Date(this.clock()).toISOString(),
      resources: Array.isArray(entry.Resources) ? (entry.Resources as string[]) : [],
    };
    this.events.push(event);
    const delivered: DeliveredEvent = {
      version: '0',
      id: event.id,
      'detail-type': detailType,
      source,
      account: ACCOUNT_ID,
      time: event.time,
      region: REGION,
      resources: event.resources,
      detail,
    };
    for (const subscriber of this.subscribers) subscriber(delivered);
    return { EventId: event.id };
  }
}

function parseDetail(text: unknown): Record<string, unknown> | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** PutEvents takes a bus name or ARN; events are recorded under the name. */
function busName(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn.slice(nameOrArn.lastIndexOf('/') + 1) : nameOrArn;
}
