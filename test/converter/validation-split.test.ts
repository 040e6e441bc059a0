import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { planConversion, plannedShardName, type ConversionPlan } from '../../lambda/src/dataset/conversion-plan';
import { DatasetError, DatasetProblem } from '../../lambda/src/dataset/dataset-errors';
import { resolveOptions } from '../../lambda/src/dataset/options';
import { splitForValidation, splitKey, validationCount } from '../../lambda/src/dataset/validation-split';
import { MemoryByteSource } from '../../lambda/src/io/memory-byte-source';
import { readZipIndex } from '../../lambda/src/zip/zip-index';
import { jpegBytes } from '../support/images';
import { buildZip, type ZipEntrySpec } from '../support/zip-builder';
import { convertInMemory, convertToDirectory, intFeature, listDir, readShard, removeDir } from './helpers';

/** `<wrapper>/<class>/<i>.jpg` for each class size, in the given entry order. */
function entries(classes: Record<string, number>, wrapper = 'photos'): ZipEntrySpec[] {
  return Object.entries(classes).flatMap(([name, count]) =>
    Array.from({ length: count }, (_, i) => ({ name: `${wrapper}/${name}/${i}.jpg`, data: jpegBytes({ width: 4, height: 4, payloadBytes: 40 + i, seed: i + name.length * 100 }) })));
}

async function plan(zipEntries: readonly ZipEntrySpec[], validationFraction?: number, seed = 0): Promise<ConversionPlan> {
  return planConversion(await readZipIndex(new MemoryByteSource(buildZip(zipEntries))), { validationFraction, seed, targetShardBytes: 1024 });
}

/** The planned image names of one part, sorted. */
function namesOf(p: ConversionPlan, split: 'training' | 'validation'): string[] {
  return p.shards.filter((s) => s.name.startsWith(`${split}/`)).flatMap((s) => s.images.map((i) => i.entry.name)).sort();
}

describe('validationCount: nearest integer, ties to training, 1..n-1 for classes of 2+', () => {
  test.each([
    [0, 0.1, 0], [1, 0.5, 0], [1, 0.01, 0],
    [2, 0.01, 1], [2, 0.5, 1],
    [3, 0.5, 1], // 1.5 → 1: a tie goes to training
    [4, 0.5, 2], [5, 0.5, 2], [5, 0.1, 1], [7, 0.3, 2],
    [10, 0.1, 1], [10, 0.25, 2], [10, 0.26, 3], [10, 0.5, 5],
    [100, 0.1, 10], [101, 0.1, 10], [1000, 0.05, 50],
  ])('%i images at %f → %i for validation', (count, fraction, expected) => {
    expect(validationCount(count, fraction)).toBe(expected);
  });

  test.each([0, -0.1, 0.51, 1, Number.NaN, Number.POSITIVE_INFINITY])('fraction %f is refused', (fraction) => {
    expect(() => validationCount(10, fraction)).toThrow(/greater than 0 and at most 0\.5/);
  });

  test('property: each side keeps at least one image of a class of 2+, and validation is within one image of count × fraction', () => {
    fc.assert(fc.property(fc.integer({ min: 2, max: 100_000 }), fc.double({ min: 0.001, max: 0.5, noNaN: true }), (count, fraction) => {
      const v = validationCount(count, fraction);
      expect(v).toBeGreaterThanOrEqual(1);
      expect(count - v).toBeGreaterThanOrEqual(1);
      expect(Math.abs(v - count * fraction)).toBeLessThanOrEqual(1);
    }));
  });
});

describe('splitForValidation: deterministic by path, stratified by class', () => {
  const items = Array.from({ length: 60 }, (_, i) => ({ path: `c${i % 3}/${i}.jpg`, stratum: i % 3 }));

  test('the same paths give the same split in any input order; each part keeps the input order', () => {
    const forward = splitForValidation(items, (i) => i, 0.2, 7);
    const reversed = splitForValidation([...items].reverse(), (i) => i, 0.2, 7);
    expect(reversed.validation.map((i) => i.path).sort()).toEqual(forward.validation.map((i) => i.path).sort());
    expect(forward.validation).toEqual(items.filter((i) => forward.validation.includes(i)));
    expect(forward.training).toEqual(items.filter((i) => !forward.validation.includes(i)));
  });

  test('per class: round(20 × 0.2) = 4 of each class, the 4 smallest hash keys', () => {
    const { validation } = splitForValidation(items, (i) => i, 0.2, 7);
    for (const stratum of [0, 1, 2]) {
      const own = items.filter((i) => i.stratum === stratum);
      const expected = own.map((i) => i.path).sort((a, b) => splitKey(7, a) - splitKey(7, b)).slice(0, 4).sort();
      expect(validation.filter((i) => i.stratum === stratum).map((i) => i.path).sort()).toEqual(expected);
    }
  });

  test('a larger fraction only moves more images to validation; another seed picks other images', () => {
    const small = splitForValidation(items, (i) => i, 0.1, 7).validation;
    const large = splitForValidation(items, (i) => i, 0.4, 7).validation;
    expect(small.every((i) => large.includes(i))).toBe(true);
    const otherSeed = splitForValidation(items, (i) => i, 0.1, 8).validation;
    expect(otherSeed.map((i) => i.path).sort()).not.toEqual(small.map((i) => i.path).sort());
  });

  test('the key is the first 48 bits of SHA-256 over "<seed>\\0<path>", so a change of algorithm shows here', () => {
    expect(splitKey(0, 'cat/0.jpg')).toBe(splitKey(0, 'cat/0.jpg'));
    expect(splitKey(0, 'cat/0.jpg')).not.toBe(splitKey(1, 'cat/0.jpg'));
    const sha256Prefix = (text: string) => createHash('sha256').update(text, 'utf8').digest().readUIntBE(0, 6);
    expect(splitKey(42, 'dog/7.png')).toBe(sha256Prefix('42\0dog/7.png'));
  });
});

describe('planConversion with validationFraction', () => {
  test('training/ and validation/ shards, each part numbered from 0; plan.split records fraction, seed and shard counts', async () => {
    const p = await plan(entries({ cat: 20, dog: 10 }), 0.2);
    expect(p.split).toEqual({ fraction: 0.2, seed: 0, trainingShards: expect.any(Number), validationShards: expect.any(Number) });
    const { trainingShards, validationShards } = p.split!;
    expect(trainingShards).toBeGreaterThan(1);
    expect(validationShards).toBeGreaterThanOrEqual(1);
    expect(p.shards.map((s) => s.index)).toEqual([...Array(trainingShards + validationShards).keys()]);
    expect(p.shards.slice(0, trainingShards).map((s) => s.name)).toEqual([...Array(trainingShards).keys()].map((i) =>
      `training/training-${String(i).padStart(5, '0')}-of-${String(trainingShards).padStart(5, '0')}.tfrecord`));
    expect(p.shards.slice(trainingShards).map((s) => s.name)).toEqual([...Array(validationShards).keys()].map((i) =>
      `validation/validation-${String(i).padStart(5, '0')}-of-${String(validationShards).padStart(5, '0')}.tfrecord`));
    const validation = namesOf(p, 'validation');
    expect(validation.filter((n) => n.includes('/cat/'))).toHaveLength(4);
    expect(validation.filter((n) => n.includes('/dog/'))).toHaveLength(2);
    expect([...namesOf(p, 'training'), ...validation].sort()).toEqual(entries({ cat: 20, dog: 10 }).map((e) => e.name).sort());
  });

  test('deterministic: another entry order and another wrapping folder give the same split; the zip order does not matter', async () => {
    const original = await plan(entries({ cat: 15, dog: 12, fox: 5 }), 0.3);
    const shuffled = entries({ cat: 15, dog: 12, fox: 5 }, 'upload-2').reverse();
    const again = await plan(shuffled, 0.3);
    const below = (names: string[]) => names.map((n) => n.slice(n.indexOf('/') + 1));
    expect(below(namesOf(again, 'validation'))).toEqual(below(namesOf(original, 'validation')));
    expect(below(namesOf(again, 'training'))).toEqual(below(namesOf(original, 'training')));
  });

  test('a class of one image stays in training; a class of two gives one to each side', async () => {
    const p = await plan(entries({ alone: 1, pair: 2, many: 10 }), 0.1);
    const validation = namesOf(p, 'validation');
    expect(validation.filter((n) => n.includes('/alone/'))).toEqual([]);
    expect(validation.filter((n) => n.includes('/pair/'))).toHaveLength(1);
    expect(validation.filter((n) => n.includes('/many/'))).toHaveLength(1);
    expect(namesOf(p, 'training').filter((n) => n.includes('/alone/'))).toEqual(['photos/alone/0.jpg']);
  });

  test('no class has two images: the validation part is empty (no shards), the training part holds everything', async () => {
    const p = await plan(entries({ a: 1, b: 1, c: 1 }), 0.5);
    expect(p.split).toMatchObject({ validationShards: 0, trainingShards: 1 });
    expect(p.shards.map((s) => s.name)).toEqual(['training/training-00000-of-00001.tfrecord']);
  });

  test('an unlabeled dataset is one stratum', async () => {
    const flat = Array.from({ length: 20 }, (_, i) => ({ name: `${i}.jpg`, data: jpegBytes({ width: 2, height: 2, seed: i }) }));
    const p = await plan(flat, 0.25);
    expect(p.labeled).toBe(false);
    expect(namesOf(p, 'validation')).toHaveLength(5);
    expect(namesOf(p, 'training')).toHaveLength(15);
  });

  test('a fixed shardCount applies to each part (at most one shard per image)', async () => {
    const index = await readZipIndex(new MemoryByteSource(buildZip(entries({ cat: 20, dog: 20 }))));
    const p = planConversion(index, { validationFraction: 0.1, shardCount: 3 });
    expect(p.split).toMatchObject({ trainingShards: 3, validationShards: 3 });
    const tiny = planConversion(index, { validationFraction: 0.05, shardCount: 8 });
    expect(tiny.split).toMatchObject({ trainingShards: 8, validationShards: 2 });
  });

  test('plannedShardName gives every shard\'s path from the plan header alone (the failure handler names failed items\' shards with it)', async () => {
    for (const p of [await plan(entries({ cat: 20, dog: 10 }), 0.2), await plan(entries({ cat: 20, dog: 10 }))]) {
      const header = JSON.parse(JSON.stringify({ split: p.split, options: p.options })) as Pick<ConversionPlan, 'split' | 'options'>;
      expect(p.shards.map((s) => plannedShardName(header, s.index, p.shards.length))).toEqual(p.shards.map((s) => s.name));
    }
  });

  test('without validationFraction nothing changes: shards at the top level, split null', async () => {
    const p = await plan(entries({ cat: 3 }));
    expect(p.split).toBeNull();
    expect(p.shards.map((s) => s.name)).toEqual(['training-00000-of-00001.tfrecord']);
  });
});

describe('validationFraction option checks', () => {
  test.each([
    [0, /validationFraction 0 must be a number greater than 0 and at most 0\.5/],
    [-0.2, /validationFraction -0\.2 must be/],
    [0.6, /validationFraction 0\.6 must be a number greater than 0 and at most 0\.5 \(e\.g\. 0\.1 for 10 %\)/],
    [Number.NaN, /validationFraction null must be/],
  ])('%f is refused as invalid-options', (validationFraction, message) => {
    let error: unknown;
    try {
      resolveOptions({ validationFraction });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).problem).toBe(DatasetProblem.INVALID_OPTIONS);
    expect((error as Error).message).toMatch(message);
  });

  test.each(['files', 'tfrecord'] as const)('kind %s refuses a split: its files are kept as uploaded', (kind) => {
    expect(() => resolveOptions({ kind, validationFraction: 0.1 })).toThrow(/validationFraction splits images by class; kind .* is kept as uploaded and cannot be split/);
  });
});

describe('converted output of a split version', () => {
  const zip = buildZip(entries({ cat: 12, dog: 7, lonely: 1 }));

  test('training/ and validation/ each hold their shards and labels.txt; one manifest.json records both parts with counts per class, fraction and seed', async () => {
    const { dir, result, error } = await convertToDirectory(zip, { validationFraction: 0.25, seed: 3, targetShardBytes: 512 });
    try {
      expect(error).toBeUndefined();
      const manifest = result!.manifest;
      expect(listDir(dir)).toEqual(['labels.txt', 'manifest.json', 'training', 'validation']);
      const trainingFiles = listDir(join(dir, 'training'));
      const validationFiles = listDir(join(dir, 'validation'));
      expect(trainingFiles).toContain('labels.txt');
      expect(validationFiles).toEqual(['labels.txt', 'validation-00000-of-00001.tfrecord']);
      for (const f of ['labels.txt', 'training/labels.txt', 'validation/labels.txt']) expect(readFileSync(join(dir, f), 'utf8')).toBe('cat\ndog\nlonely\n');

      expect(manifest.split).toEqual({
        method: 'class-stratified-sha256',
        fraction: 0.25,
        seed: 3,
        training: {
          directory: 'training', records: 15, shards: trainingFiles.length - 1, labelsFile: 'training/labels.txt',
          classes: [{ label: 0, name: 'cat', records: 9 }, { label: 1, name: 'dog', records: 5 }, { label: 2, name: 'lonely', records: 1 }],
        },
        validation: {
          directory: 'validation', records: 5, shards: 1, labelsFile: 'validation/labels.txt',
          classes: [{ label: 0, name: 'cat', records: 3 }, { label: 1, name: 'dog', records: 2 }, { label: 2, name: 'lonely', records: 0 }],
        },
      });
      expect(manifest.options.validationFraction).toBe(0.25);
      expect(manifest.records).toBe(20);
      expect(manifest.classes.map((c) => c.records)).toEqual([12, 7, 1]);

      // The records in each part's shards are exactly what the manifest counts, and no image is in both.
      const partRecords = (part: string) => listDir(join(dir, part)).filter((f) => f.endsWith('.tfrecord')).flatMap((f) => readShard(f, readFileSync(join(dir, part, f))));
      const training = partRecords('training');
      const validation = partRecords('validation');
      // cat: round(12 × 0.25) = 3; dog: 1.75 → 2; lonely (1 image) stays in training.
      expect(training).toHaveLength(15);
      expect(validation).toHaveLength(3 + 2);
      expect(validation.map((r) => intFeature(r.features, 'image/class/label')).sort()).toEqual([0, 0, 0, 1, 1]);
      const names = [...training, ...validation].map((r) => r.filename);
      expect(new Set(names).size).toBe(20);
    } finally {
      removeDir(join(dir, '..'));
    }
  });

  test('converting the same zip twice gives byte-identical parts and manifests (timing aside)', async () => {
    const first = await convertInMemory(zip, { validationFraction: 0.3 });
    const second = await convertInMemory(zip, { validationFraction: 0.3 });
    expect([...second.sink.files.keys()].sort()).toEqual([...first.sink.files.keys()].sort());
    for (const [name, bytes] of first.sink.files) if (name !== 'manifest.json') expect(second.sink.files.get(name)!.equals(bytes)).toBe(true);
    expect({ ...second.manifest, timing: undefined }).toEqual({ ...first.manifest, timing: undefined });
  });

  test('an empty validation part: the conversion succeeds, the manifest says 0 validation records, no validation/ folder', async () => {
    const { dir, result, error } = await convertToDirectory(buildZip(entries({ a: 1, b: 1 })), { validationFraction: 0.5 });
    try {
      expect(error).toBeUndefined();
      expect(result!.manifest.split).toMatchObject({ training: { records: 2, shards: 1 }, validation: { records: 0, shards: 0, labelsFile: null } });
      expect(existsSync(join(dir, 'validation'))).toBe(false);
    } finally {
      removeDir(join(dir, '..'));
    }
  });
});
