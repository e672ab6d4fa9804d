/**
 * What rotation events said about a secret's keys (retired, no longer current), remembered and
 * applied to every read from then on: a key an event withdrew neither signs (nor, retired,
 * verifies) whatever the cache holds or a read in flight returns. Kids are unique per key, so a
 * fate is never undone.
 */
import { graceEndOfPrevious } from '../key-document';

import { type ConsistentRead, type LoadedKey } from './secret-reader';

/** What a rotation event said about a kid. Kids are unique per key: a fate is never undone. */
export type KeyFate =
  | { readonly kind: 'retired'; readonly reason: string; readonly current?: string }
  | { readonly kind: 'superseded'; readonly by: string; readonly graceEndsAt?: number };

export interface KeySnapshot {
  /**
   * The AWSCURRENT key: it signs, and verifies. Absent when a rotation event retired it or said
   * another key is current, and no read since has returned the key that is.
   */
  readonly current?: LoadedKey;
  readonly previous?: LoadedKey;
  /** Epoch ms; undefined when the current key does not state it (the label alone decides). */
  readonly previousGraceEndsAt?: number;
  /**
   * A kid whose tokens prove a rotation happened: the current document's nextKid (the standby
   * key), or the kid a rotation event named current. Such a token causes a read at once.
   */
  readonly nextKid?: string;
  /** The key AWSCURRENT held when read, when an event withdrew it, and why. */
  readonly withheld?: { readonly kid: string; readonly fate: KeyFate };
  readonly fetchedAt: number;
}

/** Fates remembered; a secret retires about one key per rotation, so this spans decades. */
const MAX_FATES = 256;

export class KeyFates {
  private readonly fates = new Map<string, KeyFate>();

  /**
   * An event says this key is retired (its label removed) or was displaced: it neither signs
   * nor verifies from now on. `current` is the key the event names current, if it says.
   * Returns whether anything was remembered.
   */
  retire(kid: string, reason: string, current?: string): boolean {
    if (kid === current) return false;
    this.remember(kid, { kind: 'retired', reason, ...(current !== undefined && { current }) });
    return true;
  }

  /**
   * An event says this key is no longer current (`by` is): it stops signing at once, and
   * verifies as the previous key until graceEndsAt, if the cache still holds it as current.
   * Returns whether anything was remembered.
   */
  supersede(kid: string, by: string, graceEndsAt: number | undefined): boolean {
    if (kid === by || this.fates.get(kid)?.kind === 'retired') return false;
    this.remember(kid, {
      kind: 'superseded',
      by,
      ...(graceEndsAt !== undefined && { graceEndsAt }),
    });
    return true;
  }

  /** A read with what events said applied: retired keys dropped, a superseded current demoted. */
  settle(read: ConsistentRead): KeySnapshot {
    const { current, fetchedAt } = read;
    const previous =
      read.previous !== undefined && this.fates.get(read.previous.kid)?.kind !== 'retired'
        ? read.previous
        : undefined;
    // A late rotation dates the new key's promotion in a label: the grace counts from it.
    const graceEnd = graceEndOfPrevious(current.document, current.stages);
    const fate = this.fates.get(current.kid);
    if (fate === undefined || fate.kind === 'retired') {
      const nextKid = fate?.current ?? current.document.nextKid;
      return {
        ...(fate === undefined ? { current } : { withheld: { kid: current.kid, fate } }),
        ...(previous !== undefined && { previous }),
        ...(graceEnd !== undefined && { previousGraceEndsAt: graceEnd }),
        ...(nextKid !== undefined && { nextKid }),
        fetchedAt,
      };
    }
    // Superseded: the key verifies as the previous one, within the grace the event stated;
    // the key it replaces lost its label in that rotation (an event names it if early).
    return {
      previous: { ...current, stage: 'AWSPREVIOUS' },
      ...(fate.graceEndsAt !== undefined && { previousGraceEndsAt: fate.graceEndsAt }),
      nextKid: fate.by,
      withheld: { kid: current.kid, fate },
      fetchedAt,
    };
  }

  private remember(kid: string, fate: KeyFate): void {
    this.fates.delete(kid);
    this.fates.set(kid, fate);
    const oldest = this.fates.keys().next();
    if (this.fates.size > MAX_FATES && oldest.done !== true) this.fates.delete(oldest.value);
  }
}
