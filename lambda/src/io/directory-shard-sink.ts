import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, rmdir, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { checkOutputPath } from './output-path';
import type { ShardSink, ShardWriter } from './shard-sink';
import { ShardWriterBase, type ShardWriterEvents } from './shard-writer-base';

export interface DirectoryShardSinkOptions {
  /** Accept an existing directory that already has files in it. Default false. */
  readonly allowNonEmpty?: boolean;
  /** Bytes buffered before a write is issued; one more batch may be in flight. Default 4 MiB. */
  readonly flushBytes?: number;
}

const MAX_BATCH_CHUNKS = 512; // stays under IOV_MAX (1024) for writev

/**
 * Writes each output to a hidden temporary file in the directory and renames it into place on
 * finish(), so a file under its final name is always complete. Names may hold folders (`a/b/c.bin`),
 * created as needed. abort() removes published and temporary files alike, and every folder this
 * sink made, so a failed conversion leaves nothing behind.
 */
export class DirectoryShardSink implements ShardSink {
  static async create(directory: string, options: DirectoryShardSinkOptions = {}): Promise<DirectoryShardSink> {
    const firstCreated = await mkdir(directory, { recursive: true });
    if (!options.allowNonEmpty) {
      const existing = await readdir(directory);
      if (existing.length > 0) {
        throw new Error(`output directory ${directory} is not empty (${existing.length} entries, e.g. ${existing[0]}); choose an empty or new directory`);
      }
    }
    return new DirectoryShardSink(directory, options.flushBytes ?? 4 * 1024 * 1024, firstCreated);
  }

  readonly description: string;
  private readonly created = new Set<string>();
  /** Folders open() made for names with folders, in creation order. */
  private readonly createdFolders: string[] = [];
  private readonly open_ = new Set<DirectoryShardWriter>();

  private constructor(
    readonly directory: string,
    private readonly flushBytes: number,
    /** The outermost folder create() made (mkdir -p), removed again by abort(); undefined when it existed. */
    private readonly firstCreated: string | undefined,
  ) {
    this.description = `directory ${directory}`;
  }

  async open(name: string): Promise<ShardWriter> {
    checkOutputPath(name);
    const finalPath = join(this.directory, name);
    const folder = dirname(finalPath);
    if (resolve(folder) !== resolve(this.directory)) await this.makeFolders(folder);
    const tempPath = join(folder, `.${basename(name)}.${randomBytes(6).toString('hex')}.partial`);
    const handle = await open(tempPath, 'wx');
    this.created.add(tempPath);
    const writer = new DirectoryShardWriter(name, handle, tempPath, finalPath, this.flushBytes, {
      published: () => {
        this.created.delete(tempPath);
        this.created.add(finalPath);
      },
      closed: () => this.open_.delete(writer),
    });
    this.open_.add(writer);
    return writer;
  }

  async abort(): Promise<void> {
    await Promise.all([...this.open_].map((w) => w.abort()));
    await Promise.all([...this.created].map((p) => rm(p, { force: true })));
    this.created.clear();
    for (const folder of this.createdFolders.reverse()) await rmdir(folder).catch(() => undefined);
    this.createdFolders.length = 0;
    await this.removeCreatedFolders();
  }

  /** mkdir -p below the directory, remembering each folder it made. */
  private async makeFolders(folder: string): Promise<void> {
    // resolve(): a directory given with a trailing slash (`…/<version>/`) must not shift the segments.
    let path = resolve(this.directory);
    for (const segment of relative(path, folder).split(sep)) {
      path = join(path, segment);
      try {
        await mkdir(path);
        this.createdFolders.push(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
    }
  }

  /** Removes the folders create() made, innermost first, each only if it is empty. */
  private async removeCreatedFolders(): Promise<void> {
    if (this.firstCreated === undefined) return;
    const outermost = resolve(this.firstCreated);
    for (let folder = resolve(this.directory); ; folder = dirname(folder)) {
      try {
        await rmdir(folder);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return; // not empty: someone else's files
      }
      if (folder === outermost || dirname(folder) === folder) return;
    }
  }
}

class DirectoryShardWriter extends ShardWriterBase {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private inFlight: Promise<void> | undefined;

  constructor(
    name: string,
    private readonly handle: FileHandle,
    private readonly tempPath: string,
    private readonly finalPath: string,
    private readonly flushBytes: number,
    events: ShardWriterEvents,
  ) {
    super(name, events);
  }

  protected async store(chunk: Uint8Array): Promise<void> {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= this.flushBytes || this.pending.length >= MAX_BATCH_CHUNKS) {
      // Double buffering: wait for the previous batch, then let this one run while the caller continues.
      await this.inFlight;
      if (this.failure !== undefined) throw this.failure;
      this.startFlush();
    }
  }

  protected async commit(): Promise<void> {
    await this.inFlight;
    this.startFlush();
    await this.inFlight;
    if (this.failure !== undefined) throw this.failure;
    await this.handle.close();
    await rename(this.tempPath, this.finalPath);
  }

  protected async discard(): Promise<void> {
    await this.inFlight?.catch(() => undefined);
    await this.handle.close().catch(() => undefined);
    await rm(this.tempPath, { force: true });
  }

  private startFlush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.inFlight = writeAll(this.handle, batch).catch((err: unknown) => {
      this.failure = err;
    });
  }
}

async function writeAll(handle: FileHandle, chunks: Uint8Array[]): Promise<void> {
  let remaining = chunks;
  while (remaining.length > 0) {
    const total = remaining.reduce((n, c) => n + c.length, 0);
    const { bytesWritten } = await handle.writev(remaining);
    if (bytesWritten === total) return;
    // Short write: drop what was written and retry the rest.
    let skip = bytesWritten;
    const rest: Uint8Array[] = [];
    for (const c of remaining) {
      if (skip >= c.length) {
        skip -= c.length;
        continue;
      }
      rest.push(skip > 0 ? c.subarray(skip) : c);
      skip = 0;
    }
    remaining = rest;
  }
}
