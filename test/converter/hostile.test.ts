import { readdirSync } from 'node:fs';
import { deflateRawSync } from 'node:zlib';
import { DatasetError, DatasetProblem } from '../../lambda/src/dataset/dataset-errors';
import { RejectReason } from '../../lambda/src/dataset/entry-outcome';
import type { ConversionOptions } from '../../lambda/src/dataset/options';
import { ZipFormatError, ZipProblem } from '../../lambda/src/zip/zip-errors';
import { jpegBytes, pngBytes } from '../support/images';
import { buildZip, type ZipEntrySpec } from '../support/zip-builder';
import { convertToDirectory, removeDir } from './helpers';

const jpg = (seed = 0) => jpegBytes({ width: 8, height: 6, payloadBytes: 300, seed });
const good: ZipEntrySpec[] = [
  { name: 'cat/1.jpg', data: jpg(1) },
  { name: 'dog/2.jpg', data: jpg(2), method: 8 },
];
const gbkName = Buffer.concat([Buffer.from([0xb9, 0xb7]), Buffer.from('/3.jpg')]); // 狗

type Expectation = { zip: ZipProblem | readonly ZipProblem[] } | { dataset: DatasetProblem; rejected?: readonly (readonly [string, RejectReason])[] };

// Zips are built lazily: jest-each formats table rows, which is slow for large buffers.
const corpus: [string, () => Buffer, Expectation, ConversionOptions?][] = [
  ['not a zip', () => Buffer.from('GIF89a this is a gif, not a zip '.repeat(50)), { zip: ZipProblem.NOT_A_ZIP }],
  ['an empty file', () => Buffer.alloc(0), { zip: ZipProblem.NOT_A_ZIP }],
  ['a truncated zip', () => buildZip(good).subarray(0, 400), { zip: ZipProblem.NOT_A_ZIP }],
  ['a zip truncated inside the central directory', () => { const z = buildZip(good); return Buffer.concat([z.subarray(0, z.length - 40), z.subarray(z.length - 22)]); }, { zip: [ZipProblem.MALFORMED, ZipProblem.TRUNCATED, ZipProblem.OVERLAPPING_ENTRIES] }],
  ['an empty zip', () => buildZip([]), { dataset: DatasetProblem.NO_IMAGES }],
  ['a zip without images', () => buildZip([{ name: 'readme.txt', data: Buffer.from('hi') }, { name: 'docs/' }]), { dataset: DatasetProblem.NO_IMAGES }],
  ['images at the root and in class folders', () => buildZip([...good, { name: 'stray.jpg', data: jpg() }]), { dataset: DatasetProblem.MIXED_LAYOUT }],
  ['a .. entry name', () => buildZip([...good, { name: 'cat/../../evil.jpg', data: jpg() }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/../../evil.jpg', RejectReason.UNSAFE_NAME]] }],
  ['an absolute entry name', () => buildZip([...good, { name: '/etc/cat/x.jpg', data: jpg() }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['/etc/cat/x.jpg', RejectReason.UNSAFE_NAME]] }],
  ['a backslash entry name', () => buildZip([...good, { name: 'cat\\4.jpg', data: jpg() }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat\\4.jpg', RejectReason.UNSAFE_NAME]] }],
  ['a NUL in an entry name', () => buildZip([...good, { name: 'cat/4.jpg\u0000.txt', data: jpg() }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/4.jpg\u0000.txt', RejectReason.UNSAFE_NAME]] }],
  ['an encrypted entry', () => buildZip([...good, { name: 'cat/5.jpg', data: jpg(), encrypted: true }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/5.jpg', RejectReason.ENCRYPTED]] }],
  ['a symlink entry', () => buildZip([...good, { name: 'cat/6.jpg', data: Buffer.from('/etc/shadow'), unixMode: 0o120777 }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/6.jpg', RejectReason.SYMLINK]] }],
  ['duplicate names', () => buildZip([...good, { name: 'cat/1.jpg', data: jpg(9) }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/1.jpg', RejectReason.DUPLICATE_NAME], ['cat/1.jpg', RejectReason.DUPLICATE_NAME]] }],
  ['bzip2 and LZMA entries', () => buildZip([...good, { name: 'cat/7.jpg', data: jpg(), method: 12 }, { name: 'cat/8.jpg', data: jpg(), method: 14 }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/7.jpg', RejectReason.UNSUPPORTED_COMPRESSION], ['cat/8.jpg', RejectReason.UNSUPPORTED_COMPRESSION]] }],
  [
    'overlapping entries (a Fifield bomb: 200 entries × 1 MiB from one kernel)',
    () => {
      const kernel = deflateRawSync(Buffer.alloc(1024 * 1024));
      const bomb = { rawData: kernel, method: 8, uncompressedSize: 1024 * 1024, crc32: 0 };
      return buildZip([{ name: 'cat/0.jpg', ...bomb }, ...Array.from({ length: 199 }, (_, i) => ({ name: `cat/${i + 1}.jpg`, aliasOf: 0, ...bomb }))]);
    },
    { zip: ZipProblem.OVERLAPPING_ENTRIES },
  ],
  ['a compression ratio above the cap', () => buildZip([...good, { name: 'cat/zeros.jpg', data: Buffer.alloc(1024 * 1024), method: 8 }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/zeros.jpg', RejectReason.COMPRESSION_RATIO]] }],
  ['a total uncompressed size above the cap', () => buildZip(good), { zip: ZipProblem.TOTAL_SIZE_LIMIT }, { limits: { maxTotalUncompressedBytes: 500 } }],
  ['an entry above the per-entry cap', () => buildZip(good), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/1.jpg', RejectReason.ENTRY_TOO_LARGE], ['dog/2.jpg', RejectReason.ENTRY_TOO_LARGE]] }, { limits: { maxEntryUncompressedBytes: 100 } }],
  ['more entries than the entry-count cap', () => buildZip(good), { zip: ZipProblem.TOO_MANY_ENTRIES }, { limits: { maxEntries: 1 } }],
  [
    'a deflated entry that inflates past its declared size (100 MiB of zeros declared as 200 KiB)',
    () => buildZip([...good, { name: 'cat/liar.jpg', rawData: deflateRawSync(Buffer.alloc(100 * 1024 * 1024)), method: 8, uncompressedSize: 200 * 1024, crc32: 0 }]),
    { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/liar.jpg', RejectReason.SIZE_MISMATCH]] },
  ],
  ['a deflated entry shorter than declared', () => buildZip([...good, { name: 'cat/short.jpg', data: jpg(), method: 8, uncompressedSize: jpg().length + 50 }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/short.jpg', RejectReason.SIZE_MISMATCH]] }],
  ['a stored entry whose sizes disagree', () => buildZip([...good, { name: 'cat/s.jpg', data: jpg(), compressedSize: 10 }]), { zip: ZipProblem.STORED_SIZE_MISMATCH }],
  ['a CRC-32 mismatch', () => buildZip([...good, { name: 'cat/crc.jpg', data: jpg(), crc32: 0xdeadbeef }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/crc.jpg', RejectReason.CRC_MISMATCH]] }],
  ['a corrupt deflate stream', () => buildZip([...good, { name: 'cat/bad.jpg', data: jpg(), method: 8, rawData: Buffer.alloc(50, 0xff) }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/bad.jpg', RejectReason.CORRUPT_DATA]] }],
  ['a GBK entry name', () => buildZip([...good, { name: gbkName, data: jpg() }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['\\xB9\\xB7/3.jpg', RejectReason.NAME_ENCODING]] }],
  ['a flagged-UTF-8 name that is not UTF-8', () => buildZip([...good, { name: Buffer.from([0x63, 0x61, 0x74, 0x2f, 0xff, 0x2e, 0x6a, 0x70, 0x67]), utf8Flag: true, data: jpg() }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/\\xFF.jpg', RejectReason.NAME_ENCODING]] }],
  ['an image with bad magic', () => buildZip([...good, { name: 'cat/text.jpg', data: Buffer.from('hello, not a jpeg') }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/text.jpg', RejectReason.BROKEN_IMAGE]] }],
  ['an image with a truncated header', () => buildZip([...good, { name: 'cat/trunc.png', data: pngBytes({ width: 4, height: 4 }).subarray(0, 20) }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/trunc.png', RejectReason.BROKEN_IMAGE]] }],
  ['a zero-byte image', () => buildZip([...good, { name: 'cat/empty.jpg' }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/empty.jpg', RejectReason.EMPTY_FILE]] }],
  ['an image with zero dimensions', () => buildZip([...good, { name: 'cat/zero.jpg', data: jpegBytes({ width: 0, height: 5 }) }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/zero.jpg', RejectReason.BROKEN_IMAGE]] }],
  ['an image above the pixel cap', () => buildZip([...good, { name: 'cat/big.png', data: pngBytes({ width: 60000, height: 60000 }) }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/big.png', RejectReason.IMAGE_TOO_LARGE]] }],
  ['a non-image file', () => buildZip([...good, { name: 'cat/notes.txt', data: Buffer.from('x') }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/notes.txt', RejectReason.NOT_AN_IMAGE]] }],
  ['a nested zip (never recursed into)', () => buildZip([...good, { name: 'cat/inner.zip', data: buildZip(good) }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/inner.zip', RejectReason.NOT_AN_IMAGE]] }],
  ['only rejected images', () => buildZip([{ name: 'cat/1.jpg', data: Buffer.from('nope') }]), { dataset: DatasetProblem.NO_IMAGES }, { maxRejectedFraction: 1 }],
];

describe('hostile and broken zips', () => {
  it.each(corpus)('%s: a clear error, and nothing left in the output directory', async (_label, makeZip, expected, options = {}) => {
    // options has a default: jest-each would otherwise take a 4th parameter missing from a row for a done callback.
    const { dir, result, error } = await convertToDirectory(makeZip(), options);
    try {
      expect(result).toBeUndefined();
      if ('zip' in expected) {
        expect(error).toBeInstanceOf(ZipFormatError);
        expect(([] as ZipProblem[]).concat(expected.zip)).toContain((error as ZipFormatError).problem);
        expect((error as ZipFormatError).message).toMatch(/^test\.zip: /);
      } else {
        expect(error).toBeInstanceOf(DatasetError);
        expect((error as DatasetError).problem).toBe(expected.dataset);
        if (expected.rejected) {
          expect((error as DatasetError).rejected.map((r) => [r.name, r.reason])).toEqual(expected.rejected);
          for (const r of (error as DatasetError).rejected) expect(r.detail.length).toBeGreaterThan(10);
        }
      }
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      removeDir(dir);
    }
  });

  it('lists every rejected entry, from the central directory and from reading data, in zip order', async () => {
    const zip = buildZip([...good, { name: 'cat/crc.jpg', data: jpg(), crc32: 1 }, { name: 'cat/x.txt', data: Buffer.from('x') }, { name: 'cat/bad.jpg', data: Buffer.from('bad') }, { name: 'cat/enc.jpg', data: jpg(), encrypted: true }]);
    const { dir, error } = await convertToDirectory(zip);
    removeDir(dir);
    expect((error as DatasetError).rejected.map((r) => [r.index, r.reason])).toEqual([
      [2, RejectReason.CRC_MISMATCH],
      [3, RejectReason.NOT_AN_IMAGE],
      [4, RejectReason.BROKEN_IMAGE],
      [5, RejectReason.ENCRYPTED],
    ]);
    expect((error as DatasetError).message).toMatch(/4 of 6 entries were rejected \(1 crc-mismatch, 1 not-an-image, 1 broken-image, 1 encrypted\); none are allowed/);
  });

  it('accepts rejections up to maxRejectedFraction and reports them in the manifest', async () => {
    const zip = buildZip([...good, { name: 'cat/3.jpg', data: jpg(3) }, { name: 'cat/bad.jpg', data: Buffer.from('bad') }]);
    const { dir, result } = await convertToDirectory(zip, { maxRejectedFraction: 0.25 });
    removeDir(dir);
    expect(result?.manifest.records).toBe(3);
    expect(result?.manifest.rejected).toEqual([{ index: 3, name: 'cat/bad.jpg', reason: RejectReason.BROKEN_IMAGE, detail: expect.stringMatching(/bad magic/) }]);
    expect(result?.manifest.entries).toEqual({ total: 4, converted: 3, skipped: 0, rejected: 1 });
  });

  it('still fails just above the allowed fraction', async () => {
    const zip = buildZip([...good, { name: 'cat/bad.jpg', data: Buffer.from('bad') }]);
    const { dir, error } = await convertToDirectory(zip, { maxRejectedFraction: 0.3 });
    removeDir(dir);
    expect((error as DatasetError).problem).toBe(DatasetProblem.REJECTED_ENTRIES);
  });

  it('decodes CP437 names without the UTF-8 flag (per the zip spec) and converts them', async () => {
    const cp437 = Buffer.concat([Buffer.from('caf'), Buffer.from([0x82]), Buffer.from('/1.jpg')]);
    const { dir, result } = await convertToDirectory(buildZip([{ name: cp437, data: jpg() }, { name: 'the/2.jpg', data: jpg(2) }]));
    removeDir(dir);
    expect(result?.manifest.classNames).toEqual(['café', 'the']);
  });
});
