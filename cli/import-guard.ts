/**
 * Whether `jwt-keys import` would orphan a key that may have signed. The import moves
 * AWSCURRENT twice: writing the legacy key makes the current key AWSPREVIOUS (dropping the
 * previous one), and the rotation after it makes the legacy key AWSPREVIOUS (dropping the key
 * that was current). Secrets Manager keeps one AWSPREVIOUS, so both keys leave with no label,
 * and every token they signed is refused at once.
 *
 * That costs nothing right after the deploy: the first key is new, and its predecessor (the
 * value CloudFormation generated, TEMPLATE_KEY_KID) never signed. Once the secret has rotated,
 * applications may be signing with the current key: the import is refused unless --force.
 * The signs read from the secret: the current key took over from a real key (its previousKid,
 * which every rotation sets), or a previous key other than the template's is in its grace.
 */
import { TEMPLATE_KEY_KID } from '../contract';

import { type SecretState } from './secret-state';

export interface KeyAtRisk {
  readonly stage: 'AWSCURRENT' | 'AWSPREVIOUS';
  readonly kid: string;
  /** Why it may have signed. */
  readonly reason: string;
  /** When it started signing (AWSCURRENT), or when its grace ends (AWSPREVIOUS). */
  readonly at?: Date;
}

/** The keys an import would drop that may have signed tokens; empty on a fresh deploy. */
export function keysAtRisk(state: SecretState, now: number): KeyAtRisk[] {
  const risks: KeyAtRisk[] = [];
  const { current, previous } = state;
  const rotated = current?.previousKid !== undefined && current.previousKid !== TEMPLATE_KEY_KID;
  if (current?.kid !== undefined && rotated) {
    risks.push({
      stage: 'AWSCURRENT',
      kid: current.kid,
      reason: `the secret has rotated since its deploy (kid ${current.kid} took over from kid ${current.previousKid})`,
      ...(current.createdAt !== undefined && { at: current.createdAt }),
    });
  }
  const graceEnd = state.previousGraceEndsAt;
  if (
    previous?.kid !== undefined &&
    previous.kid !== TEMPLATE_KEY_KID &&
    graceEnd !== undefined &&
    graceEnd.getTime() > now
  ) {
    risks.push({
      stage: 'AWSPREVIOUS',
      kid: previous.kid,
      reason: `the previous key (kid ${previous.kid}) is in its grace period`,
      at: graceEnd,
    });
  }
  return risks;
}
