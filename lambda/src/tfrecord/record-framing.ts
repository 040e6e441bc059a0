import { crc32c, maskCrc32c } from './crc32c';

/** u64le data length + u32le masked CRC-32C of those 8 length bytes. */
export const RECORD_HEADER_BYTES = 12;
/** u32le masked CRC-32C of the data. */
export const RECORD_FOOTER_BYTES = 4;
/** Header plus footer: the framing overhead of one record. */
export const RECORD_OVERHEAD_BYTES = RECORD_HEADER_BYTES + RECORD_FOOTER_BYTES;

/**
 * Frames one record exactly as TensorFlow's RecordWriter (no compression) writes it.
 * The data is returned as the same object, not copied, so callers can `writev` the three parts.
 */
export function frameRecord(data: Uint8Array): [Buffer, Uint8Array, Buffer] {
  const header = Buffer.allocUnsafe(RECORD_HEADER_BYTES);
  header.writeBigUInt64LE(BigInt(data.length), 0);
  header.writeUInt32LE(maskCrc32c(crc32c(header.subarray(0, 8))), 8);
  const footer = Buffer.allocUnsafe(RECORD_FOOTER_BYTES);
  footer.writeUInt32LE(maskCrc32c(crc32c(data)), 0);
  return [header, data, footer];
}
