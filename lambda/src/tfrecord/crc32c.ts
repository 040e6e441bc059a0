/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), pure JavaScript, slice-by-16.
 * Runs anywhere Node runs (the Lambda is arm64; native CRC modules are not bundled).
 */

const POLY = 0x82f63b78;
const MASK_DELTA = 0xa282ead8;

/** TABLES[k * 256 + b] is the CRC register after byte b followed by k zero bytes. */
const TABLES = buildTables();

function buildTables(): Int32Array {
  const t = new Int32Array(16 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let k = 1; k < 16; k++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
}

// Word reads through an Int32Array view assume a little-endian host (x64 and arm64 both are).
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const WORD_PATH_MIN_BYTES = 256;

/**
 * CRC-32C of `data`, unmasked, as an unsigned 32-bit integer.
 * Pass the result of a previous call as `previous` to continue over concatenated input:
 * `crc32c(b, crc32c(a)) === crc32c(concat(a, b))`.
 */
export function crc32c(data: Uint8Array, previous = 0): number {
  const t = TABLES;
  let crc = ~previous | 0;
  let i = 0;
  const end = data.length;

  if (LITTLE_ENDIAN && end >= WORD_PATH_MIN_BYTES) {
    // Byte-wise up to a 4-byte boundary, then read aligned 32-bit words 16 bytes at a time.
    const misalign = (4 - (data.byteOffset & 3)) & 3;
    for (; i < misalign; i++) crc = t[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
    const words = ((end - i) >>> 4) << 2;
    const w = new Int32Array(data.buffer, data.byteOffset + i, words);
    for (let j = 0; j < words; j += 4) {
      const a = w[j] ^ crc;
      const b = w[j + 1];
      const c = w[j + 2];
      const d = w[j + 3];
      crc =
        t[3840 + (a & 0xff)] ^ t[3584 + ((a >>> 8) & 0xff)] ^ t[3328 + ((a >>> 16) & 0xff)] ^ t[3072 + (a >>> 24)] ^
        t[2816 + (b & 0xff)] ^ t[2560 + ((b >>> 8) & 0xff)] ^ t[2304 + ((b >>> 16) & 0xff)] ^ t[2048 + (b >>> 24)] ^
        t[1792 + (c & 0xff)] ^ t[1536 + ((c >>> 8) & 0xff)] ^ t[1280 + ((c >>> 16) & 0xff)] ^ t[1024 + (c >>> 24)] ^
        t[768 + (d & 0xff)] ^ t[512 + ((d >>> 8) & 0xff)] ^ t[256 + ((d >>> 16) & 0xff)] ^ t[d >>> 24];
    }
    i += words << 2;
  }

  // Short inputs: slicing-by-16 on single-byte reads (creating a word view costs more than it saves).
  for (const last = end - 16; i <= last; i += 16) {
    const a = (data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24)) ^ crc;
    crc =
      t[3840 + (a & 0xff)] ^ t[3584 + ((a >>> 8) & 0xff)] ^ t[3328 + ((a >>> 16) & 0xff)] ^ t[3072 + (a >>> 24)] ^
      t[2816 + data[i + 4]] ^ t[2560 + data[i + 5]] ^ t[2304 + data[i + 6]] ^ t[2048 + data[i + 7]] ^
      t[1792 + data[i + 8]] ^ t[1536 + data[i + 9]] ^ t[1280 + data[i + 10]] ^ t[1024 + data[i + 11]] ^
      t[768 + data[i + 12]] ^ t[512 + data[i + 13]] ^ t[256 + data[i + 14]] ^ t[data[i + 15]];
  }
  for (; i < end; i++) crc = t[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

/** TensorFlow's mask for CRCs stored in files: rotate right by 15 bits, add 0xa282ead8 (mod 2^32). */
export function maskCrc32c(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** Inverse of {@link maskCrc32c}. */
export function unmaskCrc32c(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}
