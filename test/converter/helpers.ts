import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { convertDataset, convertUpload, type ConvertDatasetHooks } from '../../lambda/src/dataset/convert-dataset';
import type { ConversionOptions } from '../../lambda/src/dataset/options';
import { DirectoryShardSink } from '../../lambda/src/io/directory-shard-sink';
import { MemoryByteSource } from '../../lambda/src/io/memory-byte-source';
import { ChecksumAlgorithm, type ShardSink, type ShardWriter } from '../../lambda/src/io/shard-sink';
import { crc32c } from '../../lambda/src/tfrecord/crc32c';
import { readTFRecordsFromBuffer } from '../../lambda/src/tfrecord/record-reader';
import { decodeExample, type Features } from '../../lambda/src/tfrecord/example';
import { buildZip, type ZipEntrySpec } from '../support/zip-builder';

/** Keeps published outputs in a Map; abort() clears everything, as a real sink must. */
export class MemoryShardSink implements ShardSink {
  readonly description = 'memory';
  readonly files = new Map<string, Buffer>();
  aborted = false;

  async open(name: string): Promise<ShardWriter> {
    const chunks: Buffer[] = [];
    let state: 'open' | 'done' = 'open';
    return {
      name,
      write: async (chunk) => {
        if (state !== 'open') throw new Error('write after finish');
        chunks.push(Buffer.from(chunk));
      },
      finish: async () => {
        state = 'done';
        const data = Buffer.concat(chunks);
        this.files.set(name, data);
        return { name, bytes: data.length, checksum: { algorithm: ChecksumAlgorithm.CRC32C, value: crc32c(data).toString(16).padStart(8, '0') } };
      },
      abort: async () => {
        state = 'done';
      },
    };
  }

  async abort(): Promise<void> {
    this.aborted = true;
    this.files.clear();
  }
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function tempDir(prefix = 'converter-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function listDir(dir: string): string[] {
  return readdirSync(dir).sort();
}

/** Converts an in-memory zip into a fresh temporary directory. */
export async function convertToDirectory(zip: Buffer, options: ConversionOptions = {}, hooks: ConvertDatasetHooks = {}) {
  const dir = tempDir();
  const sink = await DirectoryShardSink.create(join(dir, 'out'));
  try {
    const result = await convertDataset(new MemoryByteSource(zip, 'test.zip'), sink, options, hooks);
    return { dir: join(dir, 'out'), result, error: undefined };
  } catch (error) {
    return { dir: join(dir, 'out'), result: undefined, error };
  }
}

/** Converts an upload of any kind (`options.kind`) into a fresh temporary directory. */
export async function convertUploadToDirectory(input: Buffer, options: ConversionOptions = {}, description = 'test.zip') {
  const dir = tempDir();
  const sink = await DirectoryShardSink.create(join(dir, 'out'));
  try {
    const result = await convertUpload(new MemoryByteSource(input, description), sink, options);
    return { dir: join(dir, 'out'), root: dir, result, error: undefined };
  } catch (error) {
    return { dir: join(dir, 'out'), root: dir, result: undefined, error };
  }
}

export async function convertInMemory(zip: Buffer | readonly ZipEntrySpec[], options: ConversionOptions = {}) {
  const bytes = Buffer.isBuffer(zip) ? zip : buildZip(zip as readonly ZipEntrySpec[]);
  const sink = new MemoryShardSink();
  const result = await convertDataset(new MemoryByteSource(bytes, 'test.zip'), sink, options);
  return { sink, ...result };
}

export interface DecodedRecord {
  readonly shard: string;
  readonly features: Features;
  readonly filename: string;
  readonly encoded: Buffer;
}

export function readShard(name: string, bytes: Buffer): DecodedRecord[] {
  return readTFRecordsFromBuffer(bytes).map((r) => {
    const features = decodeExample(r.data);
    return { shard: name, features, filename: bytesFeature(features, 'image/filename').toString('utf8'), encoded: bytesFeature(features, 'image/encoded') };
  });
}

export function bytesFeature(f: Features, key: string): Buffer {
  const feature = f[key];
  if (!feature || !('bytesList' in feature)) throw new Error(`no bytes feature ${key}`);
  return Buffer.from(feature.bytesList[0]);
}

export function intFeature(f: Features, key: string): number {
  const feature = f[key];
  if (!feature || !('int64List' in feature)) throw new Error(`no int64 feature ${key}`);
  return Number(feature.int64List[0]);
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

export function readOutput(dir: string, name: string): Buffer {
  return readFileSync(join(dir, name));
}
