/**
 * EventBridge on the JSON 1.1 protocol. A partial fault is EventBridge's own partial failure:
 * 200 with every entry failed (FailedEntryCount > 0), nothing recorded.
 */
import { type CallLog } from '../call-log';
import { type EventBridgeService } from '../eventbridge';
import { type Faults } from '../faults';

import { type JsonService } from './json';

export function eventBridgeProtocol(
  service: EventBridgeService,
  faults: Faults,
  log: CallLog,
): JsonService {
  return {
    targetPrefix: 'AWSEvents',
    call: (operation, input) => {
      log.record({ service: 'events', operation });
      return faults.apply({
        operation,
        input,
        serve: () => service.handle(operation, input),
        partial: () => service.handle(operation, input, true),
      });
    },
  };
}
