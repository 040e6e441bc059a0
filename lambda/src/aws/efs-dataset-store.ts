import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { DATASET_PREFIX, MANIFEST_FILE, parsePointer, pointerKey, versionPrefix, type DatasetChannelRef, type DatasetPointer } from '../catalog';
import { DirectoryShardSink, type ShardSink } from '../io';
import { type CurrentPointer, type PointerDecision } from '../ingestion/pointer-decision';

export interface EfsDatasetStoreOptions {
  /** Where the function mounts the writer access point (the dataset root), e.g. `/mnt/datasets`. */
  readonly mountPath: string;
  /**
   * The dataset root on the file system, e.g. `/datasets` (the access point's root directory):
   * training jobs mount the file-system root, so their `DirectoryPath`s start with it.
   */
  readonly rootDirectory: string;
  /** A lock older than this is taken over (its holder died). Default 5 minutes. */
  readonly staleLockMs?: number;
  /** How long to wait for the pointer lock. Default 60 s. */
  readonly lockWaitMs?: number;
}

/**
 * The EFS copy of the datasets, written through the function's access-point mount with the layout
 * FSx for Lustre gets from S3 (the association links `datasets/` to the dataset root):
 * `<mount>/<id>/<channel>/<version>/` and `<mount>/<id>/<channel>/current.json`. The converter
 * core's DirectoryShardSink writes each file under a hidden temporary name and renames it into
 * place; this store adds what a network file system needs before the pointer may name a version:
 * every file and the folder are fsynced, and the pointer itself is replaced atomically (temporary
 * file, fsync, rename, fsync of the folder) under a lock file, so two conversions finishing
 * together cannot move it backwards.
 */
export class EfsDatasetStore {
  private readonly staleLockMs: number;
  private readonly lockWaitMs: number;

  constructor(private readonly options: EfsDatasetStoreOptions) {
    this.staleLockMs = options.staleLockMs ?? 5 * 60_000;
    this.lockWaitMs = options.lockWaitMs ?? 60_000;
  }

  /** The version folder as the function sees it. */
  versionDirectory(ref: DatasetChannelRef, version: string): string {
    return join(this.options.mountPath, belowDatasetRoot(versionPrefix(ref, version)));
  }

  /** The version folder as a training job sees it: its `DirectoryPath` (from the file-system root). */
  directoryPath(ref: DatasetChannelRef, version: string): string {
    return join(this.options.rootDirectory, belowDatasetRoot(versionPrefix(ref, version))).replace(/\/$/, '');
  }

  async hasCompleteVersion(ref: DatasetChannelRef, version: string): Promise<boolean> {
    return exists(join(this.versionDirectory(ref, version), MANIFEST_FILE));
  }

  /** An empty version folder (leftovers of a crashed attempt removed) and a sink writing into it. */
  async prepareVersion(ref: DatasetChannelRef, version: string): Promise<ShardSink> {
    const directory = this.versionDirectory(ref, version);
    await rm(directory, { recursive: true, force: true });
    return DirectoryShardSink.create(directory);
  }

  /** Removes a version folder that has no manifest (a failed conversion). */
  async deleteIncompleteVersion(ref: DatasetChannelRef, version: string): Promise<void> {
    if (!(await this.hasCompleteVersion(ref, version))) {
      await rm(this.versionDirectory(ref, version), { recursive: true, force: true });
    }
  }

  /**
   * Copies a version that is complete in S3 into EFS (it was converted before EFS was added, or
   * an attempt crashed between the two): outputs first, the manifest last.
   */
  async copyVersion(ref: DatasetChannelRef, version: string, names: readonly string[], openObject: (name: string) => Promise<Readable>): Promise<void> {
    const sink = await this.prepareVersion(ref, version);
    const ordered = [...names.filter((n) => n !== MANIFEST_FILE), MANIFEST_FILE];
    try {
      for (const name of ordered) {
        const writer = await sink.open(name);
        try {
          await pipeline(await openObject(name), async (source: AsyncIterable<Uint8Array>) => {
            for await (const chunk of source) await writer.write(chunk);
          });
          await writer.finish();
        } catch (error) {
          await writer.abort();
          throw error;
        }
      }
    } catch (error) {
      await sink.abort();
      throw error;
    }
  }

  /**
   * What is missing or of the wrong size on EFS compared with the manifest (every shard with its
   * byte count, labels.txt when the manifest names one); empty when the copy is complete.
   */
  async missingFiles(ref: DatasetChannelRef, version: string, expected: readonly { readonly name: string; readonly bytes?: number }[]): Promise<string[]> {
    const directory = this.versionDirectory(ref, version);
    const problems: string[] = [];
    for (const file of expected) {
      try {
        const size = (await stat(join(directory, file.name))).size;
        if (file.bytes !== undefined && size !== file.bytes) problems.push(`${file.name} has ${size} bytes, the manifest says ${file.bytes}`);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        problems.push(`${file.name} is missing`);
      }
    }
    return problems;
  }

  /** Removes a version the retention job let go: its manifest first (it stops counting as complete), then the folder. */
  async removeVersion(ref: DatasetChannelRef, version: string): Promise<void> {
    const directory = this.versionDirectory(ref, version);
    await rm(join(directory, MANIFEST_FILE), { force: true });
    await rm(directory, { recursive: true, force: true });
  }

  /** Removes the channel's pointer (before its versions, when a whole dataset is deleted). */
  async removePointer(ref: DatasetChannelRef): Promise<void> {
    await rm(this.pointerPath(ref), { force: true });
  }

  /** Removes whatever is left of the channel's folder (after its pointer and versions). */
  async removeChannel(ref: DatasetChannelRef): Promise<void> {
    await rm(dirname(this.pointerPath(ref)), { recursive: true, force: true });
  }

  /** Flushes every file of the version and the folder itself to the file system. */
  async syncVersion(ref: DatasetChannelRef, version: string): Promise<void> {
    const directory = this.versionDirectory(ref, version);
    for (const entry of await readdir(directory, { withFileTypes: true })) {
      if (entry.isFile()) await fsyncPath(join(directory, entry.name));
    }
    await fsyncPath(directory);
  }

  async readPointer(ref: DatasetChannelRef): Promise<CurrentPointer> {
    const path = this.pointerPath(ref);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'absent' };
      throw error;
    }
    try {
      return { state: 'valid', pointer: parsePointer(text, path), etag: 'efs' };
    } catch (error) {
      return { state: 'corrupt', etag: 'efs', problem: (error as Error).message };
    }
  }

  /**
   * Under the channel's lock: reads the pointer, asks `decide`, and if it says so replaces the
   * pointer atomically. Returns the decision taken.
   */
  async updatePointer(ref: DatasetChannelRef, pointer: DatasetPointer, decide: (current: CurrentPointer) => PointerDecision): Promise<PointerDecision> {
    const path = this.pointerPath(ref);
    await mkdir(dirname(path), { recursive: true });
    return this.withLock(`${path}.lock`, async () => {
      const decision = decide(await this.readPointer(ref));
      if (decision.action !== 'keep') {
        await writeFileDurably(path, `${JSON.stringify(pointer, null, 2)}\n`);
      }
      return decision;
    });
  }

  private pointerPath(ref: DatasetChannelRef): string {
    return join(this.options.mountPath, belowDatasetRoot(pointerKey(ref)));
  }

  private async withLock<T>(lockPath: string, body: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.lockWaitMs;
    for (let delay = 50; ; delay = Math.min(delay * 2, 1_000)) {
      try {
        const handle = await open(lockPath, 'wx');
        await handle.writeFile(`${process.pid} ${new Date().toISOString()}\n`);
        await handle.close();
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const age = await lockAge(lockPath);
        if (age !== undefined && age > this.staleLockMs) {
          await unlink(lockPath).catch(() => undefined);
          continue;
        }
        if (Date.now() > deadline) throw new Error(`timed out after ${this.lockWaitMs} ms waiting for ${lockPath}`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
    try {
      return await body();
    } finally {
      await unlink(lockPath).catch(() => undefined);
    }
  }
}

/** An S3 key below `datasets/` as a path below the file system's dataset root. */
function belowDatasetRoot(key: string): string {
  if (!key.startsWith(DATASET_PREFIX)) throw new Error(`internal error: ${key} is not below ${DATASET_PREFIX}`);
  return key.slice(DATASET_PREFIX.length);
}

/** Writes a file so that it is either absent/old or complete and on stable storage. */
export async function writeFileDurably(path: string, content: string): Promise<void> {
  const temp = join(dirname(path), `.${randomBytes(6).toString('hex')}.partial`);
  const handle = await open(temp, 'wx');
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncPath(dirname(path));
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

async function lockAge(path: string): Promise<number | undefined> {
  try {
    return Date.now() - (await stat(path)).mtimeMs;
  } catch {
    return undefined;
  }
}
