import { deflateRawSync } from 'node:zlib';
import { DatasetError } from '../../lambda/src/dataset/dataset-errors';
import { RejectReason } from '../../lambda/src/dataset/entry-outcome';
import { KIND_ZIP_LIMITS, resolveOptions, type DatasetKind } from '../../lambda/src/dataset/options';
import { frameRecord } from '../../lambda/src/tfrecord/record-framing';
import { ZipFormatError, ZipProblem } from '../../lambda/src/zip/zip-errors';
import { ARCHIVE_RATIO_FLOOR_BYTES, DEFLATE_MAX_RATIO } from '../../lambda/src/zip/zip-limits';
import { buildZip, type ZipEntrySpec } from '../support/zip-builder';
import { convertUploadToDirectory, removeDir } from './helpers';
import { good } from './hostile-corpus';

const MiB = 1024 * 1024;
/** One MiB of zeros: DEFLATE makes about a kilobyte of it (≈ 1000:1), like a fresh optimizer state. */
const zeros = Buffer.alloc(MiB);
const zeroRecords = Buffer.concat(frameRecord(zeros));

describe('compression ratio: one explicit rule per kind', () => {
  test.each([
    ['images', 100, 64 * MiB],
    ['files', DEFLATE_MAX_RATIO, 1024 ** 4],
    ['tfrecord', DEFLATE_MAX_RATIO, 1024 ** 4],
  ] as const)('%s: an entry may expand %d:1 and be %d bytes; every kind: the zip as a whole at most 100:1 above 1 GiB', (kind, entryRatio, entryBytes) => {
    expect(resolveOptions({ kind }).limits).toMatchObject({ maxCompressionRatio: entryRatio, maxEntryUncompressedBytes: entryBytes, maxArchiveCompressionRatio: 100, maxTotalUncompressedBytes: 1024 ** 4 });
    expect(Object.keys(KIND_ZIP_LIMITS).sort()).toEqual(['files', 'images', 'tfrecord']);
  });

  test('an explicit limit still wins over the kind\'s', () => {
    expect(resolveOptions({ kind: 'files', limits: { maxCompressionRatio: 50 } }).limits.maxCompressionRatio).toBe(50);
  });

  const highlyCompressed: Record<DatasetKind, ZipEntrySpec[]> = {
    images: [...good, { name: 'cat/zeros.jpg', data: zeros, method: 8 }],
    files: [{ name: 'model/weights.bin', data: Buffer.from('weights') }, { name: 'optimizer/adam_m.bin', data: zeros, method: 8 }],
    tfrecord: [{ name: 'train/padded.tfrecord', data: zeroRecords, method: 8 }],
  };

  test('an entry of zeros (≈ 1000:1) is a zip bomb among images, and kept byte for byte as a checkpoint file or a TFRecord', async () => {
    expect(deflateRawSync(zeros).length * 500).toBeLessThan(zeros.length); // really above 500:1
    const images = await convertUploadToDirectory(buildZip(highlyCompressed.images), { kind: 'images' });
    removeDir(images.root);
    expect(images.error).toBeInstanceOf(DatasetError);
    expect((images.error as DatasetError).rejected.map((r) => [r.name, r.reason])).toEqual([['cat/zeros.jpg', RejectReason.COMPRESSION_RATIO]]);
    expect((images.error as DatasetError).rejected[0].detail).toMatch(/exceeds the limit of 100:1/);

    for (const kind of ['files', 'tfrecord'] as const) {
      const kept = await convertUploadToDirectory(buildZip(highlyCompressed[kind]), { kind });
      removeDir(kept.root);
      expect(kept.error).toBeUndefined();
      expect(kept.result!.manifest.entries.rejected).toBe(0);
      const big = kept.result!.manifest.files.find((f) => f.bytes >= MiB);
      expect(big).toBeDefined();
    }
  });

  test.each(['images', 'files', 'tfrecord'] as const)('%s: a zip whose entries declare more than 100 times its size (above 1 GiB) is refused as a whole before any data is read', async (kind) => {
    // Two entries that each declare 600 MiB behind a few bytes of data (the header lies; the
    // declared sizes are all the archive check looks at, and inflating is bounded by them).
    const name = (i: number) => (kind === 'images' ? `cat/${i}.jpg` : kind === 'tfrecord' ? `${i}.tfrecord` : `${i}.bin`);
    const lying = (i: number): ZipEntrySpec => ({ name: name(i), rawData: deflateRawSync(Buffer.alloc(4096)), method: 8, uncompressedSize: 600 * MiB });
    const zip = buildZip([lying(0), lying(1)]);
    expect(1200 * MiB).toBeGreaterThan(ARCHIVE_RATIO_FLOOR_BYTES);
    const { root, error } = await convertUploadToDirectory(zip, { kind });
    removeDir(root);
    expect(error).toBeInstanceOf(ZipFormatError);
    expect((error as ZipFormatError).problem).toBe(ZipProblem.TOTAL_SIZE_LIMIT);
    expect((error as Error).message).toMatch(/the entries declare 1258291200 uncompressed bytes, \d+ times the zip's \d+ bytes; a zip may expand at most 100:1 as a whole/);
  });

  test('below 1 GiB in total, a zip of highly compressed files is not judged by its overall ratio', async () => {
    const { root, error, result } = await convertUploadToDirectory(buildZip([{ name: 'a.bin', data: zeros, method: 8 }, { name: 'b.bin', data: zeros, method: 8 }]), { kind: 'files' });
    removeDir(root);
    expect(error).toBeUndefined();
    expect(result!.manifest.files.map((f) => f.bytes)).toEqual([MiB, MiB]);
  });
});
