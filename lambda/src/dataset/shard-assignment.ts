import type { ZipEntryLocation } from '../zip/zip-entry';
import { SeededRandom, shuffleInPlace } from './seeded-random';

/** `training-00003-of-00016.tfrecord`: the `-NNNNN-of-NNNNN` form `tf.data` file patterns expect. */
export function shardName(channel: string, index: number, count: number): string {
  return `${channel}-${String(index).padStart(5, '0')}-of-${String(count).padStart(5, '0')}.tfrecord`;
}

/**
 * Most records a shard is planned with (unless the shard count is fixed): a zip of millions of
 * tiny images still gives shards, and work items, whose plan stays a few tens of MB of JSON.
 */
export const MAX_RECORDS_PER_SHARD = 100_000;

/**
 * ceil(total / target), and enough shards for MAX_RECORDS_PER_SHARD records each; at least 1, at
 * most one shard per shuffle unit so none starts empty.
 */
export function decideShardCount(totalImageBytes: number, units: number, targetShardBytes: number, fixedCount: number | null, images = 0): number {
  const wanted = fixedCount ?? Math.max(Math.ceil(totalImageBytes / targetShardBytes), Math.ceil(images / MAX_RECORDS_PER_SHARD));
  return Math.max(1, Math.min(wanted, units));
}

/**
 * Groups images (given in zip order) into shuffle units: single images when blockBytes is 0,
 * else runs of neighbours of at least blockBytes compressed bytes (or a quarter of
 * MAX_RECORDS_PER_SHARD images, whichever comes first).
 */
export function shuffleUnits<T extends { readonly entry: ZipEntryLocation }>(images: readonly T[], blockBytes: number): T[][] {
  if (blockBytes <= 0) return images.map((i) => [i]);
  const units: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const image of images) {
    current.push(image);
    bytes += image.entry.compressedSize;
    if (bytes >= blockBytes || current.length >= MAX_RECORDS_PER_SHARD / 4) {
      units.push(current);
      current = [];
      bytes = 0;
    }
  }
  if (current.length > 0) units.push(current);
  return units;
}

/**
 * Shuffles the units with the seeded PRNG and deals them round-robin to the shards, so every
 * shard mixes images from all over the zip (and so all classes, even when the zip is stored class
 * by class). Within a shard, records follow the shuffled order.
 */
export function assignToShards<T>(units: T[][], shardCount: number, seed: number): T[][] {
  const order = [...units];
  shuffleInPlace(order, new SeededRandom(seed));
  const shards: T[][] = Array.from({ length: shardCount }, () => []);
  order.forEach((unit, i) => {
    for (const image of unit) shards[i % shardCount].push(image);
  });
  return shards;
}
