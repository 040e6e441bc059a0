import { deflateRawSync } from 'node:zlib';
import { DatasetProblem } from '../../lambda/src/dataset/dataset-errors';
import { RejectReason } from '../../lambda/src/dataset/entry-outcome';
import type { ConversionOptions } from '../../lambda/src/dataset/options';
import { ZipProblem } from '../../lambda/src/zip/zip-errors';
import { gifBytes, jpegBytes, pngBytes } from '../support/images';
import { buildZip, type ZipEntrySpec } from '../support/zip-builder';

/**
 * The held-back hostile and broken zips with the documented outcome of converting each as images.
 * test/converter/kinds.test.ts runs the same corpus as kind `files`, deriving its outcome.
 */
export const jpg = (seed = 0) => jpegBytes({ width: 8, height: 6, payloadBytes: 300, seed });
export const good: ZipEntrySpec[] = [
  { name: 'cat/1.jpg', data: jpg(1) },
  { name: 'dog/2.jpg', data: jpg(2), method: 8 },
];
const gbkName = Buffer.concat([Buffer.from([0xb9, 0xb7]), Buffer.from('/3.jpg')]); // 狗

export type Expectation = { zip: ZipProblem | readonly ZipProblem[] } | { dataset: DatasetProblem; rejected?: readonly (readonly [string, RejectReason])[] };

// Zips are built lazily: jest-each formats table rows, which is slow for large buffers.
export const corpus: [string, () => Buffer, Expectation, ConversionOptions?][] = [
  ['not a zip', () => Buffer.from('GIF89a this is a gif, not a zip '.repeat(50)), { zip: ZipProblem.NOT_A_ZIP }],
  ['an empty file', () => Buffer.alloc(0), { zip: ZipProblem.NOT_A_ZIP }],
  ['a truncated zip', () => buildZip(good).subarray(0, 400), { zip: ZipProblem.NOT_A_ZIP }],
  ['a zip truncated inside the central directory', () => { const z = buildZip(good); return Buffer.concat([z.subarray(0, z.length - 40), z.subarray(z.length - 22)]); }, { zip: [ZipProblem.MALFORMED, ZipProblem.TRUNCATED, ZipProblem.OVERLAPPING_ENTRIES] }],
  ['an empty zip', () => buildZip([]), { dataset: DatasetProblem.EMPTY_ZIP, rejected: [] }],
  ['a zip of folders and OS metadata only', () => buildZip([{ name: 'docs/' }, { name: '__MACOSX/._x.jpg', data: Buffer.from('x') }, { name: '.DS_Store', data: Buffer.from('x') }]), { dataset: DatasetProblem.EMPTY_ZIP, rejected: [] }],
  ['a zip without images', () => buildZip([{ name: 'readme.txt', data: Buffer.from('hi') }, { name: 'docs/' }]), { dataset: DatasetProblem.ALL_ENTRIES_REJECTED, rejected: [['readme.txt', RejectReason.NOT_AN_IMAGE]] }],
  ['a zip of unsafe names only', () => buildZip([{ name: '../evil.jpg', data: jpg() }, { name: '/abs/x.jpg', data: jpg() }]), { dataset: DatasetProblem.ALL_ENTRIES_REJECTED, rejected: [['../evil.jpg', RejectReason.UNSAFE_NAME], ['/abs/x.jpg', RejectReason.UNSAFE_NAME]] }],
  ['a zip of undecodable names only', () => buildZip([{ name: gbkName, data: jpg() }]), { dataset: DatasetProblem.ALL_ENTRIES_REJECTED, rejected: [['\\xB9\\xB7/3.jpg', RejectReason.NAME_ENCODING]] }],
  ['a zip of duplicates only', () => buildZip([{ name: 'cat/1.jpg', data: jpg(1) }, { name: 'cat/1.jpg', data: jpg(2) }]), { dataset: DatasetProblem.ALL_ENTRIES_REJECTED, rejected: [['cat/1.jpg', RejectReason.DUPLICATE_NAME], ['cat/1.jpg', RejectReason.DUPLICATE_NAME]] }],
  ['a zip of symlinks only', () => buildZip([{ name: 'cat/l.jpg', data: Buffer.from('/etc/passwd'), unixMode: 0o120777 }]), { dataset: DatasetProblem.ALL_ENTRIES_REJECTED, rejected: [['cat/l.jpg', RejectReason.SYMLINK]] }],
  ['a zip of zips', () => buildZip([{ name: 'a.zip', data: buildZip(good) }, { name: 'b.zip', data: buildZip(good) }]), { dataset: DatasetProblem.ALL_ENTRIES_REJECTED, rejected: [['a.zip', RejectReason.NOT_AN_IMAGE], ['b.zip', RejectReason.NOT_AN_IMAGE]] }],
  ['an encrypted stored entry without the 12-byte encryption header', () => buildZip([...good, { name: 'cat/e.jpg', data: jpg(), rawData: jpg(), encrypted: true }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/e.jpg', RejectReason.ENCRYPTED]] }],
  ['a JPEG cut short before its end marker', () => buildZip([...good, { name: 'cat/cut.jpg', data: jpg(4).subarray(0, jpg(4).length - 2) }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/cut.jpg', RejectReason.CORRUPT_IMAGE]] }],
  ['a PNG without IEND', () => buildZip([...good, { name: 'cat/cut.png', data: pngBytes({ width: 4, height: 4, payloadBytes: 100 }).subarray(0, 100) }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/cut.png', RejectReason.CORRUPT_IMAGE]] }],
  ['a GIF without its trailer', () => buildZip([...good, { name: 'cat/cut.gif', data: gifBytes({ width: 4, height: 4, payloadBytes: 300 }).subarray(0, 200) }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [['cat/cut.gif', RejectReason.CORRUPT_IMAGE]] }],
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
  ['a path component over 255 bytes', () => buildZip([...good, { name: `cat/${'a'.repeat(252)}.jpg`, data: jpg() }]), { dataset: DatasetProblem.REJECTED_ENTRIES, rejected: [[`cat/${'a'.repeat(252)}.jpg`, RejectReason.UNSAFE_NAME]] }],
  ['a central directory above the memory budget', () => buildZip(good), { zip: ZipProblem.DIRECTORY_TOO_LARGE }, { limits: { maxIndexBytes: 1000 } }],
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
  ['only rejected images', () => buildZip([{ name: 'cat/1.jpg', data: Buffer.from('nope') }]), { dataset: DatasetProblem.ALL_ENTRIES_REJECTED, rejected: [['cat/1.jpg', RejectReason.BROKEN_IMAGE]] }, { maxRejectedFraction: 1 }],
];

