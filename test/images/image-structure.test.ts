import { readImageHeader } from '../../lambda/src/images/image-header';
import { checkImageStructure, ImageStructureError } from '../../lambda/src/images/image-structure';
import { gifBytes, jpegBytes, pngBytes } from '../support/images';
import { APP0_JFIF, buildPng, DHT, DQT, EOI, jpegSegment, SOI } from './image-builders';

function structureError(bytes: Buffer): ImageStructureError | undefined {
  try {
    checkImageStructure(bytes, readImageHeader(bytes).format);
    return undefined;
  } catch (err) {
    if (err instanceof ImageStructureError) return err;
    throw err;
  }
}

const sof = jpegSegment(0xc0, Buffer.from([8, 0, 4, 0, 4, 1, 1, 0x11, 0]));
const sos = jpegSegment(0xda, Buffer.from([1, 1, 0, 0, 0x3f, 0]));
/** Entropy-coded data with stuffed 0xFF00, restart markers and fill bytes, as real encoders write it. */
const scan = Buffer.from([0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, 0x56, 0xff, 0xff, 0xd1, 0x78]);
const bmp = (width: number, height: number, pixelBytes: number) => {
  const b = Buffer.alloc(54 + pixelBytes);
  b.write('BM', 0, 'latin1');
  b.writeUInt32LE(b.length, 2);
  b.writeUInt32LE(54, 10);
  b.writeUInt32LE(40, 14);
  b.writeInt32LE(width, 18);
  b.writeInt32LE(height, 22);
  b.writeUInt16LE(1, 26);
  b.writeUInt16LE(24, 28);
  return b;
};

describe('checkImageStructure', () => {
  it.each<[string, Buffer]>([
    ['a baseline JPEG', Buffer.concat([SOI, APP0_JFIF, DQT, sof, DHT, sos, scan, EOI])],
    ['a progressive JPEG (two scans, a table between them)', Buffer.concat([SOI, DQT, jpegSegment(0xc2, Buffer.from([8, 0, 4, 0, 4, 1, 1, 0x11, 0])), DHT, sos, scan, DHT, sos, scan, EOI])],
    ['a JPEG with bytes after EOI', Buffer.concat([SOI, sof, sos, scan, EOI, Buffer.from('trailing')])],
    ['the test JPEG', jpegBytes({ width: 3, height: 2, payloadBytes: 1000 })],
    ['a real PNG', buildPng(5, 3)],
    ['a palette PNG', buildPng(5, 3, 3)],
    ['the test PNG', pngBytes({ width: 3, height: 2, payloadBytes: 1000 })],
    ['the test GIF (sub-blocks of 255)', gifBytes({ width: 3, height: 2, payloadBytes: 1000 })],
    ['an uncompressed BMP with padded rows', bmp(3, 2, 2 * 12)],
  ])('accepts %s', (_label, bytes) => {
    expect(structureError(bytes)).toBeUndefined();
  });

  const png = buildPng(5, 3);
  const flipped = Buffer.from(png);
  flipped[png.length - 20] ^= 0x01; // inside the IDAT data
  const gifWithTable = (() => {
    const g = gifBytes({ width: 2, height: 2, payloadBytes: 10 });
    const withTable = Buffer.concat([g.subarray(0, 13), Buffer.alloc(6), g.subarray(13)]);
    withTable[10] = 0x80; // global colour table of 2 entries
    return withTable;
  })();
  it('walks past a global colour table', () => expect(structureError(gifWithTable)).toBeUndefined());

  it.each<[string, Buffer, RegExp]>([
    ['a JPEG without EOI', Buffer.concat([SOI, sof, sos, scan]), /JPEG: the file ends before the end-of-image \(EOI\) marker/],
    ['a JPEG cut inside a segment', Buffer.concat([SOI, APP0_JFIF, sof, DQT]).subarray(0, 40), /JPEG: the file ends before/],
    ['a JPEG with garbage where a marker belongs', Buffer.concat([SOI, sof, Buffer.from([0x12, 0x34]), EOI]), /JPEG: expected a marker, found 0x12/],
    ['a PNG without IEND', png.subarray(0, png.length - 12), /PNG: the file ends before the IEND chunk/],
    ['a PNG cut inside IDAT', png.subarray(0, png.length - 20), /PNG: chunk "IDAT" of \d+ bytes runs past the end/],
    ['a PNG with a bit flipped in IDAT', flipped, /PNG: chunk "IDAT" has CRC/],
    ['a GIF without its trailer', gifBytes({ width: 2, height: 2, payloadBytes: 600 }).subarray(0, 300), /GIF: the file ends before the trailer/],
    ['a GIF with an unknown block', Buffer.concat([gifBytes({ width: 2, height: 2 }).subarray(0, 13), Buffer.from([0x99, 0x3b])]), /GIF: expected an image, extension or trailer block, found 0x99/],
    ['a BMP whose rows are cut short', bmp(3, 2, 12), /BMP: 3×2 at 24 bits needs 78 bytes, the file has 66/],
  ])('rejects %s', (_label, bytes, message) => {
    const error = structureError(bytes);
    expect(error).toBeInstanceOf(ImageStructureError);
    expect(error?.message).toMatch(message);
  });
});
