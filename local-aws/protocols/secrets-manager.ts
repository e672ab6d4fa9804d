/** Secrets Manager on the JSON 1.1 protocol: each call recorded, faulted, then served. */
import { type CallLog } from '../call-log';
import { type Faults } from '../faults';
import { type SecretsManagerService } from '../secrets-manager';

import { type JsonService } from './json';

export function secretsManagerProtocol(
  service: SecretsManagerService,
  faults: Faults,
  log: CallLog,
): JsonService {
  return {
    targetPrefix: 'secretsmanager',
    call: (operation, input) => {
      log.record({
        service: 'secretsmanager',
        operation,
        secretId: stringOrUndefined(input.SecretId) ?? stringOrUndefined(input.Name),
        versionStage: stringOrUndefined(input.VersionStage),
        versionId: stringOrUndefined(input.VersionId),
      });
      return faults.apply({ operation, input, serve: () => service.handle(operation, input) });
    },
  };
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
