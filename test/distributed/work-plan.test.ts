import fc from 'fast-check';
import { DISTRIBUTED_SCHEMA_VERSION } from '../../contract/distributed-conversion';
import { convertDataset, finishConversion, planFromSource, type ConversionOptions, type ShardPlan } from '../../lambda/src/dataset';
import { MemoryByteSource } from '../../lambda/src/io';
import { convertWorkItem } from '../../lambda/src/distributed/worker';
import { WorkLayout } from '../../lambda/src/distributed/work-layout';
import { assemblePlan, groupShardsIntoItems, MAX_IMAGES_PER_ITEM, planHeader, planWithoutShards, workerPlan, type PlanDocument, type WorkItemDocument } from '../../lambda/src/distributed/work-plan';
import { MemoryShardSink } from '../converter/helpers';
import { jpegBytes, pngBytes } from '../support/images';
import { buildZip, type ZipEntrySpec } from '../support/zip-builder';

const REF = { tenant: 'vision', datasetId: 'cats', channel: 'training' };
const VERSION = 'v20261122T115526Z-0123456789ab';
const layout = new WorkLayout(REF, VERSION);

function shardsOf(sizes: number[]): ShardPlan[] {
  return sizes.map((imageBytes, index) => ({ index, name: `training-${index}`, images: [], imageBytes }));
}

/** A labeled zip (`data/<class>/<n>.jpg|png`), stored and deflated entries, with OS noise. */
function datasetZip(classes: number[], payload: number, seed: number): Buffer {
  const entries: ZipEntrySpec[] = [{ name: 'data/' }, { name: '__MACOSX/._x' }];
  let n = seed;
  classes.forEach((count, c) => {
    for (let i = 0; i < count; i++, n++) {
      const data = n % 2 === 0 ? jpegBytes({ width: 10 + i, height: 20, payloadBytes: payload + (n % 7) * 50, seed: n }) : pngBytes({ width: 12, height: 5 + i, payloadBytes: payload, seed: n });
      entries.push({ name: `data/class${c}/${i}.${n % 2 === 0 ? 'jpg' : 'png'}`, data, method: n % 3 === 0 ? 8 : 0 });
    }
  });
  return buildZip(entries);
}

/**
 * The distributed path run in memory: plan (planFromSource, same options), group shards into work
 * items, round-trip every work file through JSON as the state machine would carry it, convert each
 * item with the worker's convertWorkItem, then finishConversion over the assembled plan.
 */
async function distributed(zip: Buffer, options: ConversionOptions, itemBytes: number, itemOrder: (n: number) => number[] = (n) => [...Array(n).keys()]) {
  const source = new MemoryByteSource(zip, 'test.zip');
  const startedAt = new Date();
  const plan = await planFromSource(source, options);
  const items = groupShardsIntoItems(plan.shards, itemBytes, layout);
  const header = planHeader(plan);
  const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
  const documents: WorkItemDocument[] = items.map((item) => roundTrip({ schemaVersion: DISTRIBUTED_SCHEMA_VERSION, item: item.item, header, shards: plan.shards.slice(item.firstShard, item.lastShard + 1) }));
  const planDocument: PlanDocument = roundTrip({ schemaVersion: DISTRIBUTED_SCHEMA_VERSION, startedAt: startedAt.toISOString(), run: undefined as never, plan: planWithoutShards(plan), shardCount: plan.shards.length, items });
  const sink = new MemoryShardSink();
  const results = [];
  for (const i of itemOrder(documents.length)) results.push(...roundTrip(await convertWorkItem(documents[i], source, sink)));
  const manifest = await finishConversion(assemblePlan(planDocument, documents), results, sink, startedAt);
  return { sink, manifest, items };
}

const withoutTiming = <T extends { timing: unknown }>(m: T) => ({ ...m, timing: undefined });

describe('groupShardsIntoItems', () => {
  test('whole consecutive shards, every shard exactly once, items within the target unless one shard is larger', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 20000 }), (sizes, target) => {
      const items = groupShardsIntoItems(shardsOf(sizes), target, layout);
      let next = 0;
      items.forEach((item, i) => {
        expect(item.item).toBe(i);
        expect(item.key).toBe(`ingestion-work/vision/cats/training/${VERSION}/items/${String(i).padStart(5, '0')}.json`);
        expect(item.firstShard).toBe(next);
        expect(item.lastShard).toBeGreaterThanOrEqual(item.firstShard);
        const bytes = sizes.slice(item.firstShard, item.lastShard + 1).reduce((a, b) => a + b, 0);
        expect(item.imageBytes).toBe(bytes);
        if (item.lastShard > item.firstShard) expect(bytes).toBeLessThanOrEqual(target);
        // Greedy: the next shard would not have fit.
        if (i + 1 < items.length) expect(bytes + sizes[item.lastShard + 1]).toBeGreaterThan(target);
        next = item.lastShard + 1;
      });
      expect(next).toBe(sizes.length);
    }));
  });

  test('items hold at most MAX_IMAGES_PER_ITEM images (millions of tiny images), whatever their bytes', () => {
    const shards = Array.from({ length: 5 }, (_, index) => ({ index, name: `training-${index}`, images: new Array(90_000).fill(undefined), imageBytes: 1000 }));
    const items = groupShardsIntoItems(shards as unknown as ShardPlan[], 1024 ** 3, layout);
    expect(MAX_IMAGES_PER_ITEM).toBe(200_000);
    expect(items.map((i) => [i.firstShard, i.lastShard])).toEqual([[0, 1], [2, 3], [4, 4]]);
  });

  test('no shards, no items; a non-positive target is refused', () => {
    expect(groupShardsIntoItems([], 100, layout)).toEqual([]);
    expect(() => groupShardsIntoItems(shardsOf([1]), 0, layout)).toThrow(/targetItemBytes must be positive/);
  });

  test('assemblePlan refuses a shard planned twice or missing', async () => {
    const zip = datasetZip([4, 3], 300, 1);
    const plan = await planFromSource(new MemoryByteSource(zip), { targetShardBytes: 1024 });
    const doc = (item: number, shards: readonly ShardPlan[]): WorkItemDocument => ({ schemaVersion: 1, item, header: planHeader(plan), shards });
    const planDocument = { schemaVersion: 1, startedAt: '', run: undefined as never, plan: planWithoutShards(plan), shardCount: plan.shards.length, items: [] } as PlanDocument;
    expect(() => assemblePlan(planDocument, [doc(0, plan.shards), doc(1, plan.shards.slice(0, 1))])).toThrow(/planned twice/);
    expect(() => assemblePlan(planDocument, [doc(0, plan.shards.slice(1))])).toThrow(/shard 0 is in no work item/);
    expect(assemblePlan(planDocument, [doc(0, plan.shards)]).shards).toEqual(plan.shards);
  });

  test('a worker plan holds only its shards, and convertShards keeps their global index and name', async () => {
    const zip = datasetZip([5, 5], 300, 2);
    const source = new MemoryByteSource(zip);
    const plan = await planFromSource(source, { targetShardBytes: 1024 });
    expect(plan.shards.length).toBeGreaterThan(3);
    const document: WorkItemDocument = { schemaVersion: 1, item: 1, header: planHeader(plan), shards: plan.shards.slice(2, 4) };
    expect(workerPlan(document).shards.map((s) => s.index)).toEqual([2, 3]);
    const results = await convertWorkItem(document, source, new MemoryShardSink());
    expect(results.map((r) => [r.index, r.name])).toEqual(plan.shards.slice(2, 4).map((s) => [s.index, s.name]));
  });
});

describe('equivalence (in memory): planner + workers + finishConversion = convertDataset', () => {
  test('property: any dataset, options (with or without a validation split), work-item size and item order give byte-identical shards, labels and manifest (timing aside)', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 100, max: 1500 }),
      fc.record({
        targetShardBytes: fc.integer({ min: 512, max: 16 * 1024 }),
        shuffleBlockBytes: fc.constantFrom(0, 1024, 4096, 16 * 1024 * 1024),
        seed: fc.integer({ min: 0, max: 0xffffffff }),
        validationFraction: fc.constantFrom(undefined, 0.1, 0.25, 0.5),
      }),
      fc.integer({ min: 1, max: 64 * 1024 }),
      fc.boolean(),
      async (classes, payload, options, itemBytes, reverse) => {
        const zip = datasetZip(classes, payload, classes.length);
        const single = new MemoryShardSink();
        const { manifest } = await convertDataset(new MemoryByteSource(zip, 'test.zip'), single, options);
        const parallel = await distributed(zip, options, itemBytes, reverse ? (n) => [...Array(n).keys()].reverse() : undefined);
        expect([...parallel.sink.files.keys()].sort()).toEqual([...single.files.keys()].sort());
        for (const [name, bytes] of single.files) {
          if (name === 'manifest.json') continue;
          expect(parallel.sink.files.get(name)!.equals(bytes)).toBe(true);
        }
        expect(withoutTiming(parallel.manifest)).toEqual(withoutTiming(manifest));
      },
    ), { numRuns: 40 });
  });

  test('a validation split: the same training/ and validation/ shards, labels and manifest, whichever path and however the items are cut', async () => {
    const zip = datasetZip([9, 14, 1, 6], 300, 5);
    const options = { validationFraction: 0.2, targetShardBytes: 2048, shuffleBlockBytes: 0, seed: 11 };
    const single = new MemoryShardSink();
    const { manifest } = await convertDataset(new MemoryByteSource(zip, 'test.zip'), single, options);
    expect(manifest.split!.validation.shards).toBeGreaterThan(0);
    expect(manifest.split!.validation.classes.map((c) => c.records)).toEqual([2, 3, 0, 1]);
    for (const itemBytes of [1, 4096, 1024 ** 3]) {
      const parallel = await distributed(zip, options, itemBytes, (n) => [...Array(n).keys()].reverse());
      expect([...parallel.sink.files.keys()].sort()).toEqual([...single.files.keys()].sort());
      for (const [name, bytes] of single.files) if (name !== 'manifest.json') expect(parallel.sink.files.get(name)!.equals(bytes)).toBe(true);
      expect(withoutTiming(parallel.manifest)).toEqual(withoutTiming(manifest));
    }
    expect([...single.files.keys()].filter((k) => k.startsWith('validation/')).sort()).toEqual([
      'validation/labels.txt', ...manifest.shards.filter((s) => s.name.startsWith('validation/')).map((s) => s.name),
    ].sort());
  });

  test('the same rejection verdict: a dataset with a broken image fails in finishConversion with the same error', async () => {
    const entries: ZipEntrySpec[] = [
      { name: 'a/1.jpg', data: jpegBytes({ width: 4, height: 4, payloadBytes: 200 }) },
      { name: 'a/2.jpg', data: Buffer.from('not a jpeg at all') },
      { name: 'b/1.png', data: pngBytes({ width: 4, height: 4, payloadBytes: 200 }) },
    ];
    const zip = buildZip(entries);
    const single = await convertDataset(new MemoryByteSource(zip), new MemoryShardSink(), { targetShardBytes: 256 }).catch((e: Error) => e);
    const parallel = await distributed(zip, { targetShardBytes: 256 }, 256).catch((e: Error) => e);
    expect(parallel).toBeInstanceOf(Error);
    expect((parallel as Error).message).toBe((single as Error).message);
    expect((parallel as unknown as { rejected: unknown }).rejected).toEqual((single as unknown as { rejected: unknown }).rejected);
  });
});
