import { crc32, deflateSync } from 'node:zlib';

/** A PNG chunk: u32be length, type, data, u32be CRC-32 of type + data. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(8 + data.length + 4);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const PNG_SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** A complete, valid PNG (IHDR, PLTE for palette images, IDAT of zero pixels, IEND). */
export function buildPng(width: number, height: number, colorType = 2, bitDepth = 8): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = bitDepth;
  ihdr[9] = colorType;
  const rowBytes = 1 + Math.ceil((width * PNG_SAMPLES[colorType] * bitDepth) / 8); // filter byte + samples
  const chunks = [PNG_SIGNATURE, pngChunk('IHDR', ihdr)];
  if (colorType === 3) chunks.push(pngChunk('PLTE', Buffer.from([0, 0, 0, 255, 255, 255])));
  chunks.push(pngChunk('IDAT', deflateSync(Buffer.alloc(rowBytes * height))), pngChunk('IEND', Buffer.alloc(0)));
  return Buffer.concat(chunks);
}

/** A JPEG marker segment: FF marker, u16be length (including itself), payload. */
export function jpegSegment(marker: number, payload: Uint8Array): Buffer {
  const out = Buffer.alloc(4 + payload.length);
  out[0] = 0xff;
  out[1] = marker;
  out.writeUInt16BE(payload.length + 2, 2);
  out.set(payload, 4);
  return out;
}

export const SOI = Buffer.from([0xff, 0xd8]);
export const EOI = Buffer.from([0xff, 0xd9]);
export const APP0_JFIF = jpegSegment(0xe0, Buffer.from([0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x48, 0x00, 0x48, 0x00, 0x00]));
export const DQT = jpegSegment(0xdb, Buffer.concat([Buffer.from([0x00]), Buffer.alloc(64, 1)]));
export const DHT = jpegSegment(0xc4, Buffer.concat([Buffer.from([0x00]), Buffer.from([0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), Buffer.from([0])]));

/** APP1 "Exif" segment filled to `size` payload bytes (at most 65533). */
export function app1Exif(size = 65533): Buffer {
  const payload = Buffer.alloc(size, 0x4d);
  payload.write('Exif\0\0MM\0*', 0, 'latin1');
  return jpegSegment(0xe1, payload);
}

/** SOFn payload: precision, height, width, component count, then 3 bytes per component. */
export function sof(marker: number, width: number, height: number, components = 3, precision = 8): Buffer {
  const payload = Buffer.alloc(6 + 3 * components);
  payload[0] = precision;
  payload.writeUInt16BE(height, 1);
  payload.writeUInt16BE(width, 3);
  payload[5] = components;
  for (let c = 0; c < components; c++) payload.set([c + 1, 0x11, 0], 6 + 3 * c);
  return jpegSegment(marker, payload);
}

export function sos(components = 3): Buffer {
  const payload = Buffer.alloc(1 + 2 * components + 3);
  payload[0] = components;
  for (let c = 0; c < components; c++) payload.set([c + 1, 0x00], 1 + 2 * c);
  payload.set([0, 63, 0], 1 + 2 * components);
  return jpegSegment(0xda, payload);
}

/** SOI, APP0 JFIF, a 64 KiB APP1 EXIF, DQT, SOFn, DHT, SOS, entropy bytes, EOI. */
export function buildJpeg(width: number, height: number, options: { sofMarker?: number; components?: number; exif?: boolean } = {}): Buffer {
  const components = options.components ?? 3;
  return Buffer.concat([
    SOI,
    APP0_JFIF,
    ...(options.exif === false ? [] : [app1Exif()]),
    DQT,
    sof(options.sofMarker ?? 0xc0, width, height, components),
    DHT,
    sos(components),
    Buffer.from([0x12, 0x34, 0xff, 0x00, 0x56]),
    EOI,
  ]);
}

export function buildGif(width: number, height: number, version = '89a'): Buffer {
  const out = Buffer.alloc(13 + 1);
  out.write(`GIF${version}`, 0, 'latin1');
  out.writeUInt16LE(width, 6);
  out.writeUInt16LE(height, 8);
  out[13] = 0x3b; // trailer
  return out;
}

/** A BMP with a BITMAPINFOHEADER (40 bytes) or BITMAPCOREHEADER (12 bytes) and no pixel data. */
export function buildBmp(width: number, height: number, bitsPerPixel = 24, dibSize: 12 | 40 | 124 = 40): Buffer {
  const out = Buffer.alloc(14 + dibSize);
  out.write('BM', 0, 'latin1');
  out.writeUInt32LE(out.length, 2);
  out.writeUInt32LE(out.length, 10);
  out.writeUInt32LE(dibSize, 14);
  if (dibSize === 12) {
    out.writeUInt16LE(width, 18);
    out.writeUInt16LE(height, 20);
    out.writeUInt16LE(1, 22);
    out.writeUInt16LE(bitsPerPixel, 24);
  } else {
    out.writeInt32LE(width, 18);
    out.writeInt32LE(height, 22);
    out.writeUInt16LE(1, 26);
    out.writeUInt16LE(bitsPerPixel, 28);
  }
  return out;
}
