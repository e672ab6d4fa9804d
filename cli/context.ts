/**
 * What every command gets: the AWS clients, output, and (for tests) time and waiting. What one
 * command alone takes (import's options and standard input) is that command's own argument.
 */
import { type LambdaClient } from '@aws-sdk/client-lambda';
import { type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export interface CommandContext {
  readonly secretsManager: SecretsManagerClient;
  readonly lambda: LambdaClient;
  readonly secretId: string;
  readonly json: boolean;
  readonly force: boolean;
  readonly wait: boolean;
  readonly timeoutMs: number;
  readonly pollIntervalMs: number;
  /** Human-readable lines (stdout); with --json, only the final JSON document goes there. */
  readonly print: (line: string) => void;
  /** Progress while waiting (stderr), so --json output stays one document. */
  readonly progress: (line: string) => void;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}
