import { crc32 } from 'node:zlib';

/** The formats tf.io.decode_image decodes. Values are what `image/format` holds. */
export enum ImageFormat {
  JPEG = 'jpeg',
  PNG = 'png',
  GIF = 'gif',
  BMP = 'bmp',
}

export interface ImageHeader {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  /** Colour channels as TensorFlow decodes them by default, when the header says. */
  readonly channels?: number;
  /** JPEG sample precision, PNG bit depth per sample, BMP bits per pixel. */
  readonly bitDepth?: number;
}

export type ImageHeaderErrorReason =
  | 'empty file'
  | 'bad magic'
  | 'truncated header'
  | 'zero dimensions'
  | 'bad segment length'
  | 'bad marker'
  | 'missing SOF'
  | 'bad header'
  | 'bad checksum';

export class ImageHeaderError extends Error {
  constructor(
    readonly reason: ImageHeaderErrorReason,
    /** Byte offset in the file where the problem was found. */
    readonly offset: number,
    detail: string,
  ) {
    super(`${reason} at byte ${offset}: ${detail}`);
    this.name = 'ImageHeaderError';
  }
}

const EXTENSIONS: Readonly<Record<string, ImageFormat>> = {
  jpg: ImageFormat.JPEG,
  jpeg: ImageFormat.JPEG,
  png: ImageFormat.PNG,
  gif: ImageFormat.GIF,
  bmp: ImageFormat.BMP,
};

/** The image format a file name's extension claims (case-insensitive), or undefined. */
export function imageFormatForExtension(name: string): ImageFormat | undefined {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const ext = base.slice(dot + 1).toLowerCase();
  return Object.prototype.hasOwnProperty.call(EXTENSIONS, ext) ? EXTENSIONS[ext] : undefined;
}

const MAGIC: readonly (readonly [ImageFormat, readonly number[]])[] = [
  [ImageFormat.JPEG, [0xff, 0xd8, 0xff]],
  [ImageFormat.PNG, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  [ImageFormat.GIF, [0x47, 0x49, 0x46, 0x38, 0x37, 0x61]], // GIF87a
  [ImageFormat.GIF, [0x47, 0x49, 0x46, 0x38, 0x39, 0x61]], // GIF89a
  [ImageFormat.BMP, [0x42, 0x4d]], // BM
];

/** The format the leading magic bytes identify, or undefined. */
export function detectImageFormat(bytes: Uint8Array): ImageFormat | undefined {
  return MAGIC.find(([, magic]) => bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b))?.[0];
}

/**
 * Reads width, height and channels from the header of a whole image file, without decoding pixels.
 * The format is detected from magic bytes. Throws ImageHeaderError for anything it cannot vouch for.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeader {
  if (bytes.length === 0) throw new ImageHeaderError('empty file', 0, 'the file has no bytes');
  switch (detectImageFormat(bytes)) {
    case ImageFormat.JPEG:
      return readJpegHeader(bytes);
    case ImageFormat.PNG:
      return readPngHeader(bytes);
    case ImageFormat.GIF:
      return readGifHeader(bytes);
    case ImageFormat.BMP:
      return readBmpHeader(bytes);
    default: {
      const prefixOfMagic = MAGIC.some(([, magic]) => bytes.length < magic.length && Array.from(bytes).every((b, i) => magic[i] === b));
      if (prefixOfMagic) throw new ImageHeaderError('truncated header', bytes.length, `file ends after ${bytes.length} bytes, inside the format signature`);
      const head = Buffer.from(bytes.subarray(0, 8)).toString('hex');
      throw new ImageHeaderError('bad magic', 0, `leading bytes ${head} are not JPEG, PNG, GIF or BMP`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// JPEG (ITU T.81 B.1.1): SOI, then marker segments FF xx [u16be length incl. itself] until a SOFn.
// ---------------------------------------------------------------------------------------------

function isSofMarker(m: number): boolean {
  // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
  return m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
}

function isStandaloneMarker(m: number): boolean {
  return m === 0x01 || (m >= 0xd0 && m <= 0xd8); // TEM, RST0–7, SOI
}

function readJpegHeader(b: Uint8Array): ImageHeader {
  // Each step consumes at least one byte, so the walk ends within b.length steps.
  let pos = 2;
  for (;;) {
    if (pos >= b.length) throw new ImageHeaderError('truncated header', pos, 'file ends before a SOF (frame header) marker');
    if (b[pos] !== 0xff) throw new ImageHeaderError('bad marker', pos, `expected a marker (0xff), found 0x${hex2(b[pos])}`);
    const markerAt = pos;
    while (pos < b.length && b[pos] === 0xff) pos++; // 0xff fill bytes may precede a marker
    if (pos >= b.length) throw new ImageHeaderError('truncated header', pos, 'file ends inside a marker');
    const marker = b[pos++];
    if (marker === 0x00) throw new ImageHeaderError('bad marker', markerAt, 'stuffed 0xff00 outside entropy-coded data');
    if (isStandaloneMarker(marker)) continue;
    if (marker === 0xd9 || marker === 0xda) {
      throw new ImageHeaderError('missing SOF', markerAt, `${marker === 0xd9 ? 'EOI' : 'SOS'} marker reached before any SOF frame header`);
    }
    if (pos + 2 > b.length) throw new ImageHeaderError('truncated header', pos, `file ends inside the length of marker 0x${hex2(marker)}`);
    const length = (b[pos] << 8) | b[pos + 1];
    if (length < 2) throw new ImageHeaderError('bad segment length', pos, `marker 0x${hex2(marker)} declares segment length ${length} (minimum 2)`);
    const segmentEnd = pos + length;
    if (segmentEnd > b.length) {
      throw new ImageHeaderError('truncated header', b.length, `marker 0x${hex2(marker)} segment of ${length} bytes at ${pos} runs past the end of the file`);
    }
    if (isSofMarker(marker)) return readSof(b, marker, pos, length);
    pos = segmentEnd;
  }
}

function readSof(b: Uint8Array, marker: number, pos: number, length: number): ImageHeader {
  // length(2) precision(1) height(2) width(2) components(1), then 3 bytes per component.
  if (length < 8) throw new ImageHeaderError('bad segment length', pos, `SOF marker 0x${hex2(marker)} segment length ${length} is shorter than 8`);
  const precision = b[pos + 2];
  const height = (b[pos + 3] << 8) | b[pos + 4];
  const width = (b[pos + 5] << 8) | b[pos + 6];
  const components = b[pos + 7];
  if (width === 0 || height === 0) {
    throw new ImageHeaderError('zero dimensions', pos + 3, `SOF marker 0x${hex2(marker)} declares ${width}x${height} (height 0 needs a DNL marker, which is not supported)`);
  }
  if (components === 0 || length < 8 + 3 * components) {
    throw new ImageHeaderError('bad header', pos + 7, `SOF marker 0x${hex2(marker)} declares ${components} components in a ${length}-byte segment`);
  }
  return { format: ImageFormat.JPEG, width, height, channels: components, bitDepth: precision };
}

// ---------------------------------------------------------------------------------------------
// PNG: 8-byte signature, then the IHDR chunk: u32be 13, "IHDR", width, height, depth, colour type,
// compression, filter, interlace, u32be CRC-32 of type+data.
// ---------------------------------------------------------------------------------------------

const PNG_CHANNELS: Readonly<Record<number, { channels: number; depths: readonly number[] }>> = {
  0: { channels: 1, depths: [1, 2, 4, 8, 16] }, // greyscale
  2: { channels: 3, depths: [8, 16] }, // RGB
  3: { channels: 3, depths: [1, 2, 4, 8] }, // palette, expanded to RGB by decode_png
  4: { channels: 2, depths: [8, 16] }, // greyscale + alpha
  6: { channels: 4, depths: [8, 16] }, // RGBA
};

function readPngHeader(b: Uint8Array): ImageHeader {
  const IHDR_END = 8 + 8 + 13 + 4;
  if (b.length < IHDR_END) throw new ImageHeaderError('truncated header', b.length, `file ends after ${b.length} bytes, inside the IHDR chunk (needs ${IHDR_END})`);
  const view = new DataView(b.buffer, b.byteOffset, b.length);
  const chunkLength = view.getUint32(8);
  const chunkType = String.fromCharCode(b[12], b[13], b[14], b[15]);
  if (chunkType !== 'IHDR' || chunkLength !== 13) {
    throw new ImageHeaderError('bad header', 8, `first chunk must be IHDR of 13 bytes, found ${JSON.stringify(chunkType)} of ${chunkLength} bytes`);
  }
  const storedCrc = view.getUint32(29);
  const computedCrc = crc32(b.subarray(12, 29));
  if (storedCrc !== computedCrc) {
    throw new ImageHeaderError('bad checksum', 29, `IHDR CRC is 0x${storedCrc.toString(16)}, computed 0x${computedCrc.toString(16)}`);
  }
  const width = view.getUint32(16);
  const height = view.getUint32(20);
  const bitDepth = b[24];
  const colorType = b[25];
  if (width === 0 || height === 0) throw new ImageHeaderError('zero dimensions', 16, `IHDR declares ${width}x${height}`);
  if (width > 0x7fffffff || height > 0x7fffffff) throw new ImageHeaderError('bad header', 16, `IHDR dimensions ${width}x${height} exceed 2^31-1`);
  const layout = PNG_CHANNELS[colorType];
  if (!layout || !layout.depths.includes(bitDepth)) {
    throw new ImageHeaderError('bad header', 24, `IHDR bit depth ${bitDepth} with colour type ${colorType} is not a valid PNG combination`);
  }
  return { format: ImageFormat.PNG, width, height, channels: layout.channels, bitDepth };
}

// ---------------------------------------------------------------------------------------------
// GIF: "GIF87a"/"GIF89a", then the logical screen descriptor (u16le width, u16le height, ...).
// TensorFlow decodes GIFs at the logical screen size, as RGB.
// ---------------------------------------------------------------------------------------------

function readGifHeader(b: Uint8Array): ImageHeader {
  if (b.length < 13) throw new ImageHeaderError('truncated header', b.length, `file ends after ${b.length} bytes, inside the logical screen descriptor (needs 13)`);
  const width = b[6] | (b[7] << 8);
  const height = b[8] | (b[9] << 8);
  if (width === 0 || height === 0) throw new ImageHeaderError('zero dimensions', 6, `logical screen is ${width}x${height}`);
  return { format: ImageFormat.GIF, width, height, channels: 3 };
}

// ---------------------------------------------------------------------------------------------
// BMP: 14-byte file header "BM", then a DIB header whose size tells its version.
// ---------------------------------------------------------------------------------------------

function readBmpHeader(b: Uint8Array): ImageHeader {
  if (b.length < 18) throw new ImageHeaderError('truncated header', b.length, `file ends after ${b.length} bytes, before the DIB header size`);
  const view = new DataView(b.buffer, b.byteOffset, b.length);
  const dibSize = view.getUint32(14, true);
  let width: number;
  let height: number;
  let bitsPerPixel: number;
  if (dibSize === 12) {
    // BITMAPCOREHEADER: u16 width, u16 height, u16 planes, u16 bpp.
    if (b.length < 26) throw new ImageHeaderError('truncated header', b.length, 'file ends inside the BITMAPCOREHEADER');
    width = view.getUint16(18, true);
    height = view.getUint16(20, true);
    bitsPerPixel = view.getUint16(24, true);
  } else if (dibSize === 16 || dibSize === 40 || dibSize === 52 || dibSize === 56 || dibSize === 64 || dibSize === 108 || dibSize === 124) {
    // BITMAPINFOHEADER and successors: i32 width, i32 height (negative = top-down), u16 planes, u16 bpp.
    if (b.length < 30) throw new ImageHeaderError('truncated header', b.length, 'file ends inside the BITMAPINFOHEADER');
    width = view.getInt32(18, true);
    const signedHeight = view.getInt32(22, true);
    if (width < 0 || signedHeight === -0x80000000) throw new ImageHeaderError('bad header', 18, `DIB header declares ${width}x${signedHeight}`);
    height = Math.abs(signedHeight);
    bitsPerPixel = view.getUint16(28, true);
  } else {
    throw new ImageHeaderError('bad header', 14, `unknown DIB header size ${dibSize}`);
  }
  if (width === 0 || height === 0) throw new ImageHeaderError('zero dimensions', 18, `DIB header declares ${width}x${height}`);
  const channels = bitsPerPixel === 8 || bitsPerPixel === 24 || bitsPerPixel === 32 ? bitsPerPixel / 8 : undefined;
  return channels === undefined
    ? { format: ImageFormat.BMP, width, height, bitDepth: bitsPerPixel }
    : { format: ImageFormat.BMP, width, height, channels, bitDepth: bitsPerPixel };
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}
