import fc from 'fast-check';
import {
  detectImageFormat,
  ImageFormat,
  ImageHeaderError,
  imageFormatForExtension,
  readImageHeader,
  type ImageHeaderErrorReason,
} from '../../lambda/src/images/image-header';
import {
  APP0_JFIF,
  app1Exif,
  buildBmp,
  buildGif,
  buildJpeg,
  buildPng,
  DHT,
  DQT,
  EOI,
  jpegSegment,
  PNG_SIGNATURE,
  pngChunk,
  SOI,
  sof,
  sos,
} from './image-builders';

function headerError(bytes: Uint8Array): ImageHeaderError {
  try {
    readImageHeader(bytes);
  } catch (err) {
    if (err instanceof ImageHeaderError) return err;
    throw err;
  }
  throw new Error('readImageHeader accepted the input');
}

const expectReason = (bytes: Uint8Array, reason: ImageHeaderErrorReason) => expect(headerError(bytes).reason).toBe(reason);

/** Runs readImageHeader and fails the test on any error other than ImageHeaderError. */
function readOrReject(bytes: Uint8Array): void {
  try {
    readImageHeader(bytes);
  } catch (err) {
    if (!(err instanceof ImageHeaderError)) throw err;
  }
}

describe('PNG', () => {
  test.each([
    [0, 8, 1],
    [0, 1, 1],
    [0, 16, 1],
    [2, 8, 3],
    [2, 16, 3],
    [3, 8, 3],
    [3, 4, 3],
    [4, 8, 2],
    [6, 8, 4],
    [6, 16, 4],
  ])('colour type %i at %i bits gives %i channels', (colorType, bitDepth, channels) => {
    expect(readImageHeader(buildPng(17, 5, colorType, bitDepth))).toEqual({ format: ImageFormat.PNG, width: 17, height: 5, channels, bitDepth });
  });

  test('reads wide and tall images', () => {
    expect(readImageHeader(buildPng(100_000, 1, 0, 1))).toMatchObject({ width: 100_000, height: 1 });
    expect(readImageHeader(buildPng(1, 70_000, 0, 1))).toMatchObject({ width: 1, height: 70_000 });
  });

  const ihdr = (width: number, height: number, bitDepth = 8, colorType = 2) => {
    const data = Buffer.alloc(13);
    data.writeUInt32BE(width, 0);
    data.writeUInt32BE(height, 4);
    data[8] = bitDepth;
    data[9] = colorType;
    return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', data)]);
  };

  test('zero width or height', () => {
    expectReason(ihdr(0, 5), 'zero dimensions');
    expectReason(ihdr(5, 0), 'zero dimensions');
  });

  test('dimensions above 2^31-1', () => {
    expectReason(ihdr(0x80000000, 5), 'bad header');
  });

  test.each([
    [2, 4],
    [3, 16],
    [6, 1],
    [5, 8],
    [0, 3],
  ])('bit depth/colour type combination is checked (type %i, depth %i)', (colorType, bitDepth) => {
    expectReason(ihdr(4, 4, bitDepth, colorType), 'bad header');
  });

  test('IHDR must be the first chunk and 13 bytes long', () => {
    const png = buildPng(4, 4);
    const textFirst = Buffer.concat([PNG_SIGNATURE, pngChunk('tEXt', Buffer.from('a\0b')), png.subarray(8)]);
    expectReason(textFirst, 'bad header');
    const long = Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', Buffer.concat([png.subarray(16, 29), Buffer.from([0])]))]);
    expectReason(long, 'bad header');
  });

  test('a corrupt IHDR CRC', () => {
    const png = buildPng(4, 4);
    png[30] ^= 1;
    expect(headerError(png)).toMatchObject({ reason: 'bad checksum', offset: 29 });
    const widthFlipped = buildPng(4, 4);
    widthFlipped[19] = 5; // width 5 with the CRC of width 4
    expectReason(widthFlipped, 'bad checksum');
  });

  test('every truncation before the end of IHDR is a truncated header', () => {
    const png = buildPng(32, 32);
    for (let n = 1; n < 33; n++) expectReason(png.subarray(0, n), 'truncated header');
    expect(readImageHeader(png.subarray(0, 33))).toMatchObject({ width: 32, height: 32 });
  });
});

describe('JPEG', () => {
  test('baseline SOF0 after APP0 JFIF and a 64 KiB APP1 EXIF segment', () => {
    const jpeg = buildJpeg(640, 480);
    expect(jpeg.length).toBeGreaterThan(65_536);
    expect(readImageHeader(jpeg)).toEqual({ format: ImageFormat.JPEG, width: 640, height: 480, channels: 3, bitDepth: 8 });
  });

  test('progressive SOF2', () => {
    expect(readImageHeader(buildJpeg(1920, 1080, { sofMarker: 0xc2 }))).toMatchObject({ width: 1920, height: 1080 });
  });

  test.each([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf].map((m) => [m.toString(16), m]))('SOF marker 0x%s is a frame header', (_hex, marker) => {
    expect(readImageHeader(buildJpeg(3, 2, { sofMarker: marker, exif: false }))).toMatchObject({ width: 3, height: 2 });
  });

  test('DHT (C4), JPG (C8) and DAC (CC) are not frame headers', () => {
    const notSof = (marker: number) => jpegSegment(marker, Buffer.from([0, 0, 9, 0, 7, 3, 1, 0x11, 0]));
    const jpeg = Buffer.concat([SOI, notSof(0xc4), notSof(0xc8), notSof(0xcc), sof(0xc0, 40, 30), sos(), EOI]);
    expect(readImageHeader(jpeg)).toMatchObject({ width: 40, height: 30 });
  });

  test('greyscale and CMYK component counts', () => {
    expect(readImageHeader(buildJpeg(8, 8, { components: 1 }))).toMatchObject({ channels: 1 });
    expect(readImageHeader(buildJpeg(8, 8, { components: 4 }))).toMatchObject({ channels: 4 });
  });

  test('fill bytes and standalone markers before a segment', () => {
    const jpeg = Buffer.concat([SOI, Buffer.from([0xff, 0xff, 0xff]), APP0_JFIF, Buffer.from([0xff, 0x01, 0xff, 0xd0]), sof(0xc0, 10, 20), EOI]);
    expect(readImageHeader(jpeg)).toMatchObject({ width: 10, height: 20 });
  });

  test('20,000 comment segments before the SOF are walked', () => {
    const comments = Array.from({ length: 20_000 }, () => jpegSegment(0xfe, Buffer.from('x')));
    expect(readImageHeader(Buffer.concat([SOI, ...comments, sof(0xc0, 5, 6), EOI]))).toMatchObject({ width: 5, height: 6 });
  });

  test('every truncation before the end of the SOF segment is a truncated header', () => {
    const jpeg = buildJpeg(64, 48);
    const sofEnd = jpeg.indexOf(sof(0xc0, 64, 48)) + sof(0xc0, 64, 48).length;
    for (let n = 1; n < sofEnd; n++) {
      const err = headerError(jpeg.subarray(0, n));
      if (err.reason !== 'truncated header') throw new Error(`prefix of ${n} bytes gave ${err.message}`);
    }
    expect(readImageHeader(jpeg.subarray(0, sofEnd))).toMatchObject({ width: 64, height: 48 });
  });

  test.each([0, 1])('segment length %i', (length) => {
    const bad = Buffer.from([0xff, 0xe1, 0x00, length]);
    expect(headerError(Buffer.concat([SOI, bad, sof(0xc0, 1, 1)]))).toMatchObject({ reason: 'bad segment length', offset: 4 });
  });

  test('a segment length running past the end of the file', () => {
    expect(headerError(Buffer.concat([SOI, Buffer.from([0xff, 0xe1, 0xff, 0xff, 1, 2, 3])]))).toMatchObject({ reason: 'truncated header' });
  });

  test('SOS or EOI before any SOF', () => {
    expectReason(Buffer.concat([SOI, APP0_JFIF, DQT, DHT, sos(), Buffer.from([1, 2, 3]), EOI]), 'missing SOF');
    expectReason(Buffer.concat([SOI, APP0_JFIF, EOI]), 'missing SOF');
  });

  test('zero width or height (height 0 would need a DNL marker)', () => {
    expectReason(buildJpeg(0, 10), 'zero dimensions');
    expectReason(buildJpeg(10, 0), 'zero dimensions');
  });

  test('SOF shorter than its fixed fields or its components', () => {
    expectReason(Buffer.concat([SOI, jpegSegment(0xc0, Buffer.from([8, 0, 1, 0]))]), 'bad segment length');
    expectReason(Buffer.concat([SOI, jpegSegment(0xc0, Buffer.from([8, 0, 1, 0, 1, 3, 1, 0x11]))]), 'bad header');
    expectReason(Buffer.concat([SOI, jpegSegment(0xc0, Buffer.from([8, 0, 1, 0, 1, 0]))]), 'bad header');
  });

  test('garbage where a marker should be', () => {
    expect(headerError(Buffer.concat([SOI, APP0_JFIF, Buffer.from([0x12, 0x34])]))).toMatchObject({ reason: 'bad marker', offset: 2 + APP0_JFIF.length });
    expectReason(Buffer.concat([SOI, Buffer.from([0xff, 0x00]), sof(0xc0, 1, 1)]), 'bad marker');
  });

  test('a megabyte of fill bytes ends in a truncated header', () => {
    expectReason(Buffer.concat([SOI, Buffer.alloc(1 << 20, 0xff)]), 'truncated header');
  });

  test('an EXIF segment that claims more than the file holds', () => {
    const exif = app1Exif();
    expectReason(Buffer.concat([SOI, exif.subarray(0, 1000)]), 'truncated header');
  });
});

describe('GIF and BMP', () => {
  test('GIF logical screen size', () => {
    expect(readImageHeader(buildGif(300, 200))).toEqual({ format: ImageFormat.GIF, width: 300, height: 200, channels: 3 });
    expect(readImageHeader(buildGif(1, 65535, '87a'))).toMatchObject({ width: 1, height: 65535 });
    expectReason(buildGif(0, 5), 'zero dimensions');
    expectReason(buildGif(5, 5).subarray(0, 12), 'truncated header');
  });

  test('BMP info headers', () => {
    expect(readImageHeader(buildBmp(100, 50))).toEqual({ format: ImageFormat.BMP, width: 100, height: 50, channels: 3, bitDepth: 24 });
    expect(readImageHeader(buildBmp(100, -50, 32))).toEqual({ format: ImageFormat.BMP, width: 100, height: 50, channels: 4, bitDepth: 32 });
    expect(readImageHeader(buildBmp(7, 9, 8, 124))).toMatchObject({ width: 7, height: 9, channels: 1 });
    expect(readImageHeader(buildBmp(7, 9, 24, 12))).toMatchObject({ width: 7, height: 9, channels: 3 });
    expect(readImageHeader(buildBmp(7, 9, 1))).toEqual({ format: ImageFormat.BMP, width: 7, height: 9, bitDepth: 1 });
  });

  test('BMP hostile headers', () => {
    expectReason(buildBmp(0, 5), 'zero dimensions');
    expectReason(buildBmp(5, 0), 'zero dimensions');
    expectReason(buildBmp(-5, 5), 'bad header');
    expectReason(buildBmp(5, -0x80000000), 'bad header');
    const unknown = buildBmp(5, 5);
    unknown.writeUInt32LE(99, 14);
    expectReason(unknown, 'bad header');
    for (let n = 2; n < 30; n++) expectReason(buildBmp(5, 5).subarray(0, n), 'truncated header');
  });
});

describe('detection and hostile input', () => {
  test('an empty file', () => {
    expect(headerError(new Uint8Array(0))).toMatchObject({ reason: 'empty file', offset: 0 });
  });

  test('unknown formats are bad magic, detected from bytes not names', () => {
    expectReason(Buffer.from('RIFF\x10\x00\x00\x00WEBPVP8 '), 'bad magic');
    expectReason(Buffer.from('hello, world'), 'bad magic');
    expectReason(Buffer.from([0xff, 0xd8, 0x00]), 'bad magic');
    expect(headerError(Buffer.from('<svg/>')).message).toBe('bad magic at byte 0: leading bytes 3c7376672f3e are not JPEG, PNG, GIF or BMP');
  });

  test('detectImageFormat', () => {
    expect(detectImageFormat(buildJpeg(1, 1, { exif: false }))).toBe(ImageFormat.JPEG);
    expect(detectImageFormat(buildPng(1, 1))).toBe(ImageFormat.PNG);
    expect(detectImageFormat(buildGif(1, 1, '87a'))).toBe(ImageFormat.GIF);
    expect(detectImageFormat(buildBmp(1, 1))).toBe(ImageFormat.BMP);
    expect(detectImageFormat(Buffer.from('GIF90a'))).toBeUndefined();
    expect(detectImageFormat(new Uint8Array(0))).toBeUndefined();
  });

  test('random bytes only ever give a header or ImageHeaderError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => readOrReject(bytes)), { numRuns: 3000 });
  });

  test('random bytes behind each signature only ever give a header or ImageHeaderError', () => {
    const signatures = [[0xff, 0xd8, 0xff], Array.from(PNG_SIGNATURE), Array.from(Buffer.from('GIF89a')), [0x42, 0x4d]];
    fc.assert(
      fc.property(fc.constantFrom(...signatures), fc.uint8Array({ maxLength: 512 }), (signature, rest) => {
        readOrReject(Buffer.concat([Buffer.from(signature), rest]));
      }),
      { numRuns: 3000 },
    );
  });

  test('mutated real images only ever give a header or ImageHeaderError', () => {
    const originals = [buildJpeg(33, 44, { exif: false }), buildPng(9, 9, 6), buildGif(3, 3), buildBmp(4, 4)];
    fc.assert(
      fc.property(
        fc.constantFrom(...originals),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }),
        fc.nat(),
        (original, edits, cut) => {
          const bytes = Buffer.from(original);
          for (const [at, value] of edits) bytes[at % bytes.length] = value;
          readOrReject(bytes.subarray(0, cut % (bytes.length + 1)));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('imageFormatForExtension', () => {
  test.each([
    ['cat/001.jpg', ImageFormat.JPEG],
    ['dataset/dog/IMG_0001.JPEG', ImageFormat.JPEG],
    ['a.PnG', ImageFormat.PNG],
    ['anim.gif', ImageFormat.GIF],
    ['x.BMP', ImageFormat.BMP],
    ['win\\path\\y.png', ImageFormat.PNG],
    ['photo.webp', undefined],
    ['notes.jpg.txt', undefined],
    ['README', undefined],
    ['.jpg', undefined],
    ['folder.jpg/file', undefined],
    ['x.constructor', undefined],
    ['x.', undefined],
  ])('%s → %s', (name, format) => {
    expect(imageFormatForExtension(name)).toBe(format);
  });
});
