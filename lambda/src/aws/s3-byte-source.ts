import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { ByteSourceError, checkReadRange, describeSource, SourceKind, type ByteRange, type ByteSource, type S3SourceIdentity } from '../io';
import { isNotFound, isPreconditionFailed } from './s3-errors';

export interface S3ByteSourceOptions {
  /**
   * A small read that misses the cache fetches this many bytes from its offset (a local header,
   * its name and, for small images, the image itself in one GET). Default 64 KiB.
   */
  readonly windowBytes?: number;
  /** Most bytes of fetched windows kept (least recently used dropped first). Default 32 MiB. */
  readonly maxCachedBytes?: number;
  /** A sequential reader gets up to this many reads fetched ahead. Default 4. */
  readonly readAheadCount?: number;
  /** ...and at most this many bytes ahead. Default 8 MiB. */
  readonly maxReadAheadBytes?: number;
  /** Most ranged GETs in flight at once. Default 16. */
  readonly maxConcurrentRequests?: number;
  /**
   * Ranges announced with `willRead` are fetched in parts of this size, several at once: one GET
   * streams at roughly 85-90 MB/s, so throughput comes from parallel GETs. Default 8 MiB.
   */
  readonly prefetchPartBytes?: number;
  /**
   * Most announced bytes fetched ahead of the reader (in flight or waiting to be read). With
   * `maxCachedBytes` this bounds the source's memory. Default 64 MiB (8 parts in flight).
   */
  readonly maxPrefetchBytes?: number;
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

const DEFAULTS: Required<S3ByteSourceOptions> = {
  windowBytes: 64 * 1024,
  maxCachedBytes: 32 * 1024 * 1024,
  readAheadCount: 4,
  maxReadAheadBytes: 8 * 1024 * 1024,
  maxConcurrentRequests: 16,
  prefetchPartBytes: 8 * 1024 * 1024,
  maxPrefetchBytes: 64 * 1024 * 1024,
};

/** How far past the prefetch a read is looked up among the announced parts. */
const LOOKAHEAD_PARTS = 16;

/** A fetched (or being fetched) byte range of the object. */
interface Extent {
  readonly start: number;
  readonly end: number;
  readonly data: Promise<Buffer>;
  /** Set once the data arrived; only settled extents count against the cache budget. */
  settled?: Buffer;
  /**
   * The announced part it was fetched for. Until the reader reaches that part it is not evicted:
   * least-recently-used order would drop it first (fetched ahead, never read yet, so older than the
   * parts just read) and the reader would fetch it again. At most `maxPrefetchBytes` are pinned.
   */
  part?: number;
}

/**
 * A zip in S3 read with ranged GETs. The converter reads the end of central directory, the
 * central directory in 64 KiB steps, then for each image (in shuffled order, up to 16 ahead) a
 * 30-byte local header, its name and its data in ≤ 1 MiB pieces. Per read:
 * - what a cached (or in-flight) range already covers is served from it;
 * - a small uncovered read fetches a window from its offset (`windowBytes`) and keeps it, so a
 *   header, its name and a small image cost one GET;
 * - a larger uncovered read fetches exactly its bytes, so large images are not fetched twice;
 * - a reader that continues where it stopped (the central directory, a large entry) gets its next
 *   reads fetched ahead, bounded by `readAheadCount` and `maxReadAheadBytes` (a header, its name and
 *   its data are consecutive too, but start with small reads: no read-ahead for those).
 * - ranges announced with `willRead` (a worker knows every byte range its shards need) are
 *   fetched ahead of the reader in `prefetchPartBytes` parts, at most `maxPrefetchBytes` ahead, so
 *   several GETs stream at once and one worker is not bound by one connection's throughput.
 * Memory stays within `maxCachedBytes` (announced parts fetched ahead count in it and are not
 * evicted before the reader reaches them; they are at most `maxPrefetchBytes` plus one part) plus the
 * GETs in flight (at most `maxConcurrentRequests`, each filling one buffer of its range's size).
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

  /** Kept ranges, by start offset, in least-recently-used order (Map insertion order). */
  private readonly extents = new Map<number, Extent>();
  /** Their start offsets, sorted, for lookups. */
  private starts: number[] = [];
  private cachedBytes = 0;
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  private lastReadEnd = -1;
  private lastReadLength = 0;
  private failure: unknown;
  private sourceChanged: S3SourceChangedError | undefined;
  private closed = false;
  /** Announced ranges, split into parts, in reading order; `consumed` is the part the reader is in. */
  private parts: ByteRange[] = [];
  private consumed = 0;
  private nextPart = 0;

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
    if (this.parts.length > 0) this.advancePrefetch(offset);
    const end = offset + length;
    // A streaming reader continues where a read of at least a window ended (the central
    // directory, a large entry). A small header read followed by its name and data is not one.
    const streaming = offset === this.lastReadEnd && this.lastReadLength >= this.options.windowBytes;
    this.lastReadEnd = end;
    this.lastReadLength = length;

    const parts: Promise<Buffer>[] = [];
    for (let position = offset; position < end;) {
      const extent = this.covering(position);
      if (extent) {
        this.stats.cacheHits++;
        this.touch(extent);
        const from = position - extent.start;
        const to = Math.min(end, extent.end) - extent.start;
        parts.push(extent.data.then((data) => data.subarray(from, to)));
        position = extent.start + to;
      } else if (length < this.options.windowBytes) {
        this.keep(position, Math.min(this.size, position + this.options.windowBytes, this.nextStart(position)));
      } else {
        const to = Math.min(end, this.nextStart(position));
        parts.push(this.fetch(position, to - position));
        position = to;
      }
    }
    if (streaming) this.readAhead(end, length);
    const buffers = await Promise.all(parts);
    return buffers.length === 1 ? buffers[0] : Buffer.concat(buffers);
  }

  /** Fetches the announced ranges ahead of the reader; replaces ranges announced earlier. */
  willRead(ranges: readonly ByteRange[]): void {
    const merged: ByteRange[] = [];
    for (const r of ranges) {
      if (!(r.start >= 0 && r.end <= this.size && r.start < r.end)) continue;
      const last = merged[merged.length - 1];
      if (last && last.end === r.start) merged[merged.length - 1] = { start: last.start, end: r.end };
      else merged.push(r);
    }
    // Equal parts of at most prefetchPartBytes: no small tail part paying a whole first-byte wait.
    this.parts = merged.flatMap((r) => {
      const count = Math.ceil((r.end - r.start) / this.options.prefetchPartBytes);
      const part = Math.ceil((r.end - r.start) / count);
      const pieces: ByteRange[] = [];
      for (let start = r.start; start < r.end; start += part) pieces.push({ start, end: Math.min(r.end, start + part) });
      return pieces;
    });
    this.consumed = 0;
    this.nextPart = 0;
    for (const extent of this.extents.values()) delete extent.part;
    this.pumpPrefetch();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.parts = [];
    this.extents.clear();
    this.starts = [];
    this.cachedBytes = 0;
  }

  /**
   * Moves the reader's position in the announced parts forward when `offset` lies in a later part
   * (looking a few parts past those fetched ahead, so an unannounced read costs little), then
   * tops the prefetch up.
   */
  private advancePrefetch(offset: number): void {
    const last = Math.min(this.parts.length, this.nextPart + LOOKAHEAD_PARTS);
    for (let i = this.consumed; i < last; i++) {
      const part = this.parts[i];
      if (offset >= part.start && offset < part.end) {
        this.consumed = i;
        this.nextPart = Math.max(this.nextPart, i); // the reader overtook the prefetch
        break;
      }
    }
    this.pumpPrefetch();
  }

  /** Starts GETs for the next announced parts while fewer than `maxPrefetchBytes` are ahead of the reader. */
  private pumpPrefetch(): void {
    let ahead = 0;
    for (let i = this.consumed; i < this.nextPart; i++) ahead += this.parts[i].end - this.parts[i].start;
    while (this.nextPart < this.parts.length && ahead < this.options.maxPrefetchBytes) {
      const index = this.nextPart++;
      const part = this.parts[index];
      ahead += part.end - part.start;
      for (let position = part.start; position < part.end;) {
        const covered = this.covering(position);
        if (covered) {
          position = covered.end;
          continue;
        }
        const to = Math.min(part.end, this.nextStart(position));
        const extent = this.keep(position, to);
        extent.part = index;
        extent.data.catch(() => undefined);
        position = to;
      }
    }
  }

  /** Fetches the next reads of a sequential reader ahead of time (windows of at least the read's size). */
  private readAhead(from: number, lastLength: number): void {
    const chunk = Math.max(this.options.windowBytes, lastLength);
    const count = Math.min(this.options.readAheadCount, Math.floor(this.options.maxReadAheadBytes / chunk));
    let position = from;
    for (let i = 0; i < count && position < this.size; i++) {
      const extent = this.covering(position);
      if (extent) {
        position = extent.end;
        continue;
      }
      const to = Math.min(this.size, position + chunk, this.nextStart(position));
      this.keep(position, to).data.catch(() => undefined);
      position = to;
    }
  }

  /** The kept range containing `position`, if any. */
  private covering(position: number): Extent | undefined {
    // Rightmost start <= position (binary search).
    let lo = 0;
    let hi = this.starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= position) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) return undefined;
    const extent = this.extents.get(this.starts[found])!;
    return position < extent.end ? extent : undefined;
  }

  /** Where the next kept range after `position` starts (so new ranges never overlap kept ones). */
  private nextStart(position: number): number {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] <= position) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.starts.length ? this.starts[lo] : this.size;
  }

  /** Fetches [start, end) and keeps it. */
  private keep(start: number, end: number): Extent {
    const extent: Extent = { start, end, data: this.fetch(start, end - start) };
    this.extents.set(start, extent);
    this.insertStart(start);
    extent.data.then(
      (data) => {
        if (this.extents.get(start) !== extent) return;
        extent.settled = data;
        this.cachedBytes += data.length;
        this.evict();
      },
      () => this.forget(extent),
    );
    return extent;
  }

  private touch(extent: Extent): void {
    this.extents.delete(extent.start);
    this.extents.set(extent.start, extent);
  }

  /** Drops least recently used settled ranges (not those fetched ahead of the reader) until the cache fits its budget. */
  private evict(): void {
    for (const extent of this.extents.values()) {
      if (this.cachedBytes <= this.options.maxCachedBytes) break;
      if (extent.settled && !(extent.part !== undefined && extent.part >= this.consumed)) this.forget(extent);
    }
  }

  private forget(extent: Extent): void {
    if (this.extents.get(extent.start) !== extent) return;
    this.extents.delete(extent.start);
    const index = this.starts.indexOf(extent.start);
    if (index >= 0) this.starts.splice(index, 1);
    if (extent.settled) this.cachedBytes -= extent.settled.length;
  }

  private insertStart(start: number): void {
    let lo = 0;
    let hi = this.starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.starts[mid] < start) lo = mid + 1;
      else hi = mid;
    }
    this.starts.splice(lo, 0, start);
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
      const data = await readBody(response.Body, length, (returned) => new ByteSourceError(this.description, offset, length, `S3 returned ${returned} bytes for the range`));
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

/**
 * A GET's body copied once into a buffer of the range's length as it streams in. Collecting the
 * chunks and concatenating them (`transformToByteArray`) copies every byte twice more and allocates
 * two more part-sized buffers per GET; at several hundred MB/s that garbage costs a worker about a
 * quarter of its CPU in collections (measured with bench/s3-read.bench.ts).
 */
async function readBody(body: unknown, length: number, wrongLength: (returned: string) => Error): Promise<Buffer> {
  if (!isAsyncIterable(body)) {
    const bytes = await (body as { transformToByteArray(): Promise<Uint8Array> } | undefined)?.transformToByteArray() ?? new Uint8Array(0);
    if (bytes.length !== length) throw wrongLength(String(bytes.length));
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  const data = Buffer.allocUnsafeSlow(length);
  let received = 0;
  for await (const chunk of body) {
    if (received + chunk.length > length) throw wrongLength(`more than ${length}`); // leaving the loop destroys the stream
    data.set(chunk, received);
    received += chunk.length;
  }
  if (received !== length) throw wrongLength(String(received));
  return data;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof (value as AsyncIterable<Uint8Array> | undefined)?.[Symbol.asyncIterator] === 'function';
}

function quoteEtag(etag: string | undefined): string | undefined {
  if (!etag) return undefined;
  return etag.startsWith('"') ? etag : `"${etag}"`;
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : String(error);
}
