import fc from 'fast-check';
import { planConversion } from '../../lambda/src/dataset/conversion-plan';
import { DatasetError } from '../../lambda/src/dataset/dataset-errors';
import { resolveOptions } from '../../lambda/src/dataset/options';
import { SeededRandom, shuffleInPlace } from '../../lambda/src/dataset/seeded-random';
import { assignToShards, decideShardCount, MAX_RECORDS_PER_SHARD, shardName, shuffleUnits } from '../../lambda/src/dataset/shard-assignment';
import { MemoryByteSource } from '../../lambda/src/io/memory-byte-source';
import { readZipIndex } from '../../lambda/src/zip/zip-index';
import { jpegBytes } from '../support/images';
import { buildZip } from '../support/zip-builder';

describe('SeededRandom (xoshiro128** seeded by SplitMix32)', () => {
  it('matches the reference xoshiro128** sequence for state {1, 2, 3, 4}', () => {
    const r = new SeededRandom([1, 2, 3, 4]);
    expect([1, 2, 3, 4, 5, 6].map(() => r.nextUint32())).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('is pinned per seed: changing it changes every dataset', () => {
    const first4 = (seed: number) => {
      const r = new SeededRandom(seed);
      return [1, 2, 3, 4].map(() => r.nextUint32());
    };
    expect(first4(0)).toEqual([0x6ab03720, 0x02ae349e, 0x96495024, 0xe5671339]);
    expect(first4(42)).toEqual([0x275d943d, 0xd9b9aab4, 0x04a1304e, 0x36411021]);
  });

  it('below(n) stays in [0, n)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 0xffffffff }), (seed, n) => {
        const r = new SeededRandom(seed);
        for (let i = 0; i < 20; i++) {
          const v = r.below(n);
          if (!(Number.isInteger(v) && v >= 0 && v < n)) return false;
        }
        return true;
      }),
    );
  });

  it('shuffles into a permutation, the same one for the same seed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer(), { maxLength: 200 }), fc.integer({ min: 0, max: 0xffffffff }), (items, seed) => {
        const a = [...items];
        const b = [...items];
        shuffleInPlace(a, new SeededRandom(seed));
        shuffleInPlace(b, new SeededRandom(seed));
        expect(a).toEqual(b);
        expect([...a].sort((x, y) => x - y)).toEqual([...items].sort((x, y) => x - y));
      }),
    );
  });
});

describe('shard naming and count', () => {
  it.each([
    ['training', 0, 1, 'training-00000-of-00001.tfrecord'],
    ['training', 41, 1024, 'training-00041-of-01024.tfrecord'],
    ['validation', 7, 8, 'validation-00007-of-00008.tfrecord'],
    ['t', 123456, 200000, 't-123456-of-200000.tfrecord'],
  ])('%s %i of %i → %s', (channel, index, count, name) => {
    expect(shardName(channel, index, count)).toBe(name);
  });

  it.each([
    [0, 5, 100, null, 1],
    [100, 5, 100, null, 1],
    [101, 5, 100, null, 2],
    [1000, 5, 100, null, 5],
    [1000, 50, 100, 3, 3],
    [1000, 2, 100, 3, 2],
  ])('total %i bytes, %i units, target %i, fixed %p → %i shards', (total, units, target, fixed, expected) => {
    expect(decideShardCount(total, units, target, fixed)).toBe(expected);
  });

  it('gives millions of tiny images enough shards for MAX_RECORDS_PER_SHARD records each, unless the count is fixed', () => {
    expect(decideShardCount(32_000_000, 2_000_000, 128 * 1024 ** 2, null, 2_000_000)).toBe(2_000_000 / MAX_RECORDS_PER_SHARD);
    expect(decideShardCount(32_000_000, 2_000_000, 128 * 1024 ** 2, 3, 2_000_000)).toBe(3);
    const runs = shuffleUnits(Array.from({ length: 60_000 }, (_, i) => ({ entry: { index: i, compressedSize: 16 } })) as never[], 16 * 1024 ** 2);
    expect(runs.map((u) => u.length)).toEqual([25_000, 25_000, 10_000]);
  });
});

describe('assignment to shards', () => {
  const image = (i: number, bytes = 100) => ({ entry: { index: i, compressedSize: bytes }, i }) as never as { entry: { compressedSize: number }; i: number };

  it('deals every image to exactly one shard, none empty', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 40 }), fc.nat(), (n, shards, seed) => {
        const count = Math.min(shards, n);
        const units = shuffleUnits(Array.from({ length: n }, (_, i) => image(i)) as never[], 0);
        const assigned = assignToShards(units, count, seed) as unknown as { i: number }[][];
        expect(assigned).toHaveLength(count);
        expect(assigned.every((s) => s.length > 0)).toBe(true);
        expect(assigned.flat().map((x) => x.i).sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
      }),
    );
  });

  it('groups neighbours into blocks of at least shuffleBlockBytes', () => {
    const units = shuffleUnits(Array.from({ length: 10 }, (_, i) => image(i, 30)) as never[], 100) as unknown as { i: number }[][];
    expect(units.map((u) => u.map((x) => x.i))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9],
    ]);
  });

  it('mixes classes in every shard even when the zip is stored class by class', async () => {
    const jpg = jpegBytes({ width: 4, height: 4, payloadBytes: 1000 });
    const specs = ['a', 'b', 'c', 'd'].flatMap((cls) => Array.from({ length: 100 }, (_, i) => ({ name: `${cls}/${i}.jpg`, data: jpg })));
    const plan = planConversion(await readZipIndex(new MemoryByteSource(buildZip(specs))), { shardCount: 8, seed: 7 });
    for (const shard of plan.shards) expect(new Set(shard.images.map((i) => i.label)).size).toBe(4);
    const sizes = plan.shards.map((s) => s.images.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });
});

describe('planConversion', () => {
  const jpg = jpegBytes({ width: 4, height: 4, payloadBytes: 2000 });
  const zipOf = (n: number) => buildZip(Array.from({ length: n }, (_, i) => ({ name: `data/${i % 2 ? 'cat' : 'dog'}/${i}.jpg`, data: jpg })));

  it('derives the shard count from the total image bytes and the target', async () => {
    const index = await readZipIndex(new MemoryByteSource(zipOf(40)));
    const perImage = jpg.length;
    const plan = planConversion(index, { targetShardBytes: perImage * 10, channel: 'train' });
    expect(plan.shards.map((s) => s.name)).toEqual(['train-00000-of-00004.tfrecord', 'train-00001-of-00004.tfrecord', 'train-00002-of-00004.tfrecord', 'train-00003-of-00004.tfrecord']);
    expect(plan.shards.reduce((n, s) => n + s.imageBytes, 0)).toBe(40 * perImage);
    expect(plan.classNames).toEqual(['cat', 'dog']);
    expect(plan.wrapperFolder).toBe('data');
  });

  it('is plain data: a JSON round trip gives the same plan', async () => {
    const plan = planConversion(await readZipIndex(new MemoryByteSource(zipOf(10))), { shardCount: 3 });
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);
  });

  it('depends on the seed', async () => {
    const index = await readZipIndex(new MemoryByteSource(zipOf(30)));
    const order = (seed: number) => planConversion(index, { shardCount: 2, seed }).shards.map((s) => s.images.map((i) => i.entry.index));
    expect(order(1)).toEqual(order(1));
    expect(order(1)).not.toEqual(order(2));
  });

  it.each([
    [{ channel: 'bad/name' }, /channel/],
    [{ targetShardBytes: 0 }, /targetShardBytes/],
    [{ shardCount: 1.5 }, /shardCount/],
    [{ seed: -1 }, /seed/],
    [{ maxRejectedFraction: 2 }, /maxRejectedFraction/],
    [{ limits: { maxEntries: 0 } }, /limits\.maxEntries/],
  ])('rejects invalid options %j', (options, message) => {
    expect(() => resolveOptions(options)).toThrow(DatasetError);
    expect(() => resolveOptions(options)).toThrow(message);
  });
});
