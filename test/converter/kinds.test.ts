import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DatasetError, DatasetProblem } from '../../lambda/src/dataset/dataset-errors';
import { RejectReason } from '../../lambda/src/dataset/entry-outcome';
import type { DatasetManifest } from '../../lambda/src/dataset/manifest';
import { readTFRecordsFromBuffer } from '../../lambda/src/tfrecord/record-reader';
import { ZipFormatError } from '../../lambda/src/zip/zip-errors';
import { buildZip, type ZipEntrySpec } from '../support/zip-builder';
import { convertUploadToDirectory, removeDir } from './helpers';
import { corpus, good } from './hostile-corpus';

const FIXTURES = join(__dirname, '..', 'fixtures', 'tfrecord');
const cifarTrain = readFileSync(join(FIXTURES, 'tfx_cifar10_train.tfrecord'));
const cifarTest = readFileSync(join(FIXTURES, 'tfx_cifar10_test.tfrecord'));
const torchdata = readFileSync(join(FIXTURES, 'torchdata_example.tfrecord'));

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/** Every file below `dir`, relative paths with `/`, sorted. */
function walk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => statSync(join(dir, p)).isFile())
    .map((p) => relative(dir, join(dir, p)).split('\\').join('/'))
    .sort();
}

function binary(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed * 2654435761 + 1;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('kind files: a zip kept as it is', () => {
  const files: ZipEntrySpec[] = [
    { name: 'config.json', data: Buffer.from('{"lr": 0.001}\n'), method: 8 },
    { name: 'checkpoints/' },
    { name: 'checkpoints/step-100/model.ckpt.data-00000-of-00001', data: binary(300_000, 1) },
    { name: 'checkpoints/step-100/model.ckpt.index', data: binary(1_000, 2), method: 8 },
    { name: 'checkpoints/step-100/EMPTY', data: Buffer.alloc(0) },
    { name: 'pretrained/weights/ünïcode name.bin', data: binary(70_000, 3), method: 8 },
    { name: 'tokenizer/vocab.txt', data: Buffer.from('a\nb\nc\n'.repeat(10)) },
    { name: '__MACOSX/._config.json', data: Buffer.from('x') },
    { name: '.DS_Store', data: Buffer.from('x') },
  ];

  it('puts each file at its zip path byte for byte (nested folders, empty and binary files) and lists each with size and SHA-256', async () => {
    const { dir, root, result, error } = await convertUploadToDirectory(buildZip(files), { kind: 'files' });
    try {
      expect(error).toBeUndefined();
      const kept = files.filter((f) => f.data !== undefined && !String(f.name).startsWith('__MACOSX') && f.name !== '.DS_Store');
      expect(walk(dir)).toEqual([...kept.map((f) => String(f.name)), 'manifest.json'].sort());
      for (const f of kept) expect(readFileSync(join(dir, String(f.name))).equals(f.data!)).toBe(true);
      const manifest = result!.manifest;
      expect(manifest).toMatchObject({ kind: 'files', records: 0, shards: [], labelsFile: null, entries: { total: 9, converted: 6, skipped: 3, rejected: 0 } });
      expect(manifest.files).toEqual(kept.map((f) => ({ path: String(f.name), bytes: f.data!.length, sha256: sha256(f.data!) })));
      expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))).toEqual(manifest);
    } finally {
      removeDir(root);
    }
  });

  it.each([
    ['a top-level manifest.json (the converter\'s own file)', [{ name: 'manifest.json', data: Buffer.from('{}') }], [['manifest.json', RejectReason.RESERVED_NAME]]],
    ['a file that is also a folder of other files', [{ name: 'model', data: Buffer.from('x') }, { name: 'model/weights.bin', data: Buffer.from('y') }], [['model', RejectReason.PATH_CONFLICT]]],
  ] as const)('rejects %s, naming it', async (_label, extra, rejected) => {
    const { root, error } = await convertUploadToDirectory(buildZip([{ name: 'ok.bin', data: Buffer.from('ok') }, ...extra]), { kind: 'files' });
    removeDir(root);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).rejected.map((r) => [r.name, r.reason])).toEqual(rejected);
  });

  // The images corpus, as kind files: every zip-level and entry-level check applies the same way;
  // what only images need (an image extension, a decodable image, a non-empty file, one layout, an
  // entry ratio of 100:1 — see compression-ratio.test.ts) does not.
  const IMAGE_ONLY = new Set<RejectReason>([RejectReason.NOT_AN_IMAGE, RejectReason.BROKEN_IMAGE, RejectReason.CORRUPT_IMAGE, RejectReason.IMAGE_TOO_LARGE, RejectReason.EMPTY_FILE, RejectReason.COMPRESSION_RATIO]);
  it.each(corpus)('hostile corpus as files: %s', async (_label, makeZip, expected, options = {}) => {
    const { dir, root, result, error } = await convertUploadToDirectory(makeZip(), { ...options, kind: 'files' });
    try {
      if ('zip' in expected) {
        expect(error).toBeInstanceOf(ZipFormatError);
        expect(([] as string[]).concat(expected.zip)).toContain((error as ZipFormatError).problem);
      } else if (expected.dataset === DatasetProblem.EMPTY_ZIP) {
        expect((error as DatasetError).problem).toBe(DatasetProblem.EMPTY_ZIP);
      } else {
        const stillRejected = (expected.rejected ?? []).filter(([, reason]) => !IMAGE_ONLY.has(reason));
        if (stillRejected.length === 0) {
          expect(error).toBeUndefined();
          expect(result!.manifest.entries.rejected).toBe(0);
          for (const f of result!.manifest.files) expect(sha256(readFileSync(join(dir, f.path)))).toBe(f.sha256);
          return;
        }
        expect(error).toBeInstanceOf(DatasetError);
        expect([DatasetProblem.REJECTED_ENTRIES, DatasetProblem.ALL_ENTRIES_REJECTED]).toContain((error as DatasetError).problem);
        expect((error as DatasetError).rejected.map((r) => [r.name, r.reason])).toEqual(stillRejected);
      }
      expect(existsSync(dir)).toBe(false); // nothing left behind, not even the folders
    } finally {
      removeDir(root);
    }
  });
});

describe('kind tfrecord: TFRecord files verified and kept byte for byte', () => {
  it('keeps TensorFlow-written files identical, from a zip of them at their zip paths', async () => {
    const zip = buildZip([
      { name: 'cifar/train.tfrecord', data: cifarTrain, method: 8 },
      { name: 'cifar/test.tfrecord', data: cifarTest },
      { name: 'torch.tfrecords', data: torchdata },
    ]);
    const { dir, root, result, error } = await convertUploadToDirectory(zip, { kind: 'tfrecord' });
    try {
      expect(error).toBeUndefined();
      expect(walk(dir)).toEqual(['cifar/test.tfrecord', 'cifar/train.tfrecord', 'manifest.json', 'torch.tfrecords']);
      expect(readFileSync(join(dir, 'cifar/train.tfrecord')).equals(cifarTrain)).toBe(true);
      expect(readFileSync(join(dir, 'cifar/test.tfrecord')).equals(cifarTest)).toBe(true);
      expect(readFileSync(join(dir, 'torch.tfrecords')).equals(torchdata)).toBe(true);
      const counts = [cifarTrain, cifarTest, torchdata].map((b) => readTFRecordsFromBuffer(b).length);
      expect(result!.manifest).toMatchObject({
        kind: 'tfrecord',
        records: counts[0] + counts[1] + counts[2],
        files: [
          { path: 'cifar/train.tfrecord', bytes: cifarTrain.length, sha256: sha256(cifarTrain), records: counts[0] },
          { path: 'cifar/test.tfrecord', bytes: cifarTest.length, sha256: sha256(cifarTest), records: counts[1] },
          { path: 'torch.tfrecords', bytes: torchdata.length, sha256: sha256(torchdata), records: counts[2] },
        ],
      });
    } finally {
      removeDir(root);
    }
  });

  it('keeps a single uploaded TFRecord file as <channel>.tfrecord', async () => {
    const { dir, root, result, error } = await convertUploadToDirectory(cifarTest, { kind: 'tfrecord', channel: 'evaluation' }, 'test.tfrecord');
    try {
      expect(error).toBeUndefined();
      expect(walk(dir)).toEqual(['evaluation.tfrecord', 'manifest.json']);
      expect(readFileSync(join(dir, 'evaluation.tfrecord')).equals(cifarTest)).toBe(true);
      expect(result!.manifest.entries).toEqual({ total: 1, converted: 1, skipped: 0, rejected: 0 });
    } finally {
      removeDir(root);
    }
  });

  const records = readTFRecordsFromBuffer(cifarTest);
  const third = records[2];
  const flip = (at: number) => {
    const copy = Buffer.from(cifarTest);
    copy[at] ^= 0x01;
    return copy;
  };
  it.each([
    ['a byte of record data', flip(third.offset + 12 + 100), /record 2 at byte offset \d+: data CRC mismatch/, third.offset],
    ['a byte of the length', flip(third.offset + 1), /record 2 at byte offset \d+: length CRC mismatch/, third.offset],
    ['the file cut inside a record', cifarTest.subarray(0, third.offset + 50), /record 2 at byte offset \d+: truncated data/, third.offset],
  ])('refuses a file with %s, naming the file and the byte offset; nothing is kept', async (_label, broken, message, offset) => {
    for (const [input, name] of [[buildZip([{ name: 'ok.tfrecord', data: torchdata }, { name: 'data/bad.tfrecord', data: broken, method: 8 }]), 'data/bad.tfrecord'], [broken, 'training.tfrecord']] as const) {
      const { dir, root, error } = await convertUploadToDirectory(input, { kind: 'tfrecord' });
      removeDir(root);
      expect(error).toBeInstanceOf(DatasetError);
      const rejected = (error as DatasetError).rejected;
      expect(rejected).toEqual([expect.objectContaining({ name, reason: RejectReason.CORRUPT_RECORD, detail: expect.stringMatching(message) })]);
      expect(rejected[0].detail).toContain(`byte offset ${offset}`);
      expect((error as Error).message).toContain(JSON.stringify(name));
      expect((error as Error).message).toContain(`byte offset ${offset}`);
      expect(existsSync(dir)).toBe(false);
    }
  });

  it('rejects files that are not named as TFRecord files', async () => {
    const { root, error } = await convertUploadToDirectory(buildZip([{ name: 'a.tfrecord', data: torchdata }, { name: 'notes.txt', data: Buffer.from('x') }]), { kind: 'tfrecord' });
    removeDir(root);
    expect((error as DatasetError).rejected.map((r) => [r.name, r.reason])).toEqual([['notes.txt', RejectReason.NOT_A_TFRECORD]]);
  });

  it('applies the zip checks to a zip of TFRecord files too (unsafe names, duplicates)', async () => {
    const { root, error } = await convertUploadToDirectory(buildZip([
      { name: 'a.tfrecord', data: torchdata },
      { name: '../evil.tfrecord', data: torchdata },
      { name: 'b.tfrecord', data: torchdata },
      { name: 'b.tfrecord', data: torchdata },
    ]), { kind: 'tfrecord' });
    removeDir(root);
    expect((error as DatasetError).rejected.map((r) => [r.name, r.reason])).toEqual([
      ['../evil.tfrecord', RejectReason.UNSAFE_NAME], ['b.tfrecord', RejectReason.DUPLICATE_NAME], ['b.tfrecord', RejectReason.DUPLICATE_NAME],
    ]);
  });

  it('says an empty upload is empty', async () => {
    const { root, error } = await convertUploadToDirectory(Buffer.alloc(0), { kind: 'tfrecord' });
    removeDir(root);
    expect((error as DatasetError).problem).toBe(DatasetProblem.EMPTY_ZIP);
    expect((error as Error).message).toMatch(/is empty \(0 bytes\)/);
  });
});

describe('manifests of every kind', () => {
  it('record the kind; images keep their shards and list no files', async () => {
    const { root, result } = await convertUploadToDirectory(buildZip(good));
    removeDir(root);
    const manifest: DatasetManifest = result!.manifest;
    expect(manifest.kind).toBe('images');
    expect(manifest.files).toEqual([]);
    expect(manifest.shards.length).toBeGreaterThan(0);
  });
});
