import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { FileByteSource } from '../../lambda/src/io/file-byte-source';
import { MemoryByteSource } from '../../lambda/src/io/memory-byte-source';
import { ZipArchive } from '../../lambda/src/zip/zip-archive';
import { EntryDataError, EntryDataProblem, ZipFormatError, ZipProblem } from '../../lambda/src/zip/zip-errors';
import { readZipIndex } from '../../lambda/src/zip/zip-index';
import { estimatedIndexBytes } from '../../lambda/src/zip/zip-limits';
import { pseudoRandomBytes } from '../support/images';
import { buildZip, type ZipEntrySpec } from '../support/zip-builder';
import { removeDir, tempDir } from '../converter/helpers';

const text = (s: string) => Buffer.from(s, 'utf8');

async function readAll(zip: Buffer): Promise<Map<string, Buffer>> {
  const source = new MemoryByteSource(zip);
  const index = await readZipIndex(source);
  const archive = await ZipArchive.open(source, zip.length);
  try {
    const out = new Map<string, Buffer>();
    for (const e of index.entries) if (!e.isDirectory) out.set(e.name, Buffer.from(await archive.readEntry(e)));
    return out;
  } finally {
    archive.close();
  }
}

async function zipError(zip: Buffer, limits = {}): Promise<ZipFormatError> {
  const err = await readZipIndex(new MemoryByteSource(zip), limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ZipFormatError);
  return err as ZipFormatError;
}

async function entryError(spec: ZipEntrySpec): Promise<EntryDataError> {
  const zip = buildZip([spec]);
  const source = new MemoryByteSource(zip);
  const index = await readZipIndex(source);
  const archive = await ZipArchive.open(source);
  try {
    const err = await archive.readEntry(index.entries[0]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EntryDataError);
    return err as EntryDataError;
  } finally {
    archive.close();
  }
}

describe('reading entries', () => {
  const big = pseudoRandomBytes(3 * 1024 * 1024 + 17, 9); // spans several 1 MiB read chunks
  const cases: [string, ZipEntrySpec[], { zip64?: boolean }][] = [
    ['stored', [{ name: 'a.txt', data: text('hello') }, { name: 'big.bin', data: big }], {}],
    ['deflated', [{ name: 'a.txt', data: text('hello hello hello hello'), method: 8 }, { name: 'big.bin', data: big, method: 8 }], {}],
    ['data descriptors', [{ name: 'a.txt', data: text('hello'), method: 8, dataDescriptor: true }, { name: 'b.txt', data: text('stored'), dataDescriptor: true }], {}],
    ['zip64 extra fields and end records', [{ name: 'a.txt', data: text('hello'), zip64: true }, { name: 'b.txt', data: text('x'.repeat(1000)), method: 8, zip64: true, dataDescriptor: true }], { zip64: true }],
    ['empty entries and directories', [{ name: 'dir/' }, { name: 'dir/empty.txt' }], {}],
  ];
  it.each(cases)('reads %s with CRC checks', async (_label, specs, options) => {
    const files = await readAll(buildZip(specs, options));
    for (const s of specs) {
      if (String(s.name).endsWith('/')) continue;
      // Buffer.equals: jest's toEqual walks megabytes byte by byte.
      expect(files.get(String(s.name))?.equals(Buffer.from(s.data ?? new Uint8Array(0)))).toBe(true);
    }
  });

  it('reads more than 65,535 entries (zip64 entry count)', async () => {
    const specs = Array.from({ length: 65_600 }, (_, i) => ({ name: `f${i}`, data: text(String(i)) }));
    const index = await readZipIndex(new MemoryByteSource(buildZip(specs)));
    expect(index.entries).toHaveLength(65_600);
    expect(index.entries[65_599].name).toBe('f65599');
  });

  it('records facts about each entry for the dataset layer', async () => {
    const index = await readZipIndex(
      new MemoryByteSource(
        buildZip([
          { name: 'link.jpg', data: text('target.jpg'), unixMode: 0o120777 },
          { name: 'secret.jpg', data: text('x'), encrypted: true },
          { name: 'bz.jpg', data: text('x'), method: 12 },
          { name: 'dir/' },
          { name: '../evil.jpg', data: text('x') },
        ]),
      ),
    );
    const [link, secret, bz, dir, evil] = index.entries;
    expect(link.isSymlink).toBe(true);
    expect(secret.isEncrypted).toBe(true);
    expect(bz.compressionMethod).toBe(12);
    expect(dir.isDirectory).toBe(true);
    expect(evil.nameIssue?.detail).toMatch(/'\.\.'/);
  });

  it('reads through a FileByteSource', async () => {
    const dir = tempDir();
    try {
      const file = join(dir, 'x.zip');
      writeFileSync(file, buildZip([{ name: 'a.txt', data: text('from disk'), method: 8 }]));
      const source = await FileByteSource.open(file);
      try {
        const index = await readZipIndex(source);
        const archive = await ZipArchive.open(source);
        expect((await archive.readEntry(index.entries[0])).toString()).toBe('from disk');
        archive.close();
        expect(source.description).toBe(`file ${file}`);
        await expect(source.read(source.size - 1, 2)).rejects.toThrow(/past the end/);
      } finally {
        await source.close();
      }
    } finally {
      removeDir(dir);
    }
  });
});

describe('archive-level problems', () => {
  const good = buildZip([
    { name: 'a.jpg', data: pseudoRandomBytes(5000, 1) },
    { name: 'b.jpg', data: pseudoRandomBytes(5000, 2), method: 8 },
  ]);

  it('rejects an empty file', async () => {
    expect((await zipError(Buffer.alloc(0))).problem).toBe(ZipProblem.NOT_A_ZIP);
  });

  it('rejects something that is not a zip', async () => {
    const err = await zipError(Buffer.from('%PDF-1.7 this is not a zip file at all'.repeat(10)));
    expect(err.problem).toBe(ZipProblem.NOT_A_ZIP);
    expect(err.message).toMatch(/test|in-memory zip/);
  });

  it.each([1, 10, 22, 100, 5000, 10_000])('rejects a zip truncated by %i bytes', async (cut) => {
    const err = await zipError(good.subarray(0, good.length - cut));
    expect([ZipProblem.NOT_A_ZIP, ZipProblem.TRUNCATED, ZipProblem.MALFORMED]).toContain(err.problem);
  });

  it('rejects a zip cut short in front (central directory offset past the end)', async () => {
    const err = await zipError(good.subarray(4000));
    expect([ZipProblem.TRUNCATED, ZipProblem.MALFORMED]).toContain(err.problem);
  });

  it('rejects more entries than the entry-count cap before reading them', async () => {
    const err = await zipError(buildZip([{ name: 'a' }, { name: 'b' }, { name: 'c' }]), { maxEntries: 2 });
    expect(err.problem).toBe(ZipProblem.TOO_MANY_ENTRIES);
    expect(err.message).toMatch(/3 entries, more than the limit of 2/);
  });

  it('budgets the central directory before parsing it: a directory that needs more memory than allowed is refused', async () => {
    const names = Array.from({ length: 50 }, (_, i) => ({ name: `cat/${'n'.repeat(200)}-${i}.jpg`, data: text('x') }));
    const zip = buildZip(names);
    const directoryBytes = zip.length - zip.readUInt32LE(zip.length - 6); // to the end, from the offset in the end record
    const needed = estimatedIndexBytes(directoryBytes, 50);
    const err = await zipError(zip, { maxIndexBytes: needed - 1 });
    expect(err.problem).toBe(ZipProblem.DIRECTORY_TOO_LARGE);
    expect(err.message).toMatch(/the central directory \(13 KiB for 50 entries\) needs about 57 KiB of memory to read, more than the 57 KiB allowed; split the upload into several zips/);
    await expect(readZipIndex(new MemoryByteSource(zip, 'z.zip'), { maxIndexBytes: needed })).resolves.toMatchObject({ entries: expect.any(Array) });
  });

  it('rejects a declared total above the total-uncompressed cap', async () => {
    const err = await zipError(good, { maxTotalUncompressedBytes: 9000 });
    expect(err.problem).toBe(ZipProblem.TOTAL_SIZE_LIMIT);
    expect(err.entryName).toBe('b.jpg');
  });

  it('rejects a stored entry whose compressed and uncompressed sizes differ (yauzl validateEntrySizes)', async () => {
    const err = await zipError(buildZip([{ name: 'a.jpg', data: text('abcdef'), uncompressedSize: 3 }]));
    expect(err.problem).toBe(ZipProblem.STORED_SIZE_MISMATCH);
  });

  it('rejects PKWARE strong encryption', async () => {
    const zip = buildZip([{ name: 'a.jpg', data: text('x') }]);
    const cd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt16LE(0x41, cd + 8);
    expect((await zipError(zip)).problem).toBe(ZipProblem.ENCRYPTED_ARCHIVE);
  });

  describe('overlapping entries (Fifield zip bombs)', () => {
    it('rejects entries sharing one local header (full overlap)', async () => {
      const kernel = deflateRawSync(Buffer.alloc(1024 * 1024));
      const zip = buildZip([
        { name: 'k0.jpg', rawData: kernel, method: 8, uncompressedSize: 1024 * 1024, crc32: 0 },
        ...Array.from({ length: 50 }, (_, i) => ({ name: `k${i + 1}.jpg`, aliasOf: 0, method: 8, rawData: kernel, uncompressedSize: 1024 * 1024, crc32: 0 })),
      ]);
      const err = await zipError(zip);
      expect(err.problem).toBe(ZipProblem.OVERLAPPING_ENTRIES);
      expect(err.message).toMatch(/overlapping entries/);
    });

    it("rejects an entry whose declared data runs into the next entry's header (quoted overlap)", async () => {
      const zip = buildZip([
        { name: 'a.jpg', data: pseudoRandomBytes(100, 1), compressedSize: 200, method: 8, rawData: pseudoRandomBytes(100, 1) },
        { name: 'b.jpg', data: pseudoRandomBytes(100, 2) },
      ]);
      expect((await zipError(zip)).problem).toBe(ZipProblem.OVERLAPPING_ENTRIES);
    });

    it('rejects, when reading, data pushed into the next header by a longer local extra field', async () => {
      const data = pseudoRandomBytes(100, 3);
      // The central directory fits (30 + 150 <= 30 + 5 + 120 + 100), the real local header does not.
      const zip = buildZip([
        { name: 'a.jpg', data, method: 8, rawData: Buffer.concat([deflateRawSync(data), Buffer.alloc(150)]).subarray(0, 150), localExtra: Buffer.alloc(120) },
        { name: 'b.jpg', data: pseudoRandomBytes(100, 4) },
      ]);
      const source = new MemoryByteSource(zip);
      const index = await readZipIndex(source);
      const archive = await ZipArchive.open(source);
      const lying = { ...index.entries[0], compressedSize: 150 + 5 + 120 - 50 };
      await expect(archive.readEntry(lying)).rejects.toMatchObject({ problem: ZipProblem.OVERLAPPING_ENTRIES });
      archive.close();
    });
  });

  it('refuses to read entries of a source whose size changed since planning', async () => {
    await expect(ZipArchive.open(new MemoryByteSource(good), good.length + 1)).rejects.toMatchObject({ problem: ZipProblem.SOURCE_CHANGED });
  });
});

describe('entry-level problems', () => {
  it('detects a CRC-32 mismatch', async () => {
    const err = await entryError({ name: 'a.jpg', data: text('hello'), crc32: 0x12345678 });
    expect(err.problem).toBe(EntryDataProblem.CRC_MISMATCH);
    expect(err.message).toMatch(/a\.jpg.*CRC-32 mismatch: the central directory says 0x12345678/);
  });

  it('detects a deflated entry larger than declared', async () => {
    const data = Buffer.alloc(100_000, 7);
    const err = await entryError({ name: 'a.jpg', data, method: 8, uncompressedSize: 1000 });
    expect(err.problem).toBe(EntryDataProblem.SIZE_MISMATCH);
  });

  it('detects a deflated entry smaller than declared', async () => {
    const err = await entryError({ name: 'a.jpg', data: text('short'), method: 8, uncompressedSize: 50 });
    expect(err.problem).toBe(EntryDataProblem.SIZE_MISMATCH);
  });

  it('detects a corrupt deflate stream', async () => {
    const err = await entryError({ name: 'a.jpg', data: text('hello'), method: 8, rawData: Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff]) });
    expect(err.problem).toBe(EntryDataProblem.CORRUPT_DATA);
  });

  it('detects a truncated deflate stream', async () => {
    const data = pseudoRandomBytes(10_000, 5);
    const err = await entryError({ name: 'a.jpg', data, method: 8, rawData: deflateRawSync(data).subarray(0, 5000) });
    expect([EntryDataProblem.CORRUPT_DATA, EntryDataProblem.SIZE_MISMATCH]).toContain(err.problem);
  });

  it('reports a central directory entry pointing at garbage instead of a local header', async () => {
    const zip = buildZip([{ name: 'a.jpg', data: text('hello world') }]);
    zip.writeUInt32LE(0xdeadbeef, 0);
    const source = new MemoryByteSource(zip);
    const index = await readZipIndex(source);
    const archive = await ZipArchive.open(source);
    await expect(archive.readEntry(index.entries[0])).rejects.toMatchObject({ problem: EntryDataProblem.CORRUPT_DATA });
    archive.close();
  });
});
