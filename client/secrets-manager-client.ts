/**
 * What the ring asks of a Secrets Manager client: GetSecretValue through `send`, and the region
 * it is in (to read its own replica, replica-region.ts). Typed by those calls alone, not by the
 * SDK's client class, so a client of any @aws-sdk/client-secrets-manager v3 version fits (the
 * application's own, or a wrapper such as a tracing one), as does a stand-in in tests.
 */
import { type SecretsManagerClientConfig } from '@aws-sdk/client-secrets-manager';

/** The members of a GetSecretValue answer the ring reads. */
export interface SecretValueRead {
  readonly SecretString?: string;
  readonly VersionId?: string;
  readonly VersionStages?: readonly string[];
  /** Every SDK answer has it; named so that any command's answer type overlaps this one. */
  readonly $metadata?: unknown;
}

export interface SecretsManagerSender {
  /**
   * Sends a GetSecretValueCommand (the only command the ring sends). The parameter is typed
   * `never` on purpose: each SDK version types its commands by its own middleware types, so
   * no one command type is accepted by every version's `send`, while every `send` is this.
   */
  send(command: never): Promise<SecretValueRead>;
  /** The SDK client's resolved config: its region provider, when it has one. */
  readonly config?: { readonly region?: unknown };
}

export type { SecretsManagerClientConfig };
