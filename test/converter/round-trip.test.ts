import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONVERTER_VERSION } from '../../lambda/src/dataset/version';
import { crc32c } from '../../lambda/src/tfrecord/crc32c';
import { readTFRecords } from '../../lambda/src/tfrecord/record-reader';
import { decodeExample } from '../../lambda/src/tfrecord/example';
import { createReadStream } from 'node:fs';
import { gifBytes, jpegBytes, pngBytes } from '../support/images';
import { buildZip, type ZipEntrySpec } from '../support/zip-builder';
import { bytesFeature, convertToDirectory, intFeature, listDir, removeDir } from './helpers';

interface Source {
  readonly name: string;
  readonly data: Buffer;
  readonly width: number;
  readonly height: number;
  readonly format: string;
}

function dataset(): Source[] {
  const out: Source[] = [];
  ['cat', 'dog', 'élan'].forEach((cls, c) => {
    for (let i = 0; i < 12; i++) {
      const width = 10 + i + c;
      const height = 20 + i;
      const kind = i % 3;
      const data = kind === 0 ? jpegBytes({ width, height, payloadBytes: 500 + i * 37, seed: c * 100 + i }) : kind === 1 ? pngBytes({ width, height, payloadBytes: 300 + i, seed: c * 100 + i }) : gifBytes({ width, height, seed: i });
      out.push({ name: `set/${cls}/${String(i).padStart(3, '0')}.${['jpg', 'png', 'gif'][kind]}`, data, width, height, format: ['jpeg', 'png', 'gif'][kind] });
    }
  });
  return out;
}

async function readShardFile(file: string) {
  const records = [];
  for await (const r of readTFRecords(createReadStream(file), { verifyCrc: true })) records.push(decodeExample(r.data));
  return records;
}

describe('converted shards read back with the TFRecord reader and Example decoder', () => {
  const images = dataset();
  const specs: ZipEntrySpec[] = [
    { name: 'set/' },
    { name: '__MACOSX/set/._x.jpg', data: Buffer.from('apple double') },
    ...images.map((img, i) => ({ name: img.name, data: img.data, method: i % 2 ? 8 : 0, dataDescriptor: i % 5 === 0 })),
    { name: 'set/cat/.DS_Store', data: Buffer.from('finder') },
  ];

  it('holds every image once, with original bytes, header dimensions, format, label and class text', async () => {
    const { dir, result, error } = await convertToDirectory(buildZip(specs), { targetShardBytes: 4000, seed: 3 });
    try {
      expect(error).toBeUndefined();
      const manifest = result!.manifest;
      expect(listDir(dir)).toEqual(['labels.txt', 'manifest.json', ...manifest.shards.map((s) => s.name)].sort());
      expect(readFileSync(join(dir, 'labels.txt'), 'utf8')).toBe('cat\ndog\nélan\n');
      expect(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))).toEqual(manifest);

      const byName = new Map(images.map((img) => [img.name, img]));
      const seen = new Set<string>();
      for (const shard of manifest.shards) {
        const file = join(dir, shard.name);
        const bytes = readFileSync(file);
        expect(shard.bytes).toBe(bytes.length);
        expect(shard.checksum).toEqual({ algorithm: 'crc32c', value: crc32c(bytes).toString(16).padStart(8, '0') });
        const records = await readShardFile(file);
        expect(records).toHaveLength(shard.records);
        for (const f of records) {
          expect(Object.keys(f).sort()).toEqual(['image/class/label', 'image/class/text', 'image/encoded', 'image/filename', 'image/format', 'image/height', 'image/width']);
          const name = bytesFeature(f, 'image/filename').toString('utf8');
          const source = byName.get(name)!;
          expect(source).toBeDefined();
          expect(seen.has(name)).toBe(false);
          seen.add(name);
          expect(bytesFeature(f, 'image/encoded').equals(source.data)).toBe(true);
          expect(bytesFeature(f, 'image/format').toString()).toBe(source.format);
          expect([intFeature(f, 'image/width'), intFeature(f, 'image/height')]).toEqual([source.width, source.height]);
          const cls = name.split('/')[1];
          expect(bytesFeature(f, 'image/class/text').toString('utf8')).toBe(cls);
          expect(intFeature(f, 'image/class/label')).toBe(manifest.classNames.indexOf(cls));
        }
      }
      expect(seen.size).toBe(images.length);
      expect(manifest.shards.length).toBeGreaterThan(3);
    } finally {
      removeDir(dir);
    }
  });

  it('writes a manifest that accounts for every entry', async () => {
    const { dir, result } = await convertToDirectory(buildZip(specs), { targetShardBytes: 4000, seed: 3 });
    removeDir(dir);
    const m = result!.manifest;
    expect(m).toMatchObject({
      manifestVersion: 1,
      converter: { name: 'cdk-sagemaker-datasets', version: CONVERTER_VERSION },
      source: { kind: 'memory', label: 'test.zip', size: expect.any(Number) },
      options: { channel: 'training', targetShardBytes: 4000, seed: 3, maxRejectedFraction: 0 },
      labeled: true,
      wrapperFolder: 'set',
      classNames: ['cat', 'dog', 'élan'],
      classes: [
        { label: 0, name: 'cat', records: 12 },
        { label: 1, name: 'dog', records: 12 },
        { label: 2, name: 'élan', records: 12 },
      ],
      labelsFile: 'labels.txt',
      records: 36,
      entries: { total: 39, converted: 36, skipped: 3, rejected: 0 },
      skipped: [
        { index: 0, name: 'set/', reason: 'directory' },
        { index: 1, name: '__MACOSX/set/._x.jpg', reason: 'os-metadata' },
        { index: 38, name: 'set/cat/.DS_Store', reason: 'os-metadata' },
      ],
      rejected: [],
    });
    expect(m.shards.reduce((n, s) => n + s.records, 0)).toBe(36);
    expect(Object.keys(m.timing)).toEqual(['startedAt', 'finishedAt', 'durationMs']);
  });

  it('writes unlabeled datasets without label features or labels.txt', async () => {
    const flat = images.slice(0, 6).map((img) => ({ name: img.name.split('/').pop()!, data: img.data }));
    const { dir, result } = await convertToDirectory(buildZip(flat), { channel: 'unlabeled' });
    try {
      expect(result!.manifest).toMatchObject({ labeled: false, classNames: [], classes: [], labelsFile: null, records: 6, wrapperFolder: null });
      expect(listDir(dir)).toEqual(['manifest.json', 'unlabeled-00000-of-00001.tfrecord']);
      const records = await readShardFile(join(dir, 'unlabeled-00000-of-00001.tfrecord'));
      expect(records).toHaveLength(6);
      for (const f of records) expect(Object.keys(f).sort()).toEqual(['image/encoded', 'image/filename', 'image/format', 'image/height', 'image/width']);
    } finally {
      removeDir(dir);
    }
  });

  it('keeps the converter version equal to package.json', () => {
    expect(CONVERTER_VERSION).toBe(JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')).version);
  });
});
