/**
 * CRC-32C of a concatenation from the CRCs of its parts (zlib's crc32_combine, with the Castagnoli
 * polynomial): crc32c(A‖B) = crc32cCombine(crc32c(A), crc32c(B), B.length). Lets a writer checksum a
 * whole file from record CRCs the framing already computed, without a second pass over the bytes.
 */
const POLY = 0x82f63b78;

/** a × b modulo the CRC polynomial (bit-reflected). */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** X2N[k] = x^(2^k) modulo the polynomial. */
const X2N: number[] = (() => {
  const table = [0x40000000];
  for (let n = 1; n < 32; n++) table.push(multModP(table[n - 1], table[n - 1]));
  return table;
})();

/** x^(8·bytes) modulo the polynomial. */
function shiftForBytes(bytes: number): number {
  let p = 0x80000000;
  let k = 3;
  for (let n = bytes; n > 0; n = Math.floor(n / 2), k++) {
    if (n % 2 === 1) p = multModP(X2N[k & 31], p);
  }
  return p;
}

export function crc32cCombine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(shiftForBytes(lengthB), crcA) ^ crcB) >>> 0;
}
