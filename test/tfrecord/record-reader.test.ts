import fc from 'fast-check';
import { crc32c, maskCrc32c } from '../../lambda/src/tfrecord/crc32c';
import { frameRecord } from '../../lambda/src/tfrecord/record-framing';
import {
  readTFRecords,
  readTFRecordsFromBuffer,
  TFRecordFormatError,
  type TFRecord,
  type TFRecordProblem,
  type TFRecordReadOptions,
} from '../../lambda/src/tfrecord/record-reader';

const frameAll = (payloads: readonly Uint8Array[]) => Buffer.concat(payloads.flatMap((p) => frameRecord(p)));

async function* chunked(buf: Uint8Array, sizes: readonly number[]): AsyncGenerator<Uint8Array> {
  let pos = 0;
  for (let i = 0; pos < buf.length; i++) {
    const size = Math.max(1, sizes.length ? sizes[i % sizes.length] : buf.length);
    yield buf.subarray(pos, pos + size);
    pos += size;
  }
}

async function collect(chunks: AsyncIterable<Uint8Array>, options?: TFRecordReadOptions): Promise<TFRecord[]> {
  const out: TFRecord[] = [];
  for await (const r of readTFRecords(chunks, options)) out.push(r);
  return out;
}

function formatError(fn: () => unknown): TFRecordFormatError {
  try {
    fn();
  } catch (err) {
    if (err instanceof TFRecordFormatError) return err;
    throw err;
  }
  throw new Error('expected a TFRecordFormatError');
}

// Three records: "alpha" at 0 (21 bytes), 100 bytes at 21 (116 bytes), "" at 137 (16 bytes); 153 in all.
const PAYLOADS = [Buffer.from('alpha'), Buffer.alloc(100, 7), Buffer.alloc(0)];
const FILE = frameAll(PAYLOADS);
const STARTS = [0, 21, 137];

describe('readTFRecordsFromBuffer / readTFRecords', () => {
  test('reads records with their index, offset and data', async () => {
    const expected = PAYLOADS.map((data, i) => ({ index: i, offset: STARTS[i], data }));
    expect(readTFRecordsFromBuffer(FILE)).toEqual(expected);
    expect(await collect(chunked(FILE, [1]))).toEqual(expected);
    expect(await collect(chunked(FILE, [5, 13, 2]))).toEqual(expected);
  });

  test('an empty input has no records', async () => {
    expect(readTFRecordsFromBuffer(new Uint8Array(0))).toEqual([]);
    expect(await collect(chunked(new Uint8Array(0), []))).toEqual([]);
  });

  test('frame then read gives back the payloads, however the input is chunked (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { maxLength: 6 }),
        async (payloads, sizes) => {
          const file = frameAll(payloads);
          const records = await collect(chunked(file, sizes));
          expect(records.map((r) => Array.from(r.data))).toEqual(payloads.map((p) => Array.from(p)));
          let offset = 0;
          records.forEach((r, i) => {
            expect(r.index).toBe(i);
            expect(r.offset).toBe(offset);
            offset += 16 + r.data.length;
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  test('pulls input only as far as the record it yields (does not buffer the whole file)', async () => {
    const big = frameAll([Buffer.alloc(1000, 1), Buffer.alloc(1000, 2), Buffer.alloc(1000, 3)]);
    let pulled = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let pos = 0; pos < big.length; pos += 100) {
        pulled = pos + 100;
        yield big.subarray(pos, pos + 100);
      }
    }
    const iterator = readTFRecords(source());
    const first = await iterator.next();
    expect(first.done).toBe(false);
    expect(pulled).toBe(1100); // record 0 ends at byte 1016
    await iterator.return(undefined);
  });

  test('yields the records before a corrupt one, then throws', async () => {
    const broken = Buffer.from(FILE);
    broken[21 + 12 + 50] ^= 1;
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const r of readTFRecords(chunked(broken, [7]))) seen.push(r.index);
      })(),
    ).rejects.toThrow(TFRecordFormatError);
    expect(seen).toEqual([0]);
  });
});

describe('corruption', () => {
  test.each([
    ['a length byte', 21 + 0, 'length-crc-mismatch', 1, 21],
    ['the high length byte', 21 + 7, 'length-crc-mismatch', 1, 21],
    ['a length-CRC byte', 21 + 9, 'length-crc-mismatch', 1, 21],
    ['a data byte', 21 + 12 + 99, 'data-crc-mismatch', 1, 21],
    ['a data-CRC byte', 21 + 112 + 3, 'data-crc-mismatch', 1, 21],
    ['the footer of an empty record', 137 + 12, 'data-crc-mismatch', 2, 137],
    ['the first length byte of the file', 0, 'length-crc-mismatch', 0, 0],
  ] as const)('flipping %s (byte %i) gives %s at the right record', (_what, byte, problem, index, offset) => {
    const broken = Buffer.from(FILE);
    broken[byte] ^= 0x10;
    const err = formatError(() => readTFRecordsFromBuffer(broken));
    expect(err).toMatchObject({ problem, recordIndex: index, offset });
    expect(err.message).toContain(`record ${index} at byte offset ${offset}`);
  });

  test('truncation at every byte: clean at record boundaries, otherwise the right error', async () => {
    const ends = [21, 137, 153];
    for (let length = 0; length <= FILE.length; length++) {
      const prefix = FILE.subarray(0, length);
      const complete = ends.filter((end) => end <= length).length;
      if (length === 0 || ends.includes(length)) {
        expect(readTFRecordsFromBuffer(prefix)).toHaveLength(complete);
        continue;
      }
      const start = complete === 0 ? 0 : ends[complete - 1];
      const into = length - start;
      const dataLength = PAYLOADS[complete].length;
      const problem: TFRecordProblem = into < 12 ? 'truncated-header' : into < 12 + dataLength ? 'truncated-data' : 'truncated-footer';
      const err = formatError(() => readTFRecordsFromBuffer(prefix));
      expect({ length, problem: err.problem, recordIndex: err.recordIndex, offset: err.offset }).toEqual({ length, problem, recordIndex: complete, offset: start });
      await expect(collect(chunked(prefix, [3]))).rejects.toMatchObject({ problem, recordIndex: complete, offset: start });
    }
  });

  test('truncation messages say how many bytes were there', () => {
    expect(() => readTFRecordsFromBuffer(FILE.subarray(0, 26))).toThrow('TFRecord record 1 at byte offset 21: truncated header: input ends after 5 of 12 header bytes');
    expect(() => readTFRecordsFromBuffer(FILE.subarray(0, 21 + 12 + 40))).toThrow('truncated data: input ends after 40 of 100 data bytes');
    expect(() => readTFRecordsFromBuffer(FILE.subarray(0, 21 + 112 + 2))).toThrow('truncated footer: input ends after 2 of 4 footer bytes');
  });

  test('trailing garbage after the last record is a truncated header', () => {
    const err = formatError(() => readTFRecordsFromBuffer(Buffer.concat([FILE, Buffer.from([1, 2, 3])])));
    expect(err).toMatchObject({ problem: 'truncated-header', recordIndex: 3, offset: 153 });
  });

  test('verifyCrc: false reads records whose CRCs are wrong', () => {
    const broken = Buffer.from(FILE);
    broken[21 + 9] ^= 1; // length CRC
    broken[21 + 12] ^= 1; // data
    const records = readTFRecordsFromBuffer(broken, { verifyCrc: false });
    expect(records.map((r) => r.data.length)).toEqual([5, 100, 0]);
  });

  test('a declared length above the cap is an error before any data is buffered', async () => {
    expect(formatError(() => readTFRecordsFromBuffer(FILE, { maxRecordBytes: 99 }))).toMatchObject({ problem: 'record-too-large', recordIndex: 1, offset: 21 });
    // A header declaring 2^40 bytes (with a valid length CRC) fails at the header, without the data.
    const header = Buffer.alloc(12);
    header.writeBigUInt64LE(2n ** 40n, 0);
    header.writeUInt32LE(maskCrc32c(crc32c(header.subarray(0, 8))), 8);
    await expect(collect(chunked(header, []))).rejects.toMatchObject({ problem: 'record-too-large', recordIndex: 0, offset: 0 });
    const hugeU64 = Buffer.from(header);
    hugeU64.writeBigUInt64LE(2n ** 64n - 1n, 0);
    expect(formatError(() => readTFRecordsFromBuffer(hugeU64, { verifyCrc: false })).message).toContain('declared data length 18446744073709551615 exceeds the limit of 268435456 bytes');
  });
});
