/**
 * Reads the legacy key for `jwt-keys import` from standard input: never from the command line,
 * where `ps` and the shell history would keep it. Whatever goes wrong, the message never quotes
 * what was read.
 *
 * By default the key is the bytes read, which are the UTF-8 of the string when the secret was a
 * string: what jsonwebtoken (and most JWT libraries) sign with when given a string secret, the
 * common case. `--base64` is for a team that stored base64 of random bytes and decoded it
 * before signing.
 */
import { CliError } from './cli-error';

export interface KeyInput {
  /** Whether standard input is a terminal (a key typed there would be echoed on screen). */
  readonly isTTY?: boolean;
  /** Everything on standard input, to its end. */
  read(): Promise<Uint8Array>;
}

export type KeyEncoding = 'utf8' | 'base64';

export async function readKeyInput(
  input: KeyInput | undefined,
  encoding: KeyEncoding,
): Promise<Buffer> {
  if (input === undefined || input.isTTY === true) {
    throw new CliError(
      'ERR_CLI_USAGE',
      'import reads the key from standard input, and standard input is a terminal: pipe the key ' +
        'in instead, e.g. printf %s "$JWT_SECRET" | jwt-keys import SECRET ...',
    );
  }
  const text = stripOneLineEnd(Buffer.from(await input.read()));
  if (text.length === 0) {
    throw new CliError(
      'ERR_CLI_USAGE',
      'import read an empty key from standard input: pipe the key in, e.g. ' +
        'printf %s "$JWT_SECRET" | jwt-keys import SECRET ... (is the variable set?)',
    );
  }
  return encoding === 'utf8' ? text : decodeBase64(text);
}

/** Exactly one line end (`\n` or `\r\n`), as `echo` and here-strings add one; the rest is key. */
function stripOneLineEnd(bytes: Buffer): Buffer {
  if (bytes.at(-1) !== 0x0a) return bytes;
  return bytes.subarray(0, bytes.length - (bytes.at(-2) === 0x0d ? 2 : 1));
}

/** Standard or URL-safe base64, padded or not; anything else is refused (never quoted). */
function decodeBase64(text: Buffer): Buffer {
  const ascii = text.toString('latin1');
  const urlSafe = ascii.replace(/-/g, '+').replace(/_/g, '/');
  const unpadded = urlSafe.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(unpadded) || unpadded.length % 4 === 1) {
    throw new CliError(
      'ERR_CLI_USAGE',
      '--base64: standard input is not base64 text (the key is not shown)',
    );
  }
  const bytes = Buffer.from(unpadded, 'base64');
  if (bytes.toString('base64').replace(/=+$/, '') !== unpadded || bytes.length === 0) {
    throw new CliError(
      'ERR_CLI_USAGE',
      '--base64: standard input is not canonical base64 (the key is not shown)',
    );
  }
  return bytes;
}
