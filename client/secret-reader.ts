/**
 * Reads a secret's two keys from Secrets Manager: AWSCURRENT and AWSPREVIOUS in two parallel
 * GetSecretValue calls, checked to belong together (a read can straddle a rotation's label
 * move), each value parsed as a key document and imported into node:crypto (the last few
 * imported are kept by value: most reads find the values unchanged). What rotation events said
 * about the keys is not this module's: key-fates.ts applies it to what is read here.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';

import {
  graceEndOfPrevious,
  type KeyDocument,
  KeyDocumentError,
  parseKeyDocument,
} from '../key-document';

import { encodeProtectedHeader, type JwsKey } from './compact-jws';
import { importDocumentKey } from './document-key';
import { JwtKeyRingError } from './errors';
import { type SecretsManagerSender } from './secrets-manager-client';

export type KeyStage = 'AWSCURRENT' | 'AWSPREVIOUS';

export type LoadedKey = JwsKey & LoadedKeyState;

interface LoadedKeyState {
  readonly stage: KeyStage;
  /** The encoded header of tokens it signs: { alg, kid, typ: 'JWT' }. */
  readonly signingHeader: string;
  readonly versionId: string;
  /** The version's staging labels when it was read. */
  readonly stages: readonly string[];
  readonly document: KeyDocument;
}

/** Both stages as one read returned them, checked to belong together. */
export interface ConsistentRead {
  readonly current: LoadedKey;
  readonly previous?: LoadedKey;
  readonly fetchedAt: number;
}

export interface SecretReaderOptions {
  readonly client: SecretsManagerSender;
  readonly secretId: string;
  /** The SecretId each read sends: secretId, or its replica in the client's region. */
  readonly secretIdToRead: () => Promise<string>;
  readonly clock: () => number;
  readonly onWarning: (message: string, fields: Record<string, unknown>) => void;
}

export class SecretReader {
  /** The current version whose predecessor a read after it found gone (retired or revoked). */
  private previousGoneFor: string | undefined;
  private readonly imported = new ImportedKeys();

  constructor(private readonly options: SecretReaderOptions) {}

  /**
   * Both stages, read so that they belong together. The two parallel reads can straddle a
   * rotation's label move; both ways of tearing are detected and the stale side read again,
   * after the other: nothing is carried over from an earlier read (a revoked key stays gone).
   */
  async readConsistent(fetchedAt: number): Promise<ConsistentRead> {
    let [current, previous] = await Promise.all([this.readCurrent(), this.readPrevious()]);
    if (previous?.kid === current.kid) {
      // The version moved from AWSCURRENT to AWSPREVIOUS between the reads: the current read
      // is the older one, and the key now current is missing.
      current = await this.readCurrent();
    }
    if (this.previousMayBeTorn(current, previous)) {
      // AWSPREVIOUS was read before the label move: it misses the key just demoted, which
      // signed nearly every live token. Read after the current read, an absent or other key is
      // the truth (a revoke or a retirement).
      previous = await this.readPrevious();
      if (this.previousMayBeTorn(current, previous)) this.previousGoneFor = current.versionId;
    }
    if (previous?.kid === current.kid) previous = undefined;
    return { current, ...(previous !== undefined && { previous }), fetchedAt };
  }

  /**
   * Whether AWSPREVIOUS may have been read before the current key's promotion: it is not the
   * key the current document names as its predecessor (previousKid), or, for a document that
   * does not name it, it is absent while the document's grace period runs. Not once a read
   * after the current one confirmed it for this version, nor once the grace has ended.
   */
  private previousMayBeTorn(current: LoadedKey, previous: LoadedKey | undefined): boolean {
    const { previousKid, previousKeyGraceSeconds } = current.document;
    const suspect =
      previousKid === undefined
        ? previous === undefined && previousKeyGraceSeconds !== undefined
        : previous?.kid !== previousKid;
    if (!suspect || this.previousGoneFor === current.versionId) return false;
    const end = graceEndOfPrevious(current.document, current.stages);
    return end === undefined || this.options.clock() < end;
  }

  private async readCurrent(): Promise<LoadedKey> {
    const current = await this.read('AWSCURRENT');
    if (current === undefined) {
      throw new JwtKeyRingError(
        'ERR_KEY_DOCUMENT_INVALID',
        `secret "${this.options.secretId}" has no AWSCURRENT value`,
      );
    }
    return current;
  }

  private readPrevious(): Promise<LoadedKey | undefined> {
    return this.read('AWSPREVIOUS').catch((error: unknown) => {
      if (error instanceof JwtKeyRingError && error.code === 'ERR_KEY_DOCUMENT_INVALID') {
        // A broken previous value is reported and never used; the current key still serves.
        this.options.onWarning(error.message, {
          secretId: this.options.secretId,
          stage: 'AWSPREVIOUS',
        });
        return undefined;
      }
      throw error;
    });
  }

  private async read(stage: KeyStage): Promise<LoadedKey | undefined> {
    let value;
    try {
      const secretId = await this.options.secretIdToRead();
      // `as never`: the client's send is typed for any SDK version (secrets-manager-client.ts).
      value = await this.options.client.send(
        new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage }) as never,
      );
    } catch (error) {
      // No version holds AWSPREVIOUS before the first rotation or after a retirement.
      if (stage === 'AWSPREVIOUS' && (error as Error).name === 'ResourceNotFoundException')
        return undefined;
      throw error;
    }
    const secretString = value.SecretString ?? '';
    const imported =
      this.imported.find(secretString) ??
      this.imported.add(
        secretString,
        importKey(
          secretString,
          `secret "${this.options.secretId}" version ${value.VersionId ?? '?'} (${stage})`,
        ),
      );
    return {
      ...imported.key,
      stage,
      versionId: value.VersionId ?? '',
      stages: value.VersionStages ?? [stage],
      signingHeader: imported.signingHeader,
      document: imported.document,
    };
  }
}

/** A key document parsed and checked, and its key imported into node:crypto. */
interface ImportedKey {
  readonly document: KeyDocument;
  readonly key: JwsKey;
  readonly signingHeader: string;
}

function importKey(secretString: string, source: string): ImportedKey {
  let document: KeyDocument;
  try {
    document = parseKeyDocument(secretString, { source });
  } catch (error) {
    if (!(error instanceof KeyDocumentError)) throw error;
    throw new JwtKeyRingError('ERR_KEY_DOCUMENT_INVALID', `${error.message} (${error.code})`, {
      cause: error,
    });
  }
  return {
    document,
    key: importDocumentKey(document),
    signingHeader: encodeProtectedHeader({ alg: document.alg, kid: document.kid, typ: 'JWT' }),
  };
}

/**
 * The last few keys imported, by their exact secret value: most refreshes read versions whose
 * value has not changed, and parsing, checking and importing a key again is most of a
 * refresh's CPU for an asymmetric key (an RSA private key's import and consistency check).
 * Any change to the value, a byte included, is a new entry, parsed and checked in full.
 */
class ImportedKeys {
  /** AWSCURRENT and AWSPREVIOUS, and a rotation's new version arriving. */
  private static readonly MAX = 4;
  private readonly bySecretString = new Map<string, ImportedKey>();

  find(secretString: string): ImportedKey | undefined {
    return this.bySecretString.get(secretString);
  }

  add(secretString: string, imported: ImportedKey): ImportedKey {
    for (const oldest of this.bySecretString.keys()) {
      if (this.bySecretString.size < ImportedKeys.MAX) break;
      this.bySecretString.delete(oldest);
    }
    this.bySecretString.set(secretString, imported);
    return imported;
  }
}
