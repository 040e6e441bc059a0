import { crc32 } from 'node:zlib';
import { ImageFormat } from './image-header';

/**
 * Why an image whose header reads fine still cannot be decoded: its body is cut short or its
 * container structure is broken. Found without decoding pixels.
 */
export class ImageStructureError extends Error {
  constructor(
    /** Byte offset in the file where the problem was found. */
    readonly offset: number,
    detail: string,
  ) {
    super(`${detail} (at byte ${offset})`);
    this.name = 'ImageStructureError';
  }
}

/**
 * Walks the container structure of a whole image file to its end marker, cheaply (no pixel
 * decoding): JPEG marker segments to the first scan, then its EOI marker; PNG chunks, each CRC-checked,
 * to IEND; GIF blocks and sub-blocks to the trailer; BMP pixel array within the file. This is
 * what catches an upload cut short in the middle of an image, which TensorFlow would only find
 * at training time. Throws ImageStructureError. `format` is the one readImageHeader detected.
 */
export function checkImageStructure(bytes: Uint8Array, format: ImageFormat): void {
  const b = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (format) {
    case ImageFormat.JPEG:
      return checkJpeg(b);
    case ImageFormat.PNG:
      return checkPng(b);
    case ImageFormat.GIF:
      return checkGif(b);
    case ImageFormat.BMP:
      return checkBmp(b);
  }
}

// JPEG (ITU T.81 B.1): after SOI, marker segments up to the first SOS; then entropy-coded data
// (scans, and for progressive JPEGs tables and further scans) up to EOI. In entropy-coded data
// 0xFF is always followed by 0x00 (stuffing), 0xFF (fill) or RST0-7, so the bytes FF D9 after the
// first scan starts can only be the EOI marker: one native search from the end finds it, instead
// of a walk over every stuffed 0xFF (one in 256 bytes of real images).
const EOI = Buffer.from([0xff, 0xd9]);
const SOS = 0xda;

function checkJpeg(b: Buffer): void {
  let pos = 2;
  while (pos < b.length) {
    if (b[pos] !== 0xff) throw new ImageStructureError(pos, `JPEG: expected a marker, found 0x${hex2(b[pos])}`);
    while (pos < b.length && b[pos] === 0xff) pos++;
    if (pos >= b.length) break;
    const marker = b[pos++];
    if (marker === EOI[1]) return;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue; // TEM, RSTn, SOI: no length
    if (pos + 2 > b.length) break;
    const length = b.readUInt16BE(pos);
    if (length < 2) throw new ImageStructureError(pos, `JPEG: marker 0x${hex2(marker)} declares segment length ${length}`);
    pos += length;
    if (marker === SOS) {
      if (pos <= b.length && b.lastIndexOf(EOI) >= pos) return;
      break;
    }
  }
  throw new ImageStructureError(b.length, 'JPEG: the file ends before the end-of-image (EOI) marker; the image is truncated');
}

// PNG: after the 8-byte signature, chunks of u32be length, 4-byte type, data, u32be CRC-32 of
// type and data, up to IEND.
function checkPng(b: Buffer): void {
  let pos = 8;
  while (pos + 12 <= b.length) {
    const length = b.readUInt32BE(pos);
    const end = pos + 12 + length;
    const type = b.toString('latin1', pos + 4, pos + 8);
    if (length > 0x7fffffff || end > b.length) throw new ImageStructureError(pos, `PNG: chunk ${JSON.stringify(type)} of ${length} bytes runs past the end of the file; the image is truncated`);
    const stored = b.readUInt32BE(end - 4);
    const computed = crc32(b.subarray(pos + 4, end - 4));
    if (stored !== computed) throw new ImageStructureError(pos, `PNG: chunk ${JSON.stringify(type)} has CRC 0x${stored.toString(16)}, its data has 0x${computed.toString(16)}; the image is corrupt`);
    if (type === 'IEND') return;
    pos = end;
  }
  throw new ImageStructureError(b.length, 'PNG: the file ends before the IEND chunk; the image is truncated');
}

// GIF (GIF89a spec): header and logical screen descriptor (13 bytes), optional global colour
// table, then blocks: 0x2C image (descriptor, optional local colour table, LZW code size,
// sub-blocks), 0x21 extension (label, sub-blocks), 0x3B trailer.
function checkGif(b: Buffer): void {
  let pos = 13 + colourTableBytes(b[10]);
  while (pos < b.length) {
    const introducer = b[pos];
    if (introducer === 0x3b) return;
    if (introducer === 0x2c) {
      if (pos + 10 > b.length) break;
      pos += 10 + colourTableBytes(b[pos + 9]) + 1; // descriptor, local table, LZW minimum code size
    } else if (introducer === 0x21) {
      pos += 2; // introducer, label
    } else {
      throw new ImageStructureError(pos, `GIF: expected an image, extension or trailer block, found 0x${hex2(introducer)}`);
    }
    pos = endOfSubBlocks(b, pos);
  }
  throw new ImageStructureError(b.length, 'GIF: the file ends before the trailer (0x3B); the image is truncated');
}

function colourTableBytes(packed: number): number {
  return packed & 0x80 ? 3 * (2 << (packed & 0x07)) : 0;
}

function endOfSubBlocks(b: Buffer, pos: number): number {
  while (pos < b.length) {
    const size = b[pos];
    pos += 1 + size;
    if (size === 0) return pos;
  }
  return b.length + 1;
}

// BMP: the file header's pixel-data offset, and for uncompressed bitmaps (BI_RGB) every row,
// padded to 4 bytes, must lie within the file.
function checkBmp(b: Buffer): void {
  const pixelOffset = b.readUInt32LE(10);
  if (pixelOffset > b.length) throw new ImageStructureError(10, `BMP: the pixel data starts at ${pixelOffset}, past the end of the ${b.length}-byte file; the image is truncated`);
  const dibSize = b.readUInt32LE(14);
  if (dibSize < 40 || b.length < 34) return; // BITMAPCOREHEADER: no compression field
  const compression = b.readUInt32LE(30);
  if (compression !== 0) return;
  const width = b.readInt32LE(18);
  const height = Math.abs(b.readInt32LE(22));
  const bitsPerPixel = b.readUInt16LE(28);
  const rowBytes = Math.ceil((width * bitsPerPixel) / 32) * 4;
  const needed = pixelOffset + rowBytes * height;
  if (needed > b.length) throw new ImageStructureError(b.length, `BMP: ${width}×${height} at ${bitsPerPixel} bits needs ${needed} bytes, the file has ${b.length}; the image is truncated`);
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
