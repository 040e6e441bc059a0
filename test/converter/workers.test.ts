import { planConversion, type ConversionPlan } from '../../lambda/src/dataset/conversion-plan';
import { convertDataset } from '../../lambda/src/dataset/convert-dataset';
import { convertShards } from '../../lambda/src/dataset/convert-shards';
import { RejectReason } from '../../lambda/src/dataset/entry-outcome';
import { MemoryByteSource } from '../../lambda/src/io/memory-byte-source';
import { readZipIndex } from '../../lambda/src/zip/zip-index';
import { jpegBytes } from '../support/images';
import { buildZip } from '../support/zip-builder';
import { MemoryShardSink } from './helpers';

const zip = buildZip([
  ...Array.from({ length: 40 }, (_, i) => ({ name: `d/${i % 2 ? 'x' : 'y'}/${i}.jpg`, data: jpegBytes({ width: 4, height: 4, payloadBytes: 100 + i, seed: i }), method: 8 })),
  { name: 'd/x/broken.jpg', data: Buffer.from('broken') },
]);

describe('fan-out: workers convert subsets of one plan', () => {
  it('produces the same shards from a JSON-serialized plan, split over workers, as one process does', async () => {
    const whole = new MemoryShardSink();
    const single = await convertDataset(new MemoryByteSource(zip), whole, { shardCount: 5, maxRejectedFraction: 0.1 });

    const planner = planConversion(await readZipIndex(new MemoryByteSource(zip)), { shardCount: 5, maxRejectedFraction: 0.1 });
    const shipped = JSON.parse(JSON.stringify(planner)) as ConversionPlan;
    const workers = [[0, 3], [1], [4, 2]];
    const sinks = workers.map(() => new MemoryShardSink());
    const results = (await Promise.all(workers.map((shards, w) => convertShards(new MemoryByteSource(zip), shipped, shards, sinks[w])))).flat();

    expect(results.map((r) => r.index).sort()).toEqual([0, 1, 2, 3, 4]);
    for (const r of results) {
      const published = single.manifest.shards[r.index];
      expect({ name: r.name, records: r.records, bytes: r.bytes, checksum: r.checksum }).toEqual(published);
      const workerSink = sinks[workers.findIndex((s) => s.includes(r.index))];
      expect(workerSink.files.get(r.name)?.equals(whole.files.get(r.name)!)).toBe(true);
    }
    expect(results.flatMap((r) => r.rejected)).toEqual([{ index: 40, name: 'd/x/broken.jpg', reason: RejectReason.BROKEN_IMAGE, detail: expect.any(String) }]);
    expect(single.manifest.rejected).toEqual(results.flatMap((r) => r.rejected));
  });

  it('refuses shard indexes outside the plan', async () => {
    const plan = planConversion(await readZipIndex(new MemoryByteSource(zip)), { shardCount: 2 });
    await expect(convertShards(new MemoryByteSource(zip), plan, [2], new MemoryShardSink())).rejects.toThrow(/shard index 2 is not in the plan/);
  });
});
