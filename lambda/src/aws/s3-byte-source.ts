import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ByteSourceError, checkReadRange, describeSource, SourceKind, type ByteSource, type S3SourceIdentity } from '../io';
import { isNotFound, isPreconditionFailed } from './s3-errors';

export interface S3ByteSourceOptions {
  /** Reads are served from aligned blocks of this size. Default 256 KiB. */
  readonly blockBytes?: number;
  /** Most bytes of blocks kept (least recently used dropped first). Default 32 MiB. */
  readonly maxCachedBytes?: number;
  /** Blocks fetched ahead of a sequential reader. Default 8 (2 MiB with the default block). */
  readonly readAheadBlocks?: number;
  /** Most ranged GETs in flight at once. Default 16. */
  readonly maxConcurrentRequests?: number;
  /** Reads at least this long bypass the cache and fetch exactly their range. Default 4 MiB. */
  readonly directReadBytes?: number;
}

/** What to read: a key, pinned to one object version (or, on an unversioned bucket, one ETag). */
export interface S3ObjectRef {
  readonly bucket: string;
  readonly key: string;
  readonly versionId?: string;
  readonly etag?: string;
}

/**
 * The object named by an upload event no longer exists in that version (overwritten on an
 * unversioned bucket, or deleted). Not an I/O failure: the upload is gone, retrying cannot help.
 */
export class S3SourceChangedError extends ByteSourceError {
  constructor(source: string, offset: number, length: number, detail: string) {
    super(source, offset, length, detail);
    this.name = 'S3SourceChangedError';
  }
}

const DEFAULTS = {
  blockBytes: 256 * 1024,
  maxCachedBytes: 32 * 1024 * 1024,
  readAheadBlocks: 8,
  maxConcurrentRequests: 16,
  directReadBytes: 4 * 1024 * 1024,
};

/**
 * A zip in S3 read with ranged GETs. The converter reads the end of central directory, the
 * central directory in 64 KiB steps, then for each image a 30-byte local header, its name and its
 * data in ≤ 1 MiB pieces, up to 16 images ahead. Turning each of those into a GET would cost a
 * round trip per header, so reads are served from aligned blocks kept in a bounded LRU cache;
 * consecutive missing blocks are fetched in one GET; a sequential reader gets the next blocks
 * fetched ahead; large reads go straight to S3. Memory stays within `maxCachedBytes` plus the
 * GETs in flight.
 *
 * Every GET names the object version (or `If-Match` on the ETag), so bytes of two uploads are
 * never mixed. Failures are remembered (`ioFailure`, `changed`): the converter reports a failed
 * read as a broken zip or entry, and the caller needs to tell that apart from a real one.
 */
export class S3ByteSource implements ByteSource {
  /** Opens the object (HeadObject): its size, and the version/ETag every later read is pinned to. */
  static async open(client: S3Client, ref: S3ObjectRef, options: S3ByteSourceOptions = {}): Promise<S3ByteSource> {
    const where = describeSource({ kind: SourceKind.S3, bucket: ref.bucket, key: ref.key, versionId: ref.versionId });
    let head;
    try {
      head = await client.send(new HeadObjectCommand({
        Bucket: ref.bucket,
        Key: ref.key,
        VersionId: ref.versionId,
        IfMatch: ref.versionId ? undefined : quoteEtag(ref.etag),
      }));
    } catch (error) {
      if (isNotFound(error) || isPreconditionFailed(error)) {
        throw new S3SourceChangedError(where, 0, 0, `the upload no longer exists in this version (${errorName(error)}): it was overwritten or deleted`);
      }
      throw error;
    }
    const size = head.ContentLength;
    if (size === undefined || !Number.isSafeInteger(size)) {
      throw new ByteSourceError(where, 0, 0, 'S3 did not report the object size');
    }
    const identity: S3SourceIdentity = {
      kind: SourceKind.S3,
      bucket: ref.bucket,
      key: ref.key,
      ...(ref.versionId ?? head.VersionId ? { versionId: ref.versionId ?? head.VersionId } : {}),
      ...(head.ETag ? { etag: head.ETag.replace(/^"(.*)"$/, '$1') } : {}),
    };
    return new S3ByteSource(client, identity, size, { ...DEFAULTS, ...options });
  }

  readonly description: string;
  /** Counters, for logs and tests. */
  readonly stats = { requests: 0, bytesFetched: 0, bytesServed: 0, cacheHits: 0 };

  private readonly cache = new Map<number, Buffer>();
  private cachedBytes = 0;
  private readonly pending = new Map<number, Promise<Buffer>>();
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  private lastReadEnd = -1;
  private failure: unknown;
  private sourceChanged: S3SourceChangedError | undefined;
  private closed = false;

  private constructor(
    private readonly client: S3Client,
    readonly identity: S3SourceIdentity,
    readonly size: number,
    private readonly options: Required<S3ByteSourceOptions>,
  ) {
    this.description = describeSource(identity);
  }

  /** The first S3 error a read hit (other than the object changing), if any. */
  get ioFailure(): unknown {
    return this.failure;
  }

  /** Set when a read found the object overwritten or deleted. */
  get changed(): S3SourceChangedError | undefined {
    return this.sourceChanged;
  }

  async read(offset: number, length: number): Promise<Buffer> {
    checkReadRange(this, offset, length);
    if (this.closed) throw new ByteSourceError(this.description, offset, length, 'the source is closed');
    if (length === 0) return Buffer.alloc(0);
    this.stats.bytesServed += length;
    const sequential = offset === this.lastReadEnd;
    this.lastReadEnd = offset + length;
    if (length >= this.options.directReadBytes) {
      return this.fetch(offset, length);
    }
    const { blockBytes } = this.options;
    const first = Math.floor(offset / blockBytes);
    const last = Math.floor((offset + length - 1) / blockBytes);
    const blocks = this.blocks(first, last);
    if (sequential) this.readAhead(last + 1);
    const parts = await Promise.all(blocks);
    const joined = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    const start = offset - first * blockBytes;
    return joined.subarray(start, start + length);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cache.clear();
    this.cachedBytes = 0;
  }

  /** Promises for blocks first..last: cached, already being fetched, or fetched now in runs. */
  private blocks(first: number, last: number): Promise<Buffer>[] {
    const result: Promise<Buffer>[] = [];
    let runStart = -1;
    const flush = (end: number) => {
      if (runStart < 0) return;
      result.push(...this.fetchRun(runStart, end));
      runStart = -1;
    };
    for (let block = first; block <= last; block++) {
      const cached = this.cache.get(block);
      if (cached) {
        flush(block - 1);
        this.cache.delete(block); // LRU: re-insert as most recent
        this.cache.set(block, cached);
        this.stats.cacheHits++;
        result.push(Promise.resolve(cached));
        continue;
      }
      const pending = this.pending.get(block);
      if (pending) {
        flush(block - 1);
        result.push(pending);
        continue;
      }
      if (runStart < 0) runStart = block;
    }
    flush(last);
    return result;
  }

  /** Starts fetching up to readAheadBlocks blocks from `from` that are neither cached nor pending. */
  private readAhead(from: number): void {
    const lastBlock = Math.floor((this.size - 1) / this.options.blockBytes);
    const to = Math.min(lastBlock, from + this.options.readAheadBlocks - 1);
    let runStart = -1;
    for (let block = from; block <= to + 1; block++) {
      const missing = block <= to && !this.cache.has(block) && !this.pending.has(block);
      if (missing && runStart < 0) runStart = block;
      if (!missing && runStart >= 0) {
        for (const promise of this.fetchRun(runStart, block - 1)) promise.catch(() => undefined);
        runStart = -1;
      }
    }
  }

  /** One GET for blocks first..last; each block's promise resolves from it. */
  private fetchRun(first: number, last: number): Promise<Buffer>[] {
    const { blockBytes } = this.options;
    const offset = first * blockBytes;
    const end = Math.min(this.size, (last + 1) * blockBytes);
    const whole = this.fetch(offset, end - offset);
    const promises: Promise<Buffer>[] = [];
    for (let block = first; block <= last; block++) {
      const promise = whole.then((data) => {
        const start = (block - first) * blockBytes;
        const slice = Buffer.from(data.subarray(start, Math.min(data.length, start + blockBytes)));
        this.remember(block, slice);
        return slice;
      });
      const tracked = promise.finally(() => this.pending.delete(block));
      tracked.catch(() => undefined);
      this.pending.set(block, tracked);
      promises.push(tracked);
    }
    return promises;
  }

  private remember(block: number, data: Buffer): void {
    if (this.closed) return;
    this.cache.set(block, data);
    this.cachedBytes += data.length;
    for (const [oldest, buffer] of this.cache) {
      if (this.cachedBytes <= this.options.maxCachedBytes) break;
      this.cache.delete(oldest);
      this.cachedBytes -= buffer.length;
    }
  }

  /** One ranged GET, within the concurrency bound, pinned to the object version. */
  private async fetch(offset: number, length: number): Promise<Buffer> {
    await this.acquire();
    try {
      this.stats.requests++;
      const response = await this.client.send(new GetObjectCommand({
        Bucket: this.identity.bucket,
        Key: this.identity.key,
        VersionId: this.identity.versionId,
        IfMatch: this.identity.versionId ? undefined : quoteEtag(this.identity.etag),
        Range: `bytes=${offset}-${offset + length - 1}`,
      }));
      const data = Buffer.from(await response.Body!.transformToByteArray());
      if (data.length !== length) {
        throw new ByteSourceError(this.description, offset, length, `S3 returned ${data.length} bytes for the range`);
      }
      this.stats.bytesFetched += data.length;
      return data;
    } catch (error) {
      if (isNotFound(error) || isPreconditionFailed(error)) {
        this.sourceChanged ??= new S3SourceChangedError(this.description, offset, length, `the upload changed while it was read (${errorName(error)}): it was overwritten or deleted`);
        throw this.sourceChanged;
      }
      this.failure ??= error;
      if (error instanceof ByteSourceError) throw error;
      throw new ByteSourceError(this.description, offset, length, `S3 GET failed: ${errorName(error)}: ${(error as Error).message}`);
    } finally {
      this.release();
    }
  }

  private async acquire(): Promise<void> {
    if (this.active < this.options.maxConcurrentRequests) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) {
      next(); // hand the slot over
    } else {
      this.active--;
    }
  }
}

function quoteEtag(etag: string | undefined): string | undefined {
  if (!etag) return undefined;
  return etag.startsWith('"') ? etag : `"${etag}"`;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : String(error);
}
