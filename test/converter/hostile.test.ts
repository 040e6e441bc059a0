import { existsSync } from 'node:fs';
import { DatasetError, DatasetProblem } from '../../lambda/src/dataset/dataset-errors';
import { RejectReason } from '../../lambda/src/dataset/entry-outcome';
import { ZipFormatError, ZipProblem } from '../../lambda/src/zip/zip-errors';
import { buildZip } from '../support/zip-builder';
import { corpus, good, jpg } from './hostile-corpus';
import { convertToDirectory, removeDir } from './helpers';

describe('hostile and broken zips', () => {
  it.each(corpus)('%s: a clear error naming every rejected entry, and no output folder left', async (_label, makeZip, expected, options = {}) => {
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
      expect(existsSync(dir)).toBe(false); // the output folder the run created is gone too
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

describe('messages that say what happened', () => {
  it('names encryption for an encrypted stored entry whose sizes do not include the encryption header', async () => {
    const { dir, error } = await convertToDirectory(buildZip([...good, { name: 'cat/e.jpg', data: jpg(), rawData: jpg(), encrypted: true }]));
    removeDir(dir);
    expect((error as DatasetError).rejected).toEqual([expect.objectContaining({ name: 'cat/e.jpg', reason: RejectReason.ENCRYPTED, detail: expect.stringMatching(/encrypted/) })]);
    expect((error as Error).message).not.toMatch(/size/);
  });

  it('lists every rejected entry when nothing is usable, with a summary of the reasons', async () => {
    const { dir, error } = await convertToDirectory(buildZip([{ name: '../a.jpg', data: jpg() }, { name: 'x.txt', data: Buffer.from('x') }, { name: 'inner.zip', data: buildZip(good) }]));
    removeDir(dir);
    expect((error as DatasetError).problem).toBe(DatasetProblem.ALL_ENTRIES_REJECTED);
    expect((error as DatasetError).message).toMatch(/every one of the 3 files in the zip was rejected \(1 unsafe-name, 2 not-an-image\)/);
    expect((error as DatasetError).rejected.map((r) => r.index)).toEqual([0, 1, 2]);
  });
});
