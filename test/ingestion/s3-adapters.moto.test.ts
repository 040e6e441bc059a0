import { CreateBucketCommand, GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutBucketVersioningCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { S3ByteSource, S3ShardSink, S3SourceChangedError, TeeShardSink } from '../../lambda/src/aws';
import { ChecksumAlgorithm, type ShardSink, type ShardWriter } from '../../lambda/src/io';
import { crc32c } from '../../lambda/src/tfrecord';
import { MOTO_SERVER, describeWithTool } from '../support/external-tool';
import { pseudoRandomBytes } from '../support/images';
import { useMotoServer } from '../support/moto-server';

const MiB = 1024 * 1024;

describeWithTool(MOTO_SERVER, 'S3 adapters against moto_server', () => {
  const moto = useMotoServer();
  let s3: S3Client;
  const bucket = 'adapter-tests';

  beforeAll(async () => {
    s3 = new S3Client(moto.s3Config());
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
  });

  const put = async (key: string, body: Buffer) => (await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body })));
  const get = async (key: string) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
  const keys = async (prefix: string) => ((await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }))).Contents ?? []).map((o) => o.Key!).sort();
  const multipartUploads = async () => ((await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? []).length;

  describe('S3ByteSource', () => {
    const data = pseudoRandomBytes(3 * MiB + 12345, 7);

    test('serves arbitrary ranges byte-exactly from fetched windows, with far fewer GETs than reads and little over-fetch', async () => {
      const { VersionId } = await put('zips/a.zip', data);
      const source = await S3ByteSource.open(s3, { bucket, key: 'zips/a.zip', versionId: VersionId }, { windowBytes: 64 * 1024, readAheadCount: 4 });
      expect(source.size).toBe(data.length);
      expect(source.identity).toMatchObject({ kind: 's3', bucket, key: 'zips/a.zip', versionId: VersionId });
      // A local-header-like pattern: 30 bytes, the name, then data, many times along the file.
      let reads = 0;
      for (let offset = 0; offset + 5000 < data.length; offset += 4_900) {
        expect((await source.read(offset, 30)).equals(data.subarray(offset, offset + 30))).toBe(true);
        expect((await source.read(offset + 30, 12)).equals(data.subarray(offset + 30, offset + 42))).toBe(true);
        expect((await source.read(offset + 42, 4000)).equals(data.subarray(offset + 42, offset + 4042))).toBe(true);
        reads += 3;
      }
      expect((await source.read(data.length - 10, 10)).equals(data.subarray(data.length - 10))).toBe(true);
      expect(source.stats.requests).toBeLessThan(reads / 20);
      expect(source.stats.bytesFetched).toBeLessThanOrEqual(data.length);
      await source.close();
    });

    test('shuffled small entries: one GET each, and large ones fetched exactly (no double fetch)', async () => {
      await put('zips/f.zip', data);
      const source = await S3ByteSource.open(s3, { bucket, key: 'zips/f.zip' }, { windowBytes: 64 * 1024 });
      // 100 KB "images" in shuffled order: header (30 B), name, then the data.
      const starts = Array.from({ length: 24 }, (_, i) => i * 110_000).sort((a, b) => ((a * 7919) % 13) - ((b * 7919) % 13));
      for (const start of starts) {
        await source.read(start, 30);
        await source.read(start + 30, 20);
        expect((await source.read(start + 50, 100_000)).equals(data.subarray(start + 50, start + 100_050))).toBe(true);
      }
      expect(source.stats.requests).toBe(2 * starts.length);
      expect(source.stats.bytesFetched / source.stats.bytesServed).toBeLessThan(1.05);
      await source.close();
    });

    test('large reads are fetched exactly; concurrent reads of one window share one GET', async () => {
      await put('zips/b.zip', data);
      const source = await S3ByteSource.open(s3, { bucket, key: 'zips/b.zip' }, { windowBytes: 64 * 1024 });
      const big = await source.read(100, 2 * MiB);
      expect(big.equals(data.subarray(100, 100 + 2 * MiB))).toBe(true);
      expect(source.stats.requests).toBe(1);
      const parts = await Promise.all([0, 1000, 2000, 3000].map((o) => source.read(2 * MiB + 300_000 + o, 100)));
      parts.forEach((part, i) => expect(part.equals(data.subarray(2 * MiB + 300_000 + i * 1000, 2 * MiB + 300_000 + i * 1000 + 100))).toBe(true));
      expect(source.stats.requests).toBe(2);
    });

    test('a sequential reader gets its next reads fetched ahead', async () => {
      await put('zips/g.zip', data);
      const source = await S3ByteSource.open(s3, { bucket, key: 'zips/g.zip' }, { windowBytes: 64 * 1024, readAheadCount: 4 });
      for (let offset = 0; offset + 64 * 1024 <= 2 * MiB; offset += 64 * 1024) {
        expect((await source.read(offset, 64 * 1024)).equals(data.subarray(offset, offset + 64 * 1024))).toBe(true);
      }
      // 32 reads: the first two fetched on demand (the second shows the reader streams), the rest found in flight or kept.
      expect(source.stats.cacheHits).toBeGreaterThanOrEqual(30);
      expect(source.stats.bytesFetched).toBeLessThanOrEqual(2 * MiB + 4 * 64 * 1024);
    });

    test('announced ranges are fetched ahead in parts, several GETs at once, never more than maxPrefetchBytes ahead of the reader', async () => {
      await put('zips/h.zip', data);
      const source = await S3ByteSource.open(s3, { bucket, key: 'zips/h.zip' }, { windowBytes: 64 * 1024, prefetchPartBytes: 128 * 1024, maxPrefetchBytes: 512 * 1024, maxConcurrentRequests: 8, readAheadCount: 0 });
      const send = s3.send.bind(s3);
      let inFlight = 0;
      let mostInFlight = 0;
      const fetched: [number, number][] = [];
      const spy = jest.spyOn(s3, 'send').mockImplementation((async (command: { input: { Range?: string } }) => {
        const range = /bytes=(\d+)-(\d+)/.exec(command.input.Range ?? '');
        if (range) fetched.push([Number(range[1]), Number(range[2]) + 1]);
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        try {
          return await send(command as never);
        } finally {
          inFlight--;
        }
      }) as never);
      try {
        // Two runs, read in the announced order (the second run comes first in the file).
        const runs = [{ start: 2 * MiB, end: 3 * MiB }, { start: 100, end: MiB }];
        source.willRead(runs);
        await new Promise((resolve) => setImmediate(resolve));
        expect(fetched.map(([start]) => start)).toEqual([0, 1, 2, 3].map((i) => 2 * MiB + i * 128 * 1024));
        for (const run of runs) {
          for (let offset = run.start; offset < run.end; offset += 50_000) {
            const length = Math.min(50_000, run.end - offset);
            expect((await source.read(offset, length)).equals(data.subarray(offset, offset + length))).toBe(true);
            const ahead = fetched.filter(([start]) => start > offset && (offset >= 2 * MiB ? start >= offset : start < MiB));
            expect(ahead.reduce((n, [start, end]) => n + end - start, 0)).toBeLessThanOrEqual(512 * 1024 + 128 * 1024);
          }
        }
      } finally {
        spy.mockRestore();
      }
      expect(mostInFlight).toBeGreaterThanOrEqual(3);
      expect(fetched.every(([start, end]) => end - start <= 128 * 1024)).toBe(true);
      // Every announced byte fetched once, nothing else.
      expect(source.stats.bytesFetched).toBe(MiB + (MiB - 100));
      await source.close();
    });

    test('parts fetched ahead stay until the reader reaches them, however much it has read since: every announced byte is fetched once', async () => {
      await put('zips/i.zip', data);
      const source = await S3ByteSource.open(s3, { bucket, key: 'zips/i.zip' }, { windowBytes: 128 * 1024, prefetchPartBytes: 128 * 1024, maxPrefetchBytes: MiB, maxCachedBytes: 1.5 * MiB, readAheadCount: 0 });
      const runs = [{ start: MiB, end: 3 * MiB }, { start: 0, end: MiB }];
      source.willRead(runs);
      for (const run of runs) {
        for (let offset = run.start; offset < run.end; offset += 64 * 1024) {
          // A slow reader (a converter bound by its CPU): the parts ahead arrive before it reaches them.
          await new Promise((resolve) => setTimeout(resolve, 10));
          const length = Math.min(64 * 1024, run.end - offset);
          expect((await source.read(offset, length)).equals(data.subarray(offset, offset + length))).toBe(true);
        }
      }
      expect(source.stats).toMatchObject({ requests: 24, bytesFetched: 3 * MiB });
      expect((source as unknown as { cachedBytes: number }).cachedBytes).toBeLessThanOrEqual(1.5 * MiB);
      await source.close();
    });

    test('announced ranges are split into equal parts: no small tail part pays a whole first-byte wait', async () => {
      await put('zips/j.zip', data);
      const source = await S3ByteSource.open(s3, { bucket, key: 'zips/j.zip' }, { prefetchPartBytes: MiB, maxPrefetchBytes: 4 * MiB });
      const fetched: number[] = [];
      const send = s3.send.bind(s3);
      const spy = jest.spyOn(s3, 'send').mockImplementation(((command: { input: { Range?: string } }) => {
        const range = /bytes=(\d+)-(\d+)/.exec(command.input.Range ?? '');
        if (range) fetched.push(Number(range[2]) + 1 - Number(range[1]));
        return send(command as never);
      }) as never);
      try {
        source.willRead([{ start: 0, end: 2 * MiB + 3 }]);
        expect((await source.read(0, 2 * MiB + 3)).equals(data.subarray(0, 2 * MiB + 3))).toBe(true);
      } finally {
        spy.mockRestore();
      }
      expect(fetched).toEqual([699052, 699052, 699051]);
      await source.close();
    });

    test('keeps the cache within maxCachedBytes', async () => {
      await put('zips/c.zip', data);
      const source = await S3ByteSource.open(s3, { bucket, key: 'zips/c.zip' }, { windowBytes: 64 * 1024, maxCachedBytes: 256 * 1024, readAheadCount: 0 });
      for (let offset = 0; offset < data.length - 100; offset += 64 * 1024) await source.read(offset, 100);
      expect((source as unknown as { cachedBytes: number }).cachedBytes).toBeLessThanOrEqual(256 * 1024);
      // The first block was evicted: reading it again costs a GET.
      const before = source.stats.requests;
      await source.read(0, 10);
      expect(source.stats.requests).toBe(before + 1);
    });

    test('pins every read to the version the event named: an overwrite does not mix bytes of two uploads', async () => {
      await put('zips/d.zip', data);
      const source = await S3ByteSource.open(s3, { bucket, key: 'zips/d.zip' }, { windowBytes: 64 * 1024, readAheadCount: 0 });
      await source.read(0, 10);
      await put('zips/d.zip', pseudoRandomBytes(data.length, 8));
      expect((await source.read(2 * MiB, 10)).equals(data.subarray(2 * MiB, 2 * MiB + 10))).toBe(true);
    });

    test('on an unversioned bucket the ETag pins the reads: an overwrite is a changed upload, not bad bytes', async () => {
      await s3.send(new CreateBucketCommand({ Bucket: 'unversioned-uploads' }));
      const first = await s3.send(new PutObjectCommand({ Bucket: 'unversioned-uploads', Key: 'u.zip', Body: data }));
      const source = await S3ByteSource.open(s3, { bucket: 'unversioned-uploads', key: 'u.zip', etag: first.ETag!.replace(/"/g, '') }, { windowBytes: 64 * 1024, readAheadCount: 0 });
      await source.read(0, 10);
      await s3.send(new PutObjectCommand({ Bucket: 'unversioned-uploads', Key: 'u.zip', Body: pseudoRandomBytes(data.length, 8) }));
      await expect(source.read(2 * MiB, 10)).rejects.toBeInstanceOf(S3SourceChangedError);
      expect(source.changed).toBeInstanceOf(S3SourceChangedError);
      expect(source.ioFailure).toBeUndefined();
      await expect(S3ByteSource.open(s3, { bucket: 'unversioned-uploads', key: 'u.zip', etag: first.ETag! })).rejects.toBeInstanceOf(S3SourceChangedError);
      await expect(S3ByteSource.open(s3, { bucket, key: 'zips/missing.zip' })).rejects.toBeInstanceOf(S3SourceChangedError);
    });

    test('remembers S3 failures that the converter would report as a broken zip', async () => {
      await put('zips/e.zip', data);
      const source = await S3ByteSource.open(s3, { bucket, key: 'zips/e.zip' });
      (source as unknown as { identity: { bucket: string } }).identity.bucket = 'no-such-bucket';
      await expect(source.read(0, 10)).rejects.toThrow(/S3 GET failed: NoSuchBucket/);
      expect(source.ioFailure).toMatchObject({ name: 'NoSuchBucket' });
    });
  });

  describe('S3ShardSink', () => {
    const writeAll = async (writer: ShardWriter, data: Buffer, chunk = 256 * 1024) => {
      for (let offset = 0; offset < data.length; offset += chunk) await writer.write(data.subarray(offset, offset + chunk));
    };

    test('multipart for large outputs, a single PUT for small ones; CRC-32C checksums; nothing visible before finish', async () => {
      const sink = new S3ShardSink(s3, bucket, 'out/v1/', { partSize: 5 * MiB, queueSize: 2 });
      const large = pseudoRandomBytes(11 * MiB + 3, 1);
      const writer = await sink.open('training-00000-of-00001.tfrecord');
      await writeAll(writer, large);
      expect(await keys('out/v1/')).toEqual([]);
      const written = await writer.finish();
      expect(written).toEqual({ name: 'training-00000-of-00001.tfrecord', bytes: large.length, checksum: { algorithm: ChecksumAlgorithm.CRC32C, value: crc32c(large).toString(16).padStart(8, '0') } });
      const small = await sink.open('manifest.json');
      await small.write(Buffer.from('{}\n'), crc32c(Buffer.from('{}\n')));
      await small.finish();
      expect(await keys('out/v1/')).toEqual(['out/v1/manifest.json', 'out/v1/training-00000-of-00001.tfrecord']);
      expect((await get('out/v1/training-00000-of-00001.tfrecord')).equals(large)).toBe(true);
      expect(sink.publishedKeys).toEqual(['out/v1/training-00000-of-00001.tfrecord', 'out/v1/manifest.json']);
    });

    test('abort() aborts the output in progress and deletes the published ones: nothing half-visible', async () => {
      const sink = new S3ShardSink(s3, bucket, 'out/v2/', { partSize: 5 * MiB });
      const done = await sink.open('a.tfrecord');
      await writeAll(done, pseudoRandomBytes(100_000, 2));
      await done.finish();
      const partial = await sink.open('b.tfrecord');
      await writeAll(partial, pseudoRandomBytes(7 * MiB, 3)); // one part uploaded, one pending
      await sink.abort();
      expect(await keys('out/v2/')).toEqual([]);
      expect(await multipartUploads()).toBe(0);
      await expect(sink.open('../x')).rejects.toThrow(/invalid output name/);
    });

    test('a failed upload surfaces on write or finish', async () => {
      const sink = new S3ShardSink(s3, 'no-such-bucket', 'x/');
      const writer = await sink.open('a.tfrecord');
      await expect((async () => {
        await writeAll(writer, pseudoRandomBytes(6 * MiB, 4));
        await writer.finish();
      })()).rejects.toMatchObject({ name: 'NoSuchBucket' });
    });
  });

  describe('TeeShardSink', () => {
    class FailingSink implements ShardSink {
      readonly description = 'failing';
      async open(name: string): Promise<ShardWriter> {
        return {
          name,
          write: async () => undefined,
          finish: async () => {
            throw new Error('disk full');
          },
          abort: async () => undefined,
        };
      }
      async abort(): Promise<void> {}
    }

    test('writes the same bytes to every sink and aborts all when one fails', async () => {
      const s3Sink = new S3ShardSink(s3, bucket, 'tee/ok/');
      const tee = new TeeShardSink([s3Sink, new S3ShardSink(s3, bucket, 'tee/copy/')]);
      const writer = await tee.open('a.txt');
      await writer.write(Buffer.from('hello'));
      expect((await writer.finish()).checksum.value).toBe(crc32c(Buffer.from('hello')).toString(16).padStart(8, '0'));
      expect(await keys('tee/')).toEqual(['tee/copy/a.txt', 'tee/ok/a.txt']);

      const failing = new TeeShardSink([new S3ShardSink(s3, bucket, 'tee/fail/'), new FailingSink()]);
      const w = await failing.open('b.txt');
      await w.write(Buffer.from('x'));
      await expect(w.finish()).rejects.toThrow('disk full');
      await failing.abort();
      expect(await keys('tee/fail/')).toEqual([]);
    });
  });
});
