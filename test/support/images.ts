import { createCipheriv } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * Tiny image files whose headers are valid (what the converter reads) followed by an
 * incompressible-ish payload standing in for entropy-coded pixels. They are not decodable
 * pictures; TensorFlow is not run in tests.
 */
export interface ImageSpec {
  readonly width: number;
  readonly height: number;
  /** Bytes of pseudo-random payload after the header. Default 16. */
  readonly payloadBytes?: number;
  /** Varies the payload. Default 0. */
  readonly seed?: number;
}

/** Deterministic pseudo-random bytes (AES-128-CTR keystream), fast enough for gigabytes. */
export function pseudoRandomBytes(length: number, seed = 0): Buffer {
  const key = Buffer.alloc(16);
  key.writeUInt32LE(seed >>> 0, 0);
  const cipher = createCipheriv('aes-128-ctr', key, Buffer.alloc(16));
  return Buffer.concat([cipher.update(Buffer.alloc(length)), cipher.final()]);
}

/** SOI, APP0 (JFIF), SOF0 (baseline), SOS, payload without 0xFF bytes, EOI. */
export function jpegBytes(spec: ImageSpec & { readonly components?: number }): Buffer {
  const components = spec.components ?? 3;
  const app0 = Buffer.from([0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const sofLength = 8 + 3 * components;
  const sof = Buffer.alloc(2 + sofLength);
  sof.writeUInt16BE(0xffc0, 0);
  sof.writeUInt16BE(sofLength, 2);
  sof.writeUInt8(8, 4);
  sof.writeUInt16BE(spec.height, 5);
  sof.writeUInt16BE(spec.width, 7);
  sof.writeUInt8(components, 9);
  for (let c = 0; c < components; c++) sof.set([c + 1, c === 0 ? 0x22 : 0x11, c === 0 ? 0 : 1], 10 + 3 * c);
  const sosLength = 6 + 2 * components;
  const sos = Buffer.alloc(2 + sosLength);
  sos.writeUInt16BE(0xffda, 0);
  sos.writeUInt16BE(sosLength, 2);
  sos.writeUInt8(components, 4);
  for (let c = 0; c < components; c++) sos.set([c + 1, c === 0 ? 0x00 : 0x11], 5 + 2 * c);
  sos.set([0x00, 0x3f, 0x00], 5 + 2 * components);
  const payload = pseudoRandomBytes(spec.payloadBytes ?? 16, spec.seed ?? 0);
  for (let i = 0; i < payload.length; i++) if (payload[i] === 0xff) payload[i] = 0xfe;
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app0, sof, sos, payload, Buffer.from([0xff, 0xd9])]);
}

/** Signature, IHDR (8-bit, colour type 2 = RGB unless given), IDAT with payload, IEND; CRCs valid. */
export function pngBytes(spec: ImageSpec & { readonly colorType?: number }): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(spec.width, 0);
  ihdr.writeUInt32BE(spec.height, 4);
  ihdr.set([8, spec.colorType ?? 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', pseudoRandomBytes(spec.payloadBytes ?? 16, spec.seed ?? 0)),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** GIF89a: logical screen descriptor, one image block whose payload is cut into sub-blocks, trailer. */
export function gifBytes(spec: ImageSpec): Buffer {
  const head = Buffer.alloc(13);
  head.write('GIF89a', 0, 'latin1');
  head.writeUInt16LE(spec.width, 6);
  head.writeUInt16LE(spec.height, 8);
  const descriptor = Buffer.alloc(11);
  descriptor[0] = 0x2c;
  descriptor.writeUInt16LE(spec.width, 5);
  descriptor.writeUInt16LE(spec.height, 7);
  descriptor[10] = 8; // LZW minimum code size
  const payload = pseudoRandomBytes(spec.payloadBytes ?? 16, spec.seed ?? 0);
  const subBlocks: Buffer[] = [];
  for (let at = 0; at < payload.length; at += 255) {
    const part = payload.subarray(at, at + 255);
    subBlocks.push(Buffer.from([part.length]), part);
  }
  return Buffer.concat([head, descriptor, ...subBlocks, Buffer.from([0x00, 0x3b])]);
}
