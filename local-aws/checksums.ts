/**
 * S3's flexible checksums (x-amz-checksum-*): the base64 of the big-endian digest of the object
 * bytes. Node has CRC32 and the SHAs; CRC32C and CRC64NVME are the reflected table CRCs below
 * (parameters of CRC-32/ISCSI and CRC-64/NVME).
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** The header carrying an algorithm's value: `x-amz-checksum-crc32`, … */
export function checksumHeader(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** The digest length in bytes: a value that does not decode to it is malformed. */
export function checksumLength(algorithm: ChecksumAlgorithm): number {
  return { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 }[algorithm];
}

export function computeChecksum(algorithm: ChecksumAlgorithm, bytes: Buffer): string {
  switch (algorithm) {
    case 'CRC32':
      return uint32(crc32(bytes));
    case 'CRC32C':
      return uint32(Number(reflectedCrc(CRC32C_TABLE, 0xffffffffn, bytes)));
    case 'CRC64NVME': {
      const digest = Buffer.alloc(8);
      digest.writeBigUInt64BE(reflectedCrc(CRC64NVME_TABLE, 0xffffffffffffffffn, bytes));
      return digest.toString('base64');
    }
    case 'SHA1':
      return createHash('sha1').update(bytes).digest('base64');
    case 'SHA256':
      return createHash('sha256').update(bytes).digest('base64');
  }
}

function uint32(value: number): string {
  const digest = Buffer.alloc(4);
  digest.writeUInt32BE(value >>> 0);
  return digest.toString('base64');
}

function crcTable(polynomial: bigint): bigint[] {
  return Array.from({ length: 256 }, (_, index) => {
    let crc = BigInt(index);
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 1n ? (crc >> 1n) ^ polynomial : crc >> 1n;
    return crc;
  });
}

const CRC32C_TABLE = crcTable(0x82f63b78n);
const CRC64NVME_TABLE = crcTable(0x9a6c9329ac4bc9b5n);

/** Objects here are key sets of a few KB: bigint arithmetic is fast enough. */
function reflectedCrc(table: readonly bigint[], mask: bigint, bytes: Buffer): bigint {
  let crc = mask;
  for (const byte of bytes) crc = table[Number((crc ^ BigInt(byte)) & 0xffn)]! ^ (crc >> 8n);
  return crc ^ mask;
}
