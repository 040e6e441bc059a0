import fc from 'fast-check';
import { DatasetError, DatasetProblem } from '../../lambda/src/dataset/dataset-errors';
import { jpegBytes, pngBytes } from '../support/images';
import type { ZipEntrySpec } from '../support/zip-builder';
import { convertInMemory, readShard } from './helpers';

type Kind = 'image' | 'png' | 'directory' | 'macosx' | 'ds_store' | 'text' | 'broken' | 'bad-crc' | 'encrypted' | 'duplicate' | 'unsafe' | 'symlink' | 'bzip2';
const KINDS: Kind[] = ['image', 'image', 'image', 'png', 'directory', 'macosx', 'ds_store', 'text', 'broken', 'bad-crc', 'encrypted', 'duplicate', 'unsafe', 'symlink', 'bzip2'];

const entryArb = fc.record({
  kind: fc.constantFrom(...KINDS),
  folder: fc.nat(4),
  deflate: fc.boolean(),
  seed: fc.nat(1000),
});

type Layout = 'labeled' | 'flat' | 'mixed';
const FOLDERS: Record<Layout, readonly string[]> = {
  labeled: ['ant/', 'bee/', 'cow/', 'ant/sub/', 'bee/'],
  flat: [''],
  mixed: ['', 'ant/', 'bee/', 'cow/', 'ant/sub/'],
};

function toSpecs(entries: { kind: Kind; folder: number; deflate: boolean; seed: number }[], wrapper: string, layout: Layout): ZipEntrySpec[] {
  const specs: ZipEntrySpec[] = [];
  entries.forEach((e, i) => {
    const folder = FOLDERS[layout][e.folder % FOLDERS[layout].length];
    const base = `${wrapper}${folder}${i}`;
    const jpg = jpegBytes({ width: 3 + e.seed, height: 2, payloadBytes: 40 + e.seed, seed: e.seed });
    const method = e.deflate ? 8 : 0;
    switch (e.kind) {
      case 'image':
        return specs.push({ name: `${base}.jpg`, data: jpg, method });
      case 'png':
        return specs.push({ name: `${base}.png`, data: pngBytes({ width: 2, height: 2 + e.seed, seed: e.seed }), method });
      case 'directory':
        return specs.push({ name: `${base}/` });
      case 'macosx':
        return specs.push({ name: `__MACOSX/${base}._x.jpg`, data: Buffer.from('resource fork') });
      case 'ds_store':
        return specs.push({ name: `${wrapper}${folder}.DS_Store`, data: Buffer.from('x') });
      case 'text':
        return specs.push({ name: `${base}.txt`, data: Buffer.from('notes'), method });
      case 'broken':
        return specs.push({ name: `${base}.jpg`, data: Buffer.from('not an image at all'), method });
      case 'bad-crc':
        return specs.push({ name: `${base}.jpg`, data: jpg, method, crc32: 0x1234 });
      case 'encrypted':
        return specs.push({ name: `${base}.jpg`, data: jpg, encrypted: true });
      case 'duplicate':
        return specs.push({ name: specs.length > 0 ? specs[specs.length - 1].name : `${base}.jpg`, data: jpg, method });
      case 'unsafe':
        return specs.push({ name: `../${base}.jpg`, data: jpg });
      case 'symlink':
        return specs.push({ name: `${base}.jpg`, data: Buffer.from('/etc/passwd'), unixMode: 0o120777 });
      case 'bzip2':
        return specs.push({ name: `${base}.jpg`, data: jpg, method: 12 });
    }
  });
  return specs;
}

describe('every entry is accounted for exactly once', () => {
  it('converted + skipped + rejected covers each central-directory index once, or the dataset fails cleanly', async () => {
    let converted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(entryArb, { maxLength: 30 }), fc.constantFrom('', 'wrap/'), fc.constantFrom<Layout>('labeled', 'labeled', 'flat', 'mixed'), fc.nat(5), async (entries, wrapper, layout, shards) => {
        const specs = toSpecs(entries, wrapper, layout);
        let outcome;
        try {
          outcome = await convertInMemory(specs, { maxRejectedFraction: 1, shardCount: shards + 1 });
        } catch (err) {
          expect(err).toBeInstanceOf(DatasetError);
          expect([DatasetProblem.EMPTY_ZIP, DatasetProblem.ALL_ENTRIES_REJECTED, DatasetProblem.MIXED_LAYOUT]).toContain((err as DatasetError).problem);
          return;
        }
        const { manifest, sink } = outcome;
        const names = specs.map((s) => String(s.name));
        const count = new Array<number>(specs.length).fill(0);
        for (const s of manifest.skipped) count[s.index]++;
        for (const r of manifest.rejected) count[r.index]++;
        const rejectedOrSkipped = new Set([...manifest.skipped, ...manifest.rejected].map((e) => e.index));
        let records = 0;
        for (const shard of manifest.shards) {
          for (const record of readShard(shard.name, sink.files.get(shard.name)!)) {
            records++;
            const candidates = names.map((n, i) => (n === record.filename && !rejectedOrSkipped.has(i) ? i : -1)).filter((i) => i >= 0);
            expect(candidates).toHaveLength(1);
            count[candidates[0]]++;
          }
        }
        expect(count).toEqual(new Array<number>(specs.length).fill(1));
        expect(manifest.entries).toEqual({ total: specs.length, converted: records, skipped: manifest.skipped.length, rejected: manifest.rejected.length });
        expect(manifest.records).toBe(records);
        converted++;
      }),
      { numRuns: 150 },
    );
    // The generator must reach the success path often, not only clean failures.
    expect(converted).toBeGreaterThan(50);
  });
});
