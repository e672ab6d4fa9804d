/**
 * The aws-chunked content encoding S3 accepts for streaming uploads (what SDK v3 sends for a
 * stream body): `<hex size>[;chunk-signature=…]\r\n<bytes>\r\n` per chunk, a zero-size chunk,
 * then trailing headers (`x-amz-checksum-crc32:<base64>\r\n`) and an empty line.
 * Chunk signatures are not checked: local-aws takes any credentials.
 */

export interface DecodedChunks {
  readonly payload: Buffer;
  /** Trailing headers by lower-case name. */
  readonly trailers: ReadonlyMap<string, string>;
}

export class ChunkEncodingError extends Error {
  override readonly name = 'ChunkEncodingError';
}

const CRLF = Buffer.from('\r\n');

export function decodeAwsChunked(body: Buffer): DecodedChunks {
  const chunks: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const header = readLine();
    const size = Number.parseInt(header.split(';')[0]!, 16);
    if (!/^[0-9a-fA-F]+$/.test(header.split(';')[0]!) || !Number.isSafeInteger(size)) {
      throw new ChunkEncodingError(`malformed chunk header "${header.slice(0, 40)}"`);
    }
    if (size === 0) break;
    if (offset + size + CRLF.length > body.length) throw new ChunkEncodingError('truncated chunk');
    chunks.push(body.subarray(offset, offset + size));
    offset += size;
    if (!body.subarray(offset, offset + CRLF.length).equals(CRLF)) {
      throw new ChunkEncodingError('a chunk is longer than its declared size');
    }
    offset += CRLF.length;
  }
  const trailers = new Map<string, string>();
  for (let line = readLine(); line !== ''; line = readLine()) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ChunkEncodingError(`malformed trailer "${line.slice(0, 40)}"`);
    trailers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  if (offset !== body.length) throw new ChunkEncodingError('data after the final chunk');
  return { payload: Buffer.concat(chunks), trailers };

  function readLine(): string {
    const end = body.indexOf(CRLF, offset);
    if (end < 0) throw new ChunkEncodingError('the body ends before its final chunk');
    const line = body.subarray(offset, end).toString('latin1');
    offset = end + CRLF.length;
    return line;
  }
}
